"""`DeskListMixin`: the Frappe-style list tools on a DocType's desk list.

Added by the desk site to each DocType admin at registration (flrts.desk.site). An admin may set
`mine_filters` (key, label, field) and `count_fields` (the sidebar counts); the defaults suit any
Document. Every view here is behind the desk login and asks flrts.core.permissions: the list's
own read permission, and the preference rules for saved filters and columns.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import ForeignKey, Model
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    QueryDict,
)
from django.template.response import TemplateResponse
from django.urls import include, path, reverse

from flrts.api.registry import link_target
from flrts.core.permissions import Action, can
from flrts.core.views import forbidden
from flrts.desk.listview import columns, query
from flrts.desk.listview.builder import MAX_ROWS, FilterRow, rows_from_filters, rows_from_request
from flrts.desk.listview.counts import count_values
from flrts.desk.listview.sidebar import BuilderFilter, MineFilter
from flrts.desk.models import ListFilter

DEFAULT_MINE = [("created", "Created by me", "owner")]


class DeskListMixin:
    """Filter builder, saved filters, column picker, "mine" filters and sidebar counts."""

    # Provided by the ModelAdmin this is mixed into (annotations only: no values shadow them).
    model: Any
    admin_site: Any
    list_filter: Any

    # The list page is Django's, extended by desk/templates/admin/change_list.html (so a model's
    # own admin/<app>/<model>/change_list.html still extends it). The admin's own `mine_filters`
    # and `count_fields` win (this mixin comes first in the MRO, so its defaults live in the
    # methods below, not in class attributes).

    def get_mine_filters(self) -> list[tuple[str, str, str]]:
        return list(getattr(super(), "mine_filters", DEFAULT_MINE))

    # -- the list ------------------------------------------------------------------------------
    def get_list_filter(self, request: HttpRequest) -> Any:
        base = list(super().get_list_filter(request))  # type: ignore[misc]
        mine = [MineFilter] if self.get_mine_filters() else []
        return [BuilderFilter, *mine, *base]

    def get_list_display(self, request: HttpRequest) -> Any:
        if not hasattr(request, "_flrts_columns"):
            picked = columns.chosen(self, request.user)
            request._flrts_columns = picked  # type: ignore[attr-defined]
        return request._flrts_columns or super().get_list_display(request)  # type: ignore[attr-defined, misc]

    def get_list_display_links(self, request: HttpRequest, list_display: Any) -> Any:
        links = super().get_list_display_links(request, list_display)  # type: ignore[misc]
        kept = [name for name in (links or []) if name in list_display]
        return kept or list(list_display)[:1]

    def get_list_select_related(self, request: HttpRequest) -> Any:
        """The defaults plus any foreign key a person chose as a column (no query per row)."""
        base = super().get_list_select_related(request)  # type: ignore[misc]
        related = list(base) if isinstance(base, list | tuple) else []
        for name in self.get_list_display(request):
            field = _field(self.model, name)
            if isinstance(field, ForeignKey) and name not in related:
                related.append(name)
        return related or base

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        context = {**self._tools_context(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context=context)  # type: ignore[misc]

    def _tools_context(self, request: HttpRequest) -> dict[str, Any]:
        model: Any = self.model
        current = request.GET.get(query.PARAM, "")
        try:
            active = query.parse(current)
        except query.FilterError:
            active = []
        saved = ListFilter.objects.filter(reference_doctype=model.doctype).filter(
            ListFilter.perm_scope(request.user)
        )
        here = request.GET.copy()
        here.pop("p", None)
        back = here.copy()
        back.pop(query.PARAM, None)
        picked = set(self.get_list_display(request))
        return {
            "list_tools": True,
            "builder_rows": rows_from_filters(model, active) or [FilterRow.blank(model, 0)],
            "active_filters": [(f, query.describe(model, f)) for f in active],
            "active_filters_json": current,
            "saved_filters": [
                {
                    "row": f,
                    "url": self._changelist_with(f.query, f.filters),
                    "may_delete": can(request.user, Action.ARCHIVE, f),
                }
                for f in saved
            ],
            "may_share": can(request.user, Action.WRITE, ListFilter(for_user=None)),
            "may_save": can(request.user, Action.CREATE, ListFilter),
            "column_choices": [(n, label, n in picked) for n, label in columns.choices(self)],
            "back_query": back.urlencode(),  # the list's other choices, without the filters
            "here_query": here.urlencode(),  # with them
            "listview_url": self._listview_url(""),
        }

    # -- URLs --------------------------------------------------------------------------------------
    def get_urls(self) -> list[Any]:
        info = self.model._meta.app_label, self.model._meta.model_name
        wrap = self.admin_site.admin_view  # type: ignore[attr-defined]
        views = [
            ("apply/", self.apply_filters_view, "apply"),
            ("row/", self.filter_row_view, "row"),
            ("counts/", self.counts_view, "counts"),
            ("columns/", self.columns_view, "columns"),
            ("filters/save/", self.save_filter_view, "save_filter"),
            ("filters/<int:pk>/delete/", self.delete_filter_view, "delete_filter"),
        ]
        tools = [
            path(route, wrap(view), name="{}_{}_listview_{}".format(*info, name))
            for route, view, name in views
        ]
        # One prefix: every other desk URL is checked against it once, not once per tool (the
        # changelist resolves a URL per row link, so this is on the hot path).
        return [path("listview/", include(tools)), *super().get_urls()]  # type: ignore[misc]

    def _listview_url(self, suffix: str) -> str:
        info = self.model._meta.app_label, self.model._meta.model_name
        return reverse("admin:{}_{}_changelist".format(*info)) + "listview/" + suffix

    def _changelist_with(self, back: str, filters: list[query.Filter] | None = None) -> str:
        """The list URL with the person's other choices kept (re-encoded: no open redirect)."""
        params = QueryDict(back, mutable=True)
        params.pop("p", None)
        if filters is not None:  # None keeps the filters `back` has
            params.pop(query.PARAM, None)
            if filters:
                params[query.PARAM] = query.dump(filters)
        url = reverse(
            f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_changelist"
        )
        encoded = params.urlencode()
        return f"{url}?{encoded}" if encoded else url

    def _may_list(self, request: HttpRequest) -> bool:
        return bool(self.has_view_permission(request) or self.has_change_permission(request))  # type: ignore[attr-defined]

    # -- the filter builder -------------------------------------------------------------------
    def apply_filters_view(self, request: HttpRequest) -> HttpResponse:
        """The builder's rows (f-N-field/op/value) to the list with `filters` as JSON."""
        if not self._may_list(request):
            return forbidden(request, "You may not read this list.")
        filters = rows_from_request(self.model, request.GET)
        return HttpResponseRedirect(self._changelist_with(request.GET.get("back", ""), filters))

    def filter_row_view(self, request: HttpRequest) -> HttpResponse:
        """One builder row, for htmx: the operators and value input that suit the field."""
        if not self._may_list(request):
            return forbidden(request, "You may not read this list.")
        if request.GET.get("add"):  # a new row: the first index no row on the page uses
            used = {key.split("-")[1] for key in request.GET if key.endswith("-field")}
            index = next(i for i in range(MAX_ROWS + 1) if str(i) not in used)
        else:
            try:
                index = max(0, min(int(request.GET.get("index", "0")), MAX_ROWS))
            except ValueError:
                index = 0
        if index >= MAX_ROWS:
            return HttpResponse("")
        given = {key: request.GET.get(f"f-{index}-{key}", "") for key in ("field", "op", "value")}
        given["value2"] = request.GET.get(f"f-{index}-value2", "")
        if request.headers.get("HX-Trigger-Name") == f"f-{index}-field":
            given.update(op="", value="", value2="")  # another field: start its row afresh
        row = FilterRow.build(
            self.model, index, given["field"], given["op"], given["value"], given["value2"]
        )
        return TemplateResponse(
            request,
            "desk/listview/filter_row.html",
            {"row": row, "listview_url": self._listview_url("")},
        )

    # -- counts ---------------------------------------------------------------------------------
    def counts_view(self, request: HttpRequest) -> HttpResponse:
        """Counts per value of the list's main fields, over the list as filtered (Frappe's
        sidebar group-by). Loaded by htmx after the list, so the list itself stays fast."""
        if not self._may_list(request):
            return forbidden(request, "You may not read this list.")
        try:
            changelist = self.get_changelist_instance(request)  # type: ignore[attr-defined]
        except IncorrectLookupParameters:  # the list itself says so (Django's "?e=1")
            return TemplateResponse(request, "desk/listview/counts.html", {"groups": []})
        rows = changelist.get_queryset(request).order_by()
        try:
            current = query.parse(request.GET.get(query.PARAM, ""))
        except query.FilterError:
            current = []
        fields = [f for f in (_field(self.model, n) for n in self._count_fields()) if f is not None]
        counted = count_values(rows, fields)
        groups = [self._count_group(f, counted[f.name], current, request) for f in fields]
        return TemplateResponse(
            request, "desk/listview/counts.html", {"groups": [g for g in groups if g["values"]]}
        )

    def _count_fields(self) -> list[str]:
        chosen = getattr(super(), "count_fields", None)
        if chosen is not None:
            return list(chosen)
        names = [f for f in self.list_filter if isinstance(f, str) and "__" not in f]
        return [*names, "owner"] if _field(self.model, "owner") is not None else names

    def _count_group(
        self,
        field: Any,
        counted: list[tuple[Any, int]],
        current: list[query.Filter],
        request: HttpRequest,
    ) -> dict[str, Any]:
        """One sidebar group: each value with its count and the list filtered to it."""
        doctype = query.doctype_for(self.model)
        api_field = doctype.fields.get(field.name) if doctype else None
        label = api_field.label if api_field else field.name
        if field.name == "owner":
            label = "Created by"
        names = _link_names(field, [v for v, _ in counted])
        back = request.GET.urlencode()
        values = []
        for raw, n in counted:
            if raw is None:
                flt, shown = [field.name, "is", "not set"], "(not set)"
            elif isinstance(field, ForeignKey):
                link_name, shown = names.get(raw, (str(raw), str(raw)))
                flt = [field.name, "=", link_name]
            else:
                flt, shown = [field.name, "=", raw], str(raw)
            url = self._changelist_with(back, query.merged(current, *flt))
            values.append({"label": shown, "count": n, "url": url, "value": raw})
        return {"field": field.name, "label": label, "values": values}

    # -- columns ---------------------------------------------------------------------------------
    def columns_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self._may_list(request):
            return forbidden(request, "You may not read this list.")
        from flrts.desk.models import ListViewSettings

        if not can(request.user, Action.CREATE, ListViewSettings):
            return forbidden(request, "You may not keep list settings.")
        chosen = request.POST.getlist("column") if "reset" not in request.POST else []
        picked = columns.save(self, request.user, chosen)
        note = f"Columns: {len(picked)} chosen." if picked else "Columns: back to the defaults."
        self.message_user(request, note, messages.SUCCESS)  # type: ignore[attr-defined]
        return HttpResponseRedirect(self._changelist_with(request.POST.get("back", "")))

    # -- saved filters ---------------------------------------------------------------------------
    def save_filter_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self._may_list(request):
            return forbidden(request, "You may not read this list.")
        back = request.POST.get("back", "")
        name = request.POST.get("filter_name", "").strip()[:140]
        shared = request.POST.get("shared") == "1"
        candidate = ListFilter(
            filter_name=name,
            reference_doctype=self.model.doctype,
            for_user=None if shared else request.user,  # type: ignore[misc]
        )
        if not can(request.user, Action.CREATE, ListFilter) or not can(
            request.user, Action.WRITE, candidate
        ):
            return forbidden(request, "Only Admins and Supervisors share filters with everyone.")
        try:
            filters = query.parse(request.POST.get(query.PARAM, ""))
            query.to_q(self.model, filters)  # a filter that cannot run is not saved
        except query.FilterError as exc:
            self.message_user(request, str(exc), messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(self._changelist_with(back))
        if not name:
            self.message_user(request, "Give the filter a name to save it.", messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(self._changelist_with(back, filters))
        candidate.filters = filters
        candidate.query = QueryDict(back).urlencode()[:1000]
        candidate.save()
        whose = "shared with everyone" if shared else "saved for you"
        self.message_user(request, f"Filter “{name}” {whose}.", messages.SUCCESS)  # type: ignore[attr-defined]
        return HttpResponseRedirect(self._changelist_with(back, filters))

    def delete_filter_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        row = ListFilter.objects.filter(pk=pk, reference_doctype=self.model.doctype).first()
        if row is None or not can(request.user, Action.READ, row):
            self.message_user(request, "No such saved filter.", messages.WARNING)  # type: ignore[attr-defined]
            return HttpResponseRedirect(self._changelist_with(request.POST.get("back", "")))
        if not can(request.user, Action.ARCHIVE, row):
            return forbidden(request, "Only Admins and Supervisors remove shared filters.")
        row.delete()
        self.message_user(request, f"Filter “{row.filter_name}” removed.", messages.SUCCESS)  # type: ignore[attr-defined]
        return HttpResponseRedirect(self._changelist_with(request.POST.get("back", "")))


def _field(model: type[Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except Exception:  # an admin method, not a field
        return None


def _link_names(field: Any, pks: list[Any]) -> dict[Any, tuple[str, str]]:
    """For a foreign key: pk -> (the name the filters use, the label people read)."""
    if not isinstance(field, ForeignKey):
        return {}
    target = link_target(field.related_model)  # type: ignore[arg-type]
    wanted = [pk for pk in pks if pk is not None]
    out: dict[Any, tuple[str, str]] = {}
    related: Any = field.related_model
    for obj in related._default_manager.filter(pk__in=wanted):
        name = target.to_name(*[getattr(obj, c) for c in target.value_columns])
        out[obj.pk] = (str(name), str(obj))
    return out
