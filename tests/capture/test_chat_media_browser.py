"""The chat page in headless Chromium: a photo with a caption becomes a submitted field report
that the desk shows with the photo, the issue and the reading."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flrts.core.activity import AttachedFile
from flrts.core.docstatus import DocStatus
from flrts.fieldreports.models import FieldReport
from flrts.org.models import Site
from tests.browser import BROWSER_TEST, launch

pytestmark = BROWSER_TEST

OUT = Path(os.environ.get("FLRTS_SCREENSHOTS", "/tmp/flrts-screenshots"))
CAPTION = "Iron Creek pump 2 seal leaking, pressure 41 psi"


def photo(tmp_path: Path) -> Path:
    from PIL import Image

    image = Image.new("RGB", (480, 320))
    image.putdata([(120 + x % 100, 90 + y % 80, 60) for y in range(320) for x in range(480)])
    path = tmp_path / "pump-2-seal.jpg"
    image.save(path, "JPEG")
    return path


def test_photo_with_caption_becomes_a_submitted_report(
    live_server: Any, team: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    Site(site_name="Iron Creek", site_code="IC").save()
    picture = photo(tmp_path)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{live_server.url}/desk/login/?next=/telegram/chat/")
            page.fill("#id_username", team.colin.email)
            page.fill("#id_password", "password")
            page.click("input[type=submit]")
            page.set_input_files("#chat-file", str(picture))
            expect(page.locator("#chat-file-chosen")).to_contain_text("pump-2-seal.jpg")
            page.fill("#chat-input", CAPTION)
            page.click("#chat-send")
            mine = page.locator(".msg.me").last
            expect(mine).to_contain_text("📎 1 photo")
            card = page.locator(".msg.bot[data-kind=card]").last
            expect(card).to_contain_text("📋 New field report")
            expect(card).to_contain_text("📎 1 photo")
            expect(card).to_contain_text("Issues: pump 2 seal leaking")
            expect(card).to_contain_text("41 psi")
            OUT.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUT / "chat-photo-card.png"), full_page=True)
            card.get_by_role("button", name="✅ Confirm").click()
            saved = page.locator(".msg.bot[data-kind=saved]").last
            expect(saved).to_contain_text("(submitted)")
            expect(saved).to_contain_text("📎 1 photo attached")
            report = FieldReport.objects.get()
            assert report.docstatus == DocStatus.SUBMITTED
            saved.get_by_role("link", name="Open in the desk →").click()
            page.wait_for_url(f"**/fieldreports/fieldreport/{report.pk}/change/**")
            body = page.locator("body")
            expect(body).to_contain_text("Submitted")
            expect(body).to_contain_text("seal leaking")
            expect(body).to_contain_text("psi")
            page.screenshot(path=str(OUT / "chat-photo-field-report.png"), full_page=True)
            readings = page.locator("#readings-group")
            expect(readings).to_contain_text("pressure")
            expect(readings).to_contain_text("41")
            [attached] = AttachedFile.objects.filter(attached_to_name=report.name)
            thumb = page.locator(f"#tl-file-list li[data-file='{attached.pk}'] img.tl-thumb")
            expect(thumb).to_be_visible()
            # The image really loads (a private file served to its reader).
            assert thumb.evaluate("img => img.complete && img.naturalWidth") == 480
        finally:
            browser.close()
