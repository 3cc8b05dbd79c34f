"""How FLRTS records look in ERPNext and back.

Task → ERPNext `Task`: subject, status, priority, exp_start_date, exp_end_date, description,
parent_task (the parent's remote name), is_group. FLRTS's task statuses and priorities are
ERPNext's own option names (Open, Working, Pending Review, Overdue, Completed, Cancelled;
Low, Medium, High, Urgent), so they map one to one; ERPNext's "Template" is never applied here.
ERPNext keeps assignees in `_assign`, a JSON list of user names (emails).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from flrts.tasks.models import Priority, Status

REMOTE_TASK = "Task"
STATUS_TO_REMOTE = {s.value: s.value for s in Status}
STATUS_FROM_REMOTE = {v: k for k, v in STATUS_TO_REMOTE.items()}
PRIORITY_TO_REMOTE = {p.value: p.value for p in Priority}


def task_payload(task: Any, parent_remote: str | None) -> dict[str, Any]:
    return {
        "subject": task.subject[:140],
        "status": STATUS_TO_REMOTE.get(task.status, "Open"),
        "priority": PRIORITY_TO_REMOTE.get(task.priority, "Medium"),
        "exp_start_date": str(task.exp_start_date) if task.exp_start_date else None,
        "exp_end_date": str(task.exp_end_date) if task.exp_end_date else None,
        "description": task.description or None,
        "parent_task": parent_remote,
        "is_group": 1 if task.is_group else 0,
    }


def remote_assignees(remote: dict[str, Any]) -> list[str]:
    raw = remote.get("_assign")
    if not raw:
        return []
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return []
    return [str(v) for v in value if v] if isinstance(value, list) else []


def parse_remote_datetime(value: str, time_zone: str) -> dt.datetime:
    """Frappe's naive `modified` (its system time zone) as an aware datetime."""
    naive = dt.datetime.fromisoformat(value.strip())
    return naive.replace(tzinfo=ZoneInfo(time_zone))


def comment_content(report: Any) -> str:
    """A field report as the HTML of an ERPNext Comment."""
    from django.template.defaultfilters import linebreaksbr
    from django.utils.html import escape

    parts = [f"<b>Field report {escape(report.name)}: {escape(report.summary)}</b>"]
    meta = [f"Date: {report.report_date}"]
    if report.site_id:
        meta.append(f"Site: {escape(report.site.site_name)}")
    if report.reported_by_id:
        meta.append(f"By: {escape(str(report.reported_by))}")
    parts.append(" · ".join(meta))
    for label, text in (
        ("Observations", report.observations),
        ("Issues found", report.issues_found),
        ("Equipment", report.equipment_mentioned),
    ):
        if text.strip():
            parts.append(f"<b>{label}</b><br>{linebreaksbr(text.strip(), autoescape=True)}")
    readings = [str(r) for r in report.readings.all()]
    if readings:
        parts.append("<b>Readings</b><br>" + "<br>".join(escape(r) for r in readings))
    return "<br><br>".join(parts)
