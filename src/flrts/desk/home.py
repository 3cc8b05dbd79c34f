"""The desk's home page: today's numbers for the people who run the crew."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from flrts.core.permissions import readable
from flrts.fieldreports.models import FieldReport
from flrts.tasks.models import CLOSED_STATUSES, Task


def home_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    today = timezone.localdate()
    tasks = readable(user, Task.objects.filter(archived=False))
    open_tasks = tasks.exclude(status__in=CLOSED_STATUSES)
    counts = open_tasks.aggregate(
        open=Count("id"),
        due_today=Count("id", filter=Q(exp_end_date=today)),
        overdue=Count("id", filter=Q(due_at__lt=now)),
    )
    per_site = (
        open_tasks.values("site__site_name", "site_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)))
        .order_by("site__site_name")
    )
    reports = readable(user, FieldReport.objects.filter(archived=False)).select_related(
        "site", "reported_by"
    )[:5]
    return {"counts": counts, "per_site": list(per_site), "latest_reports": list(reports)}
