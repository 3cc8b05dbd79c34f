"""The dashboard and each report in headless Chromium, as an Admin and as a Viewer: screenshots
go to test-output/reports/, and the charts must be drawn (SVG marks carrying the numbers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.browser import BROWSER_TEST, launch

from flrts.reports.analytics import REPORTS

OUT = Path(__file__).resolve().parents[2] / "test-output" / "reports"

pytestmark = BROWSER_TEST


@pytest.fixture
def data(people: Any, site: Any) -> Any:
    from django.utils import timezone

    from flrts.nlp.models import ParserLog
    from flrts.tasks.models import Task
    from flrts.telegram.models import TelegramUpdate

    now = timezone.now()
    for n in range(6):
        task = Task(subject=f"task {n}", site=site, assigned_to=people.worker,
                    creation=now - dt.timedelta(days=10))  # fmt: skip
        task.set_due(now - dt.timedelta(days=n) + dt.timedelta(hours=1))  # n=0: not yet due
        task.save()
    for n in range(12):
        at = now - dt.timedelta(days=n % 5, hours=n)
        ParserLog(original_message="x", request_timestamp=at, model_name="gpt-4o",
                  user_accepted="Accepted" if n % 3 else "Rejected", confidence_score=0.8,
                  response_duration_ms=120, estimated_cost_usd=Decimal("0.004")).save()  # fmt: skip
        TelegramUpdate.objects.create(update_id=9000 + n, kind="message",
                                      telegram_user_id=501 + n % 2, received_at=at)  # fmt: skip
    return people


def _login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/desk/login/?next=/desk/")
    page.fill("#id_username", email)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/desk/")


def _chart_marks(page: Any, scope: str) -> list[float]:
    """The numbers the drawn charts in `scope` carry."""
    return page.eval_on_selector_all(
        f"{scope} svg.flrts-chart [data-value]",
        "els => els.map(e => parseFloat(e.getAttribute('data-value')))",
    )


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_dashboard_and_reports_in_a_browser(live_server: Any, data: Any, role: str) -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    user = getattr(data, role)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            base = live_server.url
            _login(page, base, user.email)
            assert page.inner_text("#count-overdue").strip() == "5"
            # Server-drawn SVG, sized by the browser: it has a box, and it carries data.
            box = page.locator("#chart-overdue-trend svg").bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 20
            trend = _chart_marks(page, "#chart-overdue-trend")
            assert len(trend) == 14 and max(trend) >= 5
            assert _chart_marks(page, "#chart-per-site") == [6.0]
            parser = page.locator("#chart-parser-success svg")
            assert parser.count() == (1 if role == "admin" else 0)
            if role == "admin":
                assert any(v > 0 for v in _chart_marks(page, "#chart-parser-cost"))
            page.screenshot(path=str(OUT / f"dashboard-{role}.png"), full_page=True)

            for slug in REPORTS:
                response = page.goto(f"{base}/desk/reports/{slug}/")
                assert response is not None
                page.screenshot(path=str(OUT / f"{slug}-{role}.png"), full_page=True)
                if role == "viewer":
                    assert response.status == 403
                    assert "Reports are for Admins and Supervisors" in page.inner_text("body")
                    continue
                assert response.status == 200
                marks = _chart_marks(page, "#report-chart")
                assert marks and any(v > 0 for v in marks), slug
                assert page.locator("#report-table tbody tr").count() >= 1
        finally:
            browser.close()
