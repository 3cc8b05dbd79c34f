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
from typing import Any

from flrts.core.masking import mask_text

PROCESSES = ("web", "worker", "scheduler")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("flrts_request_id", default="")


def request_id() -> str:
    return _request_id.get()


def set_request_id(value: str) -> contextvars.Token[str]:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token[str]) -> None:
    _request_id.reset(token)


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
