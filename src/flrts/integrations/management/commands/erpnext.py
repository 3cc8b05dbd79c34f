"""`flrts erpnext test | sync [--push|--pull] | import [--people] [--sites] [--contractors]`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from flrts.jobs.errors import JobFailed


class Command(BaseCommand):
    help = "The ERPNext connector: check credentials, sync now, import reference data."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("test", help="Check the credentials (frappe.auth.get_logged_user)")
        sync = sub.add_parser("sync", help="Push pending changes, then pull remote edits")
        which = sync.add_mutually_exclusive_group()
        which.add_argument("--push", action="store_true", help="Only push")
        which.add_argument("--pull", action="store_true", help="Only pull")
        imp = sub.add_parser("import", help="Import people, sites and contractors")
        imp.add_argument("--people", action="store_true", help="User → people")
        imp.add_argument("--sites", action="store_true", help="Location → sites")
        imp.add_argument("--contractors", action="store_true", help="Supplier → contractors")

    def handle(self, *args: Any, **options: Any) -> None:
        from flrts.integrations.erpnext import errors
        from flrts.integrations.erpnext.commands import check_connection, sync_job
        from flrts.integrations.erpnext.sync import import_records

        action = options["action"]
        if action == "test":
            ok, lines = check_connection()
            for line in lines:
                self.stdout.write(line)
            if not ok:
                raise CommandError("ERPNext connection check failed")
            return
        try:
            if action == "sync":
                push = not options["pull"]
                pull = not options["push"]
                self.stdout.write(sync_job(push=push, pull=pull))
            else:
                chosen = [k for k in ("people", "sites", "contractors") if options[k]]
                self.stdout.write(import_records(chosen or None))
        except (errors.FrappeError, JobFailed) as exc:
            raise CommandError(str(exc)) from None
