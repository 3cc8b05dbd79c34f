"""Local changes that go to ERPNext: a saved Task, a submitted Field Report.

One push job per record per transaction (the after-commit batch), on the `default` queue. Saves
made while applying ERPNext's own changes (`applying_remote()`) push nothing back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flrts.integrations import aftercommit
from flrts.jobs.queue import enqueue

_applying_remote: ContextVar[bool] = ContextVar("flrts_erpnext_applying_remote", default=False)

QUEUE = "default"
MAX_ATTEMPTS = 5


@contextmanager
def applying_remote() -> Iterator[None]:
    token = _applying_remote.set(True)
    try:
        yield
    finally:
        _applying_remote.reset(token)


def document_changed(instance: Any, events: list[str]) -> None:
    if _applying_remote.get() or events == ["on_trash"]:
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
        "flrts.integrations.erpnext.sync.push_task",
        queue=QUEUE,
        job_name=f"ERPNext push Task {name}",
        max_attempts=MAX_ATTEMPTS,
        kwargs={"name": name},
    )


def _push_report(name: str) -> None:
    enqueue(
        "flrts.integrations.erpnext.sync.push_report",
        queue=QUEUE,
        job_name=f"ERPNext push Field Report {name}",
        max_attempts=MAX_ATTEMPTS,
        kwargs={"name": name},
    )
