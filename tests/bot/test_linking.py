"""A person links their own Telegram account with a one-time code from their desk profile."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from flrts.people.models import (
    LINK_CODES_PER_HOUR,
    LINK_FAILURES_PER_WINDOW,
    TelegramLinkCode,
    User,
)
from tests.fakes import telegram_updates as tu

pytestmark = pytest.mark.django_db(transaction=True)

NEW_ACCOUNT = 7777


def _desk_code(person: User) -> str:
    """Make a code as the person does: their profile page, "Link Telegram", "Make a code"."""
    client = Client()
    client.force_login(person)
    profile = client.get(f"/desk/people/user/{person.pk}/change/")
    assert 'id="link-telegram"' in profile.content.decode()
    page = client.post(f"/desk/people/user/{person.pk}/link-telegram/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    match = re.search(r'id="link-code"[^>]*>/link ([A-Z0-9]+)<', page.content.decode())
    assert match, page.content.decode()
    return match.group(1)


def test_person_links_own_account_with_a_desk_code(bot: Any, team: Any) -> None:
    code = _desk_code(team.taylor)
    stored = TelegramLinkCode.objects.get(user=team.taylor)
    assert code not in stored.code_hash and len(stored.code_hash) == 64  # only the digest
    assert dt.timedelta(minutes=9) < stored.expires_at - timezone.now() <= dt.timedelta(minutes=10)
    bot.send(tu.command(NEW_ACCOUNT, "link", code, username="taylor_new"))
    assert "linked" in bot.last_text(NEW_ACCOUNT).lower()
    team.taylor.refresh_from_db()
    assert (team.taylor.telegram_user_id, team.taylor.telegram_chat_id) == (NEW_ACCOUNT,) * 2
    assert team.taylor.telegram_username == "taylor_new"
    bot.command(NEW_ACCOUNT + 1, "link", code)  # one use only
    assert "not valid" in bot.last_text(NEW_ACCOUNT + 1)


def test_the_code_alone_as_a_first_message_links(bot: Any, team: Any) -> None:
    code = _desk_code(team.colin)
    bot.say(NEW_ACCOUNT, f" {code[:4].lower()}-{code[4:].lower()} ")
    assert "linked" in bot.last_text(NEW_ACCOUNT).lower()
    assert User.objects.get(telegram_user_id=NEW_ACCOUNT) == team.colin


def test_expired_code_links_nobody(bot: Any, team: Any) -> None:
    code = _desk_code(team.colin)
    TelegramLinkCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    bot.command(NEW_ACCOUNT, "link", code)
    assert "expired" in bot.last_text(NEW_ACCOUNT)
    assert not User.objects.filter(telegram_user_id=NEW_ACCOUNT).exists()


def test_guessing_is_rate_limited(bot: Any, team: Any) -> None:
    for _ in range(LINK_FAILURES_PER_WINDOW):
        bot.command(NEW_ACCOUNT, "link", "AAAA-BBBB")
        assert "not valid" in bot.last_text(NEW_ACCOUNT)
    code = _desk_code(team.colin)
    bot.command(NEW_ACCOUNT, "link", code)  # even the right code waits now
    assert "Too many" in bot.last_text(NEW_ACCOUNT)
    assert not User.objects.filter(telegram_user_id=NEW_ACCOUNT).exists()


def test_code_making_is_rate_limited_and_only_for_oneself(team: Any) -> None:
    client = Client()
    client.force_login(team.colin)
    for _ in range(LINK_CODES_PER_HOUR):
        assert (
            'id="link-code"'
            in client.post(f"/desk/people/user/{team.colin.pk}/link-telegram/").content.decode()
        )
    refused = client.post(f"/desk/people/user/{team.colin.pk}/link-telegram/").content.decode()
    assert 'id="link-error"' in refused and "At most" in refused
    assert TelegramLinkCode.objects.count() == LINK_CODES_PER_HOUR
    # someone else's profile: no code, not even for a Supervisor or an Admin
    for who in (team.colin, team.joel, team.admin):
        client.force_login(who)
        assert client.post(f"/desk/people/user/{team.taylor.pk}/link-telegram/").status_code == 403
