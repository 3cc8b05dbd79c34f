"""The desk's "Link Telegram" page: a person makes a one-time code for their own account.

Only for one's own record: the code proves that whoever sends it to the bot holds both this desk
login and that Telegram account. Admins link anyone directly (desk field, `flrts set-telegram`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from flrts.core.permissions import role_of
from flrts.people.models import LINK_CODE_MINUTES, LinkCodeLimit, TelegramLinkCode, User


def link_telegram(request: HttpRequest, person_id: int) -> HttpResponse:
    user: Any = request.user
    if role_of(user) is None or user.pk != person_id:
        raise PermissionDenied("A Telegram link code is made by its own person")
    person = User.objects.get(pk=person_id)
    context: dict[str, Any] = {
        **admin.site.each_context(request),
        "person": person,
        "minutes": LINK_CODE_MINUTES,
        "title": "Link Telegram",
    }
    if request.method == "POST":
        try:
            code = TelegramLinkCode.issue(person, created_by=person)
        except LinkCodeLimit as exc:
            context["error"] = str(exc)
        else:
            context["code"] = code.plain_code
            context["expires"] = code.expires_at
    # admin_view marks the page never_cache (no-store): the code stays in no cache.
    return TemplateResponse(request, "admin/people/user/link_telegram.html", context)
