"""Every stored job path names a registered function; nothing else is run."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from flrts.jobs import registry
from flrts.jobs.errors import UnknownJob
from flrts.jobs.models import Job, JobStatus, ScheduledJob
from flrts.jobs.queue import enqueue
from flrts.jobs.runner import run_job
from tests.jobs import sample_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("db_queue")]

SRC = Path(__file__).resolve().parents[2] / "src" / "flrts"


def _resolves(path: str) -> None:
    func = registry.resolve(path)
    assert registry.path_of(func) == path
    assert registry.jobs()[path] is func


def test_every_scheduled_entry_resolves_to_its_registered_function() -> None:
    entries = registry.entries()
    assert len(entries) >= 12
    for entry in entries:
        _resolves(entry.method)


def test_every_scheduled_job_row_of_a_fresh_site_resolves() -> None:
    registry.sync_scheduled_jobs()
    rows = list(ScheduledJob.objects.filter(in_registry=True).values_list("method", flat=True))
    assert "flrts.notify.reminder_dispatch.dispatch_due" in rows
    for method in rows:
        _resolves(method)


def _migration_data_paths() -> list[str]:
    """Dotted job paths written by data migrations (the values of their rename maps)."""
    found = []
    for path in SRC.glob("*/migrations/0*.py"):
        text = path.read_text()
        if "Job" not in text:
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Dict):
                for value in node.values:
                    if isinstance(value, ast.Constant) and str(value.value).startswith("flrts."):
                        found.append(str(value.value))
    return found


def test_paths_written_by_data_migrations_resolve() -> None:
    paths = _migration_data_paths()
    assert "flrts.notify.reminder_delivery.deliver_reminders" in paths
    for path in paths:
        _resolves(path)


def test_a_renamed_job_row_keeps_running_after_the_migration() -> None:
    moved = importlib.import_module("flrts.jobs.migrations.0002_moved_job_functions")
    from django.apps import apps

    old = "flrts.reminders.deliver.deliver_reminders"
    job = Job.objects.create(method=old, kwargs={"delivery_ids": []})
    moved.rename(apps, {old: moved.MOVED[old]})
    job.refresh_from_db()
    assert job.method == "flrts.notify.reminder_delivery.deliver_reminders"
    assert run_job(job.pk, job.token) == "finished"


def test_no_job_is_queued_by_a_string_in_the_code() -> None:
    """`enqueue("flrts....")` is gone: every call site passes the function."""
    offenders = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", ""))
                in ("enqueue", "enqueue_after_commit", "create_job", "register")
                and node.args
                and isinstance(node.args[0] if node.args else None, ast.Constant | ast.JoinedStr)
            ):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    # registry.register's first argument is the event name (a string); its second is checked.
    offenders = [o for o in offenders if "schedule.py" not in o]
    assert offenders == []
    with pytest.raises(TypeError, match="pass the function itself"):
        enqueue("tests.jobs.sample_jobs.record", label="x")  # type: ignore[arg-type]


def test_an_unregistered_function_cannot_be_queued() -> None:
    def helper() -> None: ...

    with pytest.raises(TypeError, match="not a module-level function"):
        enqueue(helper)
    with pytest.raises(UnknownJob, match="not a registered job function"):
        enqueue(importlib.import_module("tests.jobs.support").wait_for)


def test_an_unregistered_path_in_a_job_row_fails_that_job_once_with_the_reason() -> None:
    job = Job.objects.create(method="flrts.gone.module.vanished", max_attempts=3)
    assert run_job(job.pk, job.token) == "failed"
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 1
    assert "no registered job function is stored as 'flrts.gone.module.vanished'" in job.error
    assert job.error_log  # written once, for the Admins
    # Not requeued: a second message for the same token does nothing.
    assert run_job(job.pk, job.token) == "skipped"
    # A path naming an importable function that is not a job is not run either.
    job = Job.objects.create(method="os.system", kwargs={"command": "true"})
    assert run_job(job.pk, job.token) == "failed"
    job.refresh_from_db()
    assert "no registered job function" in job.error


def test_a_job_is_queued_and_run_by_reference() -> None:
    job = enqueue(sample_jobs.record, label="by reference")
    assert job.method == "tests.jobs.sample_jobs.record"
    from tests.jobs.support import drain

    drain()
    job.refresh_from_db()
    assert job.status == JobStatus.FINISHED and job.result == "recorded by reference"


@pytest.mark.django_db(transaction=True)
def test_an_enqueue_wakes_a_sleeping_worker_on_this_host_after_commit() -> None:
    from django.db import transaction

    from flrts.jobs.wake import Alarm

    alarm = Alarm("jobs")
    try:
        with transaction.atomic():
            enqueue(sample_jobs.record, label="wake")
            assert alarm.wait(0) is False  # not before the commit: the job is not visible yet
        assert alarm.wait(30) is True
    finally:
        alarm.close()
