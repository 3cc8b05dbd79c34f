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


def test_reload_keeps_the_conversation_and_its_buttons(live_server: Any, team: Any) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            page.goto(f"{live_server.url}/desk/login/?next=/telegram/chat/")
            page.fill("#id_username", team.joel.email)
            page.fill("#id_password", "password")
            page.click("input[type=submit]")
            page.fill("#chat-input", "Colin check pump at Big Sky tomorrow 2pm")
            page.click("#chat-send")
            expect(page.locator(".msg.bot[data-kind=card]").last).to_contain_text("Colin Aulds")
            page.reload()
            expect(page.locator(".msg.me").first).to_have_text(
                "Colin check pump at Big Sky tomorrow 2pm"
            )
            card = page.locator(".msg.bot[data-kind=card]").last
            card.get_by_role("button", name="✅ Confirm").click()
            expect(page.locator(".msg.bot[data-kind=saved]").last).to_contain_text("✅ Saved TASK-")
            task = Task.objects.get()
            page.reload()
            card = page.locator(".msg.bot[data-kind=card]").last
            expect(card).to_contain_text(f"(saved as {task.name})")
            expect(card.get_by_role("button", name="✅ Confirm")).to_have_count(0)
            # A command works on the chat page as on Telegram: one answer, a row per task;
            # Done on one task takes its row away and leaves the other's.
            from flrts.core.context import acting_as

            with acting_as(team.joel):
                mine = [Task(subject=s, assigned_to=team.joel) for s in ("Oil", "Fence")]
                for one in mine:
                    one.save()
            page.fill("#chat-input", "/mytasks")
            page.click("#chat-send")
            answer = page.locator(".msg.bot[data-kind=tasks]").last
            expect(answer).to_contain_text("📋 Your open tasks")
            number = mine[0].name.rsplit("-", 1)[-1]
            answer.get_by_role("button", name=f"✅ Done {number}").click()
            expect(page.locator(".msg.bot").last).to_contain_text(f"✅ Completed {mine[0].name}")
            expect(answer.get_by_role("button", name=f"✅ Done {number}")).to_have_count(0)
            other = mine[1].name.rsplit("-", 1)[-1]
            expect(answer.get_by_role("button", name=f"✅ Done {other}")).to_be_enabled()
        finally:
            browser.close()
