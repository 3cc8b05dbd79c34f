"""The scheduler's once-a-second probes (SQL written once) give the ORM's answers, on each
database the suite runs on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from flrts.jobs.locks import is_paused, set_paused
from flrts.jobs.models import SchedulerState
from flrts.notify.reminder_dispatch import ACTIVE, LOOKAHEAD, anything_due
from flrts.reminders.models import Reminder, ReminderStatus

pytestmark = pytest.mark.django_db


def orm_due(now: dt.datetime) -> bool:
    return Reminder.objects.filter(status__in=ACTIVE, next_fire_at__lte=now + LOOKAHEAD).exists()


def test_anything_due_agrees_with_the_orm_around_each_reminder() -> None:
    base = timezone.now().replace(microsecond=250_000)
    for offset, status in ((30, ReminderStatus.PENDING), (90, ReminderStatus.SNOOZED)):
        r = Reminder(title=f"r{offset}", remind_at=base + dt.timedelta(seconds=offset))
        r.save()
        Reminder.objects.filter(pk=r.pk).update(status=status)
    done = Reminder(title="done", remind_at=base)
    done.save()
    Reminder.objects.filter(pk=done.pk).update(status=ReminderStatus.CANCELLED)
    answers = []
    for seconds in (-5, 28.0, 28.999, 29, 31, 89.25, 200):
        now = base + dt.timedelta(seconds=seconds)
        assert anything_due(now) == orm_due(now), seconds
        answers.append(anything_due(now))
    assert answers == [False, False, False, True, True, True, True]  # due 1 s ahead (LOOKAHEAD)


def test_is_paused_follows_the_switch() -> None:
    SchedulerState.objects.filter(name="scheduler").delete()
    assert not is_paused()
    set_paused(True)
    assert is_paused()
    set_paused(False)
    assert not is_paused()
