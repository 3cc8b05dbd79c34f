"""One owner each (issue 17): a concern that has one module keeps it. Reads the source, so a
second SMTP path, Redis client, database create/drop or LLM call fails here by name."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "flrts"


def _modules_matching(pattern: str) -> list[str]:
    rx = re.compile(pattern, re.MULTILINE)
    return sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts and rx.search(path.read_text())
    )


def test_databases_are_created_and_dropped_in_one_module() -> None:
    assert _modules_matching(r"(CREATE|DROP) DATABASE") == ["ops/databases.py"]


def test_redis_clients_are_opened_in_one_module() -> None:
    assert _modules_matching(r"^\s*(import redis\b|from redis\b)|Redis\.from_url") == [
        "jobs/redisclient.py"
    ]


def test_mail_is_sent_in_one_module() -> None:
    assert _modules_matching(r"smtplib|EmailMessage\(|EmailMultiAlternatives\(|send_mail\(") == [
        "notify/channels.py"
    ]


def test_the_llm_is_called_through_the_llm_client_only() -> None:
    # The OpenAI SDK is imported by the client alone (the doctor checks through LLMClient).
    assert _modules_matching(r"^\s*(import openai\b|from openai\b)") == ["nlp/llm/client.py"]


def test_scheduler_liveness_is_computed_in_ops_health() -> None:
    assert _modules_matching(r"def scheduler_last_tick") == ["ops/health.py"]
    assert (
        "from flrts.ops.health import scheduler_last_tick"
        in (SRC / "reports" / "monitors.py").read_text()
    )


def test_capture_has_one_reminder_button_path() -> None:
    # Made by the delivery, routed by the conversation, handled by reminder_actions: nowhere else
    # (task_actions.py's second, dead path is gone).
    # Code that makes or reads the data (a quoted "rem:…", or a comparison with "rem"), not prose.
    assert _modules_matching(r'["\']rem:|[=!]= "rem"') == sorted(
        ["capture/conversation.py", "capture/reminder_actions.py", "notify/reminder_delivery.py"]
    )


def test_messages_to_people_go_through_notify() -> None:
    """The Bot API's send seam is used by notify (notifications, alerts, the team chat) and by
    the bot answering the chat it is in; reports, ops and integrations go through notify."""
    users = _modules_matching(r"outbound\.send_|from flrts\.telegram\.outbound import[^\n]*\bsend_")
    assert "notify/channels.py" in users
    assert [m for m in users if not m.startswith(("notify/", "bot/", "telegram/"))] == []
