"""Process logs: JSON lines in `sites/<site>/logs/<process>.log`, rotated, secrets masked.

`process_logging()` is called from settings (this module must not import Django models): the
process name comes from `FLRTS_PROCESS` (set by `flrts start` and the systemd units: web,
worker, scheduler); other commands log to the console only. Every line carries the request id
of the request it belongs to (`RequestIdMiddleware` sets it).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import os
import re
from typing import Any

PROCESSES = ("web", "worker", "scheduler")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("flrts_request_id", default="")
# `key=value` / `"key": "value"` pairs whose key names a secret (tokens in URLs and dicts too).
# Linear on any input: a key starts only where a run of letters starts (the look-behind), is
# read possessively (`++`, no backtracking into it), and the value is read once after the key;
# the earlier single pattern (`[a-z_]*(?:password|...)[a-z_]*`) re-scanned every run from every
# position, which made a 4,000-letter method name take seconds (issue 12).
_KEY = re.compile(r"(?i)(?<![a-z_])[\"']?+([a-z_]++)[\"']?+\s*+[:=]\s*+[\"']?+")
_SECRET_NAME = re.compile(
    r"(?i)password|passwd|pwd|secret|token|api_key|apikey|sid|authorization|cookie"
)
_VALUE = re.compile(r"[^\s\"',;&]{3,}+")
# A log line or context value longer than this is cut before it is masked or written.
MAX_MASKED = 32 * 1024

# Bot API URLs carry the token right after "bot" (`/bot123:ABC.../sendMessage`), with no word
# boundary before the digits, so the shape-based patterns of the parser guard miss it.
_BOT_URL_TOKEN = re.compile(r"(?<=bot)\d{6,12}:[A-Za-z0-9_\-]{30,}")


def request_id() -> str:
    return _request_id.get()


def set_request_id(value: str) -> contextvars.Token[str]:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token[str]) -> None:
    _request_id.reset(token)


def _mask(value: str) -> str:
    from flrts.sites import mask

    return mask(value)


def cap(text: str, limit: int = MAX_MASKED) -> str:
    """At most `limit` characters, saying how many were cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def _mask_keyed(text: str) -> str:
    out: list[str] = []
    done = 0  # everything before this index is already in `out`
    for key in _KEY.finditer(text):
        if key.start() < done or not _SECRET_NAME.search(key.group(1)):
            continue
        value = _VALUE.match(text, key.end())
        if value is None:
            continue
        out += [text[done : value.start()], _mask(value.group())]
        done = value.end()
    out.append(text[done:])
    return "".join(out)


def mask_text(text: object, limit: int | None = MAX_MASKED) -> str:
    """Mask secrets by key (`password=...`, `"token": "..."`) and by shape (bot tokens, keys).
    Linear in the length of `text`, which is first cut to `limit` characters."""
    from flrts.nlp.guard import mask_secrets

    masked = _mask_keyed(str(text) if limit is None else cap(str(text), limit))
    masked = _BOT_URL_TOKEN.sub(lambda m: _mask(m.group(0)), masked)
    return mask_secrets(masked)


def is_secret_name(name: str) -> bool:
    return _SECRET_NAME.search(name) is not None


def mask_pairs(pairs: Any) -> dict[str, str]:
    """Query or form fields with secret-looking names masked whole."""
    out = {}
    for key, value in pairs.items():
        key = cap(str(key), 200)
        out[key] = _mask(cap(str(value))) if is_secret_name(key) else mask_text(value)
    return out


def mask_query(query: str) -> str:
    """A raw query string with the values of secret-named parameters masked (access logs)."""
    parts = []
    for pair in cap(query).split("&"):
        name, sep, value = pair.partition("=")
        if not sep:
            parts.append(mask_text(pair))
        else:
            masked = _mask(value) if is_secret_name(name) else mask_text(value)
            parts.append(f"{mask_text(name)}={masked}")
    return "&".join(parts)


class JsonFormatter(logging.Formatter):
    def __init__(self, process: str = "") -> None:
        super().__init__()
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "process": self.process or os.environ.get("FLRTS_PROCESS", ""),
            "pid": record.process,
            "msg": mask_text(record.getMessage()),
        }
        rid = getattr(record, "request_id", "") or request_id()
        if rid:
            entry["request_id"] = rid
        for key in ("method", "path", "status", "duration_ms", "job", "user"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(entry, default=str, ensure_ascii=False)


def process_logging(logging_config: dict[str, Any], site: Any) -> dict[str, Any]:
    """Add the JSON file handler of this process to Django's LOGGING dict."""
    process = os.environ.get("FLRTS_PROCESS", "")
    if process not in PROCESSES:
        return logging_config
    config = {**logging_config, "handlers": dict(logging_config.get("handlers", {}))}
    config["formatters"] = {
        **logging_config.get("formatters", {}),
        "flrts_json": {"()": "flrts.ops.logs.JsonFormatter", "process": process},
    }
    site.logs.mkdir(parents=True, exist_ok=True)
    config["handlers"]["flrts_file"] = {
        "class": "logging.handlers.RotatingFileHandler",
        "filename": str(site.logs / f"{process}.log"),
        "maxBytes": site.get_int("log_max_bytes", 10 * 1024 * 1024, minimum=1024),
        "backupCount": site.get_int("log_backups", 5, minimum=1),
        "formatter": "flrts_json",
        "encoding": "utf-8",
    }
    root = dict(config.get("root", {}))
    root["handlers"] = [*root.get("handlers", []), "flrts_file"]
    config["root"] = root
    return config
