"""Who sees reports: Admins and Supervisors (the people who run the crew and its costs).

Workers and Viewers do not: the analytics show every person's parse outcomes and the OpenAI
spend, and the daily report lists per-person numbers. They still get the dashboard's task
numbers (tasks are readable by everyone), without the parser and cost charts.
Changing the monitors' thresholds is a setting: Admins only (the role matrix's SETTINGS).
"""

from __future__ import annotations

from typing import Any

from flrts.core.permissions import Action, PermissionDenied, can, role_of
from flrts.core.roles import Role

REPORT_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})


def may_see_reports(user: Any) -> bool:
    return role_of(user) in REPORT_ROLES


def require_reports(user: Any) -> None:
    if not may_see_reports(user):
        raise PermissionDenied("Not permitted: reports are for Admins and Supervisors")


def may_edit_monitor_settings(user: Any) -> bool:
    from flrts.reports.models import MonitorSettings

    return can(user, Action.SETTINGS, MonitorSettings)


def may_read_report_file(user: Any, path: str) -> bool:
    """The private-file check for `reports/...`: a file of a Daily Report the person may read."""
    from flrts.reports.models import DailyReport

    if not may_see_reports(user):
        return False
    report = DailyReport.objects.filter(file=path).first()
    return report is not None and can(user, Action.READ, report)
