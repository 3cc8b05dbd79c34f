from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from flrts.people.models import TelegramLinkCode, User

pytestmark = pytest.mark.django_db


def test_a_telegram_id_links_to_one_person_only(people) -> None:
    clash = User(username="x@example.com", email="x@example.com", telegram_user_id=503)
    with pytest.raises(ValidationError, match="already linked to another user"):
        clash.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save()


def test_many_people_may_have_no_telegram_id(db) -> None:
    for key in ("a", "b"):
        User(username=key, email=f"{key}@example.com").save()
    assert User.objects.filter(telegram_user_id__isnull=True).count() == 2


def test_time_zone_must_be_iana(db) -> None:
    user = User(username="tz", email="tz@example.com", time_zone="EST5")
    with pytest.raises(ValidationError):
        user.save()


def test_quiet_hours_across_midnight(people) -> None:
    user = people.worker  # Los Angeles
    user.quiet_hours_start, user.quiet_hours_end = dt.time(22), dt.time(6, 30)
    user.save()
    night = dt.datetime(2026, 2, 3, 7, 0, tzinfo=dt.UTC)  # 23:00 in LA
    day = dt.datetime(2026, 2, 3, 20, 0, tzinfo=dt.UTC)  # 12:00 in LA
    assert user.in_quiet_hours(night)
    assert not user.in_quiet_hours(day)
    assert user.quiet_hours_end_after(night) == dt.datetime(2026, 2, 3, 14, 30, tzinfo=dt.UTC)
    assert user.quiet_hours_end_after(day) == day


def test_quiet_hours_need_both_ends(people) -> None:
    people.worker.quiet_hours_start = dt.time(22)
    with pytest.raises(ValidationError, match="both a start and an end"):
        people.worker.full_clean()


def test_admin_role_is_the_superuser_and_everyone_enabled_uses_the_desk(people) -> None:
    assert people.admin.is_superuser and people.admin.is_staff
    assert not people.worker.is_superuser and people.worker.is_staff
    people.admin.role = "Worker"
    people.admin.save()
    assert not people.admin.is_superuser


def test_login_with_email_or_username(client, people) -> None:
    assert client.login(username="WENDY@example.com", password="password")
    assert not client.login(username="wendy@example.com", password="wrong")


def test_link_code_is_one_time_and_expires(people) -> None:
    code = TelegramLinkCode(user=people.worker)
    code.save()
    assert len(code.plain_code) == 8 and code.usable and code.plain_code not in code.code_hash
    code.used_at = code.creation
    assert not code.usable
    old = TelegramLinkCode(user=people.worker, expires_at=code.creation - dt.timedelta(seconds=1))
    old.save()
    assert not old.usable
