"""The command table, for every surface: Telegram and the desk's chat page run the same
handlers through `flrts.capture.dispatch`. `COMMANDS` is also what `setMyCommands` registers
(`flrts telegram set-commands`, and `set-webhook`). Each handler returns channel-neutral replies."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from flrts.capture import queries, records
from flrts.capture.confirm import cancel
from flrts.capture.conversation import Conversation, handle_text
from flrts.capture.drafts import current_proposal
from flrts.capture.guided import start_guided_report
from flrts.capture.replies import Reply
from flrts.capture.requests import HELP_TEXT
from flrts.capture.task_actions import task_action
from flrts.core.permissions import Action, can
from flrts.core.timezones import zone

COMMANDS: list[tuple[str, str]] = [
    ("start", "Say hello (or link your account: /start CODE)"),
    ("link", "Link this Telegram account: /link CODE from your desk profile"),
    ("help", "What I can do"),
    ("newtask", "Create a task"),
    ("mytasks", "Your open tasks"),
    ("today", "Tasks due today"),
    ("overdue", "Overdue tasks"),
    ("done", "Complete a task: /done TASK-2026-00042"),
    ("newlist", "Create a list: /newlist Shopping"),
    ("lists", "Your lists"),
    ("report", "Write a field report, step by step"),
    ("remind", "Set a reminder"),
    ("settings", "Time zone, quiet hours, daily summary"),
    ("cancel", "Cancel the current draft"),
]


def help_text() -> str:
    lines = [HELP_TEXT, "", "Commands:"]
    lines += [f"/{name} — {description}" for name, description in COMMANDS]
    return "\n".join(lines)


def welcome(conv: Conversation) -> list[Reply]:
    name = conv.user.first_name_or_full
    return [Reply(f"👋 Hello {name}! You're linked to FLRTS.\n\n{help_text()}")]


def _newtask(conv: Conversation, args: str) -> list[Reply]:
    if not args:
        return [
            Reply(
                "📝 What's the task? Who, what, where and when, e.g. “Colin, check the pump "
                "at Big Sky tomorrow 2pm”.",
                kind="question",
            )
        ]
    return handle_text(conv, args)


def _remind(conv: Conversation, args: str) -> list[Reply]:
    if not args:
        return [
            Reply(
                "🔔 What should I remind you of, and when? e.g. “remind me to check the meters "
                "every Monday at 8am”.",
                kind="question",
            )
        ]
    text = args if re.match(r"(?i)^remind\b", args) else f"remind me to {args}"
    return handle_text(conv, text)


def _newlist(conv: Conversation, args: str) -> list[Reply]:
    if not args:
        return [Reply("🗒 What should the list be called? e.g. /newlist Shopping", kind="question")]
    return handle_text(conv, f"create a list called {args}")


def _done(conv: Conversation, args: str) -> list[Reply]:
    if not args:
        return queries.my_tasks(conv.user)
    try:
        task = records.find_task(conv.user, args)
    except records.CaptureProblem as exc:
        return [Reply(str(exc), kind="error")]
    result = task_action(conv, "done", task.name, [])
    return result.replies_with_toast()


def _cancel(conv: Conversation, args: str) -> list[Reply]:
    pending = current_proposal(conv)
    if pending is None:
        return [Reply("There is no draft to cancel.")]
    return cancel(conv, pending.pk).replies_with_toast()


def _report(conv: Conversation, args: str) -> list[Reply]:
    return start_guided_report(conv, args)


# -- /settings ------------------------------------------------------------------------------------

_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


def _time(value: str) -> dt.time | None:
    match = _TIME.match(value.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    ampm = (match.group(3) or "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    if ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def _settings_text(user: Any) -> str:
    quiet = (
        f"{user.quiet_hours_start:%H:%M}–{user.quiet_hours_end:%H:%M}"
        if user.quiet_hours_start and user.quiet_hours_end
        else "off"
    )
    summary = f"{user.daily_summary_time:%H:%M}" if user.daily_summary_time else "off"
    local = timezone.now().astimezone(user.zone)
    return (
        "⚙️ Your settings\n\n"
        f"Time zone: {user.time_zone} (now {local:%H:%M})\n"
        f"Quiet hours: {quiet}\n"
        f"Daily summary: {summary}\n\n"
        "Change them with:\n"
        "/settings timezone America/Denver\n"
        "/settings quiet 22:00-07:00   (or: /settings quiet off)\n"
        "/settings summary 07:30   (or: /settings summary off)"
    )


def _settings(conv: Conversation, args: str) -> list[Reply]:
    user = conv.user
    if not args:
        return [Reply(_settings_text(user))]
    if not can(user, Action.WRITE, user):
        return [Reply("⛔ Your role may not change settings.", kind="error")]
    key, _, value = args.strip().partition(" ")
    key, value = key.lower(), value.strip()
    if key in ("timezone", "tz", "zone", "time_zone"):
        try:
            zone(value)
        except Exception:
            return [Reply(f"❌ {value or '(empty)'} is not a time zone. Try America/Chicago.")]
        user.time_zone = value
    elif key == "quiet":
        if value.lower() in ("off", "none", "no"):
            user.quiet_hours_start = user.quiet_hours_end = None
        else:
            start, _, end = value.replace("–", "-").partition("-")
            begin, finish = _time(start), _time(end)
            if begin is None or finish is None or begin == finish:
                return [Reply("❌ Say it like: /settings quiet 22:00-07:00")]
            user.quiet_hours_start, user.quiet_hours_end = begin, finish
    elif key == "summary":
        if value.lower() in ("off", "none", "no"):
            user.daily_summary_time = None
        else:
            at = _time(value)
            if at is None:
                return [Reply("❌ Say it like: /settings summary 07:30")]
            user.daily_summary_time = at
    else:
        return [Reply(f"❌ I can change timezone, quiet or summary, not {key!r}.")]
    user.save()
    return [Reply("✅ Saved.\n\n" + _settings_text(user))]


HANDLERS: dict[str, Callable[[Conversation, str], list[Reply]]] = {
    "/help": lambda conv, args: [Reply(help_text())],
    "/start": lambda conv, args: welcome(conv),
    # A code is handled by the bot before this (flrts.bot.linking); without one, say who it is.
    "/link": lambda conv, args: [Reply(f"✅ You are linked to FLRTS as {conv.user}.")],
    "/newtask": _newtask,
    "/mytasks": lambda conv, args: queries.my_tasks(conv.user),
    "/today": lambda conv, args: queries.today(conv.user),
    "/overdue": lambda conv, args: queries.overdue(conv.user),
    "/done": _done,
    "/newlist": _newlist,
    "/lists": lambda conv, args: queries.lists(conv.user),
    "/report": _report,
    "/remind": _remind,
    "/settings": _settings,
    "/cancel": _cancel,
}


def run(conv: Conversation, command: str, args: str) -> list[Reply]:
    handler = HANDLERS.get(command)
    if handler is None:
        return [Reply(f"I don't know {command}. Send /help to see what I can do.")]
    return handler(conv, args)
