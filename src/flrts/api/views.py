"""The API's single entry point: one view routes `/api/...` and the legacy `/?cmd=...`.

Routes (v1 rules; `/api/v1/...` is the same; trailing slashes optional):
  /api/method/<dotted.path>                     any whitelisted method (flrts.api.methods)
  /api/resource/<DocType>                       GET list, POST create
  /api/resource/<DocType>/<name>                GET, PUT, DELETE (archive; ?purge=1 for Admins),
                                                POST with run_method
  /api/resource/DocType[/<name>]                DocType names and meta
  /api/openapi.json, /api/docs                  the OpenAPI document and a page rendering it
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt

from flrts.api import doctype_list, documents, errors, meta, query, ratelimit, registry, singles
from flrts.api.args import bool_arg, doc_data, request_args
from flrts.api.auth import Caller, authenticate, check_csrf
from flrts.api.errors import json_response
from flrts.api.methods import lookup, lookup_doc_method
from flrts.core.permissions import Action

_GET_ONLY = frozenset({"GET", "HEAD"})
# Longer than any method path or DocType/document name FLRTS serves (Frappe names are <= 140):
# refused before a lookup, a regex or a log line sees them.
MAX_NAME = 255
# Query-string parameters that would put a credential in a URL (and so in access logs, proxies
# and browser history): refused, whatever the route.
CREDENTIAL_PARAMS = frozenset({"pwd", "password", "new_password", "old_password", "api_secret"})


@csrf_exempt
def api(request: HttpRequest, rest: str = "") -> HttpResponse:
    try:
        return _route(request, rest)
    except errors.ApiError as exc:
        return errors.error_response(exc)
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        message = f"Request body too large (at most {limit} bytes)"
        return errors.error_response(errors.BadRequestError(message, status=413))
    except SuspiciousOperation as exc:  # too many fields or files, a malformed request
        message = f"Bad request: {exc.__class__.__name__}"
        return errors.error_response(errors.BadRequestError(message))
    except Exception as exc:
        return errors.internal_error(request, exc)


@csrf_exempt
def root(request: HttpRequest) -> HttpResponse:
    """`/`: the legacy `cmd=` RPC (frappe-client logs in this way), else the desk."""
    if "cmd" in request.GET or (request.method == "POST" and _form_has_cmd(request)):
        return api(request, "")
    return HttpResponseRedirect("/desk/")


def _form_has_cmd(request: HttpRequest) -> bool:
    try:
        return "cmd" in request_args(request)
    except errors.ApiError:
        return False


def _route(request: HttpRequest, rest: str) -> HttpResponse:
    if request.method == "OPTIONS":
        return HttpResponse(status=200)
    ratelimit.check("per_ip", ratelimit.client_ip(request))
    in_url = sorted(CREDENTIAL_PARAMS.intersection(request.GET))
    if in_url:
        raise errors.ValidationError(
            f"Send {', '.join(in_url)} in the request body, not in the URL (URLs are logged)"
        )
    path = rest.strip("/")
    if path == "v1" or path.startswith("v1/"):
        path = path[3:]
    if "cmd" in request.GET or (request.method in ("POST", "PUT") and path == ""):
        cmd = request_args(request).get("cmd")
        if cmd:
            return _method(request, str(cmd))
    head, _, tail = path.partition("/")
    if head == "method" and tail:
        return _method(request, tail.split("/")[0])
    if head == "resource" and tail:
        return _resource(request, tail)
    if path == "openapi.json":
        from flrts.api.openapi import openapi_view

        return openapi_view(request)
    if path == "docs":
        from flrts.api.openapi import docs_view

        return docs_view(request)
    if head == "v2":
        raise errors.DoesNotExistError("The v2 API is not served by FLRTS; use /api/ (v1)")
    raise errors.DoesNotExistError(f"No API route for /api/{path}")


def _caller(request: HttpRequest) -> Caller:
    caller = authenticate(request)
    check_csrf(request, caller)
    return caller


def _method(request: HttpRequest, path: str) -> HttpResponse:
    if len(path) > MAX_NAME:
        raise errors.DoesNotExistError(f"Method name is longer than {MAX_NAME} characters")
    method = lookup(path)
    if method is None:
        raise errors.DoesNotExistError(f"Method {path} not found")
    # raw guest methods (webhooks) check their own secret; no Authorization parsing for them
    guest_raw = method.raw and method.allow_guest
    caller = Caller(None, "guest") if guest_raw else _caller(request)
    if caller.user is None and not method.allow_guest:
        raise errors.PermissionError(
            f"You are not permitted to access this resource. Function {path} is not whitelisted.",
            title="Method Not Allowed",
        )
    if request.method not in method.methods:
        raise errors.PermissionError("Not permitted")
    if method.raw:
        request.user = caller.user  # type: ignore[assignment]
        return method.func(request)
    args = request_args(request)
    if request.method in _GET_ONLY:
        result = method.call(args, caller.user, request)
    else:
        from django.db import transaction

        with transaction.atomic():
            result = method.call(args, caller.user, request)
    if isinstance(result, HttpResponse):
        return result
    return json_response({} if result is None else {"message": result})


def _resource(request: HttpRequest, tail: str) -> HttpResponse:
    raw_doctype, _, name = tail.partition("/")
    raw_doctype = unquote(raw_doctype)
    name = unquote(name).rstrip("/") if name else ""
    if len(raw_doctype) > MAX_NAME or len(name) > MAX_NAME:
        raise errors.DoesNotExistError(
            f"DocType or document name longer than {MAX_NAME} characters"
        )
    caller = _caller(request)
    if raw_doctype.strip().lower() == "doctype":
        return _doctype_meta(request, caller, name)
    canonical = registry.canonical_name(raw_doctype)
    doctype = registry.registry().get(canonical) if canonical else None
    if doctype is None:
        single = singles.canonical(raw_doctype)
        if single is not None:
            return _single(request, caller, single, name)
        if canonical:  # a child table
            raise errors.ValidationError(
                f"{canonical} is a child table; read and write it inside its parent document"
            )
        raise errors.DoesNotExistError(f"DocType {raw_doctype} not found")
    if caller.user is None:
        raise errors.PermissionError(
            f"User Guest does not have doctype access via role permission for document "
            f"{doctype.name}"
        )
    verb = request.method
    if not name:
        if verb in _GET_ONLY:
            return json_response(
                {"data": query.get_list(doctype, caller.user, request_args(request))}
            )
        if verb == "POST":
            data = doc_data(request_args(request), request)
            return json_response({"data": documents.create(doctype, caller.user, data)})
        raise errors.PermissionError("Not permitted")
    args = request_args(request)
    if verb in _GET_ONLY:
        if args.get("run_method"):
            return _run_method(doctype, caller, name, str(args["run_method"]), args, verb)
        return json_response({"data": documents.get_doc(doctype, caller.user, name)})
    if verb == "PUT":
        data = doc_data(args, request)
        return json_response({"data": documents.update(doctype, caller.user, name, data)})
    if verb == "DELETE":
        purge = bool_arg(args, "purge", False)
        documents.delete(doctype, caller.user, name, purge=purge)
        return json_response({"data": "ok"}, status=202)
    if verb == "POST":
        run = args.get("run_method")
        if not run:
            raise errors.ValidationError("POST to a document needs run_method")
        return _run_method(doctype, caller, name, str(run), args, verb)
    raise errors.PermissionError("Not permitted")


def _run_method(
    doctype: registry.ApiDocType,
    caller: Caller,
    name: str,
    method_name: str,
    args: dict[str, Any],
    verb: str,
) -> HttpResponse:
    method = lookup_doc_method(doctype.name, method_name)
    if method is None:
        raise errors.DoesNotExistError(f"Method {method_name} not found")
    if verb not in method.methods:
        raise errors.PermissionError("Not permitted")
    action = Action.READ if verb in _GET_ONLY else Action.WRITE
    from django.db import transaction

    with transaction.atomic():
        instance = documents.load(doctype, caller.user, name, action, lock=verb not in _GET_ONLY)
        call_args = {k: v for k, v in args.items() if k != "run_method"}
        call_args["doc"] = instance
        result = method.call(call_args, caller.user, None)
        if result is None:
            result = documents.get_doc(doctype, caller.user, name)
    return json_response({"data": result})


def _doctype_meta(request: HttpRequest, caller: Caller, name: str) -> HttpResponse:
    if caller.user is None:
        raise errors.PermissionError("User Guest does not have doctype access to DocType")
    if request.method not in _GET_ONLY:
        raise errors.PermissionError("Not permitted: DocTypes are defined in code")
    if not name:
        args = request_args(request)
        return json_response({"data": doctype_list.get_list(caller.user, args)})
    single = singles.canonical(name)
    if single is not None:
        return json_response({"data": meta.single_meta(single)})
    canonical = registry.canonical_name(name)
    doc = meta.doctype_meta(canonical) if canonical else None
    if doc is None:
        raise errors.DoesNotExistError(f"DocType {name} not found")
    return json_response({"data": doc})


def _single(request: HttpRequest, caller: Caller, single: str, name: str) -> HttpResponse:
    """A Single DocType: its one document, read-only (settings are edited in the desk)."""
    if caller.user is None:
        raise errors.PermissionError(f"User Guest does not have doctype access to {single}")
    if request.method not in _GET_ONLY:
        raise errors.PermissionError(f"Not permitted: {single} is edited in the desk")
    doc = singles.get_doc(caller.user, single)
    if name:
        return json_response({"data": doc})
    return json_response({"data": [{"name": single}]})
