"""The bot's site-config keys, read in one place, and the process-wide Bot API client.

Keys (all optional): `telegram_bot_token`, `telegram_webhook_secret`, `telegram_api_url`
(default https://api.telegram.org), `telegram_team_chat_id`, `telegram_chat_interval` (seconds
between two messages to one chat, default 1.0), `telegram_max_update_bytes` (webhook body
limit, default 1 MiB).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.conf import settings

from flrts.sites import SiteConfigError
from flrts.telegram.api import DEFAULT_API_URL
from flrts.telegram.client import BotClient
from flrts.telegram.ratelimit import ChatRateLimiter


@dataclass(frozen=True)
class BotSettings:
    token: str = field(default="", repr=False)
    webhook_secret: str = field(default="", repr=False)
    api_url: str = DEFAULT_API_URL
    team_chat_id: int | None = None
    chat_interval: float = 1.0
    max_update_bytes: int = 1024 * 1024

    @property
    def configured(self) -> bool:
        return bool(self.token)


def bot_settings() -> BotSettings:
    """Read the keys now (the site config is a live dict: tests and `set-config` change it)."""
    site = settings.SITE
    team = site.get("telegram_team_chat_id")
    try:
        team_chat_id = int(team) if team not in (None, "") else None
    except (TypeError, ValueError):
        raise SiteConfigError(
            "site_config.json: key 'telegram_team_chat_id' must be a chat id (a whole number)"
        )
    api_url = str(site.get("telegram_api_url", DEFAULT_API_URL)).strip().rstrip("/")
    if not api_url.startswith(("http://", "https://")):
        raise SiteConfigError("site_config.json: key 'telegram_api_url' must be an http(s) URL")
    return BotSettings(
        token=str(site.get("telegram_bot_token", "") or "").strip(),
        webhook_secret=str(site.get("telegram_webhook_secret", "") or "").strip(),
        api_url=api_url,
        team_chat_id=team_chat_id,
        chat_interval=site.get_float("telegram_chat_interval", 1.0, minimum=0.0),
        max_update_bytes=site.get_int("telegram_max_update_bytes", 1024 * 1024, minimum=1024),
    )


_lock = threading.Lock()
_clients: dict[tuple[str, str, float], BotClient] = {}


def get_client(config: BotSettings | None = None) -> BotClient:
    """One client per (token, URL, pacing) per process: its pacing and connections are shared."""
    config = config or bot_settings()
    if not config.token:
        raise SiteConfigError("site_config.json: key 'telegram_bot_token' is not set")
    key = (config.token, config.api_url, config.chat_interval)
    with _lock:
        client = _clients.get(key)
        if client is None:
            if len(_clients) >= 4:  # the settings changed (tests, a new token): drop old pools
                for old in _clients.values():
                    old.close()
                _clients.clear()
            # Telegram allows ~1 message/s per chat and ~20/min per group; 0 turns pacing off.
            group_interval = max(config.chat_interval, 3.0) if config.chat_interval else 0.0
            limiter = ChatRateLimiter(config.chat_interval, group_min_interval=group_interval)
            client = _clients[key] = BotClient(config.token, config.api_url, rate_limiter=limiter)
        return client


def reset_clients() -> None:
    with _lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
