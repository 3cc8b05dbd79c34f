"""`frappe.core.doctype.user.user.reset_password` (frappe-js-sdk's forgetPassword).

As in Frappe: a guest may ask, it is rate-limited (the login limit, per IP), and the answer
says what happened: a reset mail for an active user with an email; "not found" (404) for an
unknown one, "disabled" for a disabled one, "not allowed" for Administrator. The mail is
Django's password-reset mail; its link opens the desk's set-a-new-password page
(`/desk/password-reset/<uid>/<token>/`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse

from flrts.api import ratelimit
from flrts.api.args import request_args
from flrts.api.errors import ValidationError, json_response
from flrts.api.methods import whitelist


@whitelist("frappe.core.doctype.user.user.reset_password", methods=("POST",), allow_guest=True)
def reset_password(request: HttpRequest) -> HttpResponse:
    ratelimit.check("login", ratelimit.client_ip(request))
    raw = request_args(request).get("user")  # Frappe's parameter: the email
    if raw is not None and not isinstance(raw, str):
        raise ValidationError("Parameter 'user' must be an email address")
    email = (raw or "").strip()
    users = get_user_model()._default_manager
    target: Any = users.filter(email__iexact=email).first() if email else None
    if target is None:
        return json_response({"message": "not found"}, status=404)
    if target.username == "Administrator":
        return json_response({"message": "not allowed"})
    if not target.is_active:
        return json_response({"message": "disabled"})
    form = PasswordResetForm({"email": target.email})
    if form.is_valid():
        form.save(request=request, use_https=request.is_secure())
    return json_response({"message": "Password reset instructions have been sent to your email"})
