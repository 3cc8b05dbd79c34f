"""The desk permission matrix: every desk URL × every role, against core/permissions.py.

The URLs are discovered from the admin site itself (every registered ModelAdmin's views, the
site's own pages, the custom pages of the desk and its apps), so a view added later is in the
matrix automatically; a URL whose *kind* the matrix does not know fails the test, naming what to
add. The property checked: the desk never lets a role open or post what the role matrix
(`flrts.core.permissions.can`) forbids. Reads of the DocTypes people work with are checked both
ways (a role that may read gets the page).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from flrts.core.admin_base import DocumentAdmin, PermissionAdmin
from flrts.core.permissions import Action, can, readable, role_of
from flrts.core.roles import Role
from flrts.desk.demo import load_demo
from flrts.reports.access import may_see_reports

pytestmark = pytest.mark.django_db

ROLES = ["admin", "supervisor", "worker", "viewer", "guest"]
Rule = Callable[[Any, type[Model], Any], bool]


def _is_admin(user: Any, model: Any, obj: Any) -> bool:
    return role_of(user) is Role.ADMIN


def _signed_in(user: Any, model: Any, obj: Any) -> bool:
    return role_of(user) is not None


# What each kind of ModelAdmin view needs, in the terms of core/permissions.py.
MODEL_VIEWS: dict[str, Rule] = {
    "changelist": lambda u, m, o: can(u, Action.READ, m),
    "add": lambda u, m, o: can(u, Action.CREATE, m),
    "change": lambda u, m, o: can(u, Action.READ, o),  # a read-only page without WRITE
    "history": lambda u, m, o: can(u, Action.READ, o),
    "delete": lambda u, m, o: can(u, Action.PURGE, o),
    "autocomplete": lambda u, m, o: can(u, Action.READ, m),
}
# A DocType's desk "Delete" archives (for every role that may archive); purging is its own page.
DOCUMENT_VIEWS: dict[str, Rule] = {
    **MODEL_VIEWS,
    "delete": lambda u, m, o: can(u, Action.ARCHIVE, o),
    "purge": lambda u, m, o: can(u, Action.PURGE, o),
}
# Extra views of one ModelAdmin, by URL name.
EXTRA_VIEWS: dict[str, Rule] = {
    "auth_user_password_change": _is_admin,  # Django's UserAdmin names it so
    "people_user_link_telegram": lambda u, m, o: o is not None and u is not None and o.pk == u.pk,
}


def _fresh_draft_report() -> tuple[Any, list[Any]]:
    """A new draft field report (a copy of the demo's first) and the submit button's arguments."""
    from flrts.fieldreports.models import FieldReport

    report = FieldReport.objects.order_by("pk").first()
    assert report is not None, "the demo data has no field report"
    report.pk, report.name, report.docstatus, report.status = None, "", 0, "Draft"
    report._state.adding = True
    report.save()
    return report, [report.pk, "submit"]


# Views that change a document on POST and take arguments: each role gets a fresh document, so
# one role's success does not decide the next role's answer. URL name -> (maker, rule).
OBJECT_POST_VIEWS: dict[str, tuple[Callable[[], tuple[Any, list[Any]]], Rule]] = {
    "fieldreports_fieldreport_docstatus": (
        _fresh_draft_report,
        lambda u, m, o: can(u, Action.SUBMIT, o),
    ),
}


@dataclass
class Probe:
    """One request to a desk view that takes data or acts on a document, and the document the
    rule is asked about (None: the DocType)."""

    method: str
    args: list[Any]
    data: dict[str, Any]
    target: Any = None
    # the timeline answers htmx with its status (a plain form post is redirected either way)
    htmx: bool = False


def _fresh_task(world: dict[str, Any]) -> Any:
    """An open task the Worker owns, due on a date: a new one for every request."""
    from flrts.tasks.models import Task

    task = Task(subject="Matrix probe", owner=world["worker"], exp_end_date=dt.date(2026, 6, 8))
    task.save()
    return task


def _attached_file(world: dict[str, Any]) -> tuple[Any, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from flrts.core.activity import AttachedFile
    from flrts.core.attachments import store

    task = _fresh_task(world)
    store(task, SimpleUploadedFile("probe.txt", b"probe", "text/plain"), world["admin"])
    return AttachedFile.objects.get(attached_to_name=task.name), task


def _kanban_move(world: dict[str, Any]) -> Probe:
    task = _fresh_task(world)
    return Probe("post", [], {"task": task.name, "from": task.status, "to": "Working"}, task)


def _reschedule(world: dict[str, Any]) -> Probe:
    task = _fresh_task(world)
    data = {"kind": "task", "name": task.name, "start": "2026-06-09", "was": "2026-06-08"}
    return Probe("post", [], {**data, "all_day": "1"}, task)


def _timeline(world: dict[str, Any]) -> Probe:
    task = _fresh_task(world)
    return Probe("get", ["Task", task.name], {}, task, htmx=True)


def _comment(world: dict[str, Any]) -> Probe:
    task = _fresh_task(world)
    return Probe("post", ["Task", task.name, "comment"], {"content": "Seen it"}, task, htmx=True)


def _file(world: dict[str, Any]) -> Probe:
    attached, task = _attached_file(world)
    return Probe("get", [attached.pk, attached.file_name], {}, task)


def _file_remove(world: dict[str, Any]) -> Probe:
    attached, task = _attached_file(world)
    return Probe("post", [attached.pk], {}, task, htmx=True)


def _reads_tasks(u: Any, m: Any, o: Any) -> bool:
    from flrts.tasks.models import Task

    return can(u, Action.READ, Task)


# The desk's own pages beyond the ModelAdmins (boards, timeline, files): URL name -> (probe,
# rule). A probe makes a fresh document for every request, so one role's change does not
# decide the next role's answer.
CUSTOM_VIEWS: dict[str, tuple[Callable[[dict[str, Any]], Probe], Rule]] = {
    "tasks-kanban": (lambda w: Probe("get", [], {}), _reads_tasks),
    "tasks-kanban-column": (
        lambda w: Probe("get", [], {"status": "Open", "offset": "0"}),
        _reads_tasks,
    ),
    "tasks-kanban-move": (_kanban_move, lambda u, m, o: can(u, Action.WRITE, o)),
    "tasks-calendar": (lambda w: Probe("get", [], {}), _reads_tasks),
    "tasks-calendar-events": (
        lambda w: Probe("get", [], {"start": "2026-06-01", "end": "2026-07-01"}),
        _reads_tasks,
    ),
    "tasks-calendar-reschedule": (_reschedule, lambda u, m, o: can(u, Action.WRITE, o)),
    "timeline": (_timeline, lambda u, m, o: can(u, Action.READ, o)),
    # commenting needs only to read the record and to create comments (Viewers may not)
    "timeline-action": (
        _comment,
        lambda u, m, o: can(u, Action.READ, o) and role_of(u) is not Role.VIEWER,
    ),
    "timeline-file": (_file, lambda u, m, o: can(u, Action.READ, o)),
    "timeline-file-remove": (_file_remove, lambda u, m, o: can(u, Action.WRITE, o)),
}


def _reads(u: Any, m: Any, o: Any) -> bool:
    return can(u, Action.READ, m)


def _keeps_preferences(model: Any) -> Rule:
    from flrts.desk.models import ListFilter

    return lambda u, m, o: can(u, Action.READ, m) and can(u, Action.CREATE, ListFilter)


def _shared_filter(model: Any, world: dict[str, Any]) -> Probe:
    from flrts.desk.models import ListFilter

    row = ListFilter.objects.create(
        filter_name="Shared probe", reference_doctype=model.doctype, filters=[], for_user=None
    )
    return Probe("post", [row.pk], {}, row)


# The list tools every DocType list has (kind -> (probe, rule)); the probe gets the model.
LIST_TOOLS: dict[str, tuple[Callable[[Any, dict[str, Any]], Probe], Rule]] = {
    "listview_apply": (lambda m, w: Probe("get", [], {}), _reads),
    "listview_row": (lambda m, w: Probe("get", [], {"index": "0"}), _reads),
    "listview_counts": (lambda m, w: Probe("get", [], {}), _reads),
    "listview_columns": (
        lambda m, w: Probe("post", [], {"reset": "1"}),
        lambda u, m, o: _keeps_preferences(m)(u, m, o),
    ),
    "listview_save_filter": (
        lambda m, w: Probe("post", [], {"filter_name": "Mine", "filters": "[]"}),
        lambda u, m, o: _keeps_preferences(m)(u, m, o),
    ),
    # a shared filter: only Admins and Supervisors remove it
    "listview_delete_filter": (_shared_filter, lambda u, m, o: can(u, Action.ARCHIVE, o)),
}
# ModelAdmins that do not take their rules from core/permissions.py on purpose, with the rule
# each one states instead (the desk must not allow more than this).
OWN_RULES: dict[str, dict[str, Rule]] = {
    # every person manages their own key; Admins anyone's
    "api.apikey": {
        "changelist": _signed_in,
        "add": lambda u, m, o: role_of(u) not in (None, Role.VIEWER),
        "change": lambda u, m, o: _is_admin(u, m, o) or (o is not None and o.user_id == u.pk),
        "history": lambda u, m, o: _is_admin(u, m, o) or (o is not None and o.user_id == u.pk),
        "delete": lambda u, m, o: _is_admin(u, m, o) or (o is not None and o.user_id == u.pk),
    },
    "people.telegramlinkcode": {kind: _is_admin for kind in MODEL_VIEWS},
    # django-tasks-db's own page: Django's permission rows, which only the superuser (Admin) has
    "django_tasks_database.dbtaskresult": {kind: _is_admin for kind in MODEL_VIEWS},
}
# The site's own pages (names without an app prefix), and the desk's custom pages.
SITE_VIEWS: dict[str, Rule] = {
    "index": _signed_in,
    "login": lambda u, m, o: True,
    "logout": lambda u, m, o: True,
    "password_change": _signed_in,
    "password_change_done": _signed_in,
    "jsi18n": _signed_in,
    "app_list": _signed_in,
    "view_on_site": _signed_in,
    "autocomplete": _signed_in,
    "reports": lambda u, m, o: may_see_reports(u),
    "reports-build-daily": lambda u, m, o: role_of(u) is Role.ADMIN,
}
SITE_VIEW_PATTERNS: dict[str, Rule] = {r"^report-[a-z0-9-]+$": lambda u, m, o: may_see_reports(u)}
# Site views that take arguments the matrix does not invent; they are only required to be known.
NOT_REQUESTED = {"view_on_site", "app_list", "autocomplete", "logout", "password_change_done"}
# Site views that act on POST (sent without a date, the build stops at its validation).
POST_VIEWS = {"reports-build-daily"}
# Actions of the changelists: what each one does, in the role matrix's terms.
ACTIONS: dict[str, Action] = {
    "delete_selected": Action.PURGE,
    "archive_selected": Action.ARCHIVE,
    "restore_selected": Action.ARCHIVE,
    "mark_complete": Action.WRITE,
    "reassign": Action.WRITE,
    "retry_failed": Action.SETTINGS,
    "enable": Action.SETTINGS,
    "disable": Action.SETTINGS,
    "reprocess": Action.SETTINGS,
    "resend_selected": Action.SETTINGS,
    "push_again": Action.SETTINGS,
    "send_again": Action.SETTINGS,
}
# The DocTypes people work with: a role that may read them must also get the page.
CORE_DOCTYPES = {
    "tasks.task",
    "fieldreports.fieldreport",
    "reminders.reminder",
    "lists.flrtslist",
    "org.site",
    "org.contractor",
    "people.user",
}


def _rules_of(label: str, model_admin: Any) -> dict[str, Rule]:
    if label in OWN_RULES:
        return OWN_RULES[label]
    return DOCUMENT_VIEWS if isinstance(model_admin, DocumentAdmin) else MODEL_VIEWS


def _names(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(url name, route) of every named pattern, depth first."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _names(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry.name, prefix + str(entry.pattern)


def _model_admins() -> dict[str, tuple[type[Model], admin.ModelAdmin]]:
    return {m._meta.label_lower: (m, ma) for m, ma in admin.site._registry.items()}


def _rule_for(name: str, admins: dict[str, Any]) -> tuple[str, Rule] | None:
    """(kind, rule) for a desk URL name, or None when the matrix does not know it."""
    if name in EXTRA_VIEWS:
        return name, EXTRA_VIEWS[name]
    if name in OBJECT_POST_VIEWS:
        return name, OBJECT_POST_VIEWS[name][1]
    if name in CUSTOM_VIEWS:
        return name, CUSTOM_VIEWS[name][1]
    for label, (model, _) in admins.items():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            kind = name[len(prefix) :]
            rules = _rules_of(label, admins[label][1])
            if kind.startswith("listview_") and kind in LIST_TOOLS:
                return kind, LIST_TOOLS[kind][1]
            return (kind, rules[kind]) if kind in rules else None
    if name in SITE_VIEWS:
        return name, SITE_VIEWS[name]
    for pattern, rule in SITE_VIEW_PATTERNS.items():
        if re.match(pattern, name):
            return name, rule
    return None


def test_every_desk_url_is_in_the_matrix() -> None:
    admins = _model_admins()
    unknown = sorted(
        f"{name} (/desk/{route})"
        for name, route in _names(admin.site.get_urls())
        if _rule_for(name, admins) is None
    )
    assert not unknown, (
        "desk URLs missing from the permission matrix: "
        + ", ".join(unknown)
        + ". Add each to MODEL_VIEWS / EXTRA_VIEWS / OBJECT_POST_VIEWS / CUSTOM_VIEWS / "
        "SITE_VIEWS in "
        "tests/security/test_desk_matrix.py with the rule from core/permissions.py it must obey."
    )
    for label, (_, model_admin) in admins.items():
        assert isinstance(model_admin, PermissionAdmin) or label in OWN_RULES, (
            f"{label}'s desk page does not use core/permissions.py (PermissionAdmin): subclass "
            "it, or state its own rule in OWN_RULES"
        )


@pytest.fixture
def world(people: Any) -> dict[str, Any]:
    """The demo data plus a row of the kinds demo data leaves empty."""
    from flrts.api.models import ApiKey
    from flrts.core.models import ErrorLog
    from flrts.people.models import TelegramLinkCode

    load_demo()
    ApiKey.generate(people["worker"])
    TelegramLinkCode.issue(people["other"])
    ErrorLog.objects.create(method="GET /x", error="boom")
    users = {role: people[role] for role in ROLES if role != "guest"}
    users["guest"] = None
    return users


def _client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _opened(response: Any, posted: bool = False) -> bool:
    """The view answered rather than refused: 200; after a POST also a redirect that is not to
    the login (a GET of a record one may not see redirects to the desk home)."""
    if posted and response.status_code == 302:
        return not response["Location"].startswith("/desk/login")
    return response.status_code == 200


def test_model_views_obey_the_role_matrix(world: dict[str, Any]) -> None:
    admins = _model_admins()
    checked = 0
    for label, (model, _) in sorted(admins.items()):
        sample = model._default_manager.order_by("pk").first()
        meta = model._meta
        for role in ROLES:
            user, client = world[role], _client(world[role])
            rules = _rules_of(label, _model_admins()[label][1])
            for kind in ("changelist", "add", "change", "history", "delete", "purge"):
                if kind not in rules:
                    continue
                name = f"admin:{meta.app_label}_{meta.model_name}_{kind}"
                needs_obj = kind in ("change", "history", "delete", "purge")
                if needs_obj and sample is None:
                    continue
                url = reverse(name, args=[sample.pk] if needs_obj else [])
                opened = _opened(client.get(url))
                allowed = user is not None and rules[kind](user, model, sample)
                assert not opened or allowed, f"{role} opened {url} ({kind} of {label})"
                if label in CORE_DOCTYPES and kind == "changelist":
                    assert opened == allowed, f"{role} on {url}: opened={opened}"
                checked += 1
    assert checked > 300


def test_list_tools_obey_the_role_matrix(world: dict[str, Any]) -> None:
    checked = 0
    for _label, (model, model_admin) in sorted(_model_admins().items()):
        if not isinstance(model_admin, DocumentAdmin):
            continue
        info = model._meta.app_label, model._meta.model_name
        for kind, (probe_for, rule) in LIST_TOOLS.items():
            for role in ROLES:
                user, probe = world[role], probe_for(model, world)
                url = reverse("admin:{}_{}_{}".format(*info, kind), args=probe.args)
                answer = getattr(_client(user), probe.method)(url, probe.data)
                opened = answer.status_code == 200 or (
                    answer.status_code == 302 and not answer["Location"].startswith("/desk/login")
                )
                allowed = user is not None and rule(user, model, probe.target)
                assert opened == allowed, (
                    f"{role} on {probe.method.upper()} {url}: answered {answer.status_code}, "
                    f"rule says {allowed}"
                )
                checked += 1
    assert checked > 200


def test_extra_and_site_views_obey_their_rules(world: dict[str, Any]) -> None:
    from flrts.people.models import User

    admins = _model_admins()
    for name, route in _names(admin.site.get_urls()):
        kind_rule = _rule_for(name, admins)
        assert kind_rule is not None
        kind, rule = kind_rule
        if kind in LIST_TOOLS:
            continue  # test_list_tools_obey_the_role_matrix
        if name in CUSTOM_VIEWS:
            probe_for = CUSTOM_VIEWS[name][0]
            for role in ROLES:
                user, probe = world[role], probe_for(world)
                url = reverse(f"admin:{name}", args=probe.args)
                send = getattr(_client(user), probe.method)
                answer = send(url, probe.data, headers={"HX-Request": "true"} if probe.htmx else {})
                opened = answer.status_code < 300 if user is not None else _opened(answer)
                if answer.streaming:  # a file answer holds its file open until read to the end
                    b"".join(answer.streaming_content)
                allowed = user is not None and rule(user, None, probe.target)
                assert opened == allowed, (
                    f"{role} on {probe.method.upper()} {url}: answered {answer.status_code}, "
                    f"rule says {allowed}"
                )
            continue
        if name in OBJECT_POST_VIEWS:
            make = OBJECT_POST_VIEWS[name][0]
            for role in ROLES:
                user = world[role]
                target, args = make()
                url = reverse(f"admin:{name}", args=args)
                opened = _opened(_client(user).post(url), posted=True)
                allowed = user is not None and rule(user, type(target), target)
                assert opened == allowed, f"{role} on {url}: opened={opened}, rule says {allowed}"
            continue
        if (
            kind in MODEL_VIEWS
            or kind in NOT_REQUESTED
            or ("<" in route and name not in EXTRA_VIEWS)
        ):
            continue
        for role in ROLES:
            user = world[role]
            targets = [None]
            if name in EXTRA_VIEWS:
                targets = [world["worker"], world["admin"]]
            for target in targets:
                url = reverse(f"admin:{name}", args=[target.pk] if target is not None else [])
                posted = name in POST_VIEWS
                client = _client(user)
                opened = _opened(client.post(url) if posted else client.get(url), posted)
                allowed = rule(user, User, target) if user is not None or name == "login" else False
                assert not opened or allowed, f"{role} opened {url}"
                if name == "login" or user is None:
                    continue
                assert opened == allowed, f"{role} on {url}: opened={opened}, rule says {allowed}"


def test_actions_are_offered_and_do_only_what_the_matrix_allows(world: dict[str, Any]) -> None:
    from django.test import RequestFactory

    from flrts.tasks.models import Task

    factory = RequestFactory()
    for label, (model, model_admin) in sorted(_model_admins().items()):
        for role in ROLES[:-1]:
            request = factory.get("/desk/")
            request.user = world[role]
            for name in model_admin.get_actions(request):
                assert name in ACTIONS, (
                    f"action {name!r} of {label} is not in the matrix: add it to ACTIONS in "
                    "tests/security/test_desk_matrix.py with the Action it performs"
                )
                needed = ACTIONS[name]
                if needed in (Action.PURGE, Action.SETTINGS):
                    assert can(world[role], needed, model), f"{role} is offered {name} on {label}"
    # per document: a Worker's and a Viewer's actions on a task they may not change change nothing
    worker = world["worker"]
    task = (
        readable(worker, Task.objects.filter(archived=False))
        .exclude(owner=worker)
        .exclude(assigned_to=worker)
        .exclude(status="Completed")
        .first()
    )
    assert task is not None and not can(worker, Action.WRITE, task)
    before = (task.status, task.archived, task.assigned_to_id)
    for role in ("worker", "viewer"):
        client = _client(world[role])
        for action in ("archive_selected", "mark_complete", "reassign"):
            client.post(
                "/desk/tasks/task/",
                {"action": action, "_selected_action": [task.pk], "assignee": worker.pk},
            )
    task.refresh_from_db()
    assert (task.status, task.archived, task.assigned_to_id) == before
