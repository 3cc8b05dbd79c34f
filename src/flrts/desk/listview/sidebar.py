"""List filters the desk adds to every DocType list: the builder's `filters` parameter (as a
Django list filter, so the changelist keeps it in every link) and "Assigned to me" / "Created by
me" at the top of the sidebar."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from flrts.desk.listview import query


class BuilderFilter(admin.ListFilter):
    """Applies `?filters=[[field, op, value], ...]`; shown above the list, not in the sidebar."""

    title = "filters"
    template = "desk/listview/hidden_filter.html"  # the builder above the list shows them

    def __init__(self, request: HttpRequest, params: dict[str, Any], model: Any, admin: Any):
        super().__init__(request, params, model, admin)
        raw = params.pop(query.PARAM, None)
        self.raw = raw[-1] if isinstance(raw, list) else raw
        if self.raw is not None:
            self.used_parameters[query.PARAM] = self.raw
        self.model = model
        self.request = request

    def has_output(self) -> bool:
        return True  # Django applies only the filters that have output

    def expected_parameters(self) -> list[str | None]:
        return [query.PARAM]

    def choices(self, changelist: Any) -> Any:
        return []

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.raw:
            return queryset
        try:
            return queryset.filter(query.to_q(self.model, query.parse(self.raw)))
        except query.FilterError as exc:
            # Shown once per page, not once per query the changelist makes.
            if not getattr(request, "_flrts_filter_error", None):
                request._flrts_filter_error = str(exc)  # type: ignore[attr-defined]
                messages.error(request, str(exc))
            return queryset.none()


class MineFilter(admin.SimpleListFilter):
    """Frappe's "Assigned to me" / "Created by me": the admin's `mine_filters` (key, label,
    field) name them."""

    title = "me"  # the sidebar reads "By me"
    parameter_name = "mine"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(key, label) for key, label, _field in model_admin.get_mine_filters()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        for key, _label, field in getattr(self, "_mine", []):
            if self.value() == key:
                return queryset.filter(Q(**{field: request.user.pk}))
        return queryset

    def __init__(self, request: HttpRequest, params: dict[str, Any], model: Any, admin: Any):
        self._mine = admin.get_mine_filters()
        super().__init__(request, params, model, admin)
