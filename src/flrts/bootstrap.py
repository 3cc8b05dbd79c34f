"""Creating and selecting sites: the commands that run before Django is configured.

`new-site` writes the config, creates the database, migrates and makes the Administrator; if any
step fails, what it made is removed again, so a failed new-site leaves nothing half-made.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
from pathlib import Path
from typing import Any

from flrts.ops import databases
from flrts.ops.dbparams import DbParams
from flrts.sites import (
    COMMON_CONFIG,
    SITE_CONFIG,
    SiteConfigError,
    common_config,
    create_site_folders,
    default_site_name,
    new_site_config,
    read_json,
    sites_dir,
    validate_site_name,
    write_json,
)

DEFAULT_SITE = "flrts.localhost"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flrts.settings")
    import django

    django.setup()


def run(command: str, args: list[str]) -> int:
    if command == "new-site":
        return new_site(args)
    if command == "use":
        return use_site(args)
    if command == "init":
        return init(args)
    raise SiteConfigError(f"unknown command {command}")


def _new_site_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flrts new-site")
    parser.add_argument("name")
    parser.add_argument("--db-type", default="sqlite", choices=["sqlite", "mariadb", "postgres"])
    parser.add_argument("--db-host")
    parser.add_argument("--db-port", type=int)
    parser.add_argument("--db-name")
    parser.add_argument("--db-user")
    parser.add_argument("--db-password")
    parser.add_argument("--admin-password", help="default: a generated one, printed once")
    parser.add_argument("--admin-email", default="admin@example.com")
    parser.add_argument("--set-default", action="store_true", help="make it the default site")
    parser.add_argument("--force", action="store_true", help="reuse a database that has tables")
    parser.add_argument("--demo", action="store_true", help="load the demo team and data")
    parser.add_argument("--remember-admin-password", action="store_true", help=argparse.SUPPRESS)
    return parser


def new_site(args: list[str]) -> int:
    opts = _new_site_parser().parse_args(args)
    name = validate_site_name(opts.name)
    base = sites_dir()
    path = base / name
    if (path / SITE_CONFIG).exists():
        raise SiteConfigError(f"site '{name}' already exists at {path}")
    config = new_site_config(
        name,
        db_type=opts.db_type,
        db_host=opts.db_host,
        db_port=opts.db_port,
        db_name=opts.db_name,
        db_user=opts.db_user,
        db_password=opts.db_password,
    )
    password = opts.admin_password or secrets.token_urlsafe(12)
    if opts.remember_admin_password:
        config["admin_password"] = password
    base.mkdir(parents=True, exist_ok=True)
    created_db = False
    try:
        create_site_folders(path)
        write_json(path / SITE_CONFIG, config, private=True)
        created_db = create_database(config, force=opts.force)
        common = common_config(base)
        if opts.set_default or not common.get("default_site"):
            write_json(base / COMMON_CONFIG, {**common, "default_site": name})
        os.environ["FLRTS_SITE"] = name
        _setup_django_and_install(opts.admin_email, password, demo=opts.demo)
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        if created_db:
            drop_database(config)
        common = common_config(base) if (base / COMMON_CONFIG).exists() else {}
        if common.get("default_site") == name:
            common.pop("default_site")
            write_json(base / COMMON_CONFIG, common)
        raise
    print(f"Site {name} created ({opts.db_type}) in {path}")
    if not opts.admin_password:
        print(f"Administrator password: {password}  (shown once; change it in the desk)")
    return 0


def _setup_django_and_install(admin_email: str, password: str, demo: bool) -> None:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    # Models can be imported only after django.setup(), hence here.
    from flrts.people.models import User

    admin, _ = User.objects.get_or_create(
        username="Administrator",
        defaults={"email": admin_email, "full_name": "Administrator", "role": "Admin"},
    )
    admin.set_password(password)
    admin.save()
    if demo:
        call_command("demo", verbosity=0)


def use_site(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="flrts use")
    parser.add_argument("name")
    opts = parser.parse_args(args)
    base = sites_dir()
    name = validate_site_name(opts.name)
    if not (base / name / SITE_CONFIG).exists():
        raise SiteConfigError(f"site '{name}' not found in {base}")
    write_json(base / COMMON_CONFIG, {**common_config(base), "default_site": name})
    print(f"Default site is now {name}")
    return 0


def init(args: list[str]) -> int:
    """What `make run` calls: a ready default site on SQLite, demo data on its first run."""
    parser = argparse.ArgumentParser(prog="flrts init")
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--port", type=int, default=8000, help="the port `flrts start` serves")
    opts = parser.parse_args(args)
    base = sites_dir()
    name = default_site_name(base)
    if not name or not (base / name / SITE_CONFIG).exists():
        name = name or DEFAULT_SITE
        new_site(
            [name, "--set-default", "--remember-admin-password"]
            + ([] if opts.no_demo else ["--demo"])
        )
    else:
        os.environ["FLRTS_SITE"] = name
        setup_django()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    _print_login(base / name, opts.port)
    return 0


def _print_login(path: Path, port: int = 8000) -> None:
    config = read_json(path / SITE_CONFIG)
    password = config.get("admin_password")
    shown = password if password else "(the password printed when the site was created)"
    print(f"Desk: http://127.0.0.1:{port}/desk/  login: Administrator / {shown}", flush=True)


# -- databases ------------------------------------------------------------------------------


def _params(config: dict[str, Any]) -> DbParams:
    return DbParams(
        engine=str(config["db_type"]),
        name=str(config.get("db_name")),
        host=config.get("db_host") or "127.0.0.1",
        port=int(config.get("db_port") or 0),
        user=config.get("db_user") or "",
        password=config.get("db_password") or "",
    )


def create_database(config: dict[str, Any], force: bool = False) -> bool:
    """Create the site's database; True when this call created it (so a failure can drop it)."""
    db_type = config["db_type"]
    if db_type == "sqlite":
        return False
    params = _params(config)
    try:
        if not force and databases.in_use(params):
            what = "already exists and has tables" if db_type == "mariadb" else "already exists"
            raise SiteConfigError(f"database {params.name!r} {what}; pass --force to replace it")
        databases.create_database(params, replace=force)
        return True
    except SiteConfigError:
        raise
    except Exception as exc:  # driver errors: one clear line, no traceback
        raise SiteConfigError(
            f"cannot create {db_type} database {params.name!r} on {params.host}:{params.port}: "
            f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        ) from None


def drop_database(config: dict[str, Any]) -> None:
    if config["db_type"] == "sqlite":
        return
    params = _params(config)
    try:
        databases.drop_database(params)
    except Exception as exc:  # cleanup after a failure must not hide the first error
        print(f"flrts: warning: could not drop database {params.name}: {exc}", file=sys.stderr)
