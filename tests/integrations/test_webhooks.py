"""Outbound webhooks against a local receiver that verifies Frappe's signature."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction

from tests.integrations.conftest import SECRET
from tests.integrations.receiver import Receiver, frappe_signature

pytestmark = pytest.mark.django_db(transaction=True)


def _task(subject: str = "Replace pump seal", **fields: Any) -> Any:
    from flrts.tasks.models import Task

    task = Task(subject=subject, **fields)
    task.save()
    return task


def _logs(**filters: Any) -> list[Any]:
    from flrts.integrations.models import WebhookRequestLog

    return list(WebhookRequestLog.objects.filter(**filters).order_by("id"))


def test_every_event_type_is_signed_as_frappe_signs(receiver: Receiver, make_webhook: Any) -> None:
    from flrts.core.models import DocStatus
    from flrts.tasks.models import Task

    events = ["after_insert", "on_update", "on_submit", "on_cancel", "on_trash", "on_change"]
    for event in events:
        make_webhook(f"{receiver.url}/{event}", event=event)

    def paths_after(action: Any) -> list[str]:
        before = len(receiver.received)
        action()
        receiver.wait_for(before + 1)
        # let any other request of the same commit arrive
        import time

        time.sleep(0.2)
        return sorted(h.path.strip("/") for h in receiver.received[before:])

    task: Any = None

    def create() -> None:
        nonlocal task
        task = _task()

    assert paths_after(create) == ["after_insert", "on_update"]  # Frappe: insert runs on_update

    def edit() -> None:
        task.subject = "Replace pump seal (both)"
        task.save()

    assert paths_after(edit) == ["on_change", "on_update"]

    def submit() -> None:
        task.docstatus = DocStatus.SUBMITTED
        task.save()

    assert paths_after(submit) == ["on_change", "on_submit", "on_update"]

    def cancel() -> None:
        task.docstatus = DocStatus.CANCELLED
        task.save()

    assert paths_after(cancel) == ["on_cancel", "on_change"]

    def archive() -> None:
        task.archived = True
        task.save()

    assert paths_after(archive) == ["on_change", "on_trash"]

    live = _task("Purge me")
    receiver.wait_for(len(receiver.received))
    count = len(receiver.received)

    def purge() -> None:
        Task.objects.get(pk=live.pk).delete()

    assert paths_after(purge)[-1:] == ["on_trash"]
    assert len(receiver.received) > count

    assert receiver.received, "nothing received"
    for hit in receiver.received:
        assert hit.signature_ok is True, hit.path
        assert hit.headers["X-Frappe-Webhook-Signature"] == frappe_signature(SECRET, hit.body)
    assert {h.json["doctype"] for h in receiver.received} == {"Task"}


def test_body_is_the_document_json_exactly_as_signed(receiver: Receiver, make_webhook: Any) -> None:
    make_webhook(
        receiver.url + "/hook",
        headers={"Authorization": "Bearer n8n-header-token-123", "X-Team": "field"},
    )
    task = _task(priority="High")
    (hit,) = receiver.wait_for(1)
    body = hit.json
    assert body["name"] == task.name and body["subject"] == "Replace pump seal"
    assert body["priority"] == "High" and body["doctype"] == "Task"
    assert hit.headers["Content-Type"] == "application/json"
    assert hit.headers["X-Team"] == "field"
    assert hit.headers["Authorization"] == "Bearer n8n-header-token-123"
    # Frappe's serialisation: json.dumps(data, default=str), default separators.
    assert hit.body == json.dumps(body, default=str).encode()
    (log,) = _logs()
    assert log.status == "Success" and log.status_code == 200 and log.attempt == 1
    assert log.data.encode() == hit.body
    assert "n8n-header-token-123" not in json.dumps(log.headers)  # masked in the log
    assert log.headers["X-Frappe-Webhook-Signature"] != hit.headers["X-Frappe-Webhook-Signature"]


def test_template_body_dynamic_url_and_condition(receiver: Receiver, make_webhook: Any) -> None:
    make_webhook(
        receiver.url + "/tasks/{{ doc.name }}",
        condition='doc.priority in ["High", "Urgent"] and doc.status != "Cancelled"',
        request_structure="Template",
        webhook_json='{"text": {{ ("New " ~ doc.priority | lower ~ " task: " ~ doc.subject) '
        '| tojson }}, "doc": {{ doc | tojson }}}',
        request_method="PUT",
    )
    _task("Low one", priority="Low")
    urgent = _task('Fix "main" <valve>', priority="Urgent")
    (hit,) = receiver.wait_for(1)
    assert hit.method == "PUT" and hit.path == f"/tasks/{urgent.name}"
    assert hit.json["text"] == 'New urgent task: Fix "main" <valve>'
    assert hit.json["doc"]["name"] == urgent.name
    assert hit.signature_ok is True


def test_condition_runs_in_a_sandbox(receiver: Receiver, make_webhook: Any) -> None:
    make_webhook(receiver.url, condition="doc.__class__.__mro__[1].__subclasses__()")
    task = _task()  # the save itself must succeed
    assert task.pk
    (log,) = _logs()
    assert log.status == "Failed" and "condition failed" in log.error
    assert receiver.received == []


def test_webhook_rejects_bad_templates_on_save(transactional_db: Any) -> None:
    from django.core.exceptions import ValidationError

    from flrts.integrations.models import Webhook

    hook = Webhook(
        webhook_doctype="Task",
        webhook_docevent="on_update",
        request_url="ftp://example.com",
        condition="doc.status ==",
    )
    with pytest.raises(ValidationError) as caught:
        hook.full_clean()
    assert {"condition", "request_url"} <= set(caught.value.message_dict)


def test_rolled_back_transaction_sends_nothing(receiver: Receiver, make_webhook: Any) -> None:
    from flrts.jobs.models import Job

    make_webhook(receiver.url, event="on_update")
    with pytest.raises(RuntimeError), transaction.atomic():
        _task("never committed")
        raise RuntimeError("rollback")
    _task("committed")
    (hit,) = receiver.wait_for(1)
    assert hit.json["subject"] == "committed"
    assert Job.objects.filter(method__endswith="webhooks.deliver").count() == 1


def test_savepoint_rollback_drops_only_its_document(receiver: Receiver, make_webhook: Any) -> None:
    make_webhook(receiver.url, event="on_update")
    with transaction.atomic():
        _task("kept")
        try:
            with transaction.atomic():
                _task("rolled back with its savepoint")
                raise RuntimeError
        except RuntimeError:
            pass
    hits = receiver.wait_for(1)
    import time

    time.sleep(0.3)
    assert [h.json["subject"] for h in receiver.received] == ["kept"]
    assert len(hits) == 1


def test_one_delivery_per_document_per_transaction_last_state_wins(
    receiver: Receiver, make_webhook: Any
) -> None:
    make_webhook(receiver.url, event="on_update")
    with transaction.atomic():
        first = _task("v1")
        for n in (2, 3, 4):
            first.subject = f"v{n}"
            first.save()
        second = _task("other")
    hits = receiver.wait_for(2)
    import time

    time.sleep(0.3)
    assert len(receiver.received) == 2
    by_name = {h.json["name"]: h.json["subject"] for h in hits}
    assert by_name == {first.name: "v4", second.name: "other"}


def test_5xx_is_retried_then_delivered(receiver: Receiver, make_webhook: Any) -> None:
    from flrts.jobs.models import Job

    make_webhook(receiver.url)
    receiver.script(503, 500)
    _task()
    hits = receiver.wait_for(3)
    assert len({h.body for h in hits}) == 1  # the same bytes every time
    assert all(h.signature_ok for h in hits)
    logs = _logs()
    assert [(lg.attempt, lg.status, lg.status_code) for lg in logs] == [
        (1, "Retrying", 503),
        (2, "Retrying", 500),
        (3, "Success", 200),
    ]
    assert len({lg.delivery_id for lg in logs}) == 1
    job = Job.objects.get(method__endswith="webhooks.deliver")
    assert job.status == "finished" and job.attempts == 3


def test_4xx_is_not_retried(receiver: Receiver, make_webhook: Any) -> None:
    from flrts.jobs.models import Job

    make_webhook(receiver.url)
    receiver.script(410)
    _task()
    receiver.wait_for(1)
    (log,) = _logs()
    assert log.status == "Failed" and log.status_code == 410
    job = Job.objects.get(method__endswith="webhooks.deliver")
    assert job.status == "failed" and job.attempts == 1 and not job.error_log


def test_timeout_is_logged_and_retried(receiver: Receiver, make_webhook: Any) -> None:
    make_webhook(receiver.url, timeout=1, max_attempts=2)
    receiver.delay = 1.6
    _task()
    receiver.wait_for(2, timeout=15)
    logs = _logs()
    assert [(lg.attempt, lg.status) for lg in logs] == [(1, "Retrying"), (2, "Failed")]
    assert all("timed out after 1 s" in lg.error for lg in logs)
    assert all(lg.duration is not None and 0.9 <= lg.duration < 1.6 for lg in logs)


def test_redirect_is_not_followed(receiver: Receiver, make_webhook: Any) -> None:
    with Receiver() as elsewhere:
        make_webhook(receiver.url)
        receiver.redirect_to = elsewhere.url + "/stolen"
        receiver.script(307)
        _task()
        receiver.wait_for(1)
        import time

        time.sleep(0.3)
        assert elsewhere.received == []
    (log,) = _logs()
    assert log.status == "Failed" and log.status_code == 307
    assert "not followed" in log.error and "/stolen" in log.error


def test_private_target_is_refused_without_the_admin_flag(
    receiver: Receiver, make_webhook: Any
) -> None:
    from flrts.jobs.models import Job

    make_webhook(receiver.url, allow_private_targets=False)
    _task()
    (log,) = _logs()
    assert log.status == "Refused" and "127.0.0.1" in log.error
    assert "allow private targets" in log.error
    assert receiver.received == []
    assert Job.objects.get(method__endswith="webhooks.deliver").status == "failed"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.254",
        "192.168.1.10",
        "169.254.169.254",
        "0.0.0.0",
        "::1",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_guard_blocks_private_ranges(address: str) -> None:
    from flrts.integrations.netguard import is_blocked

    assert is_blocked(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "172.32.0.1", "8.8.8.8", "2606:4700::1"])
def test_guard_allows_public_addresses(address: str) -> None:
    from flrts.integrations.netguard import is_blocked

    assert not is_blocked(address)


@pytest.mark.parametrize(
    "url", ["http://localhost:9/x", "http://[::1]:9/", "http://169.254.169.254/latest/meta-data"]
)
def test_guard_refuses_urls_before_connecting(url: str) -> None:
    from flrts.integrations.netguard import TargetRefused, check

    with pytest.raises(TargetRefused):
        check(url)


def test_guard_refuses_other_schemes() -> None:
    from flrts.integrations.netguard import TargetRefused, check

    with pytest.raises(TargetRefused, match="only http"):
        check("file:///etc/passwd", allow_private=True)


def test_failed_delivery_is_resent_from_the_desk(
    receiver: Receiver, make_webhook: Any, people: Any, client: Any
) -> None:
    from flrts.integrations.models import WebhookRequestLog

    make_webhook(receiver.url, max_attempts=1)
    receiver.script(500)
    _task()
    receiver.wait_for(1)
    failed = WebhookRequestLog.objects.get()
    assert failed.status == "Failed"

    client.force_login(people.supervisor)  # a Supervisor sees the log but cannot re-send
    url = "/desk/integrations/webhookrequestlog/"
    response = client.post(url, {"action": "resend_selected", "_selected_action": [failed.pk]})
    assert len(receiver.received) == 1

    client.force_login(people.admin)
    response = client.post(url, {"action": "resend_selected", "_selected_action": [failed.pk]})
    assert response.status_code == 302
    hits = receiver.wait_for(2)
    assert hits[1].body == hits[0].body and hits[1].signature_ok
    resent = WebhookRequestLog.objects.exclude(pk=failed.pk).get()
    assert resent.resent_from_id == failed.pk and resent.status == "Success"


def test_desk_never_shows_the_secret(make_webhook: Any, people: Any, client: Any) -> None:
    from flrts.integrations.models import Webhook

    hook = make_webhook("https://hooks.example.com/x", secret="super-secret-value-99")
    client.force_login(people.admin)
    page = client.get(f"/desk/integrations/webhook/{hook.pk}/change/").content.decode()
    assert "super-secret-value-99" not in page and "set (hidden)" in page
    assert "super-secret-value-99" not in Webhook.objects.get().webhook_secret  # encrypted
    client.force_login(people.supervisor)
    assert client.get(f"/desk/integrations/webhook/{hook.pk}/change/").status_code == 403


def test_retry_waits_with_backoff_on_the_database_queue(
    receiver: Receiver, make_webhook: Any, settings: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    from flrts.jobs.models import Job
    from tests.jobs.support import DB_TASKS, drain

    settings.TASKS = DB_TASKS
    make_webhook(receiver.url)
    receiver.script(502)
    _task()
    drain()
    receiver.wait_for(1)
    job = Job.objects.get(method__endswith="webhooks.deliver")
    assert job.status == "queued" and job.attempts == 1
    wait = job.run_after - timezone.now()
    assert dt.timedelta(seconds=3) < wait <= dt.timedelta(seconds=5)
    assert [lg.status for lg in _logs()] == ["Retrying"]
