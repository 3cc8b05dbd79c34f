from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse

from flrts.core.permissions import role_of


class DeskSite(admin.AdminSite):
    site_header = "FLRTS desk"
    site_title = "FLRTS"
    index_title = "Today"
    index_template = "admin/flrts_index.html"

    def has_permission(self, request: HttpRequest) -> bool:
        return role_of(request.user) is not None

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        from flrts.desk.home import home_context

        context = {**(extra_context or {}), **home_context(request)}
        response = super().index(request, extra_context=context)
        assert isinstance(response, TemplateResponse)
        return response
