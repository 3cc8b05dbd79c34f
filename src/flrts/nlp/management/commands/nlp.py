"""`flrts nlp parse TEXT` and `flrts nlp eval CORPUS --context CONTEXT`.

`parse` reads the context from the database, prints the ParseResult as JSON and writes a Parser
Log row (channel "cli"). `eval` runs a labelled corpus through `flrts.nlp.evaluate.run_eval` and
prints its report. Bad input ends with one error line and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from flrts.core.context import acting_as
from flrts.core.timezones import local_to_utc, zone
from flrts.nlp.types import ParseRefused
from flrts.people.models import User
from flrts.sites import SiteConfigError

DEFAULT_SENDER = "Administrator"
CASE_KEYS = ("id", "text", "sender", "now", "expect")


class Command(BaseCommand):
    help = "Parse a message, or evaluate a parser on a labelled corpus."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{parse,eval}")
        parse = sub.add_parser("parse", help="parse one message and print the result as JSON")
        parse.add_argument("text", help="the message, as a field person would type it")
        parse.add_argument(
            "--sender",
            default=DEFAULT_SENDER,
            help="who sends it: email, username or Telegram user id (default: Administrator)",
        )
        parse.add_argument(
            "--now",
            help="when it is sent, ISO 8601 (default: now; without an offset: the sender's zone)",
        )
        parse.add_argument("--parser", choices=["auto", "offline", "llm"], default="auto")

        evaluate = sub.add_parser("eval", help="run a labelled corpus and print a JSON report")
        evaluate.add_argument("corpus", help="JSON Lines: {id, text, sender, now, expect}")
        evaluate.add_argument("--context", required=True, help="the context JSON file")
        evaluate.add_argument("--parser", choices=["offline", "llm"], default="offline")
        evaluate.add_argument("--predictions", help="also write one {id, result} line per case")
        evaluate.add_argument(
            "--no-cold-start",
            action="store_true",
            help="skip timing the first parse of a fresh process (cold_start_ms)",
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "parse":
            self._parse(options)
        else:
            self._eval(options)

    # -- parse -------------------------------------------------------------------------------
    def _parse(self, options: dict[str, Any]) -> None:
        from flrts.nlp.context import build_context, llm_config_from_site
        from flrts.nlp.models import Channel, ParserLog
        from flrts.nlp.service import ParserChoice, parse_message

        text: str = options["text"]
        sender = _sender(options["sender"])
        now = _now(options["now"], sender.time_zone)
        choice: ParserChoice = options["parser"]
        try:
            context = build_context(sender)
            llm_config = llm_config_from_site() if choice != "offline" else None
        except SiteConfigError as exc:
            raise CommandError(str(exc)) from None
        try:
            outcome = parse_message(text, sender.name, now, context, choice, llm_config)
        except ParseRefused as exc:
            raise CommandError(str(exc)) from None
        try:
            with acting_as(sender):
                log = ParserLog.record(outcome, user=sender, channel=Channel.CLI)
        except DatabaseError as exc:
            raise CommandError(f"could not write the Parser Log: {exc}") from None
        result = outcome.result.model_dump(mode="json")
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
        if int(options.get("verbosity", 1)) >= 1:
            note = (
                f" ({outcome.error_type}: LLM failed, answered offline)" if log.error_type else ""
            )
            self.stderr.write(
                f"Parser Log {log.name}: {outcome.parser}, {outcome.duration_ms:.0f} ms{note}"
            )

    # -- eval --------------------------------------------------------------------------------
    def _eval(self, options: dict[str, Any]) -> None:
        corpus = _readable_file(options["corpus"], "corpus")
        context = _readable_file(options["context"], "context")
        _check_corpus(corpus)
        _check_context(context)
        predictions = options.get("predictions")
        if predictions:
            target = Path(predictions)
            if not target.parent.is_dir():
                raise CommandError(f"predictions: folder {target.parent} does not exist")
        try:
            from flrts.nlp.evaluate import run_eval
        except ImportError:
            raise CommandError("the evaluation harness flrts.nlp.evaluate is not installed")
        extra: dict[str, Any] = {}
        if options["parser"] == "llm":
            # The LLM settings come from this site; without a key the LLM is never called, and
            # figures labelled "llm" would really be the offline parser's: refuse instead.
            from flrts.nlp.context import llm_config_from_site

            try:
                extra["llm_config"] = llm_config_from_site()
            except SiteConfigError as exc:
                raise CommandError(str(exc)) from None
            if not extra["llm_config"].configured:
                raise CommandError("eval --parser llm: set openai_api_key in the site config")
        try:
            report = run_eval(
                str(corpus),
                str(context),
                parser=options["parser"],
                predictions_path=predictions or None,
                **extra,
            )
        except (ValueError, KeyError, OSError, SiteConfigError) as exc:
            raise CommandError(f"evaluation failed: {_one_line(exc)}") from None
        if options["parser"] == "offline" and not options["no_cold_start"]:
            report["cold_start_ms"] = _cold_start()
        self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))


def _cold_start() -> dict[str, Any] | str:
    """The first parse of a fresh process (three runs), or why it could not be timed."""
    import subprocess

    from flrts.nlp.warmup import measure_cold_start

    try:
        return dict(measure_cold_start())
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        return f"not measured: {_one_line(exc)}"


# -- input checks ----------------------------------------------------------------------------


def _sender(ident: str | None) -> Any:
    from django.db.models import Q

    ident = (ident or "").strip()
    if not ident:
        raise CommandError("--sender is empty: give an email, a username or a Telegram user id")
    query = Q(username__iexact=ident) | Q(email__iexact=ident)
    if ident.lstrip("-").isdigit() and len(ident) <= 19:
        query |= Q(telegram_user_id=int(ident))
    matches = list(User.objects.filter(query)[:2])
    if not matches:
        hint = (
            " (create the site's Administrator or pass --sender EMAIL)"
            if ident == "Administrator"
            else ""
        )
        raise CommandError(f"no person {ident!r}{hint}")
    if len(matches) > 1:
        raise CommandError(f"{ident!r} matches more than one person: use their email")
    person = matches[0]
    if not person.is_active:
        raise CommandError(f"{person.name} is disabled")
    return person


def _now(value: str | None, tz_name: str) -> dt.datetime:
    """An aware moment in the sender's zone; a naive --now is read as the sender's wall clock."""
    if value is None:
        return timezone.now().astimezone(zone(tz_name))
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            f"--now {value!r} is not an ISO 8601 date-time (e.g. 2026-03-02T09:00:00-06:00)"
        ) from None
    if moment.tzinfo is None:
        moment = local_to_utc(moment.date(), moment.time(), tz_name)
    return moment.astimezone(zone(tz_name))


def _readable_file(value: str, label: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise CommandError(f"{label} file not found: {value}")
    return path


def _check_corpus(path: Path) -> None:
    """Every non-blank line must be a JSON object with an id and a text: a typo in line 140 is
    reported as line 140, before any case runs."""
    cases = 0
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    case = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CommandError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
                if not isinstance(case, dict):
                    raise CommandError(f"{path}:{number}: each line must be a JSON object")
                missing = [key for key in CASE_KEYS if key not in case]
                if missing:
                    raise CommandError(f"{path}:{number}: the case has no {', '.join(missing)}")
                if not isinstance(case["text"], str):
                    raise CommandError(f"{path}:{number}: 'text' must be a string")
                if not _aware(case["now"]):
                    raise CommandError(
                        f"{path}:{number}: 'now' must be an ISO 8601 date-time with an offset"
                    )
                cases += 1
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not UTF-8 text") from None
    if not cases:
        raise CommandError(f"{path}: the corpus has no cases")


def _one_line(exc: Exception) -> str:
    """Pydantic and JSON errors span lines; the command's error is one."""
    if isinstance(exc, PydanticValidationError):
        parts = [
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        ]
        more = f" (and {len(parts) - 3} more)" if len(parts) > 3 else ""
        return f"{exc.title}: " + "; ".join(parts[:3]) + more
    return " ".join(str(exc).split())


def _aware(value: object) -> bool:
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return False
    return moment is not None and moment.tzinfo is not None


def _check_context(path: Path) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise CommandError(f"{path}: the context must be a JSON object (people, sites, ...)")
