"""The daily report: built from fixture data, read back from the PDF's text, kept private, sent
to the team chat (the fake Telegram server) and by email."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from pypdf import PdfReader
from tests.reports.conftest import local

from flrts.reports.daily import build, collect, report_day, send
from flrts.reports.models import DailyReport

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)
NOW = local(DAY, 18)  # the report runs at 18:00


@pytest.fixture
def day_data(people: Any, make_log: Any) -> Any:
    """One day at two sites, hand-countable."""
    from flrts.fieldreports.models import FieldReport, Reading
    from flrts.org.models import Site
    from flrts.reminders.models import Reminder
    from flrts.tasks.models import Task

    big_sky = Site(site_name="Big Sky", site_code="BS")
    big_sky.save()
    viper = Site(site_name="Viper", site_code="VP")
    viper.save()

    def task(subject: str, site: Any, who: Any, created: dt.datetime, **extra: Any) -> Task:
        t = Task(subject=subject, site=site, assigned_to=who, creation=created, **extra)
        t.save()
        return t

    # Created on the day: 3 (two at Big Sky, one at Viper).
    task("check compressor", big_sky, people.worker, local(DAY, 8))
    done = task("replace filter", big_sky, people.worker, local(DAY, 9))
    done.complete(by=people.worker)
    type(done).objects.filter(pk=done.pk).update(completed_on=local(DAY, 15))
    task("inspect panel", viper, people.other, local(DAY, 10))
    # Created earlier; overdue at 18:00: due yesterday, still open.
    late = task("fix fence", viper, people.other, local(DAY - dt.timedelta(days=2), 9))
    late.set_due(DAY - dt.timedelta(days=1))
    late.save()
    # Due at 20:00 today: not overdue yet at 18:00.
    later = task("night check", big_sky, people.worker, local(DAY - dt.timedelta(days=1), 9))
    later.set_due(local(DAY, 20))
    later.save()
    # Completed on the day but created earlier, due earlier: completed, not overdue.
    old = task("old job", big_sky, people.other, local(DAY - dt.timedelta(days=5), 9))
    old.set_due(DAY - dt.timedelta(days=3))
    old.complete(by=people.other)
    type(old).objects.filter(pk=old.pk).update(completed_on=local(DAY, 11))

    report = FieldReport(
        site=big_sky,
        reported_by=people.worker,
        report_date=DAY,
        summary="Compressor running hot",
        issues_found="Oil leak at the north valve",
        status="Submitted",
    )
    report.save()
    Reading.objects.create(report=report, idx=0, metric="pressure", value=42.5, unit="psi")
    Reading.objects.create(report=report, idx=1, metric="temperature", value=71, unit="F")
    FieldReport(site=viper, reported_by=people.other, report_date=DAY, summary="All quiet").save()
    FieldReport(site=viper, report_date=DAY - dt.timedelta(days=1), summary="Yesterday").save()

    reminder = Reminder(title="Order diesel", remind_at=local(DAY + dt.timedelta(days=1), 7, 30))
    reminder.save()
    reminder.recipients.add(people.supervisor)
    Reminder(title="Next week", remind_at=local(DAY + dt.timedelta(days=7), 9)).save()

    make_log(local(DAY, 9), "Accepted", estimated_cost_usd=Decimal("0.004"), model_name="gpt-4o")
    make_log(local(DAY, 10), "Rejected", estimated_cost_usd=Decimal("0.002"), model_name="gpt-4o")
    make_log(local(DAY, 11), "Accepted")
    make_log(local(DAY, 12), "Pending")
    return people


def test_collect_counts(day_data: Any) -> None:
    data = collect(DAY, now=NOW)
    assert data.totals == {"created": 3, "completed": 2, "overdue": 1}
    sites = {row["name"]: row for row in data.per_site}
    assert sites["Big Sky"] == {**sites["Big Sky"], "created": 2, "completed": 2, "overdue": 0}
    assert sites["Viper"] == {**sites["Viper"], "created": 1, "completed": 0, "overdue": 1}
    people = {row["name"]: row for row in data.per_person}
    assert (people["Wendy"]["created"], people["Wendy"]["completed"]) == (2, 1)
    assert (people["Oscar"]["created"], people["Oscar"]["overdue"]) == (1, 1)
    assert [r["summary"] for r in data.field_reports] == ["Compressor running hot", "All quiet"]
    assert data.field_reports[0]["readings"] == ["pressure 42.5 psi", "temperature 71.0 F"]
    assert data.reports_with_issues == 1 and data.readings_count == 2
    assert [(r["time"], r["title"]) for r in data.reminders] == [("07:30", "Order diesel")]
    assert data.parser["parses"] == 4 and data.parser["success_rate"] == 66.67
    assert data.parser["cost"] == 0.006


def test_built_pdf_says_what_happened(day_data: Any) -> None:
    report = build(DAY, now=NOW)
    assert report.file.name == "reports/daily/daily-report-2026-03-10.pdf"
    assert report.pages >= 1 and report.size > 1000
    with report.file.open("rb") as handle:
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    assert "FLRTS daily report Tuesday 10 March 2026" in text
    assert "Created: 3 · Completed: 2 · Overdue: 1" in text
    assert "Big Sky" in text and "Viper" in text
    assert "Compressor running hot" in text and "Oil leak at the north valve" in text
    assert "pressure 42.5 psi" in text
    assert "Order diesel" in text and "07:30" in text
    assert "Next week" not in text and "Yesterday" not in text
    assert "66.7%" in text and "$0.0060" in text
    assert report.summary["field_reports"] == 2


def test_rebuilding_replaces_the_file(day_data: Any, settings: Any) -> None:
    first = build(DAY, now=NOW)
    again = build(DAY, now=NOW)
    assert first.pk == again.pk and again.file.name == first.file.name
    folder = settings.SITE.private_files / "reports" / "daily"
    files = [f.name for f in folder.iterdir() if f.name.startswith("daily-report-2026-03-10")]
    assert files == ["daily-report-2026-03-10.pdf"]


def test_empty_day_builds(people: Any) -> None:
    report = build(dt.date(2026, 1, 5), now=local(dt.date(2026, 1, 5), 18))
    with report.file.open("rb") as handle:
        pages = PdfReader(io.BytesIO(handle.read())).pages  # the charts come first: 2 pages
        text = "\n".join(page.extract_text() for page in pages)
    assert "No field reports today." in text and "nothing reviewed" in text


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 403), ("viewer", 403), ("worker", 403), ("supervisor", 200), ("admin", 200)],
)
def test_private_file_needs_login_and_permission(
    client: Any, day_data: Any, who: str | None, status: int
) -> None:
    report = build(DAY, now=NOW)
    if who:
        client.force_login(getattr(day_data, who))
    response = client.get(report.download_url)
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_stray_file_under_reports_is_not_served(client: Any, people: Any, settings: Any) -> None:
    folder = settings.SITE.private_files / "reports" / "daily"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "stray.pdf").write_bytes(b"%PDF-1.4 stray")
    client.force_login(people.supervisor)
    assert client.get("/private/files/reports/daily/stray.pdf").status_code == 403
    assert client.get("/private/files/reports/daily/../../../site_config.json").status_code in (
        403,
        404,
    )


def test_sent_to_the_team_chat_and_by_email(day_data: Any, bot_config: Any) -> None:
    report = build(DAY, now=NOW)
    done = send(report)
    assert done == ["telegram", "email to 2"]
    documents = bot_config.documents(chat_id=-100123)
    assert len(documents) == 1
    document = documents[0]
    assert document.filename == "daily-report-2026-03-10.pdf"
    assert document.mime_type == "application/pdf"
    assert document.content.startswith(b"%PDF")
    assert "3 created · 2 completed · 1 overdue" in (document.caption or "")
    text = PdfReader(io.BytesIO(document.content)).pages[0].extract_text()
    assert "FLRTS daily report" in text
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["alice@example.com", "sam@example.com"]
    assert message.attachments[0][0] == "daily-report-2026-03-10.pdf"
    report.refresh_from_db()
    assert report.telegram_sent_at and report.telegram_message_id and report.email_sent_at
    # A retried job does not post twice.
    assert send(report) == []
    assert len(bot_config.documents(chat_id=-100123)) == 1 and len(mail.outbox) == 1


def test_without_a_token_the_document_waits_in_the_outbox(day_data: Any, settings: Any) -> None:
    from flrts.telegram.models import OutboxMessage

    settings.SITE.config["telegram_team_chat_id"] = -100999
    try:
        report = build(DAY, now=NOW)
        assert send(report)[0] == "telegram outbox"
    finally:
        settings.SITE.config.pop("telegram_team_chat_id")
    row = OutboxMessage.objects.get(chat_id=-100999)
    assert row.method == "sendDocument" and "daily-report-2026-03-10.pdf" in row.text


def test_command_builds_and_sends(day_data: Any, bot_config: Any, capsys: Any) -> None:
    call_command("report", "daily", "--date", "2026-03-10", "--send")
    out = capsys.readouterr().out
    assert "Daily report 2026-03-10" in out and "sent: telegram, email to 2" in out
    assert DailyReport.objects.filter(report_date=DAY).exists()
    assert len(bot_config.documents(chat_id=-100123)) == 1


def test_command_rejects_a_bad_date(db: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--date: invalid date format"):
        call_command("report", "daily", "--date", "10/03/2026")


def test_scheduled_day_and_time(settings: Any) -> None:
    from flrts.jobs import registry
    from flrts.reports.daily import report_cron
    from flrts.sites import SiteConfigError

    entry = {e.method: e for e in registry.entries()}["flrts.reports.daily.scheduled_daily_report"]
    assert entry.cron == "0 18 * * *"
    assert report_day(local(DAY, 18, 5)) == DAY
    assert report_day(local(DAY, 0, 10)) == DAY - dt.timedelta(days=1)  # caught up after midnight
    settings.SITE.config["daily_report_time"] = "07:45"
    try:
        assert report_cron() == "45 7 * * *"
        settings.SITE.config["daily_report_time"] = "25:00"
        with pytest.raises(SiteConfigError, match="'daily_report_time' must be HH:MM"):
            report_cron()
    finally:
        settings.SITE.config.pop("daily_report_time")


def test_scheduled_job_builds_and_sends(day_data: Any, bot_config: Any, monkeypatch: Any) -> None:
    from flrts.reports import daily

    monkeypatch.setattr(daily, "report_day", lambda now=None: DAY)
    result = daily.scheduled_daily_report()
    assert "sent telegram, email to 2" in result
    assert len(bot_config.documents(chat_id=-100123)) == 1


def test_a_failed_email_does_not_repost_to_telegram_on_retry(
    day_data: Any, bot_config: Any, monkeypatch: Any
) -> None:
    from django.core.mail import EmailMessage

    report = build(DAY, now=NOW)

    def down(self: Any, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailMessage, "send", down)
    with pytest.raises(ConnectionRefusedError):
        send(report)
    monkeypatch.undo()
    report = DailyReport.objects.get(pk=report.pk)
    assert send(report) == ["email to 2"]  # the retry sends only what is missing
    assert len(bot_config.documents(chat_id=-100123)) == 1 and len(mail.outbox) == 1


def test_pdf_text_in_any_script_with_dejavu_and_latin1_without(tmp_path: Any) -> None:
    """With DejaVu Sans (Debian's fonts-dejavu-core) names come out as written; without it,
    Latin-1 with transliteration. An emoji is "?" either way, and never an error."""
    import os

    from flrts.core.pdf import html_to_pdf, unicode_font_dir

    html = "<h1>Łukasz Zieliński, Ольга</h1><p>Pressure ≥ 40 psi — “ok” 🚧</p>"

    def text_of(content: bytes) -> str:
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)

    plain = text_of(html_to_pdf(html, title="t", font_dir=None)[0])
    assert "ukasz Zielinski" in plain and 'Pressure >= 40 psi - "ok" ?' in plain

    assert unicode_font_dir(str(tmp_path)) is None  # a folder without the fonts: Helvetica
    folder = unicode_font_dir()
    if folder is None:
        if os.environ.get("FLRTS_REQUIRE_SERVICES"):
            pytest.fail("DejaVu Sans is not installed (Debian package fonts-dejavu-core)")
        pytest.skip("DejaVu Sans is not installed (Debian package fonts-dejavu-core)")
    assert unicode_font_dir(str(folder)) == folder
    unicode = text_of(html_to_pdf(html, title="t", font_dir=folder)[0])
    assert "Łukasz Zieliński, Ольга" in unicode
    assert "Pressure ≥ 40 psi — “ok” ?" in unicode
