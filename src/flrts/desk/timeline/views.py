"""The timeline's HTTP side, under /desk/timeline/<DocType>/<name>/.

With htmx (`HX-Request`) every action answers with the timeline panel re-drawn, and a refused
action answers with its status (400, 403, 404, 409, 413) and the panel showing why. Without
JavaScript the forms still work: the answer is a redirect back to the record's form with the
outcome as a desk message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from flrts.core import attachments
from flrts.core.activity import AttachedFile
from flrts.desk.refused import Refused
from flrts.desk.timeline import actions
from flrts.desk.timeline.entries import build


def form_url(document: Any) -> str:
    meta = type(document)._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[document.pk])


def panel(request: HttpRequest, document: Any, note: str = "", error: str = "", status: int = 200):
    html = render_to_string(
        "desk/timeline/panel.html",
        {"tl": build(document, request.user), "note": note, "error": error},
        request=request,
    )
    return HttpResponse(html, status=status)


def _answer(
    request: HttpRequest, document: Any, note: str = "", error: str = "", status: int = 200
) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return panel(request, document, note, error, status)
    if error:
        messages.error(request, error)
    elif note:
        messages.success(request, note)
    return redirect(form_url(document))


def _refused(request: HttpRequest, exc: Refused, document: Any = None) -> HttpResponse:
    if document is None:
        return HttpResponse(str(exc), status=exc.status, content_type="text/plain; charset=utf-8")
    return _answer(request, document, error=str(exc), status=exc.status)


def _person(request: HttpRequest) -> Any:
    raw = request.POST.get("person", "")
    person = get_user_model().objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if person is None:
        raise Refused("Choose a person.")
    return person


@require_GET
def show(request: HttpRequest, doctype: str, name: str) -> HttpResponse:
    try:
        document = actions.find_document(doctype, name, request.user)
    except Refused as exc:
        return _refused(request, exc)
    return panel(request, document)


@require_POST
def act(request: HttpRequest, doctype: str, name: str, action: str) -> HttpResponse:
    """comment | assign | unassign | attach"""
    document = None
    try:
        document = actions.find_document(doctype, name, request.user)
        if action == "comment":
            said = actions.add_comment(document, request.user, request.POST.get("content", ""))
            note = "Comment added."
            if said.not_told:
                names = ", ".join(str(p) for p in said.not_told)
                note += f" Not notified (cannot see this record): {names}."
        elif action == "assign":
            person = _person(request)
            actions.assign(document, request.user, person)
            note = f"Assigned {person}."
        elif action == "unassign":
            person = _person(request)
            actions.unassign(document, request.user, person)
            note = f"Removed {person}."
        elif action == "attach":
            attached = actions.attach(document, request.user, request.FILES.get("file"))
            note = f"Attached {attached.file_name}."
        else:
            raise Refused(f"Unknown action {action!r}.", status=404)
    except Refused as exc:
        return _refused(request, exc, document)
    except ValidationError as exc:
        assert document is not None
        return _answer(request, document, error=" ".join(exc.messages), status=400)
    return _answer(request, document, note=note)


def _attached(request: HttpRequest, pk: int) -> tuple[AttachedFile, Any]:
    attached = AttachedFile.objects.filter(pk=pk).first()
    if attached is None:
        raise Http404("File not found")
    return attached, actions.find_document(
        attached.attached_to_doctype, attached.attached_to_name, request.user
    )


@require_POST
def remove_file(request: HttpRequest, pk: int) -> HttpResponse:
    document = None
    try:
        attached, document = _attached(request, pk)
        actions.remove_file(document, request.user, attached)
    except Refused as exc:
        return _refused(request, exc, document)
    return _answer(request, document, note=f"Removed {attached.file_name}.")


@require_GET
def serve_file(request: HttpRequest, pk: int, filename: str) -> HttpResponseBase:
    """The file, for people who may read its record (images inline, for the preview)."""
    try:
        attached, _document = _attached(request, pk)
    except Refused as exc:
        return _refused(request, exc)
    if not attached.file.storage.exists(attached.file.name):
        raise Http404("File not found")
    return attachments.response(attached)
