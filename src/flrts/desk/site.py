from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path

from flrts.core.admin_base import DocumentAdmin
from flrts.core.permissions import role_of
from flrts.reports import views
from flrts.reports.analytics import REPORTS


class DeskSite(admin.AdminSite):
    site_header = "FLRTS desk"
    site_title = "FLRTS"
    index_title = "Dashboard"
    index_template = "admin/flrts_index.html"

    def has_permission(self, request: HttpRequest) -> bool:
        return role_of(request.user) is not None

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        """DocType lists get the desk's list tools (flrts.desk.listview): the records' admin
        modules stay plain declarations and never import the desk."""
        from flrts.desk.listview.mixin import DeskListMixin
        from flrts.desk.listview.query import doctype_for

        models = (
            model_or_iterable
            if isinstance(model_or_iterable, list | tuple)
            else [model_or_iterable]
        )
        if (
            admin_class is not None
            and not issubclass(admin_class, DeskListMixin)
            and all(_is_document_list(m, admin_class) and doctype_for(m) for m in models)
        ):
            admin_class = type(
                admin_class.__name__,
                (DeskListMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> Any:
        """The sidebar and home page get the desk's sections; an app's own page keeps its app."""
        from flrts.desk.navigation import grouped

        app_list = super().get_app_list(request, app_label)
        return app_list if app_label else grouped(app_list)

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        from flrts.desk.home import home_context

        context = {**(extra_context or {}), **home_context(request)}
        response = super().index(request, extra_context=context)
        assert isinstance(response, TemplateResponse)
        return response

    def get_urls(self) -> list[URLResolver | URLPattern]:
        # The reports' pages live in the desk (login, navigation); they come before the model
        # URLs so /desk/reports/ is the Reports page rather than the app's model index.
        from flrts.desk.boards.urls import urls as board_urls
        from flrts.desk.timeline.urls import urls as timeline_urls

        def view(func: Any, **bound: Any) -> Any:
            return self.admin_view(partial(func, site=self, **bound))

        pages: list[URLResolver | URLPattern] = [
            path("reports/", view(views.index), name="reports"),
            path("reports/daily/build/", view(views.build_daily), name="reports-build-daily"),
        ]
        for slug in REPORTS:
            pages.append(
                path(f"reports/{slug}/", view(views.report, slug=slug), name=f"report-{slug}")
            )
        pages += board_urls(self.admin_view) + timeline_urls(self.admin_view)
        return pages + super().get_urls()


def _is_document_list(model: Any, admin_class: Any) -> bool:
    """A DocType whose desk list archives instead of deleting (a DocumentAdmin)."""
    return issubclass(admin_class, DocumentAdmin)
