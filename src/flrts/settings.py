"""Django settings, read from the selected site's `site_config.json`.

One flat module on purpose: every knob is here, read from the site config with a type and a
default, and a bad value stops the process with one line naming the key (SiteConfigError).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flrts.core.storage import storages_setting
from flrts.sites import Site, SiteConfigError, load_site, sites_dir

SITE: Site = load_site()
SITES_DIR: Path = sites_dir()
BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY: str = SITE.config["secret_key"]
DEVELOPER_MODE: bool = SITE.get_bool("developer_mode")
DEBUG: bool = SITE.get_bool("debug", False)
ALLOWED_HOSTS: list[str] = list(SITE.get("allowed_hosts", ["*"]))
CSRF_TRUSTED_ORIGINS: list[str] = list(SITE.get("csrf_trusted_origins", []))

INSTALLED_APPS = [
    "flrts.desk",
    "flrts.desk.admin_config.DeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "flrts.core",
    "flrts.people",
    "flrts.org",
    "flrts.tasks",
    "flrts.fieldreports",
    "flrts.reminders",
    "flrts.lists",
    "flrts.nlp",
    "flrts.api",
    "flrts.telegram",
    "flrts.capture",
    "flrts.bot",
    "flrts.jobs",
    "flrts.notify",
    "flrts.reports",
    "flrts.ops",
    "flrts.integrations",
]

MIDDLEWARE = [
    "flrts.ops.middleware.RequestOpsMiddleware",  # request ids, request metrics (first: times all)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "flrts.core.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "flrts.urls"
WSGI_APPLICATION = "flrts.wsgi.application"
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = ["flrts.people.auth.UsernameOrEmailBackend"]
LOGIN_URL = "/desk/login/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


_DRIVERS = {"mariadb": ("MySQLdb", "mariadb"), "postgres": ("psycopg", "postgres")}


def _require_driver(db_type: str) -> None:
    """A server database needs its optional driver; say which, instead of a traceback."""
    module, extra = _DRIVERS[db_type]
    try:
        __import__(module)
    except ImportError:
        raise SiteConfigError(
            f"site_config.json: db_type '{db_type}' needs the {module} package: "
            f"pip install 'flrts[{extra}]'"
        ) from None


def _database(site: Site) -> dict[str, Any]:
    db_type = site.get("db_type", "sqlite")
    if db_type == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(site.path / "db.sqlite3"),
            "OPTIONS": {
                # WAL lets readers run while one writer writes; IMMEDIATE takes the write lock at
                # BEGIN so two writers queue on busy_timeout instead of failing mid-transaction.
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Persistent per-process connections: no reconnect and init PRAGMAs per request.
            "CONN_MAX_AGE": site.get_int("db_conn_max_age", 60, minimum=0),
        }
    _require_driver(db_type)
    common = {
        "NAME": site.get("db_name"),
        "USER": site.get("db_user", "root" if db_type == "mariadb" else "postgres"),
        "PASSWORD": site.get("db_password", ""),
        "HOST": site.get("db_host", "127.0.0.1"),
        "PORT": str(site.get_int("db_port", 3306 if db_type == "mariadb" else 5432)),
        "CONN_MAX_AGE": site.get_int("db_conn_max_age", 60, minimum=0),
        "CONN_HEALTH_CHECKS": True,
    }
    if db_type == "mariadb":
        return {
            **common,
            "ENGINE": "django.db.backends.mysql",
            "OPTIONS": {
                "charset": "utf8mb4",
                "isolation_level": "read committed",
                "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
            },
            "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }
    return {**common, "ENGINE": "django.db.backends.postgresql"}


DATABASES = {"default": _database(SITE)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_CACHE: str | None = SITE.get("redis_cache")
REDIS_QUEUE: str | None = SITE.get("redis_queue")

if REDIS_CACHE:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE,
            "KEY_PREFIX": SITE.name,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Queue timeouts in seconds, as Frappe's short/default/long.
QUEUE_TIMEOUTS: dict[str, int] = {
    "default": SITE.get_int("queue_timeout_default", 300, minimum=1),
    "short": SITE.get_int("queue_timeout_short", 300, minimum=1),
    "long": SITE.get_int("queue_timeout_long", 1500, minimum=1),
}
QUEUES = list(QUEUE_TIMEOUTS)

if REDIS_QUEUE:
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": QUEUES}}
    RQ_QUEUES = {
        name: {"URL": REDIS_QUEUE, "DEFAULT_TIMEOUT": timeout}
        for name, timeout in QUEUE_TIMEOUTS.items()
    }
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"  # storage; each reader sees their own zone (UserTimezoneMiddleware)
USE_I18N = False
# Dates and times as the desk writes them: `Fri 2026-06-05 08:00 CDT` (flrts.core.display)
FORMAT_MODULE_PATH = ["flrts.core.formats"]
USE_TZ = True
SITE_TIME_ZONE: str = SITE.get("time_zone", "America/Chicago")

STATIC_URL = "/assets/"
STATIC_ROOT = SITES_DIR / "assets"
STORAGES = {
    # files: the site folder, or an S3-compatible bucket with files_s3_bucket (flrts.core.storage)
    **storages_setting(SITE),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = str(SITE.private_files)
WHITENOISE_USE_FINDERS = DEVELOPER_MODE
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = SITE.get_int("max_request_size", 10 * 1024 * 1024, minimum=1024)

SESSION_COOKIE_NAME = "sid"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_HEADER_NAME = "HTTP_X_FRAPPE_CSRF_TOKEN"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"

EMAIL_BACKEND: str = SITE.get("email_backend", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST: str = SITE.get("email_host", "localhost")
EMAIL_PORT: int = SITE.get_int("email_port", 25, minimum=1)
EMAIL_HOST_USER: str = SITE.get("email_user", "")
EMAIL_HOST_PASSWORD: str = SITE.get("email_password", "")
EMAIL_USE_TLS: bool = SITE.get_bool("email_use_tls", False)
DEFAULT_FROM_EMAIL: str = SITE.get("email_from", "flrts@localhost")

LOG_LEVEL = os.environ.get("FLRTS_LOG_LEVEL", SITE.get("log_level", "INFO")).upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR"):
    raise SiteConfigError("site_config.json: key 'log_level' must be DEBUG, INFO, WARNING or ERROR")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# -- ops: JSON lines to sites/<site>/logs/<process>.log for web/worker/scheduler (flrts.ops.logs)
from flrts.ops.logs import process_logging  # noqa: E402

LOGGING = process_logging(LOGGING, SITE)
