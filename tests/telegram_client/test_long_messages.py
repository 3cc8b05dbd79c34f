"""Texts over 4,096 characters become several messages, split where a reader would split."""

from __future__ import annotations

import pytest

from flrts.telegram.client import BotClient
from flrts.telegram.splitting import split_text, utf16_len
from flrts.telegram.types import InlineKeyboardMarkup
from tests.fakes.telegram_server import FakeTelegram


def test_short_text_is_one_part() -> None:
    assert split_text("hello") == ["hello"]
    assert split_text("x" * 4096) == ["x" * 4096]


def test_paragraph_breaks_are_preferred() -> None:
    first = "a" * 3000
    second = "b " * 1000
    parts = split_text(f"{first}\n\n{second}\nmore")

    assert parts[0] == first
    assert parts[1].startswith("b b")


def test_line_breaks_come_next_then_spaces() -> None:
    lines = "\n".join(["word " * 50] * 30)  # 7,500 characters, no paragraph break
    parts = split_text(lines)

    assert len(parts) == 2
    assert all(len(part) <= 4096 for part in parts)
    assert parts[0].endswith("word")
    assert not parts[1].startswith("\n")


def test_words_are_never_cut_when_a_space_exists() -> None:
    text = " ".join(f"w{i:05d}" for i in range(2000))  # 14,000 characters, single line
    parts = split_text(text)

    assert len(parts) == 4
    assert " ".join(parts).split() == text.split()  # every word whole, none lost or doubled


def test_a_single_overlong_word_is_cut_hard() -> None:
    parts = split_text("x" * 10_000)

    assert [len(p) for p in parts] == [4096, 4096, 1808]


def test_the_limit_counts_utf16_units() -> None:
    text = "😀" * 3000  # 3,000 characters but 6,000 UTF-16 units
    parts = split_text(text)

    assert len(parts) == 2
    assert all(utf16_len(part) <= 4096 for part in parts)
    assert "".join(parts) == text


def test_small_limits_still_terminate() -> None:
    with pytest.raises(ValueError):
        split_text("abc", limit=1)
    assert split_text("ab cd ef", limit=2) == ["ab", "cd", "ef"]


def test_send_message_sends_every_part_with_buttons_on_the_last(
    client: BotClient, fake_telegram: FakeTelegram
) -> None:
    keyboard = InlineKeyboardMarkup.from_rows([[("✅ Mark complete", "task:done:T-1")]])
    text = "\n\n".join(f"Paragraph {i}: " + "lorem ipsum " * 60 for i in range(14))
    assert len(text) > 10_000

    sent = client.send_message(42, text, reply_markup=keyboard, reply_to_message_id=5)

    assert len(sent) == 3
    assert [m.message_id for m in sent] == sorted(m.message_id for m in sent)
    assert [m.reply_markup is not None for m in sent] == [False, False, True]
    calls = fake_telegram.calls("sendMessage")
    assert "reply_parameters" in calls[0].params
    assert all("reply_parameters" not in c.params for c in calls[1:])
    texts = fake_telegram.sent_texts(42)
    assert all(t.startswith("Paragraph") and t.rstrip().endswith("ipsum") for t in texts)
    assert " ".join(texts).split() == text.split()


def test_the_10000_character_message_arrives_whole(
    client: BotClient, fake_telegram: FakeTelegram
) -> None:
    text = ("Check the pump at Viper. " * 400)[:10_000]

    sent = client.send_message(42, text)

    assert len(sent) == 3
    assert " ".join(fake_telegram.sent_texts(42)).split() == text.split()
