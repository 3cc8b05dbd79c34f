from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from flrts.core.context import acting_as
from flrts.core.timezones import zone


class UserTimezoneMiddleware:
    """Show times in the reader's zone and record who is acting for document history."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        tz_name = getattr(user, "time_zone", None) or settings.SITE_TIME_ZONE
        try:
            timezone.activate(zone(tz_name))
        except Exception:  # a bad stored zone must not break every page
            timezone.activate(zone("UTC"))
        try:
            with acting_as(user if user is not None and user.is_authenticated else None):
                return self.get_response(request)
        finally:
            timezone.deactivate()
