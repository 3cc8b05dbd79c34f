"""Sites, like a Frappe bench: `sites/<name>/site_config.json` plus `sites/common_site_config.json`.

A site is one database, one set of files and one set of secrets. This module reads and writes the
config files and validates them; it never imports Django, so the CLI can create a site before
Django is configured and settings can fail with one clear line.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flrts.configcheck import problems

COMMON_CONFIG = "common_site_config.json"
SITE_CONFIG = "site_config.json"
DB_TYPES = ("sqlite", "mariadb", "postgres")
SITE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")

# Keys whose values are secrets: masked in show-config, never logged, never served.
SECRET_KEYS = frozenset(
    {
        "secret_key",
        "db_password",
        "telegram_bot_token",
        "telegram_webhook_secret",
        "openai_api_key",
        "erpnext_api_secret",
        "email_password",
        "metrics_token",
        "s3_secret_key",
        "backup_s3_secret_key",
        "files_s3_secret_key",
        "encryption_key",
        "admin_password",
    }
)

# Slots written into every new site so an admin sees what can be set.
SECRET_SLOTS = ("telegram_bot_token", "telegram_webhook_secret", "openai_api_key")


class SiteConfigError(Exception):
    """A site's configuration is missing or wrong. The message is one line naming the key."""


def mask(value: object) -> str:
    """First two + stars + last two: enough to recognise a secret, not to use it."""
    text = str(value)
    if not text:
        return ""
    if len(text) <= 6:
        return "*" * len(text)
    return text[:2] + "*" * (len(text) - 4) + text[-2:]


def sites_dir() -> Path:
    return Path(os.environ.get("FLRTS_SITES_DIR") or Path.cwd() / "sites").resolve()


def read_json(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SiteConfigError(f"{path}: file not found") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SiteConfigError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise SiteConfigError(f"{path}: must hold a JSON object")
    return data


def write_json(path: Path, data: dict[str, Any], private: bool = False) -> None:
    """Write atomically; private files are created 0600 so secrets are never world-readable."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    mode = 0o600 if private else 0o644
    fd = os.open(tmp, flags, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.write("\n")
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def common_config(base: Path | None = None) -> dict[str, Any]:
    path = (base or sites_dir()) / COMMON_CONFIG
    return read_json(path) if path.exists() else {}


def default_site_name(base: Path | None = None) -> str | None:
    name = os.environ.get("FLRTS_SITE") or common_config(base).get("default_site")
    return str(name) if name else None


@dataclass(frozen=True)
class Site:
    name: str
    path: Path
    config: dict[str, Any]

    @property
    def private_files(self) -> Path:
        return self.path / "private" / "files"

    @property
    def public_files(self) -> Path:
        return self.path / "public" / "files"

    @property
    def logs(self) -> Path:
        return self.path / "logs"

    @property
    def backups(self) -> Path:
        return self.path / "private" / "backups"

    def get(self, key: str, default: Any = None) -> Any:
        value = self.config.get(key)
        return default if value in (None, "") else value

    def get_bool(self, key: str, default: bool = False) -> bool:
        value = self.config.get(key, default)
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.lower() in ("1", "0", "true", "false", "yes", "no"):
            return value.lower() in ("1", "true", "yes")
        raise SiteConfigError(f"site_config.json: key '{key}' must be true or false, got {value!r}")

    def get_int(self, key: str, default: int, minimum: int | None = None) -> int:
        value = self.config.get(key, default)
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise SiteConfigError(
                f"site_config.json: key '{key}' must be a whole number, got {value!r}"
            ) from None
        if isinstance(value, float) and value != number:
            raise SiteConfigError(f"site_config.json: key '{key}' must be a whole number")
        if minimum is not None and number < minimum:
            raise SiteConfigError(f"site_config.json: key '{key}' must be at least {minimum}")
        return number

    def get_float(self, key: str, default: float, minimum: float | None = None) -> float:
        value = self.config.get(key, default)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise SiteConfigError(
                f"site_config.json: key '{key}' must be a number, got {value!r}"
            ) from None
        if minimum is not None and number < minimum:
            raise SiteConfigError(f"site_config.json: key '{key}' must be at least {minimum}")
        return number


def validate_site_name(name: str) -> str:
    if not SITE_NAME_RE.match(name or ""):
        raise SiteConfigError(
            f"site name {name!r} is not valid: use letters, digits, '.', '-' or '_' (max 63)"
        )
    return name


def load_site(name: str | None = None, base: Path | None = None, validate: bool = True) -> Site:
    base = base or sites_dir()
    name = name or default_site_name(base)
    if not name:
        raise SiteConfigError(
            f"no site selected: pass --site NAME or set default_site in {base / COMMON_CONFIG} "
            "(create one with: flrts new-site NAME)"
        )
    validate_site_name(name)
    path = base / name
    config_path = path / SITE_CONFIG
    if not config_path.exists():
        raise SiteConfigError(f"site '{name}' not found: {config_path} does not exist")
    config = read_json(config_path)
    site = Site(name=name, path=path, config=config)
    if validate:
        validate_config(site)
    return site


def validate_config(site: Site) -> None:
    """Check the keys every process needs; each failure names its key."""
    config = site.config
    db_type = config.get("db_type", "sqlite")
    if db_type not in DB_TYPES:
        raise SiteConfigError(
            f"site_config.json: key 'db_type' must be one of {', '.join(DB_TYPES)}, got {db_type!r}"
        )
    secret_key = config.get("secret_key")
    if not isinstance(secret_key, str) or len(secret_key) < 32:
        raise SiteConfigError(
            "site_config.json: key 'secret_key' is missing or shorter than 32 characters"
        )
    if db_type != "sqlite":
        if not config.get("db_name"):
            raise SiteConfigError("site_config.json: key 'db_name' is required for " + db_type)
        site.get_int("db_port", 3306 if db_type == "mariadb" else 5432, minimum=1)
    tz = config.get("time_zone")
    if tz is not None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(str(tz))
        except (ZoneInfoNotFoundError, ValueError):
            raise SiteConfigError(
                f"site_config.json: key 'time_zone' is not an IANA time zone: {tz!r}"
            ) from None

    found = problems(config)
    if found:
        raise SiteConfigError(found[0])


def db_name_for(site_name: str) -> str:
    """A database name derived from the site name, safe for MariaDB and PostgreSQL."""
    return "flrts_" + re.sub(r"[^a-z0-9_]", "_", site_name.lower())[:50]


def new_site_config(
    name: str,
    db_type: str = "sqlite",
    db_host: str | None = None,
    db_port: int | None = None,
    db_name: str | None = None,
    db_user: str | None = None,
    db_password: str | None = None,
) -> dict[str, Any]:
    if db_type not in DB_TYPES:
        raise SiteConfigError(f"--db-type must be one of {', '.join(DB_TYPES)}, got {db_type!r}")
    config: dict[str, Any] = {
        "db_type": db_type,
        "secret_key": secrets.token_urlsafe(48),
        "developer_mode": 0,
        "time_zone": "America/Chicago",
    }
    for slot in SECRET_SLOTS:
        config[slot] = ""
    if db_type != "sqlite":
        config["db_name"] = db_name or db_name_for(name)
        config["db_host"] = db_host or "127.0.0.1"
        config["db_port"] = db_port or (3306 if db_type == "mariadb" else 5432)
        config["db_user"] = db_user or ("root" if db_type == "mariadb" else "postgres")
        config["db_password"] = db_password or ""
    return config


def create_site_folders(path: Path) -> None:
    for sub in ("private/files", "private/backups", "public/files", "logs"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    os.chmod(path / "private", stat.S_IRWXU)


def set_config_value(site: Site, key: str, raw_value: str) -> Any:
    """Set one key; the value is read as JSON when it parses (numbers, true, objects), else text."""
    if not re.match(r"^[a-z][a-z0-9_]*$", key):
        raise SiteConfigError(
            f"config key {key!r} is not valid: use lowercase letters, _ and digits"
        )
    try:
        value: Any = json.loads(raw_value)
    except json.JSONDecodeError:
        value = raw_value
    config = dict(site.config)
    config[key] = value

    if own := problems({key: value}):
        raise SiteConfigError(own[0])
    try:
        validate_config(Site(site.name, site.path, config))
    except SiteConfigError as exc:
        # Another key's problem must not keep this one from being set: that is how a broken
        # config is repaired, one key at a time.
        if f"'{key}'" in str(exc):
            raise
    write_json(site.path / SITE_CONFIG, config, private=True)
    return value


def masked_config(config: dict[str, Any]) -> dict[str, Any]:
    return {k: (mask(v) if k in SECRET_KEYS and v else v) for k, v in sorted(config.items())}
