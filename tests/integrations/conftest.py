from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.erpnext_server import API_KEY, API_SECRET, FakeERPNext
from tests.integrations.receiver import Receiver

SECRET = "n8n-shared-secret-ÄÖ-42"  # non-ASCII on purpose: Frappe signs secret.encode()


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    from flrts.integrations import webhooks
    from flrts.integrations.erpnext import config

    webhooks.invalidate_cache()
    config.invalidate()
    yield
    webhooks.close_clients()
    webhooks.invalidate_cache()
    config.invalidate()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(secret=SECRET) as rx:
        yield rx


@pytest.fixture
def make_webhook(transactional_db: Any) -> Any:
    from flrts.integrations.models import Webhook, WebhookHeader

    def make(
        url: str,
        event: str = "after_insert",
        doctype: str = "Task",
        secret: str = SECRET,
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> Webhook:
        fields.setdefault("allow_private_targets", True)  # test receivers are on 127.0.0.1
        hook = Webhook(webhook_doctype=doctype, webhook_docevent=event, request_url=url, **fields)
        if secret:
            hook.set_secret(secret)
        hook.full_clean()
        hook.save()
        for key, value in (headers or {}).items():
            WebhookHeader.objects.create(webhook=hook, key=key, value=value)
        return hook

    return make


@pytest.fixture
def erp(transactional_db: Any) -> Iterator[FakeERPNext]:
    from flrts.integrations.models import ERPNextSettings

    with FakeERPNext() as fake:
        row = ERPNextSettings.load()
        row.enabled = True
        row.site_url = fake.url
        row.api_key = API_KEY
        row.set_secret(API_SECRET)
        row.save()
        yield fake
