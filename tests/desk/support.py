"""Helpers for desk tests."""

from __future__ import annotations

from typing import Any

TASKS = "/desk/tasks/task/"


def run_action(client: Any, action: str, pks: list[Any], url: str = TASKS) -> list[tuple[str, str]]:
    """Run a list action as the logged-in person; the banners shown after it (level, text)."""
    response = client.post(url, {"action": action, "_selected_action": pks}, follow=True)
    assert response.status_code == 200
    return [(m.level_tag, str(m)) for m in response.context["messages"]]
