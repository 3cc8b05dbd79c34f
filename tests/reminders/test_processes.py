"""Reminders end to end: two real schedulers and a real worker deliver to the fake Telegram."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from tests.fakes.telegram_server import FakeTelegram
from tests.jobs.support import TempSite, wait_for

pytestmark = pytest.mark.slow

SETUP = """
import datetime as dt, json
from django.utils import timezone
from flrts.core.timezones import local_to_utc, zone
from flrts.people.models import User
from flrts.reminders.models import Reminder
out = {{}}
for n, tz in enumerate(["America/New_York", "Europe/Berlin", "Asia/Kolkata"], start=1):
    u = User.objects.create(username=f"p{{n}}", email=f"p{{n}}@example.com", time_zone=tz,
                            telegram_user_id=9000 + n, telegram_chat_id=9000 + n)
    # A wall-clock time in the person's zone, a few seconds from now.
    wall = (timezone.now() + dt.timedelta(seconds={lead})).astimezone(zone(tz))
    at = local_to_utc(wall.date(), wall.time().replace(microsecond=0), tz)
    r = Reminder(title=f"Check meters {{tz}}", remind_at=at, time_zone=tz)
    r.save()
    r.recipients.set([u])
    out[9000 + n] = [tz, wall.strftime("%H:%M:%S"), at.timestamp()]
print(json.dumps(out))
"""


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


def test_reminders_in_three_zones_arrive_at_their_local_time_exactly_once(
    tmp_path_factory: pytest.TempPathFactory, fake: FakeTelegram
) -> None:
    site = TempSite(
        tmp_path_factory.mktemp("sites"),
        telegram_bot_token=fake.token,
        telegram_api_url=fake.api_url,
        telegram_chat_interval=0,
        worker_stale_after=5,
    )
    try:
        with (
            site.process("scheduler") as a,
            site.process("scheduler") as b,
            site.process("worker", "--interval", "0.2"),
        ):
            time.sleep(4)  # all three are up
            plan = json.loads(site.python(SETUP.format(lead=8)).strip().splitlines()[-1])
            for chat, (tz, wall, due) in plan.items():
                texts = wait_for(lambda c=int(chat): fake.sent_messages(chat_id=c), timeout=30)
                call = next(
                    c for c in fake.calls("sendMessage") if str(c.params["chat_id"]) == chat
                )
                arrived = call.at + (time.time() - time.monotonic())
                assert texts[0]["text"].startswith(f"🔔 Reminder: Check meters {tz}")
                # Sent at that wall-clock time in its zone (to within the 2 s target).
                assert -0.5 <= arrived - due <= 2.5, (tz, wall, arrived - due)
            time.sleep(3)  # give a duplicate every chance to appear
            for chat in plan:
                assert len(fake.sent_messages(chat_id=int(chat))) == 1
            assert a.poll() is None and b.poll() is None
    finally:
        site.drop()
