"""Test settings: a throw-away sites folder with one site on the database named by FLRTS_TEST_DB.

FLRTS_TEST_DB=sqlite (default) | mariadb | postgres. MariaDB and PostgreSQL use the servers on
127.0.0.1 (root without password; postgres with trust), as the CI machine runs them.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from flrts.sites import create_site_folders, new_site_config, write_json

_DB = os.environ.get("FLRTS_TEST_DB", "sqlite")
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
_base = Path(tempfile.mkdtemp(prefix=f"flrts-test-{_worker}-"))
atexit.register(shutil.rmtree, _base, True)
_site = "test.localhost"
# The pid keeps concurrent test runs on one server from sharing (and dropping) a database.
_config = new_site_config(_site, db_type=_DB, db_name=f"flrts_t_{_worker}_{os.getpid()}")
_config["developer_mode"] = 1
if _DB == "postgres":
    _config["db_user"] = os.environ.get("FLRTS_TEST_PG_USER", "postgres")
create_site_folders(_base / _site)
(_base / "assets").mkdir()
write_json(_base / _site / "site_config.json", _config, private=True)
write_json(_base / "common_site_config.json", {"default_site": _site})
os.environ["FLRTS_SITES_DIR"] = str(_base)
os.environ["FLRTS_SITE"] = _site

from flrts.settings import *  # noqa: E402, F403

MIGRATE_EXTRAS = False
if _DB == "sqlite":
    # A file, not memory: threads and subprocesses in tests see the same database, as in production.
    DATABASES["default"]["TEST"] = {"NAME": str(_base / _site / "test.sqlite3")}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": QUEUES,  # noqa: F405
    }
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
