"""Push, pull and import: the connector's jobs.

Push (after a Task is saved or a Field Report submitted): insert the remote document the first
time, then update it. Every update carries the remote `modified` we last saw, so ERPNext answers
TimestampMismatchError (417) when someone edited the task there meanwhile: that is a conflict.

Pull (scheduled, every `pull_interval_minutes`): the remote Tasks changed since the cursor
(`modified >= cursor`, ordered by `modified`), for tasks we know; status and assignee are applied
locally. A task edited on both sides since the last exchange is a conflict.

Conflicts: the last writer wins (remote `modified`, read in ERPNext's time zone, against the
local `modified`). Both versions are kept in the task's history: the loser's values are in the
Version row the save writes (old → new) and in an extra Version row
`{"changed": [], "erpnext_conflict": {"winner", "flrts", "erpnext"}}`.

Errors: a 417 (validation), 401, 403, 404 or 409 is stored on the Sync Record (status Error, the
server's message) and fails the job without retry; 429, 5xx and network errors are retried by
the job runner with backoff.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from flrts.core.models import Version
from flrts.core.timezones import validate_timezone
from flrts.fieldreports.models import FieldReport
from flrts.integrations import templating
from flrts.integrations.erpnext import errors
from flrts.integrations.erpnext.client import FrappeClient
from flrts.integrations.erpnext.config import get_client
from flrts.integrations.erpnext.mapping import (
    REMOTE_TASK,
    STATUS_FROM_REMOTE,
    comment_content,
    parse_remote_datetime,
    remote_assignees,
    task_payload,
)
from flrts.integrations.erpnext.remote import applying_remote
from flrts.integrations.models import ERPNextSettings, SyncRecord, SyncStatus
from flrts.jobs.errors import JobFailed
from flrts.jobs.registry import job, scheduled
from flrts.org.models import Contractor, Site
from flrts.people.models import User, normalize_email
from flrts.tasks.models import Task

logger = logging.getLogger("flrts.integrations.erpnext")

PULL_PAGE = 100
PULL_MAX_ROWS = 100_000  # one pull never loops forever on a misbehaving server
MAX_PARENT_DEPTH = 20


@contextmanager
def _client(client: FrappeClient | None) -> Iterator[FrappeClient]:
    if client is not None:
        yield client
        return
    made = get_client()
    try:
        yield made
    finally:
        made.close()


def _as_job_error(exc: errors.FrappeError) -> Exception:
    """Transient errors go back to the runner (retry); the rest end the job without retry."""
    if isinstance(exc, errors.RateLimited | errors.ServerError | errors.NetworkError):
        return exc
    return JobFailed(str(exc))


# -- sync records ----------------------------------------------------------------------------
def record_for(local_doctype: str, local_name: str, remote_doctype: str) -> SyncRecord:
    record, _ = SyncRecord.objects.get_or_create(
        local_doctype=local_doctype, local_name=local_name, remote_doctype=remote_doctype
    )
    return record


def _ok(record: SyncRecord, remote: dict[str, Any], local_modified: dt.datetime | None) -> None:
    record.remote_name = str(remote.get("name") or record.remote_name)
    record.remote_modified = str(remote.get("modified") or record.remote_modified)
    record.remote_assign = json.dumps(remote_assignees(remote))
    record.local_modified = local_modified
    record.status = SyncStatus.SYNCED
    record.last_sync = timezone.now()
    record.last_error = ""
    record.last_error_type = ""
    record.save()


def _failed(record: SyncRecord, exc: errors.FrappeError | str, retrying: bool = False) -> None:
    text = str(exc)
    if retrying:
        text += " (will retry)"
    record.status = SyncStatus.ERROR
    record.last_error = text[:4000]
    record.last_error_type = (
        (exc.exc_type or type(exc).__name__) if isinstance(exc, errors.FrappeError) else ""
    )[:64]
    record.last_sync = timezone.now()
    record.save()


def _remote_zone(client: FrappeClient, row: ERPNextSettings) -> str:
    if row.remote_time_zone:
        return row.remote_time_zone
    zone = ""
    try:
        zone = str(client.get_single_value("System Settings", "time_zone") or "")
    except errors.FrappeError as exc:
        logger.warning("could not read ERPNext's time zone (%s); using the site's", exc)
    if zone:
        ERPNextSettings.objects.filter(pk=1).update(remote_time_zone=zone)
        row.remote_time_zone = zone
        return zone
    return settings.SITE_TIME_ZONE


# -- push: tasks ------------------------------------------------------------------------------
@job
def push_task(name: str, client: FrappeClient | None = None) -> str:
    """Job: send one task to ERPNext (insert or update)."""
    task = Task.objects.select_related("parent_task").filter(name=name).first()
    if task is None:
        return f"skipped: Task {name} no longer exists"
    with _client(client) as c:
        try:
            remote = _push_task(c, task, ERPNextSettings.load(), depth=0)
        except errors.FrappeError as exc:
            raise _as_job_error(exc) from None
    return f"Task {name} → {remote}"


def _push_task(c: FrappeClient, task: Any, row: ERPNextSettings, depth: int) -> str:
    record = record_for("Task", task.name, REMOTE_TASK)
    parent_remote = None
    if task.parent_task_id and depth < MAX_PARENT_DEPTH:
        parent = task.parent_task
        parent_record = SyncRecord.objects.filter(
            local_doctype="Task", local_name=parent.name, remote_doctype=REMOTE_TASK
        ).first()
        # A new sub-task: (re)send the parent first, so it exists there and is a group.
        if parent_record is None or not parent_record.remote_name or not record.remote_name:
            parent_remote = _push_task(c, parent, row, depth + 1)
        else:
            parent_remote = parent_record.remote_name
    payload = task_payload(task, parent_remote)
    try:
        if not record.remote_name:
            remote = c.insert(REMOTE_TASK, payload)
        else:
            if record.remote_modified:
                payload["modified"] = record.remote_modified
            try:
                remote = c.update(REMOTE_TASK, record.remote_name, payload)
            except errors.ValidationFailed as exc:
                if not exc.is_timestamp_mismatch:
                    raise
                current = c.get_doc(REMOTE_TASK, record.remote_name)
                resolve_conflict(c, task, record, current, row)
                return record.remote_name
    except errors.FrappeError as exc:
        _failed(record, exc, retrying=isinstance(_as_job_error(exc), errors.FrappeError))
        raise
    _ok(record, remote, task.modified)
    return record.remote_name


# -- conflicts ---------------------------------------------------------------------------------
def _local_values(task: Any) -> dict[str, Any]:
    return {
        "status": task.status,
        "assigned_to": task.assigned_to.email if task.assigned_to_id else None,
        "modified": timezone.localtime(task.modified).isoformat(),
    }


def _remote_values(remote: dict[str, Any]) -> dict[str, Any]:
    assignees = remote_assignees(remote)
    return {
        "status": remote.get("status"),
        "assigned_to": assignees[0] if assignees else None,
        "modified": remote.get("modified"),
    }


def resolve_conflict(
    c: FrappeClient, task: Any, record: SyncRecord, remote: dict[str, Any], row: ERPNextSettings
) -> str:
    """Last writer wins; both versions go into the task's history. Returns the winner."""
    zone = _remote_zone(c, row)
    remote_at = parse_remote_datetime(str(remote["modified"]), zone)
    winner = "ERPNext" if remote_at > task.modified else "FLRTS"
    Version.objects.create(
        ref_doctype="Task",
        docname=task.name,
        data={
            "changed": [],
            "erpnext_conflict": {
                "winner": winner,
                "remote_name": record.remote_name,
                "flrts": _local_values(task),
                "erpnext": _remote_values(remote),
            },
        },
    )
    if winner == "ERPNext":
        apply_remote(task, remote, record)
    # Either way, ERPNext gets FLRTS's fields (with the winner's status) on top of its version.
    payload = task_payload(task, remote.get("parent_task"))
    payload["modified"] = remote["modified"]
    updated = c.update(REMOTE_TASK, record.remote_name, payload)
    task.refresh_from_db()
    _ok(record, updated, task.modified)
    return winner


# -- pull ----------------------------------------------------------------------------------------
def apply_remote(task: Any, remote: dict[str, Any], record: SyncRecord) -> bool:
    """Take ERPNext's status and assignee; True when something changed locally."""
    changed = False
    status = STATUS_FROM_REMOTE.get(str(remote.get("status") or ""))
    if status and status != task.status:
        task.status = status
        changed = True
    notes = []
    emails = remote_assignees(remote)
    # Only an assignment changed in ERPNext since the last exchange is applied (FLRTS does not
    # push assignees, so an empty `_assign` there must not unassign the task here).
    if json.dumps(emails) != (record.remote_assign or "[]"):
        if not emails:
            if task.assigned_to_id is not None:
                task.assigned_to = None
                changed = True
        else:
            user = User.objects.filter(email=normalize_email(emails[0])).first()
            if user is None:
                notes.append(
                    f"ERPNext assignee {emails[0]} is not a FLRTS user; kept the local one"
                )
            elif user.pk != task.assigned_to_id:
                task.assigned_to = user
                changed = True
    if changed:
        with applying_remote(), transaction.atomic():
            task.save()
    if notes:
        record.last_error = "; ".join(notes)
    return changed


def pull_changes(force: bool = False, client: FrappeClient | None = None) -> str:
    """Job: apply status and assignee edits made in ERPNext since the cursor."""
    row = ERPNextSettings.load()
    now = timezone.now()
    if (
        not force
        and row.last_pull_at
        and now - row.last_pull_at < dt.timedelta(minutes=row.pull_interval_minutes)
    ):
        return "not due"
    records = {
        r.remote_name: r
        for r in SyncRecord.objects.filter(local_doctype="Task", remote_doctype=REMOTE_TASK)
        .exclude(remote_name="")
        .order_by()
    }
    applied = conflicts = seen = 0
    cursor = row.pull_cursor
    with _client(client) as c:
        try:
            start = 0
            while start < PULL_MAX_ROWS:
                rows = c.get_list(
                    REMOTE_TASK,
                    fields=["name", "status", "_assign", "modified", "parent_task"],
                    filters=[["modified", ">=", row.pull_cursor]] if row.pull_cursor else None,
                    order_by="modified asc",
                    limit_start=start,
                    limit_page_length=PULL_PAGE,
                )
                for remote in rows:
                    seen += 1
                    modified = str(remote.get("modified") or "")
                    if modified and _later(modified, cursor):
                        cursor = modified
                    record = records.get(str(remote.get("name")))
                    if record is None or record.remote_modified == modified:
                        continue
                    task = Task.objects.filter(name=record.local_name).first()
                    if task is None:
                        continue
                    outcome = _pull_one(c, task, record, remote, row)
                    applied += outcome == "applied"
                    conflicts += outcome == "conflict"
                if len(rows) < PULL_PAGE:
                    break
                start += PULL_PAGE
        except errors.FrappeError as exc:
            ERPNextSettings.objects.filter(pk=1).update(last_error=str(exc)[:4000])
            raise _as_job_error(exc) from None
    ERPNextSettings.objects.filter(pk=1).update(pull_cursor=cursor, last_pull_at=now, last_error="")
    return f"pulled {seen} changed task(s): {applied} applied, {conflicts} conflict(s)"


def _later(a: str, b: str) -> bool:
    if not b:
        return True
    try:
        return dt.datetime.fromisoformat(a) > dt.datetime.fromisoformat(b)
    except ValueError:
        return a > b


def _pull_one(
    c: FrappeClient, task: Any, record: SyncRecord, remote: dict[str, Any], row: ERPNextSettings
) -> str:
    local_changed = record.local_modified is None or task.modified > record.local_modified
    try:
        if local_changed:
            resolve_conflict(c, task, record, c.get_doc(REMOTE_TASK, record.remote_name), row)
            return "conflict"
        apply_remote(task, remote, record)
    except ValidationError as exc:
        _failed(record, f"ERPNext's change cannot be applied here: {'; '.join(exc.messages)}")
        return "error"
    except errors.FrappeError as exc:
        if isinstance(_as_job_error(exc), errors.FrappeError):
            raise
        _failed(record, exc)
        return "error"
    task.refresh_from_db()
    note = record.last_error
    _ok(record, remote, task.modified)
    if note:
        SyncRecord.objects.filter(pk=record.pk).update(last_error=note)
    return "applied"


def pull_due() -> bool:
    """The connector is on, configured, and its pull interval has passed."""
    from flrts.integrations.erpnext.config import active_settings

    if active_settings() is None:
        return False
    fresh = ERPNextSettings.objects.filter(pk=1).only("last_pull_at", "pull_interval_minutes")
    row = fresh.first()
    if row is None or row.last_pull_at is None:
        return True
    return timezone.now() - row.last_pull_at >= dt.timedelta(minutes=row.pull_interval_minutes)


# Every scheduler tick; the job runs when the pull interval of ERPNext Settings has passed.
@scheduled("all", when=pull_due)
def scheduled_pull() -> str:
    """Scheduler entry (every tick): pull when the connector is on and the interval has passed."""
    from flrts.integrations.erpnext.config import active_settings

    if active_settings() is None:
        return "ERPNext connector is disabled or not configured"
    return pull_changes(force=False)


# -- push: field reports --------------------------------------------------------------------------
@job
def push_report(name: str, client: FrappeClient | None = None) -> str:
    """Job: send one submitted field report (a Comment on its task, or the configured DocType)."""
    from flrts.integrations.docjson import as_dict

    report = FieldReport.objects.select_related("site", "reported_by").filter(name=name).first()
    if report is None or report.docstatus != 1:
        return f"skipped: Field Report {name} is missing or not submitted"
    row = ERPNextSettings.load()
    remote_doctype = (row.report_doctype or "Comment").strip()
    record = record_for("Field Report", report.name, remote_doctype)
    with _client(client) as c:
        try:
            task_remote = ""
            task = report.follow_up_tasks.order_by("name").first()
            if task is not None:
                task_record = SyncRecord.objects.filter(
                    local_doctype="Task", local_name=task.name, remote_doctype=REMOTE_TASK
                ).first()
                task_remote = (task_record.remote_name if task_record else "") or _push_task(
                    c, task, row, depth=0
                )
            if remote_doctype == "Comment":
                if not task_remote:
                    message = (
                        "a field report is sent as a Comment on its task, and this report has no "
                        "follow-up task; link one, or set another DocType in ERPNext Settings"
                    )
                    _failed(record, message)
                    raise JobFailed(message)
                payload: dict[str, Any] = {
                    "comment_type": "Comment",
                    "reference_doctype": REMOTE_TASK,
                    "reference_name": task_remote,
                    "content": comment_content(report),
                }
            else:
                doc = as_dict(report)
                payload = {
                    field: templating.render(str(template), doc, task=task_remote)
                    for field, template in (row.report_field_map or {}).items()
                }
            if record.remote_name:
                remote = c.update(remote_doctype, record.remote_name, payload)
            else:
                remote = c.insert(remote_doctype, payload)
        except templating.TemplateProblem as exc:
            _failed(record, str(exc))
            raise JobFailed(str(exc)) from None
        except errors.FrappeError as exc:
            _failed(record, exc, retrying=isinstance(_as_job_error(exc), errors.FrappeError))
            raise _as_job_error(exc) from None
    _ok(record, remote, report.modified)
    return f"Field Report {name} → {remote_doctype} {record.remote_name}"


# -- push everything that is pending ------------------------------------------------------------
def push_all(client: FrappeClient | None = None) -> dict[str, int]:
    """Tasks and submitted reports never synced, or changed since their last sync."""
    done = {"tasks": 0, "reports": 0, "errors": 0}
    synced = {
        r.local_name: r.local_modified
        for r in SyncRecord.objects.filter(
            local_doctype="Task", remote_doctype=REMOTE_TASK, status=SyncStatus.SYNCED
        )
    }
    row = ERPNextSettings.load()
    with _client(client) as c:
        if row.push_tasks:
            for task in Task.objects.filter(archived=False).order_by("creation", "id"):
                last = synced.get(task.name)
                if last is not None and last >= task.modified:
                    continue
                try:
                    _push_task(c, Task.objects.get(pk=task.pk), row, depth=0)
                    done["tasks"] += 1
                except errors.FrappeError:
                    done["errors"] += 1
        if row.push_field_reports:
            reports = FieldReport.objects.filter(archived=False, docstatus=1).order_by("creation")
            pushed = set(
                SyncRecord.objects.filter(
                    local_doctype="Field Report", status=SyncStatus.SYNCED
                ).values_list("local_name", flat=True)
            )
            for report in reports:
                if report.name in pushed:
                    continue
                try:
                    push_report(report.name, client=c)
                    done["reports"] += 1
                except (errors.FrappeError, JobFailed):
                    done["errors"] += 1
    return done


# -- import ---------------------------------------------------------------------------------------
IMPORTS = ("people", "sites", "contractors")


@job
def import_records(what: list[str] | None = None, client: FrappeClient | None = None) -> str:
    """Job: import people (User), sites (Location) and contractors (Supplier)."""
    chosen = list(what or IMPORTS)
    unknown = [w for w in chosen if w not in IMPORTS]
    if unknown:
        raise JobFailed(f"unknown import {unknown[0]!r}; use {', '.join(IMPORTS)}")
    out = []
    with _client(client) as c:
        try:
            for kind in chosen:
                counts = {"people": import_people, "sites": import_sites}.get(
                    kind, import_contractors
                )(c)
                out.append(f"{kind}: {counts['created']} new, {counts['updated']} updated")
        except errors.FrappeError as exc:
            raise _as_job_error(exc) from None
    return "; ".join(out)


def _mark_imported(local_doctype: str, local_name: str, remote_doctype: str, remote: Any) -> None:
    record = record_for(local_doctype, local_name, remote_doctype)
    _ok(record, remote, None)


def import_people(c: FrappeClient) -> dict[str, int]:
    counts = {"created": 0, "updated": 0}
    rows = c.get_all(
        "User",
        fields=[
            "name",
            "email",
            "full_name",
            "first_name",
            "last_name",
            "time_zone",
            "enabled",
            "modified",
        ],
        filters=[["user_type", "=", "System User"]],
    )
    for remote in rows:
        email = str(remote.get("email") or remote.get("name") or "").strip().lower()
        if not email or "@" not in email or remote.get("name") in ("Administrator", "Guest"):
            continue
        user = User.objects.filter(email=normalize_email(email)).first()
        created = user is None
        if user is None:
            user = User(username=email, email=email)
            user.set_unusable_password()
        full_name = (
            str(remote.get("full_name") or "").strip()
            or " ".join(str(remote.get(k) or "") for k in ("first_name", "last_name")).strip()
        )
        if full_name:
            user.full_name = full_name
        zone = str(remote.get("time_zone") or "")
        if zone:
            try:
                validate_timezone(zone)
                user.time_zone = zone
            except ValidationError:
                pass
        user.is_active = bool(remote.get("enabled", 1))
        user.save()
        counts["created" if created else "updated"] += 1
        _mark_imported("User", email, "User", remote)
    return counts


def import_sites(c: FrappeClient) -> dict[str, int]:
    counts = {"created": 0, "updated": 0}
    rows = c.get_all(
        "Location", fields=["name", "location_name", "latitude", "longitude", "modified"]
    )
    for remote in rows:
        site_name = str(remote.get("location_name") or remote.get("name") or "").strip()[:140]
        if not site_name:
            continue
        site = Site.objects.filter(site_name=site_name).first()
        created = site is None
        if site is None:
            site = Site(site_name=site_name)
        lat, lng = remote.get("latitude"), remote.get("longitude")
        if lat not in (None, "", 0) and lng not in (None, "", 0):
            site.location = f"{lat}, {lng}"
        with applying_remote():
            site.save()
        counts["created" if created else "updated"] += 1
        _mark_imported("Site", site.name, "Location", remote)
    return counts


def import_contractors(c: FrappeClient) -> dict[str, int]:
    counts = {"created": 0, "updated": 0}
    rows = c.get_all(
        "Supplier",
        fields=["name", "supplier_name", "email_id", "mobile_no", "disabled", "modified"],
    )
    for remote in rows:
        supplier = str(remote.get("supplier_name") or remote.get("name") or "").strip()[:140]
        if not supplier:
            continue
        contractor = Contractor.objects.filter(contractor_name=supplier).first()
        created = contractor is None
        if contractor is None:
            contractor = Contractor(contractor_name=supplier)
        if remote.get("email_id"):
            contractor.contact_email = str(remote["email_id"])[:254]
        if remote.get("mobile_no"):
            contractor.contact_phone = str(remote["mobile_no"])[:40]
        contractor.is_active = not remote.get("disabled")
        with applying_remote():
            contractor.save()
        counts["created" if created else "updated"] += 1
        _mark_imported("Contractor", contractor.name, "Supplier", remote)
    return counts
