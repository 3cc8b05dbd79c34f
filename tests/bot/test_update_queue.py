"""The update table as the queue: one INSERT per webhook call, batch claims, per-chat order,
reclaiming rows of a dead worker, and two workers never processing one update twice."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.bot.conftest import SECRET
from tests.fakes import telegram_updates as tu
from tests.fakes.telegram_server import FakeTelegram

DB_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "short", "long"],
    }
}


@pytest.fixture
def db_queue(settings: Any) -> Iterator[None]:
    """The embedded database queue (the webhook hands nothing to django_tasks)."""
    settings.TASKS = DB_TASKS
    saved = dict(settings.SITE.config)
    settings.SITE.config["telegram_webhook_secret"] = SECRET
    settings.SITE.config.pop("telegram_bot_token", None)
    yield
    settings.SITE.config.clear()
    settings.SITE.config.update(saved)


@pytest.fixture
def wired(settings: Any, fake_telegram: FakeTelegram, db_queue: None) -> Iterator[FakeTelegram]:
    from flrts.telegram.config import reset_clients

    settings.SITE.config.update(
        {
            "telegram_bot_token": fake_telegram.token,
            "telegram_api_url": fake_telegram.api_url,
            "telegram_chat_interval": 0,
        }
    )
    reset_clients()
    yield fake_telegram
    reset_clients()  # close the client's pooled connections to the fake


def _store(tg_id: int, text: str = "hello", chat_id: int | None = None) -> Any:
    from flrts.bot.webhook import store_update

    row = store_update(tu.text_message(tg_id, text, chat_id=chat_id))
    assert row is not None
    return row


def _post(client: Client, update: dict[str, Any]) -> Any:
    return client.post(
        "/telegram/webhook",
        json.dumps(update),
        content_type="application/json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=SECRET,
    )


@pytest.mark.django_db(transaction=True)
def test_webhook_writes_one_row_and_no_job(db_queue: None) -> None:
    from django_tasks_db.models import DBTaskResult

    from flrts.jobs.models import Job
    from flrts.telegram.models import TelegramUpdate

    client = Client()
    update = tu.text_message(4242, "check the pump")
    first = _post(client, update)
    again = _post(client, update)
    assert first.status_code == 200 and first.json() == {"ok": True, "state": "received"}
    assert again.status_code == 200 and again.json() == {"ok": True, "duplicate": True}
    row = TelegramUpdate.objects.get()
    assert (row.update_id, row.status, row.chat_id, row.kind) == (
        update["update_id"],
        "received",
        4242,
        "message",
    )
    assert row.payload == update
    assert DBTaskResult.objects.count() == 0 and Job.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_update_id_out_of_range_is_refused(db_queue: None) -> None:
    from flrts.telegram.models import TelegramUpdate

    response = _post(Client(), tu.text_message(4242, "hi", update_id=2**64))
    assert response.status_code == 400 and TelegramUpdate.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_claims_batches_oldest_first(db_queue: None) -> None:
    from flrts.bot import queue
    from flrts.telegram.models import TelegramUpdate

    rows = [_store(5000 + i) for i in range(5)]
    first = queue.claim(3)
    assert [r.pk for r in first] == [r.pk for r in rows[:3]]
    assert all(r.status == "processing" and r.attempts == 1 for r in first)
    assert set(TelegramUpdate.objects.filter(status="processing").values_list("pk", flat=True)) == {
        r.pk for r in first
    }
    assert [r.pk for r in queue.claim(10)] == [r.pk for r in rows[3:]]
    assert queue.claim(10) == []


@pytest.mark.django_db(transaction=True)
def test_a_busy_chat_is_skipped_until_its_update_is_done(db_queue: None) -> None:
    from flrts.bot import queue
    from flrts.telegram.models import TelegramUpdate

    a1 = _store(6001, "one")
    a2 = _store(6001, "two")
    b1 = _store(6002, "other chat")
    assert [r.pk for r in queue.claim(1)] == [a1.pk]
    # Another worker: chat 6001 is in progress, so its next message waits.
    assert [r.pk for r in queue.claim(10)] == [b1.pk]
    assert queue.claim(10) == []
    TelegramUpdate.objects.filter(pk=a1.pk).update(status="done")
    assert [r.pk for r in queue.claim(10)] == [a2.pk]


@pytest.mark.django_db(transaction=True)
def test_reclaims_rows_a_dead_worker_left(db_queue: None, settings: Any) -> None:
    from flrts.bot import queue
    from flrts.telegram.models import TelegramUpdate

    settings.SITE.config["telegram_processing_timeout"] = 60
    settings.SITE.config["telegram_max_attempts"] = 2
    lost, fresh = _store(7001), _store(7002)
    assert len(queue.claim(10)) == 2
    later = timezone.now() + dt.timedelta(seconds=61)
    TelegramUpdate.objects.filter(pk=fresh.pk).update(started_at=later)  # still within time
    assert queue.reclaim(now=later) == (1, 0)
    lost.refresh_from_db()
    assert lost.status == "received"
    again = queue.claim(10)
    assert [r.pk for r in again] == [lost.pk] and again[0].attempts == 2
    # Lost again, with no attempts left: failed, not retried for ever.
    assert queue.reclaim(now=timezone.now() + dt.timedelta(seconds=61)) == (0, 1)
    lost.refresh_from_db()
    assert lost.status == "failed" and "abandoned" in lost.error
    fresh.refresh_from_db()
    assert fresh.status == "processing"


@pytest.mark.django_db(transaction=True)
def test_worker_processes_the_stored_updates(wired: FakeTelegram, team: Any) -> None:
    from flrts.bot import worker
    from flrts.telegram.models import TelegramUpdate

    _store(1002, "Colin check the pump at Big Sky tomorrow 2pm")
    _store(9999, "who am I?")  # unknown sender
    assert worker.run(burst=True) == 2
    assert set(TelegramUpdate.objects.values_list("status", flat=True)) == {"done"}
    assert "Confirm" in json.dumps(wired.sent_messages(1002), ensure_ascii=False)
    assert "9999" in wired.sent_texts(9999)[-1]
    assert not wired.calls("sendChatAction")  # offline parser: no "typing…" round trip


@pytest.mark.django_db(transaction=True)
def test_management_command_work_burst(wired: FakeTelegram, team: Any) -> None:
    from flrts.telegram.models import TelegramUpdate

    _store(1003, "/help")
    call_command("telegram", "work", "--burst")
    assert TelegramUpdate.objects.get().status == "done"
    assert wired.sent_texts(1003)


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_share_an_update_or_a_chat(
    db_queue: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flrts.bot import worker
    from flrts.telegram.models import TelegramUpdate

    chats = [8001, 8002, 8003, 8004]
    stored = [_store(chats[i % 4], f"message {i}").pk for i in range(40)]
    lock = threading.Lock()
    seen: list[tuple[int, int]] = []  # (chat, pk) in processing order
    active: set[int] = set()
    overlaps: list[int] = []

    def fake_process(row: Any) -> str:
        with lock:
            if row.chat_id in active:
                overlaps.append(row.chat_id)
            active.add(row.chat_id)
        time.sleep(0.005)  # long enough for the other worker to try the same chat
        TelegramUpdate.objects.filter(pk=row.pk).update(status="done")
        with lock:
            active.discard(row.chat_id)
            seen.append((row.chat_id, row.pk))
        return "done"

    monkeypatch.setattr(worker, "process_claimed", fake_process)
    counts: list[int] = []

    def run() -> None:
        try:
            counts.append(worker.run(batch=3, burst=True))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # A worker that finds nothing to claim (the other holds every chat) stops in burst mode;
    # finish what is left, as an idle worker would on its next poll.
    counts.append(worker.run(batch=3, burst=True))
    processed = [pk for _, pk in seen]
    assert sorted(processed) == sorted(stored) and sum(counts) == len(stored)
    assert overlaps == []
    for chat in chats:
        order = [pk for c, pk in seen if c == chat]
        assert order == sorted(order), f"chat {chat} out of order"


def test_the_update_loop_runs_at_lower_priority_in_its_own_thread(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """Acknowledging Telegram wins the CPU: only the loop's thread is lowered, by the config."""
    import os

    from flrts.bot import worker

    seen: list[int] = []

    def fake_run(**kwargs: Any) -> int:
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return 3

    monkeypatch.setattr(worker, "run", fake_run)
    here = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    monkeypatch.setitem(settings.SITE.config, "telegram_worker_nice", 4)
    loop = worker.UpdateWorkerThread(burst=True)
    loop.start()
    loop.join(10)
    assert seen == [min(19, here + 4)] and loop.processed == 3 and loop.error is None
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == here
    monkeypatch.delitem(settings.SITE.config, "telegram_worker_nice")
    assert worker.UpdateWorkerThread().nice == worker.DEFAULT_NICE == 19


@pytest.mark.django_db(transaction=True)
def test_storing_an_update_wakes_a_sleeping_update_loop_on_this_host(db_queue: None) -> None:
    from flrts.jobs.wake import Alarm

    alarm = Alarm("telegram")
    try:
        assert alarm.path is not None and alarm.path.exists()
        assert alarm.wait(0) is False  # nothing yet
        _store(5001)
        assert alarm.wait(30) is True  # the ping is there: no 30 s sleep
    finally:
        alarm.close()
    assert not alarm.path or not alarm.path.exists()
