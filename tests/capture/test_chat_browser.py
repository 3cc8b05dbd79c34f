"""The chat page in headless Chromium: type a message, confirm, see the task in the desk list."""

from __future__ import annotations

from typing import Any

from flrts.tasks.models import Task
from tests.browser import BROWSER_TEST, launch

pytestmark = BROWSER_TEST


def test_type_confirm_and_see_the_task(live_server: Any, team: Any) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
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
