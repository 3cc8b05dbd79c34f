"""The desk in headless Chromium, as people use it: archive and restore, purge (Admins only), the
filter builder with a saved filter and the column picker, and a Viewer who sees no action he
cannot use. Screenshots go to test-output/desk/; with FLRTS_DOCS_IMG=1 also to docs/img/, the
pictures in docs/desk.md (`FLRTS_DOCS_IMG=1 .venv/bin/pytest tests/desk/test_browser_lists.py`)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from flrts.desk.models import ListFilter
from flrts.tasks.models import Task
from tests.browser import BROWSER_TEST, launch

pytestmark = BROWSER_TEST
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test-output" / "desk"
DOCS = ROOT / "docs" / "img"
DEMO_PASSWORD = "demo-pass-2026"


def shot(page: Any, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    if os.environ.get("FLRTS_DOCS_IMG") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(OUT / f"{name}.png", DOCS / f"desk-{name}.png")


@pytest.fixture
def demo(people: Any) -> Any:
    from flrts.desk.demo import load_demo

    load_demo(DEMO_PASSWORD)
    return people


@pytest.fixture
def browser_page(live_server: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            yield browser
        finally:
            browser.close()


def login(browser: Any, base: str, email: str, password: str = DEMO_PASSWORD) -> Any:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{base}/desk/login/?next=/desk/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/desk/")
    return page


def test_archive_and_restore(live_server: Any, demo: Any, browser_page: Any) -> None:
    from playwright.sync_api import expect

    task = Task.objects.get(subject="Inspect exhaust fans")  # Bryan's own task
    task.owner = Task._meta.get_field("owner").related_model.objects.get(email="bryan@example.com")
    task.save()
    base = live_server.url
    page = login(browser_page, base, "bryan@example.com")
    page.goto(f"{base}/desk/tasks/task/{task.pk}/change/")
    page.click("a.deletelink")
    expect(page.locator("#archive-button")).to_be_visible()
    expect(page.locator("#purge-link")).to_have_count(0)  # a Worker never sees purge
    shot(page, "archive-confirm")
    page.click("#archive-button")
    expect(page.locator("ul.messagelist")).to_contain_text(f"Archived {task.name}.")
    expect(page.locator("#result_list")).not_to_contain_text(task.name)
    task.refresh_from_db()
    assert task.archived
    page.locator("#changelist-filter a", has_text="Archived").click()
    expect(page.locator("#result_list")).to_contain_text(task.name)
    page.check(f"input.action-select[value='{task.pk}']")
    page.select_option("select[name=action]", "restore_selected")
    page.click("button[name=index]")
    expect(page.locator("ul.messagelist")).to_contain_text("Restored 1.")
    task.refresh_from_db()
    assert not task.archived
    page.goto(f"{base}/desk/tasks/task/")
    expect(page.locator("#result_list")).to_contain_text(task.name)


def test_purge_by_admin_only(live_server: Any, demo: Any, browser_page: Any) -> None:
    from playwright.sync_api import expect

    task = Task.objects.get(subject="Label PDU circuits")
    base = live_server.url
    supervisor = login(browser_page, base, "joel@example.com")
    response = supervisor.goto(f"{base}/desk/tasks/task/{task.pk}/purge/")
    assert response is not None and response.status == 403
    expect(supervisor.locator("#forbidden")).to_have_text("Only an Admin can purge records.")
    shot(supervisor, "forbidden")
    supervisor.goto(f"{base}/desk/tasks/task/{task.pk}/delete/")
    expect(supervisor.locator("#archive-button")).to_be_visible()
    expect(supervisor.locator("#purge-link")).to_have_count(0)
    assert Task.objects.filter(pk=task.pk).exists()

    admin = login(browser_page, base, demo.admin.email, "password")
    admin.goto(f"{base}/desk/tasks/task/{task.pk}/delete/")
    admin.click("#purge-link")
    expect(admin.locator("#purge-form")).to_be_visible()
    admin.fill("#confirm_name", "yes")
    admin.click("#purge-button")
    expect(admin.locator("#purge-error")).to_contain_text(f"Type {task.name} exactly")
    assert Task.objects.filter(pk=task.pk).exists()
    admin.fill("#confirm_name", task.name)
    shot(admin, "purge-confirm")
    admin.click("#purge-button")
    expect(admin.locator("ul.messagelist")).to_contain_text(f"Purged {task.name} for good.")
    assert not Task.objects.filter(pk=task.pk).exists()


def test_filter_builder_saved_filter_and_columns(
    live_server: Any, demo: Any, browser_page: Any
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    page = login(browser_page, base, "joel@example.com")
    page.goto(f"{base}/desk/tasks/task/")
    page.click("#filter-builder summary")
    page.select_option("#filter-row-0 select[data-role=field]", "status")
    value = page.locator("#filter-row-0 select[data-role=value]")
    expect(value.locator("option[value='Working']")).to_have_count(1)  # htmx drew the choices
    value.select_option("Open")
    page.click("#add-filter")
    # htmx wires a new row up after it settles; a person cannot choose faster than that, a script
    # can (the change would then send no request).
    page.wait_for_function(
        "document.querySelector('#filter-row-1 select[data-role=field]')?.['htmx-internal-data']"
        "?.listenerInfos?.length > 0"
    )
    page.select_option("#filter-row-1 select[data-role=field]", "site")
    site = page.locator("#filter-row-1 select[data-role=value]")
    expect(site.locator("option[value='Thunder Ridge']")).to_have_count(1)
    site.select_option("Thunder Ridge")
    page.click("#apply-filters")
    page.wait_for_url("**/desk/tasks/task/?*filters=*")
    filters = json.loads(parse_qs(urlsplit(page.url).query)["filters"][0])
    assert filters == [["status", "=", "Open"], ["site", "=", "Thunder Ridge"]]
    expected = set(
        Task.objects.filter(
            status="Open", site__site_name="Thunder Ridge", archived=False
        ).values_list("name", flat=True)
    )
    assert expected
    shown = set(page.locator("#result_list th.field-name a").all_inner_texts())
    assert shown == expected
    expect(page.locator("#sidebar-counts [data-field=assigned_to]")).to_be_visible()
    expect(page.locator("#active-filters")).to_contain_text("Site = Thunder Ridge")
    shot(page, "task-list-filtered")

    page.click("#save-filter summary")
    page.fill("#filter-name", "Open at Thunder Ridge")
    page.check("#filter-shared")
    page.click("#save-filter-button")
    expect(page.locator("ul.messagelist")).to_contain_text("shared with everyone")
    saved = ListFilter.objects.get(filter_name="Open at Thunder Ridge")
    assert saved.filters == filters and saved.for_user is None

    page.goto(f"{base}/desk/tasks/task/")
    assert len(page.locator("#result_list tbody tr").all()) > len(expected)
    page.locator("#saved-filters a.saved-filter", has_text="Open at Thunder Ridge").click()
    page.wait_for_url("**filters=*")
    assert set(page.locator("#result_list th.field-name a").all_inner_texts()) == expected

    page.click("#column-picker summary")
    page.uncheck("#column-picker input[value=priority_pill]")
    page.check("#column-picker input[value=contractor]")
    page.click("#save-columns")
    expect(page.locator("#result_list thead")).to_contain_text("Contractor")
    expect(page.locator("#result_list thead")).not_to_contain_text("Priority")
    assert "filters=" in page.url  # the filtered list stays filtered

    worker = login(browser_page, base, "taylor@example.com")
    worker.goto(f"{base}/desk/tasks/task/")
    expect(worker.locator("#saved-filters")).to_contain_text("Open at Thunder Ridge")
    expect(worker.locator("#result_list thead")).to_contain_text("Priority")  # his own columns


def test_viewer_sees_no_action_he_cannot_use(
    live_server: Any, demo: Any, browser_page: Any
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    page = login(browser_page, base, "ari@example.com")
    page.goto(f"{base}/desk/tasks/task/")
    expect(page.locator("#result_list")).to_be_visible()
    expect(page.locator("select[name=action]")).to_have_count(0)
    expect(page.locator("a.addlink")).to_have_count(0)
    expect(page.get_by_text("Mark complete")).to_have_count(0)
    expect(page.get_by_text("Reassign")).to_have_count(0)
    shot(page, "viewer-task-list")
    task = Task.objects.get(subject="Check the compressor")
    page.goto(f"{base}/desk/tasks/task/{task.pk}/change/")
    expect(page.locator("input[name=_save]")).to_have_count(0)
    expect(page.locator("a.deletelink")).to_have_count(0)
    shot(page, "viewer-task-form")


def test_desk_tour(live_server: Any, demo: Any, browser_page: Any) -> None:
    """The other pages this work changed, drawn as a person sees them (for docs/desk.md)."""
    from playwright.sync_api import expect

    base = live_server.url
    page = login(browser_page, base, "joel@example.com")
    expect(page.locator("#desk-nav")).to_contain_text("Work")
    expect(page.locator("#user-tools")).to_contain_text("Joel Hart")
    expect(page.locator("#content")).not_to_contain_text("Tasks database backend")
    shot(page, "home")
    page.goto(f"{base}/desk/reminders/reminder/")
    expect(page.locator("#result_list")).to_contain_text("every Monday at 08:00")
    shot(page, "reminder-list")
    reminder = page.locator("#result_list th.field-name a").first
    reminder.click()
    expect(page.locator("#content")).to_contain_text("in your time zone: America/New_York")
    shot(page, "reminder-form")
    page.goto(f"{base}/desk/fieldreports/fieldreport/")
    expect(page.locator("#result_list .pill").first).to_have_text("Submitted")
    shot(page, "field-report-list")
