"""Local changes that go to ERPNext: a saved Task, a submitted Field Report.

One push job per record per transaction (the after-commit batch), on the `default` queue. Saves
made while applying ERPNext's own changes (`applying_remote()`) push nothing back.
"""

from __future__ import annotations

from typing import Any

from flrts.integrations import aftercommit
from flrts.integrations.erpnext.remote import applying_remote, is_applying_remote
from flrts.integrations.erpnext.sync import push_report, push_task
from flrts.jobs.queue import enqueue

__all__ = ["applying_remote", "document_changed"]

QUEUE = "default"
MAX_ATTEMPTS = 5


def document_changed(instance: Any, events: list[str]) -> None:
    if is_applying_remote() or events == ["on_trash"]:
        return
    from flrts.integrations.erpnext.config import active_settings

    if instance.doctype not in ("Task", "Field Report"):
        return
    row = active_settings()
    if row is None:
        return
    if instance.doctype == "Task" and row.push_tasks and not instance.archived:
        aftercommit.add(("erpnext", "Task", instance.name), instance.name, _push_task)
    elif (
        instance.doctype == "Field Report"
        and row.push_field_reports
        and instance.docstatus == 1
        and not instance.archived
    ):
        aftercommit.add(("erpnext", "Field Report", instance.name), instance.name, _push_report)


def _push_task(name: str) -> None:
    enqueue(
        push_task,
        queue=QUEUE,
        job_name=f"ERPNext push Task {name}",
        max_attempts=MAX_ATTEMPTS,
        kwargs={"name": name},
    )


def _push_report(name: str) -> None:
    enqueue(
        push_report,
        queue=QUEUE,
        job_name=f"ERPNext push Field Report {name}",
        max_attempts=MAX_ATTEMPTS,
        kwargs={"name": name},
    )
