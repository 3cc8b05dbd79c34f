"""Waking workers through PostgreSQL (LISTEN/NOTIFY), on top of this host's UDP pings.

A NOTIFY from another connection wakes an Alarm that UDP cannot reach; a NOTIFY in a
transaction wakes at its commit; an Alarm whose LISTEN connection cannot be opened, or drops,
carries on with UDP (and LISTENs again later); on SQLite and MariaDB nothing of this runs.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from flrts.jobs import wake

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's (run with FLRTS_TEST_DB=postgres)")


@pytest.fixture
def no_udp(monkeypatch: pytest.MonkeyPatch) -> None:
    """No wake folder: an Alarm announces no UDP port and ping() sends no datagram."""
    monkeypatch.setattr(wake, "wake_dir", lambda channel="jobs": None)


def _ping_from_another_thread(channel: str, after: float) -> threading.Thread:
    def run() -> None:
        time.sleep(after)
        try:
            wake.ping(channel)  # this thread's own Django connection
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_notify_from_another_connection_wakes_an_alarm_that_udp_cannot_reach(
    postgres_only: None, no_udp: None
) -> None:
    alarm = wake.Alarm("jobs")
    try:
        assert alarm.path is None and alarm.listener is not None
        assert alarm.wait(0.2) is False  # nothing yet
        # Another channel's NOTIFY is not for this alarm.
        _ping_from_another_thread("telegram", 0).join()
        assert alarm.wait(0.3) is False
        thread = _ping_from_another_thread("jobs", 0.3)
        started = time.monotonic()
        assert alarm.wait(30) is True
        woke_after = time.monotonic() - started
        thread.join()
        assert alarm.wait(0.1) is False  # the notification was drained
    finally:
        alarm.close()
    assert alarm.listener is None
    assert woke_after < 5, woke_after


def test_a_notify_inside_a_transaction_wakes_at_the_commit(
    postgres_only: None, no_udp: None
) -> None:
    alarm = wake.Alarm("jobs")
    try:
        with transaction.atomic():
            wake.ping("jobs")
            assert alarm.wait(0.3) is False  # not before the commit
        assert alarm.wait(30) is True
    finally:
        alarm.close()


def test_ping_sends_a_notify_only_on_postgresql(no_udp: None) -> None:
    with CaptureQueriesContext(connection) as queries:
        wake.ping("jobs")
    sent = [q["sql"] for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert sent == ["SELECT pg_notify('flrts_wake_jobs', '')"]
    else:
        assert sent == []
        alarm = wake.Alarm("jobs")
        alarm.close()
        assert alarm.listener is None


def test_the_channel_name_is_a_plain_identifier() -> None:
    assert wake.notify_channel("jobs") == "flrts_wake_jobs"
    assert wake.notify_channel("Tele-gram.x") == "flrts_wake_tele_gram_x"
    assert len(wake.notify_channel("x" * 200)) <= 63


def _closed_port_params() -> dict[str, Any]:
    return {**wake._listen_params(), "host": "127.0.0.1", "port": 1, "connect_timeout": 2}


def test_an_alarm_that_cannot_listen_falls_back_to_udp_and_listens_later(
    postgres_only: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(wake, "_listen_params", _closed_port_params)
    monkeypatch.setattr(wake, "RELISTEN_EVERY", 0.0)  # retry at every wait
    with caplog.at_level(logging.INFO, logger="flrts.jobs"):
        alarm = wake.Alarm("jobs")
        try:
            assert alarm.listener is None and alarm.path is not None
            assert alarm.wait(0.1) is False  # retried, failed again, waited: no error
            warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
            assert len(warnings) == 1 and "unavailable" in warnings[0].getMessage()
            wake.ping("jobs")  # this host's UDP still wakes it
            assert alarm.wait(30) is True
            monkeypatch.undo()  # the database is reachable again
            monkeypatch.setattr(wake, "RELISTEN_EVERY", 0.0)
            assert alarm.wait(0.1) is False
            assert alarm.listener is not None
            assert any("restored" in r.getMessage() for r in caplog.records)
        finally:
            alarm.close()


def test_an_alarm_whose_listen_connection_drops_carries_on(
    postgres_only: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    alarm = wake.Alarm("jobs")
    try:
        assert alarm.listener is not None
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [alarm.listener.info.backend_pid])
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="flrts.jobs"):
            # The server's goodbye, then the closed socket, each end a wait at once (a spurious
            # wake-up, no error); the closed socket is noticed and the connection dropped.
            for _ in range(3):
                alarm.wait(10)
                if alarm.listener is None:
                    break
        assert alarm.listener is None
        assert time.monotonic() - started < 5
        assert "unavailable" in caplog.text
        wake.ping("jobs")  # UDP still works
        assert alarm.wait(30) is True
        monkeypatch.setattr(wake, "RELISTEN_EVERY", 0.0)
        alarm._relisten_at = 0.0
        assert alarm.wait(0.1) is False
        assert alarm.listener is not None  # listening again
    finally:
        alarm.close()
