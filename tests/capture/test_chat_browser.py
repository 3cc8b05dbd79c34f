"""The chat page in headless Chromium: type a message, confirm, see the task in the desk list."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from flrts.tasks.models import Task

CHROMIUM = Path("/usr/bin/chromium")
# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test then
# look "async-unsafe" to Django although they are not concurrent.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


def test_type_confirm_and_see_the_task(live_server: Any, team: Any) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        try:
            page = browser.new_page()
            page.goto(f"{live_server.url}/desk/login/?next=/desk/")
            page.fill("#id_username", team.joel.email)
            page.fill("#id_password", "password")
            page.click("input[type=submit]")
            page.click("#chat-link a")
            expect(page.locator("#chat-log")).to_be_visible()
            page.fill("#chat-input", "Colin check pump at Big Sky tomorrow 2pm")
            page.click("#chat-send")
            card = page.locator(".msg.bot[data-kind=card]").last
            expect(card).to_contain_text("Colin Aulds")
            card.get_by_role("button", name="✅ Confirm").click()
            saved = page.locator(".msg.bot[data-kind=saved]").last
            expect(saved).to_contain_text("✅ Saved TASK-")
            expect(card.get_by_role("button", name="✅ Confirm")).to_be_disabled()
            task = Task.objects.get()
            page.goto(f"{live_server.url}/desk/tasks/task/")
            expect(page.locator("#result_list")).to_contain_text(task.name)
            expect(page.locator("#result_list")).to_contain_text("Check pump at Big Sky")
        finally:
            browser.close()
