"""The reports in the desk: an index, each analytics report (filters, chart, table, CSV), and
"build today's report now" for Admins. Mounted by flrts.desk.site under /desk/reports/."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from flrts.core.display import when
from flrts.core.permissions import Action, can
from flrts.core.views import forbidden
from flrts.reports.access import may_edit_monitor_settings, may_see_reports
from flrts.reports.analytics import REPORTS, ReportDef, ReportResult
from flrts.reports.charts import render as render_chart
from flrts.reports.periods import ReportFilterError, parse_date


def _forbidden(request: HttpRequest, site: Any) -> TemplateResponse:
    return forbidden(request, "Reports are for Admins and Supervisors.")


def index(request: HttpRequest, site: Any) -> HttpResponse:
    from flrts.reports.models import DailyReport, MonitorState

    if not may_see_reports(request.user):
        return _forbidden(request, site)
    context = {
        **site.each_context(request),
        "title": "Reports",
        "reports": list(REPORTS.values()),
        "daily_reports": list(DailyReport.objects.all()[:10]),
        "monitors": list(MonitorState.objects.all()),
        "may_build": can(request.user, Action.CREATE, DailyReport),
        "may_edit_settings": may_edit_monitor_settings(request.user),
    }
    return TemplateResponse(request, "reports/index.html", context)


def _safe_cell(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas; text cells are quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(report: ReportDef, result: ReportResult) -> HttpResponse:
    period = f"{result.filters.get('from_date', '')}_{result.filters.get('to_date', '')}"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.slug}_{period}.csv"'
    writer = csv.writer(response)
    writer.writerow([c.label for c in result.columns])
    for row in result.rows:
        writer.writerow([_safe_cell(row.get(c.fieldname)) for c in result.columns])
    return response


def report(request: HttpRequest, site: Any, slug: str) -> HttpResponse:
    definition = REPORTS[slug]
    if not may_see_reports(request.user):
        return _forbidden(request, site)
    filters = {name: request.GET.get(name, "") for name, *_ in definition.filters}
    error = ""
    result: ReportResult | None = None
    try:
        result = definition.run(request.user, filters)
    except ReportFilterError as exc:
        error = str(exc)
    if request.GET.get("format") == "csv" and result is not None:
        return _csv(definition, result)
    shown = dict(filters)
    if result is not None:  # show the defaults that were applied
        for key in ("from_date", "to_date", "group_by"):
            if key in shown:
                shown[key] = shown[key] or str(result.filters.get(key, ""))
    fields = [
        {"name": name, "label": label, "type": kind, "choices": choices, "value": shown[name]}
        for name, label, kind, choices in definition.filters
    ]
    query = request.GET.copy()
    query["format"] = "csv"
    context = {
        **site.each_context(request),
        "title": definition.title,
        "report": definition,
        "result": result,
        "error": error,
        "fields": fields,
        "chart": render_chart(result.chart) if result else "",
        "table": _table(result) if result else None,
        "csv_query": query.urlencode(),
        "reports": list(REPORTS.values()),
    }
    return TemplateResponse(request, "reports/report.html", context, status=400 if error else 200)


def _table(result: ReportResult) -> dict[str, Any]:
    rows = []
    for row in result.rows:
        cells = []
        for column in result.columns:
            value = row.get(column.fieldname)
            cells.append(
                {
                    "text": _display(value, column.fieldtype),
                    "num": column.fieldtype in ("Int", "Float", "Currency", "Percent"),
                    "alert": column.fieldname == "budget_status" and value == "Over budget",
                }
            )
        rows.append({"cells": cells, "total": bool(row.get("is_total"))})
    return {"columns": result.columns, "rows": rows}


def _display(value: Any, fieldtype: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.date):
        return when(value)
    if fieldtype == "Currency":
        return f"{value:,.6f}".rstrip("0").rstrip(".") if value else "0"
    if fieldtype == "Percent":
        return f"{value:.2f}"
    return str(value)


@require_POST
def build_daily(request: HttpRequest, site: Any) -> HttpResponse:
    from flrts.reports.daily import build, send
    from flrts.reports.models import DailyReport

    if not can(request.user, Action.CREATE, DailyReport):
        return _forbidden(request, site)
    try:
        day = parse_date(request.POST.get("date", ""), "Date")
    except ReportFilterError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect("/desk/reports/")
    built = build(day, by=request.user)
    note = ""
    if request.POST.get("send"):
        note = "; sent: " + (", ".join(send(built, force=True)) or "nowhere")
    messages.success(request, f"{built} built ({built.pages} pages){note}.")
    return HttpResponseRedirect("/desk/reports/")
