"""Turning due reminders into deliveries: what the scheduler runs every second.

The query is the indexed (status, next_fire_at) range, so the work per pass follows the number
of reminders due, not the number pending. Each due reminder is claimed with a conditional
UPDATE of its next_fire_at (so a second scheduler claims nothing), one delivery row per
recipient is written (unique per occurrence), and the deliveries are queued in small batches,
each with run_after = its time (an occurrence a moment ahead, or the end of quiet hours).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from flrts.core.probes import Probe
from flrts.jobs.queue import enqueue_after_commit
from flrts.jobs.registry import scheduled
from flrts.notify.reminder_delivery import deliver_reminders
from flrts.reminders.models import (
    DeliveryStatus,
    Reminder,
    ReminderDelivery,
    ReminderStatus,
)
from flrts.reminders.recurrence import next_occurrence

logger = logging.getLogger("flrts.reminders")

BATCH = 1000  # reminders per pass; a bigger backlog is taken by the next pass, a second later
CHUNK = 25  # deliveries per job: several workers share a burst, each job stays short
LOOKAHEAD = dt.timedelta(seconds=1)  # queue a moment early; run_after holds them to the second
LATE_AFTER = dt.timedelta(seconds=60)  # sent later than this after its time: marked late
ACTIVE = (ReminderStatus.PENDING, ReminderStatus.SNOOZED)


@dataclass
class DispatchReport:
    due: int = 0
    claimed: int = 0
    deliveries: int = 0
    jobs: int = 0


# "Is any reminder due?" every second: SQL written once on the (status, next_fire_at) index; the
# queryset below (a millisecond of Python to compile) runs only when the answer is yes.
_DUE = Probe(Reminder, "{status} IN (%s, %s) AND {next_fire_at} <= %s")


def anything_due(now: dt.datetime) -> bool:
    return _DUE.any([*ACTIVE, _DUE.datetime(now + LOOKAHEAD)])


# Checked every second by the scheduler's leader, inline (no Job row); runnable by hand.
@scheduled("second")
def dispatch_due(now: dt.datetime | None = None) -> DispatchReport:
    now = now or timezone.now()
    report = DispatchReport()
    if not anything_due(now):
        return report
    due = list(
        Reminder.objects.filter(status__in=ACTIVE, next_fire_at__lte=now + LOOKAHEAD)
        .order_by("next_fire_at")
        .select_related("owner")
        .prefetch_related("recipients")[:BATCH]
    )
    report.due = len(due)
    if not due:
        return report
    with transaction.atomic():
        deliveries: list[ReminderDelivery] = []
        for reminder in due:
            occurrence = reminder.next_fire_at
            assert occurrence is not None
            if reminder.archived:
                Reminder.objects.filter(pk=reminder.pk).update(status=ReminderStatus.CANCELLED)
                continue
            # Missed occurrences (downtime) collapse into this one: the next is after now.
            after = max(occurrence, now)
            nxt = (
                next_occurrence(reminder.remind_at, reminder.recurrence, reminder.time_zone, after)
                if reminder.recurrence
                else None
            )
            claimed = Reminder.objects.filter(
                pk=reminder.pk, status=reminder.status, next_fire_at=occurrence
            ).update(
                next_fire_at=nxt,
                status=ReminderStatus.PENDING if nxt else ReminderStatus.SENT,
            )
            if not claimed:
                continue
            report.claimed += 1
            late = now - occurrence > LATE_AFTER
            people = list(reminder.recipients.all()) or ([reminder.owner] if reminder.owner else [])
            for person in people:
                if not person.is_active:
                    continue
                send_at = person.quiet_hours_end_after(max(occurrence, now))
                deliveries.append(
                    ReminderDelivery(
                        reminder=reminder,
                        recipient=person,
                        occurrence=occurrence,
                        due_at=send_at if send_at > occurrence else occurrence,
                        late=late,
                        deferred=send_at > max(occurrence, now),
                    )
                )
        created = ReminderDelivery.objects.bulk_create(deliveries)
        report.deliveries = len(created)
        report.jobs = queue_deliveries(created, now)
    if report.claimed:
        logger.info(
            "reminders: %s due, %s deliveries in %s jobs",
            report.claimed,
            report.deliveries,
            report.jobs,
        )
    return report


def queue_deliveries(deliveries: list[ReminderDelivery], now: dt.datetime) -> int:
    """One job per CHUNK deliveries that share a send second."""
    groups: dict[dt.datetime, list[int]] = defaultdict(list)
    for d in deliveries:
        # Rounded up to the second: never before its time.
        at = d.due_at.replace(microsecond=0)
        if d.due_at.microsecond:
            at += dt.timedelta(seconds=1)
        groups[at].append(d.pk)
    jobs = 0
    for at, ids in sorted(groups.items()):
        for start in range(0, len(ids), CHUNK):
            enqueue_after_commit(
                deliver_reminders,
                queue="short",
                job_name="deliver reminders",
                run_after=at if at > now else None,
                delivery_ids=ids[start : start + CHUNK],
            )
            jobs += 1
    return jobs


def pending_count() -> int:
    return ReminderDelivery.objects.filter(status=DeliveryStatus.PENDING).count()
