"""The reports through the API: `/api/method/flrts.reports.<report>` returns
`{"message": {"columns": [...], "rows": [...], "summary": [...], "chart": {...}, ...}}`, and
Frappe's `frappe.desk.query_report.run` answers with `result` for the same reports.

Filters come as query-string or JSON arguments (from_date, to_date, group_by,
telegram_user_id, model_name). A bad filter is a 417 naming it; a role that may not see reports
gets 403.
"""

from __future__ import annotations

import json
from typing import Any

from flrts.api.errors import DoesNotExistError, PermissionError, ValidationError
from flrts.api.methods import whitelist
from flrts.reports.access import may_see_reports
from flrts.reports.analytics import REPORTS, ReportDef, ReportResult, by_frappe_name
from flrts.reports.periods import ReportFilterError

FILTER_NAMES = ("from_date", "to_date", "group_by", "telegram_user_id", "model_name")


def _run(report: ReportDef, user: Any, filters: dict[str, Any]) -> ReportResult:
    if not may_see_reports(user):
        raise PermissionError("Not permitted: reports are for Admins and Supervisors")
    unknown = sorted(set(filters) - {name for name, *_ in report.filters})
    if unknown:
        raise ValidationError(f"{report.title} has no filter {', '.join(unknown)}")
    try:
        return report.run(user, filters)
    except ReportFilterError as exc:
        raise ValidationError(str(exc)) from None


def _json_filters(filters: Any) -> dict[str, Any]:
    if isinstance(filters, str):
        try:
            filters = json.loads(filters) if filters.strip() else {}
        except json.JSONDecodeError:
            raise ValidationError("filters must be a JSON object") from None
    if filters is None:
        return {}
    if not isinstance(filters, dict):
        raise ValidationError("filters must be a JSON object")
    return filters


def _method(report: ReportDef) -> Any:
    def method(user: Any, **kwargs: Any) -> dict[str, Any]:
        filters = {
            k: v
            for k, v in kwargs.items()
            if k not in ("cmd", "user", "request", "filters") and not k.startswith("_")
        }
        if "filters" in kwargs:  # Frappe style: one JSON object of filters
            filters = {**_json_filters(kwargs["filters"]), **filters}
        return _run(report, user, filters).as_api()

    method.__name__ = report.slug.replace("-", "_")
    return method


for _report in REPORTS.values():
    whitelist(_report.api_path, methods=("GET", "POST"))(_method(_report))


@whitelist("frappe.desk.query_report.run", methods=("GET", "POST"))
def query_report_run(user: Any, report_name: Any = "", filters: Any = None) -> dict[str, Any]:
    report = by_frappe_name(str(report_name or ""))
    if report is None:
        raise DoesNotExistError(f"Report {str(report_name)[:80]!r} not found")
    result = _run(report, user, _json_filters(filters)).as_api()
    return {
        "columns": result["columns"],
        "result": result["rows"],
        "message": result["message"],
        "chart": result["chart"],
        "report_summary": result["summary"],
    }
