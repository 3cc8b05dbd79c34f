"""Every site-config key with a type and a range, checked in one place.

`sites.validate_config` runs these at load (every process, every CLI command) and on
`flrts set-config`; `flrts doctor` lists every problem at once. Each problem is one line naming
the key and what it must be, e.g. `key 'api_rate_limit_window' must be a whole number from 1 to
86400, got 0`. No Django here: the CLI checks a config before Django is configured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

DAY = 86_400
GIB = 1024**3


@dataclass(frozen=True)
class Number:
    low: float
    high: float
    whole: bool = True

    def problem(self, value: Any) -> str | None:
        kind = "a whole number" if self.whole else "a number"
        wanted = f"{kind} from {self.low:g} to {self.high:g}"
        if isinstance(value, bool):
            return f"must be {wanted}, got {value!r}"
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            return f"must be {wanted}, got {value!r}"
        if number != number or (self.whole and number != int(number)):
            return f"must be {wanted}, got {value!r}"
        if not self.low <= number <= self.high:
            return f"must be {wanted}, got {value!r}"
        return None


# key -> the range of its value. A key missing from the config takes its default, which is in
# range. Seconds, counts and sizes have generous upper bounds: a value past them is a typo.
NUMBERS: dict[str, Number] = {
    "api_rate_limit_per_key": Number(0, 10**9),  # 0: no limit
    "api_rate_limit_per_ip": Number(0, 10**9),
    "api_rate_limit_login": Number(0, 10**6),
    "api_rate_limit_window": Number(1, DAY),
    "backup_gzip_level": Number(1, 9),
    "backup_interval_hours": Number(1, 24),
    "backup_keep_last": Number(1, 10_000),
    "backup_keep_daily": Number(0, 10_000),
    "backup_keep_weekly": Number(0, 10_000),
    "backup_keep_monthly": Number(0, 10_000),
    "backup_keep_yearly": Number(0, 10_000),
    "backup_max_age_hours": Number(1, 24 * 366, whole=False),
    "capture_proposal_minutes": Number(1, 7 * 24 * 60),
    "db_conn_max_age": Number(0, DAY),
    "db_port": Number(1, 65535),
    "disk_min_free_mb": Number(1, 10**9),
    "email_port": Number(1, 65535),
    "log_backups": Number(1, 1000),
    "log_max_bytes": Number(1024, 10 * GIB),
    "max_file_size": Number(1024, 10 * GIB),
    "max_request_size": Number(1024, 10 * GIB),
    "site_radius_km": Number(0.01, 20000, whole=False),
    "openai_timeout": Number(0.1, 3600, whole=False),
    "openai_max_retries": Number(0, 20),
    "queue_timeout_default": Number(1, 7 * DAY),
    "queue_timeout_short": Number(1, 7 * DAY),
    "queue_timeout_long": Number(1, 7 * DAY),
    "scheduler_interval": Number(1, 3600),
    "telegram_chat_interval": Number(0, 60, whole=False),
    "telegram_max_attempts": Number(1, 100),
    "telegram_max_update_bytes": Number(1024, 50 * 1024 * 1024),
    "telegram_pending_alert": Number(1, 10**9),
    "telegram_processing_timeout": Number(5, DAY, whole=False),
    "telegram_worker_nice": Number(0, 19),
    "worker_stale_after": Number(1, DAY, whole=False),
}

BOOLEANS = (
    "api_trust_x_forwarded_for",
    "backup_enabled",
    "backup_with_files",
    "debug",
    "developer_mode",
    "disable_scheduler",
    "email_use_tls",
)


def _bool_problem(value: Any) -> str | None:
    if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
        return None
    if isinstance(value, str) and value.lower() in ("1", "0", "true", "false", "yes", "no"):
        return None
    return f"must be true or false, got {value!r}"


def _host_list(value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        return f'must be a JSON list of host names, e.g. ["flrts.example.com"], got {value!r}'
    return None


def _origin_list(value: Any) -> str | None:
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v.startswith(("http://", "https://")) for v in value
    ):
        return f'must be a JSON list of origins, e.g. ["https://flrts.example.com"], got {value!r}'
    return None


def _redis_url(value: Any) -> str | None:
    parts = urlsplit(value) if isinstance(value, str) else None
    if (
        parts is None
        or parts.scheme not in ("redis", "rediss", "unix")
        or not (parts.netloc or parts.path)
    ):
        return f"must be a Redis URL such as redis://127.0.0.1:6379/0, got {value!r}"
    return None


def _cron(value: Any) -> str | None:
    from croniter import croniter

    if not isinstance(value, str) or not croniter.is_valid(value):
        return f"must be a cron expression such as '15 2 * * *', got {value!r}"
    return None


def _divides_day(value: Any) -> str | None:
    try:
        hours = int(value)
    except (TypeError, ValueError):
        return None  # the number check says what is wrong
    return (
        None
        if hours and 24 % hours == 0
        else f"must divide 24 (1, 2, 3, 4, 6, 8, 12, 24), got {value!r}"
    )


OTHER: dict[str, Callable[[Any], str | None]] = {
    "allowed_hosts": _host_list,
    "csrf_trusted_origins": _origin_list,
    "redis_cache": _redis_url,
    "redis_queue": _redis_url,
    "backup_cron": _cron,
    "backup_interval_hours": _divides_day,
}


def problems(config: dict[str, Any]) -> list[str]:
    """Every problem of `config`, one line each, in key order (empty values take defaults)."""
    found = []
    for key in sorted(config):
        value = config[key]
        if value is None or value == "":
            continue
        checks: list[Callable[[Any], str | None]] = []
        if key in NUMBERS:
            checks.append(NUMBERS[key].problem)
        if key in BOOLEANS:
            checks.append(_bool_problem)
        if key in OTHER:
            checks.append(OTHER[key])
        for check in checks:
            if (problem := check(value)) is not None:
                found.append(f"site_config.json: key '{key}' {problem}")
                break
    return found
