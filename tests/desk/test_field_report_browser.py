"""A Worker submits a field report and a Supervisor cancels and amends it, pressing the desk's
buttons in headless Chromium; screenshots go to test-output/desk/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flrts.core.context import acting_as
from flrts.fieldreports.models import FieldReport
from tests.browser import BROWSER_TEST, launch

OUT = Path(__file__).resolve().parents[2] / "test-output" / "desk"

pytestmark = BROWSER_TEST


def _login(page: Any, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/desk/login/?next=/desk/")
    page.fill("#id_username", email)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/desk/")


def test_submit_cancel_amend_in_a_browser(live_server: Any, people: Any) -> None:
    from playwright.sync_api import sync_playwright

    with acting_as(people.worker):
        report = FieldReport(summary="Compressor walk-through", reported_by=people.worker)
        report.save()
    OUT.mkdir(parents=True, exist_ok=True)
    url = f"{live_server.url}/desk/fieldreports/fieldreport/{report.pk}/change/"
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            _login(page, live_server.url, people.worker.email)
            page.goto(url)
            assert page.locator("#docstatus-cancel").count() == 0
            page.screenshot(path=str(OUT / "field-report-draft.png"), full_page=True)
            page.click("#docstatus-submit")
            page.wait_for_load_state()
            assert "submitted" in page.inner_text("ul.messagelist")
            assert "Submitted" in page.inner_text("#docstatus-actions")
            assert page.locator("#docstatus-submit").count() == 0
            page.screenshot(path=str(OUT / "field-report-submitted.png"), full_page=True)

            _login(page, live_server.url, people.supervisor.email)
            page.goto(url)
            page.click("#docstatus-cancel")
            page.wait_for_load_state()
            assert "Cancelled" in page.inner_text("#docstatus-actions")
            page.click("#docstatus-amend")
            page.wait_for_url(lambda u: f"/{report.pk}/change/" not in u)
            assert f"{report.name}-1" in page.content()
            assert "Draft" in page.inner_text("#docstatus-actions")
            page.screenshot(path=str(OUT / "field-report-amended.png"), full_page=True)
        finally:
            browser.close()
    report.refresh_from_db()
    assert report.docstatus == 2
    assert FieldReport.objects.get(amended_from=report).name == f"{report.name}-1"
