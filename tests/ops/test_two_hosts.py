"""The two-host drill (docs/deploy.md, "Scaling out"): two `flrts start` with their own site
folders and ports, sharing one PostgreSQL, one Redis and one S3-compatible bucket for files.

A file uploaded through one host is served by the other, a session made on one is valid on the
other, a reminder is sent once, and the daily report is built and sent once, though each host
runs a web server, a worker and a scheduler.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from flrts.sites import create_site_folders, write_json
from tests.fakes.s3_server import FakeS3
from tests.fakes.telegram_server import FakeTelegram
from tests.jobs.support import TempSite, empty_redis, wait_for
from tests.ops.support import Started, require_db

pytestmark = [pytest.mark.slow, pytest.mark.redis]

SITE = "drill.localhost"
TEAM_CHAT = -100777
WORKER_CHAT = 7001
# Its own Redis database: RQ's queue names are per Redis database, not per site.
REDIS_URL = f"redis://127.0.0.1:6379/{(int(os.environ.get('FLRTS_TEST_REDIS_DB', '13')) + 2) % 16}"

REMINDER = """
import datetime as dt
from django.utils import timezone
from flrts.people.models import User
from flrts.reminders.models import Reminder
u = User.objects.create(username="colin", email="colin@example.com", time_zone="UTC",
                        telegram_user_id={chat}, telegram_chat_id={chat})
r = Reminder(title="Check the compressor", remind_at=timezone.now() + dt.timedelta(seconds=4),
             time_zone="UTC")
r.save()
r.recipients.set([u])
print(r.pk)
"""

COUNTS = """
import json
from flrts.jobs.models import Job
from flrts.reminders.models import ReminderDelivery
from flrts.reports.models import DailyReport
print(json.dumps({
    "reports": list(DailyReport.objects.values_list("file", flat=True)),
    "report_jobs": Job.objects.filter(method__endswith="scheduled_daily_report").count(),
    "deliveries": ReminderDelivery.objects.filter(status="sent").count(),
}))
"""


def _next_minute_after(seconds: int) -> dt.datetime:
    """The start of the first whole minute at least `seconds` from now (UTC)."""
    at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
    return dt.datetime.fromtimestamp(math.ceil(at.timestamp() / 60) * 60, dt.UTC)


@pytest.fixture
def services() -> Iterator[tuple[FakeS3, FakeTelegram]]:
    require_db("postgres")
    client = empty_redis(REDIS_URL)
    with FakeS3(bucket="flrts-drill") as s3, FakeTelegram() as telegram:
        yield s3, telegram
    client.flushdb()


def second_host(first: TempSite, base: Path) -> Path:
    """Another host's sites folder: the same site_config.json (secret key, database, Redis,
    bucket), its own folders, no database of its own."""
    create_site_folders(base / SITE)
    (base / "assets").mkdir(exist_ok=True)
    config = json.loads(first.config_path.read_text())
    write_json(base / SITE / "site_config.json", config, private=True)
    return base


@pytest.mark.skipif(
    os.environ.get("FLRTS_TEST_DB") != "postgres", reason="the drill shares one PostgreSQL"
)
def test_two_app_hosts_share_files_sessions_and_run_each_job_once(
    tmp_path_factory: pytest.TempPathFactory, services: tuple[FakeS3, FakeTelegram]
) -> None:
    s3, telegram = services
    report_at = _next_minute_after(75)
    first = TempSite(
        tmp_path_factory.mktemp("host-a"),
        SITE,
        redis_cache=REDIS_URL,
        redis_queue=REDIS_URL,
        files_s3_endpoint=s3.endpoint,
        files_s3_bucket=s3.bucket,
        files_s3_access_key=s3.access_key,
        files_s3_secret_key=s3.secret_key,
        telegram_bot_token=telegram.token,
        telegram_api_url=telegram.api_url,
        telegram_chat_interval=0,
        telegram_team_chat_id=TEAM_CHAT,
        time_zone="UTC",
        daily_report_time=report_at.strftime("%H:%M"),
        worker_stale_after=5,
    )
    other = second_host(first, tmp_path_factory.mktemp("host-b"))
    cwd = tmp_path_factory.mktemp("cwd")
    try:
        with (
            Started(first.base, SITE, "--workers", "1", cwd=cwd) as a,
            Started(other, SITE, "--workers", "1", cwd=cwd) as b,
        ):
            host_a, host_b = f"http://127.0.0.1:{a.port}", f"http://127.0.0.1:{b.port}"

            # A session made on host A is valid on host B.
            with httpx.Client(base_url=host_a, timeout=30) as browser:
                login = browser.post(
                    "/api/method/login", json={"usr": "Administrator", "pwd": "admin-pass-123"}
                )
                assert login.status_code == 200, login.text
                sid = browser.cookies["sid"]
            who = httpx.get(
                f"{host_b}/api/method/frappe.auth.get_logged_user", cookies={"sid": sid}
            )
            assert who.status_code == 200 and who.json()["message"] == "Administrator", who.text

            # A file uploaded through host A is served by host B.
            keys = json.loads(first.flrts("api-key", "Administrator").stdout.splitlines()[-1])
            token = {"Authorization": f"token {keys['api_key']}:{keys['api_secret']}"}
            made = httpx.post(
                f"{host_a}/api/resource/Field Report",
                json={"summary": "Compressor walk-through"},
                headers=token,
            )
            assert made.status_code == 200, made.text
            photo = b"\xff\xd8\xff\xe0" + os.urandom(50_000)
            upload = httpx.post(
                f"{host_a}/api/method/upload_file",
                data={"doctype": "Field Report", "docname": made.json()["data"]["name"]},
                files={"file": ("compressor.jpg", photo, "image/jpeg")},
                headers=token,
            )
            assert upload.status_code == 200, upload.text
            url = upload.json()["message"]["file_url"]
            served = httpx.get(f"{host_b}{url}", cookies={"sid": sid})  # as the desk reads it
            assert served.status_code == 200 and served.content == photo
            assert photo in s3.objects().values()
            assert not list((first.base / SITE / "private" / "files").rglob("*.jpg"))
            assert httpx.get(f"{host_b}{url}").status_code == 403  # still private

            # A reminder due in 4 s is sent once, though two schedulers and two workers run.
            first.python(REMINDER.format(chat=WORKER_CHAT))
            wait_for(lambda: telegram.sent_messages(chat_id=WORKER_CHAT), timeout=40)

            # The daily report, at its minute: built once, sent once, readable from both hosts.
            wait_for(lambda: telegram.calls("sendDocument"), timeout=150 + _until(report_at))
            time.sleep(5)  # a duplicate would have every chance to appear
            assert len(telegram.sent_messages(chat_id=WORKER_CHAT)) == 1
            assert len(telegram.calls("sendDocument")) == 1
            counts = json.loads(first.python(COUNTS).strip().splitlines()[-1])
            assert counts["deliveries"] == 1 and counts["report_jobs"] == 1, counts
            assert len(counts["reports"]) == 1, counts
            pdf = httpx.get(f"{host_b}/private/files/{counts['reports'][0]}", cookies={"sid": sid})
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
            assert (
                pdf.content
                == httpx.get(
                    f"{host_a}/private/files/{counts['reports'][0]}", cookies={"sid": sid}
                ).content
            )
            assert a.proc.poll() is None and b.proc.poll() is None
    finally:
        first.drop()


def _until(at: dt.datetime) -> float:
    return max(0.0, (at - dt.datetime.now(dt.UTC)).total_seconds())


def test_next_minute_is_whole_and_far_enough() -> None:
    at = _next_minute_after(75)
    assert at.second == 0 and at.microsecond == 0
    assert 75 <= (at - dt.datetime.now(dt.UTC)).total_seconds() <= 136
