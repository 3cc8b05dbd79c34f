"""mask_secrets: pasted credentials are masked, ordinary words are not."""

from __future__ import annotations

import pytest

from flrts.nlp.guard import mask_secrets


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Use this key: sk-proj-AbCdEf1234567890GhIjKlMnOpQrStUvWxYz1234567890", "AbCdEf1234"),
        ("password: mySecretPass123", "mySecretPass123"),
        ("api_key=supersecret456", "supersecret456"),
        ("token: bearer_abc123xyz", "bearer_abc123xyz"),
        ("the wifi password is hunter22", "hunter22"),
        ("bot 6234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"),
    ],
)
def test_secrets_are_masked(text: str, secret: str) -> None:
    masked = mask_secrets(text)
    assert secret not in masked
    assert "*" in masked


def test_keyword_is_kept_and_value_keeps_its_ends() -> None:
    assert mask_secrets("password: mySecretPass123") == "password: my***********23"


@pytest.mark.parametrize(
    "text",
    [
        "Create task for pump inspection tomorrow",
        "List all high priority tasks",
        "check the pin on the coupling at Viper",
        "password reset for the portal",
    ],
)
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert mask_secrets(text) == text
