"""`flrts report daily [--date D] [--send]` and `flrts report monitors [KEY ...]`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from flrts.core.storage import where
from flrts.reports.periods import ReportFilterError, parse_date
from flrts.sites import SiteConfigError


class Command(BaseCommand):
    help = "Build the daily report by hand, or run the monitors now."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        daily = sub.add_parser("daily", help="Build (and with --send, send) a day's report")
        daily.add_argument("--date", default="", help="YYYY-MM-DD (default: today, site zone)")
        daily.add_argument(
            "--send", action="store_true", help="Send it to the team chat and by email"
        )
        monitors = sub.add_parser("monitors", help="Run the monitors now (all, or those named)")
        monitors.add_argument("keys", nargs="*", help="e.g. parser_success_rate scheduler")

    def handle(self, *args: Any, action: str, **opts: Any) -> None:
        try:
            if action == "daily":
                self._daily(opts["date"], opts["send"])
            else:
                self._monitors(opts["keys"])
        except (ReportFilterError, SiteConfigError) as exc:
            raise CommandError(str(exc))

    def _daily(self, date: str, send_it: bool) -> None:
        from flrts.reports.daily import build, send

        day = parse_date(date, "--date")
        report = build(day, progress=True)
        path = where(report.file)
        self.stdout.write(
            f"{report}: {report.pages} pages, {report.size} bytes, {report.build_ms} ms -> {path}"
        )
        if send_it:
            done = send(report, force=True)
            self.stdout.write(f"sent: {', '.join(done) or 'nowhere'}")
            if report.send_error:
                self.stderr.write(f"not sent: {report.send_error}")

    def _monitors(self, keys: list[str]) -> None:
        from flrts.reports.monitors import MONITORS, run_all

        unknown = [k for k in keys if k not in MONITORS]
        if unknown:
            raise CommandError(
                f"unknown monitor {', '.join(unknown)}; choose from {', '.join(MONITORS)}"
            )
        for line in run_all(keys or None):
            self.stdout.write(line)
