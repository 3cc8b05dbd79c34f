"""The `flrts` command, shaped like `bench`: `flrts [--site NAME] COMMAND [ARGS]`.

Commands that create sites run before Django is configured; every other command is a Django
management command (`set-config` runs `set_config`), so `flrts migrate`, `flrts shell` and the
FLRTS commands share one dispatcher. A bad site config ends the command with one clear line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from flrts import bootstrap
from flrts.bootstrap import setup_django
from flrts.configcheck import problems
from flrts.sites import (
    SECRET_KEYS,
    SiteConfigError,
    load_site,
    mask,
    set_config_value,
    validate_config,
)

# Commands that must run before Django can be configured (there may be no site yet).
PRE_DJANGO = {"new-site", "init", "use"}

USAGE = """usage: flrts [--site NAME] [--sites-dir DIR] COMMAND [ARGS]

Sites:       new-site NAME [--db-type sqlite|mariadb|postgres] [--db-host H] ...
             use NAME | init | set-config KEY VALUE | show-config | migrate | console
People:      add-user EMAIL --name NAME --role ROLE --timezone TZ [--telegram-id ID]
             set-telegram EMAIL ID | api-key USER
Run:         start | worker [--queue Q] | scheduler [status|enable|disable|pause|resume|run JOB]
             demo | restart
Parsing:     nlp parse TEXT [--sender ID] [--now ISO] | nlp eval CORPUS --context CONTEXT
Telegram:    telegram set-webhook URL | webhook-info | delete-webhook | poll | set-commands
Reports:     report daily [--date D] [--send] | report monitors
Operations:  backup [--with-files] [--compress] | backup list | backup verify FILE
             restore DB_FILE [--with-public-files TAR] [--with-private-files TAR] [--force]
             export FILE | import FILE | doctor | logs [--process web] [--follow] [--since 1h]
             setup nginx | setup systemd | ssh-ca init | ssh-ca sign PUBKEY --principal NAME
ERPNext:     erpnext test | erpnext sync [--push|--pull]
Any Django management command works too (flrts help lists them).
"""


def _split_global(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="flrts", add_help=False)
    parser.add_argument("--site")
    parser.add_argument("--sites-dir")
    parser.add_argument("-h", "--help", action="store_true")
    return parser.parse_known_args(argv)


def fail(message: str, code: int = 2) -> int:
    print(f"flrts: error: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    opts, rest = _split_global(args)
    if opts.sites_dir:
        os.environ["FLRTS_SITES_DIR"] = os.path.abspath(opts.sites_dir)
    if opts.site:
        os.environ["FLRTS_SITE"] = opts.site
    if not rest:
        print(USAGE)
        return 0 if opts.help else 2
    if opts.help:
        rest = [*rest, "--help"]
    command, command_args = rest[0], rest[1:]
    try:
        if command == "set-config":  # works on a config too broken for Django to load
            return set_config(command_args)
        if command == "doctor" and (broken := config_problems()):
            for problem in broken:
                print(f"FAIL  config  {problem}")
            return 1
        if command in PRE_DJANGO:
            return bootstrap.run(command, command_args)
        return run_django(command, command_args)
    except SiteConfigError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 130


def config_problems() -> list[str]:
    """Every problem of the selected site's config (doctor reports them all, not the first)."""
    site = load_site(validate=False)
    found = problems(site.config)
    try:
        validate_config(site)
    except SiteConfigError as exc:
        if str(exc) not in found:
            found.insert(0, str(exc))
    return found


def set_config(args: list[str]) -> int:
    if len(args) != 2:
        return fail("usage: flrts set-config KEY VALUE")
    key, value = args
    site = load_site(validate=False)
    stored = set_config_value(site, key, value)
    shown = mask(stored) if key in SECRET_KEYS else repr(stored)
    print(f"{site.name}: {key} = {shown}")
    return 0


def run_django(command: str, args: list[str]) -> int:
    setup_django()
    from django.core.management import execute_from_command_line

    name = {"console": "console", "help": "help"}.get(command, command.replace("-", "_"))
    try:
        execute_from_command_line(["flrts", name, *args])
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else fail(exc.code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
