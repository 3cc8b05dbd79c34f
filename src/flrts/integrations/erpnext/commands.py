"""What `flrts erpnext test|sync|import` and the desk's buttons do."""

from __future__ import annotations

from flrts.integrations.erpnext import errors
from flrts.integrations.erpnext.config import credentials, get_client
from flrts.integrations.models import ERPNextSettings
from flrts.jobs.registry import job


def check_connection() -> tuple[bool, list[str]]:
    """Log in with the configured key (`frappe.auth.get_logged_user`); say what was found."""
    try:
        creds = credentials()
    except errors.NotConfigured as exc:
        return False, [str(exc)]
    lines = [f"ERPNext: {creds.masked}"]
    try:
        with get_client() as client:
            user = client.get_logged_user()
            lines.append(f"Logged in as: {user}")
            try:
                versions = client.get_versions()
                for app in ("frappe", "erpnext"):
                    info = versions.get(app)
                    if isinstance(info, dict) and info.get("version"):
                        lines.append(f"{info.get('title', app)}: {info['version']}")
                if "erpnext" not in versions:
                    lines.append("warning: the ERPNext app is not installed on that site")
            except errors.FrappeError as exc:
                lines.append(f"versions unavailable ({exc.label})")
            try:
                zone = client.get_single_value("System Settings", "time_zone")
                if zone:
                    lines.append(f"Time zone: {zone}")
                    ERPNextSettings.objects.filter(pk=1).update(remote_time_zone=str(zone))
            except errors.FrappeError as exc:
                lines.append(f"time zone unavailable ({exc.label})")
    except errors.FrappeError as exc:
        lines.append(str(exc))
        return False, lines
    return True, lines


@job
def sync_job(push: bool = True, pull: bool = True) -> str:
    from flrts.integrations.erpnext.sync import pull_changes, push_all

    out = []
    if push:
        done = push_all()
        out.append(
            f"pushed {done['tasks']} task(s), {done['reports']} field report(s); "
            f"{done['errors']} error(s)"
        )
    if pull:
        out.append(pull_changes(force=True))
    return "; ".join(out)
