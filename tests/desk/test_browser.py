"""The Kanban, the calendar and the form timeline in headless Chromium, used as a person would.

Screenshots go to test-output/desk/; with FLRTS_DOCS_SCREENSHOTS=1 they go to docs/img/ instead
(the pictures in docs/desk.md are made this way).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from flrts.core.context import acting_as
from flrts.tasks.models import Task
from tests.browser import BROWSER_TEST, launch

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / ("docs/img" if os.environ.get("FLRTS_DOCS_SCREENSHOTS") else "test-output/desk")

pytestmark = BROWSER_TEST


def shot(page: Any, name: str, element: str = "") -> None:
    """The whole page, or one element of it (the timeline under a long form)."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = str(OUT / f"desk-{name}.png")
    if element:
        page.locator(element).screenshot(path=path)
    else:
        page.screenshot(path=path, full_page=True)


def login(page: Any, base: str, email: str, then: str) -> None:
    page.goto(f"{base}/desk/login/?next={quote(then)}")
    page.fill("#id_username", email)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}{then}")


def make(owner: Any, subject: str, **fields: Any) -> Task:
    with acting_as(owner):
        task = Task(subject=subject, time_zone="America/Chicago", **fields)
        task.save()
    return task


@pytest.fixture
def browser_page() -> Any:
    from playwright.sync_api import expect, sync_playwright

    # CI and a shared machine can be slow: wait longer than Playwright's 5 s before failing.
    expect.set_options(timeout=15_000)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


def drag(page: Any, source: Any, target: Any) -> None:
    """Press, move in steps and release, as a hand does (SortableJS and EventCalendar both
    watch pointer moves, not a single jump)."""
    target.scroll_into_view_if_needed()
    source.scroll_into_view_if_needed()
    a, b = source.bounding_box(), target.bounding_box()
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + min(12, a["height"] / 2))
    page.mouse.down()
    page.mouse.move(a["x"] + a["width"] / 2 + 5, a["y"] + 15, steps=3)
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + min(30, b["height"] / 2), steps=15)
    page.mouse.up()


def test_kanban_drag_allowed_undone_and_refused(
    live_server: Any, people: Any, site: Any, browser_page: Any
) -> None:
    from playwright.sync_api import expect

    fans = make(people.worker, "Inspect exhaust fans", site=site, priority="High")
    audit = make(people.worker, "Quarterly safety audit", priority="Urgent")
    make(people.worker, "Check fire extinguishers", parent_task=audit)
    make(people.other, "Oscar's generator check", site=site)
    page = browser_page
    login(page, live_server.url, people.worker.email, "/desk/tasks/task/kanban/")
    open_col = page.locator('.kb-cards[data-status="Open"]')
    working = page.locator('.kb-cards[data-status="Working"]')
    card = page.locator(f'.kb-card[data-name="{fans.name}"]')
    expect(open_col.locator(".kb-card")).to_have_count(4)
    # Oscar's card is not the Worker's to move: it is shown but locked.
    expect(page.locator(".kb-locked")).to_have_count(1)
    shot(page, "kanban")

    drag(page, card, working)
    toast = page.locator("#kb-toast")
    expect(toast).to_contain_text(f"{fans.name} moved to Working.")
    expect(working.locator(f'[data-name="{fans.name}"]')).to_have_count(1)
    fans.refresh_from_db()
    assert fans.status == "Working"
    expect(page.locator('.kb-column[data-status="Working"] .kb-count')).to_have_text("1")
    shot(page, "kanban-moved")

    toast.get_by_role("button", name="Undo").click()
    expect(toast).to_contain_text(f"{fans.name} is back in Open.")
    expect(open_col.locator(f'[data-name="{fans.name}"]')).to_have_count(1)
    fans.refresh_from_db()
    assert fans.status == "Open"

    # A parent with an open sub-task does not complete: the card goes back, with why.
    done = page.locator('.kb-cards[data-status="Completed"]')
    drag(page, page.locator(f'.kb-card[data-name="{audit.name}"]'), done)
    expect(toast).to_contain_text("cannot be completed while sub-tasks are open")
    expect(open_col.locator(f'[data-name="{audit.name}"]')).to_have_count(1)
    expect(done.locator(".kb-card")).to_have_count(0)
    shot(page, "kanban-refused")
    audit.refresh_from_db()
    assert audit.status == "Open"

    # Someone reassigns the task while the board is open: the server refuses the move.
    Task.objects.filter(pk=fans.pk).update(owner=people.other, assigned_to=people.other)
    drag(page, card, working)
    expect(toast).to_contain_text(f"Not permitted: you may not change {fans.name}")
    expect(open_col.locator(f'[data-name="{fans.name}"]')).to_have_count(1)
    fans.refresh_from_db()
    assert fans.status == "Open"


def test_calendar_month_and_week_and_a_drag_reschedules(
    live_server: Any, people: Any, site: Any, browser_page: Any
) -> None:
    from playwright.sync_api import expect

    from flrts.reminders.models import Reminder

    chicago = ZoneInfo("America/Chicago")
    task = make(people.worker, "Compressor check", site=site, priority="High")
    task.set_due(dt.datetime(2026, 6, 5, 8, 0, tzinfo=chicago))  # Fri 06:00 for Wendy (LA)
    task.save()
    for n, subject in enumerate(["Replace intake filters", "Label PDU circuits", "Fan bearings"]):
        other = make(people.worker, subject, site=site, priority=["Low", "Medium", "Urgent"][n])
        other.set_due(dt.date(2026, 6, 2 + 3 * n))
        other.save()
    for n in range(5):  # a busy day: four shown, "+1 more" opens the day
        busy = make(people.worker, f"Belt check {n}", site=site)
        busy.set_due(dt.datetime(2026, 6, 17, 9, n, tzinfo=chicago))
        busy.save()
    Reminder(title="Read the meters", remind_at=dt.datetime(2026, 6, 1, 15, tzinfo=dt.UTC),
             recurrence="FREQ=WEEKLY;BYDAY=MO", owner=people.worker).save()  # fmt: skip
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 1500})
    login(page, live_server.url, people.worker.email, "/desk/tasks/task/calendar/?date=2026-06-05")
    expect(page.locator('.ec-event[data-name="' + task.name + '"]')).to_have_count(1)
    expect(page.locator(".ec-event", has_text="Read the meters")).to_have_count(5)
    expect(page.locator(".ec-event", has_text="Belt check")).to_have_count(4)
    shot(page, "calendar-month")
    page.locator(".ec-event", has_text="+1 more").click()
    expect(page.locator(".ec-event", has_text="Belt check")).to_have_count(5)
    expect(page.locator(".ec-title")).to_contain_text("June 17, 2026")
    page.goto(f"{live_server.url}/desk/tasks/task/calendar/?date=2026-06-05")

    page.get_by_role("button", name="Week").click()
    event = page.locator(f'.ec-event[data-name="{task.name}"]')
    expect(event.locator(".ec-event-time")).to_have_text("06:00 – 06:30")  # Wendy is in LA
    monday = page.locator(".ec-body .ec-day.ec-mon")
    # The week view lays out after its events arrive; a loaded machine is slower than a person.
    # The event is drawn again when the week's events arrive, and an element between two draws
    # has no box: ask until both have one that stays put for a moment.
    expect(monday).to_be_visible()
    expect(event).to_be_visible()
    six, day = settled_box(page, event), settled_box(page, monday)
    hour = 2 * 24  # two 30-minute slots of 24 px
    page.mouse.move(six["x"] + 10, six["y"] + 5)
    page.mouse.down()
    page.mouse.move(six["x"] + 20, six["y"] + 20, steps=3)
    page.mouse.move(day["x"] + day["width"] / 2, day["y"] + 10 * hour + 5, steps=20)
    page.mouse.up()
    expect(page.locator("#kb-toast")).to_contain_text(
        f"{task.name} rescheduled to 2026-06-01 10:00"
    )
    expect(event.locator(".ec-event-time")).to_have_text("10:00 – 10:30")
    task.refresh_from_db()
    # 10:00 in Los Angeles is 12:00 in Chicago, the task's own zone, which it keeps.
    assert (task.exp_end_date, task.due_time, task.time_zone) == (
        dt.date(2026, 6, 1),
        dt.time(12, 0),
        "America/Chicago",
    )
    shot(page, "calendar-week")


def settled_box(page: Any, locator: Any, timeout: float = 15.0) -> dict[str, float]:
    """The locator's bounding box once it is there and the same twice 200 ms apart."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        box = locator.bounding_box()
        if box is not None and box == last:
            return dict(box)
        last = box
        page.wait_for_timeout(200)
    raise AssertionError(f"{locator} never settled (last box {last})")


def png_bytes() -> bytes:
    """A small real photo-like PNG (a gradient), so the preview has something to draw."""
    from PIL import Image

    image = Image.new("RGB", (320, 200))
    image.putdata([(x % 256, (y * 2) % 256, 160) for y in range(200) for x in range(320)])
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_a_comment_mention_reaches_the_persons_telegram_outbox(
    live_server: Any, people: Any, site: Any, browser_page: Any
) -> None:
    from playwright.sync_api import expect

    from flrts.telegram.models import OutboxMessage

    task = make(people.supervisor, "Check the compressor", site=site, assigned_to=people.worker)
    with acting_as(people.worker):
        task.set_due(dt.datetime(2026, 6, 8, 14, 0, tzinfo=ZoneInfo("America/Chicago")))
        task.status = "Working"
        task.save()
    OutboxMessage.objects.all().delete()
    page = browser_page
    login(page, live_server.url, people.supervisor.email, f"/desk/tasks/task/{task.pk}/change/")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Wendy set due to Mon 2026-06-08 14:00 CDT; changed status")
    box = page.locator("#tl-comment-input")
    box.click()
    box.type("Parts are in. @Wen")
    suggestion = page.locator("#tl-suggest li")
    expect(suggestion).to_have_text(["Wendy · wendy@example.com"])
    box.press("Enter")
    box.type("can you fit the seal before noon?")
    expect(box).to_have_value("Parts are in. @Wendy can you fit the seal before noon?")
    page.click("#tl-comment-send")
    expect(timeline.locator(".tl-mention")).to_have_text("@Wendy")
    expect(page.locator("#timeline-message")).to_contain_text("Comment added.")
    expect(box).to_have_value("")
    message = OutboxMessage.objects.get(user=people.worker)
    assert message.text == (
        f"💬 Sam mentioned you on {task}:\nParts are in. @Wendy can you fit the seal before noon?"
    )
    shot(page, "timeline", "#timeline")

    # Wendy sees it where the desk shows Telegram messages when no bot token is configured.
    page.context.clear_cookies()
    login(page, live_server.url, people.worker.email, "/telegram/chat/")
    expect(page.locator("#outbox")).to_contain_text("Sam mentioned you on")


def test_an_attachment_uploads_and_is_previewed(
    live_server: Any, people: Any, site: Any, browser_page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    from flrts.core.activity import AttachedFile

    task = make(people.worker, "Pump seal leaking", site=site, assigned_to=people.worker)
    photo = tmp_path / "seal.png"
    photo.write_bytes(png_bytes())
    page = browser_page
    login(page, live_server.url, people.worker.email, f"/desk/tasks/task/{task.pk}/change/")
    page.set_input_files("#tl-file-input", str(photo))
    page.click("#tl-attach-form button[type=submit]")
    expect(page.locator("#timeline-message")).to_contain_text("Attached seal.png.")
    preview = page.locator("img.tl-preview")
    expect(preview).to_have_count(1)
    # The browser decoded the picture it was served: it has the photo's size (it loads after the
    # element appears; a broken image would be complete with no width and time out here).
    page.wait_for_function(
        "() => { const i = document.querySelector('img.tl-preview');"
        " return i !== null && i.complete && i.naturalWidth > 0; }",
        timeout=15000,
    )
    size = preview.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
    assert size == [True, 320, 200]
    thumb = page.locator("img.tl-thumb")
    expect(thumb).to_have_count(1)
    assert AttachedFile.objects.get().is_image
    shot(page, "attachment", "#timeline")
