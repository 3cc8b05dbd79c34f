"""The built-in whitelisted methods: ping, login/logout, frappe.auth and frappe.client.*."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import authenticate as django_authenticate
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from flrts.api import doctype_list, documents, errors, query, ratelimit, registry, singles
from flrts.api.args import json_arg, request_args
from flrts.api.auth import API_SESSION_FLAG
from flrts.api.errors import json_response
from flrts.api.meta import doctype_meta
from flrts.api.methods import doc_method, whitelist
from flrts.api.models import ApiKey
from flrts.core.context import acting_as
from flrts.core.permissions import role_of
from flrts.core.roles import Role
from flrts.people.models import MAX_LOGIN_NAME

MAX_INSERT_MANY = 200
_WRITE = ("POST", "PUT")


def api_name(user: Any) -> str:
    if user is None:
        return "Guest"
    return "Administrator" if user.username == "Administrator" else user.email


def doctype_or_404(name: Any) -> registry.ApiDocType:
    if not name or not isinstance(name, str):
        raise errors.ValidationError("Parameter 'doctype' is required")
    doctype = registry.get(name)
    if doctype is None:
        raise errors.DoesNotExistError(f"DocType {name} not found")
    return doctype


def _decode(value: Any, name: str) -> Any:
    return json_arg({name: value}, name)


# -- session -------------------------------------------------------------------------------
@whitelist("ping", methods=("GET", "POST"), allow_guest=True)
def ping() -> str:
    return "pong"


whitelist("frappe.ping", methods=("GET", "POST"), allow_guest=True)(ping)


@whitelist("login", methods=("POST",), allow_guest=True)
def login(request: HttpRequest, usr: Any = None, pwd: Any = None) -> HttpResponse:
    ratelimit.check("login", ratelimit.client_ip(request))
    if not usr or not pwd or not isinstance(usr, str) or not isinstance(pwd, str):
        exc = errors.AuthenticationError("Incomplete login details")
        exc.extra["message"] = "Incomplete login details"
        raise exc
    too_long = len(usr) > MAX_LOGIN_NAME or len(pwd) > 512  # as Frappe: at most 512 for pwd
    user = None if too_long else django_authenticate(request, username=usr, password=pwd)
    if user is None:
        exc = errors.AuthenticationError("Invalid login credentials")
        exc.extra["message"] = "Invalid login credentials"
        raise exc
    django_login(request, user)
    request.session[API_SESSION_FLAG] = True
    full_name = user.full_name or user.username
    response = json_response(
        {"message": "Logged In", "home_page": "/desk/", "full_name": full_name}
    )
    for key, value in (
        ("system_user", "yes"),
        ("full_name", full_name),
        ("user_id", api_name(user)),
        ("user_image", ""),
    ):
        response.set_cookie(key, value, samesite="Lax", secure=request.is_secure())
    return response


@whitelist("logout", methods=("GET", "POST"), allow_guest=True)
def logout(request: HttpRequest) -> dict[str, str]:
    django_logout(request)
    return {"message": "No App", "home_page": "/login", "full_name": "Guest"}


@whitelist("frappe.auth.get_logged_user", methods=("GET", "POST"))
def get_logged_user(user: Any) -> str:
    return api_name(user)


@whitelist("frappe.core.doctype.user.user.generate_keys", methods=_WRITE)
def generate_keys(user: Any, request: HttpRequest) -> dict[str, str]:
    # Frappe's parameter is also called `user`; the injected `user` is the caller.
    target_name = request_args(request).get("user") or api_name(user)
    users = registry.get("User")
    assert users is not None
    target = users.queryset.filter(documents.name_q(users, str(target_name))).first()
    if target is None:
        raise errors.DoesNotExistError(f"User {target_name} not found")
    if target.pk != user.pk and role_of(user) is not Role.ADMIN:
        raise errors.PermissionError("Only an Admin may make API keys for other users")
    key, secret = ApiKey.generate(target)
    return {"api_key": key, "api_secret": secret}


# -- frappe.client ---------------------------------------------------------------------------
def _is_doctype_list(doctype: Any) -> bool:
    return isinstance(doctype, str) and doctype.strip().lower() == "doctype"


@whitelist("frappe.client.get_list", methods=("GET", "POST"))
def get_list(user: Any, doctype: Any = None, **kwargs: Any) -> list[Any]:
    if _is_doctype_list(doctype):
        return doctype_list.get_list(user, kwargs)
    return query.get_list(doctype_or_404(doctype), user, kwargs, default_limit=20)


@whitelist("frappe.client.get_count", methods=("GET", "POST"))
def get_count(user: Any, doctype: Any = None, **kwargs: Any) -> int:
    if _is_doctype_list(doctype):
        return len(doctype_list.filtered(user, kwargs))
    return query.filtered(doctype_or_404(doctype), user, kwargs).count()


@whitelist("frappe.client.get_single_value", methods=("GET", "POST"))
def get_single_value(user: Any, doctype: Any = None, field: Any = None) -> Any:
    name = singles.canonical(str(doctype or ""))
    if name is None:
        if registry.get(str(doctype or "")) is not None:
            raise errors.ValidationError(f"{doctype} is not a Single DocType")
        raise errors.DoesNotExistError(f"DocType {doctype} not found")
    if not field or not isinstance(field, str):
        raise errors.ValidationError("Parameter 'field' is required")
    if field not in singles.fields(name):
        raise errors.ValidationError(f"Field {field} does not exist on {name}")
    return singles.get_doc(user, name).get(field)


def _first_name(dt: registry.ApiDocType, user: Any, filters: Any) -> str | None:
    rows = query.get_list(dt, user, {"filters": filters, "fields": ["name"], "limit": 1})
    return rows[0]["name"] if rows else None


def _name_or_filters(raw: Any) -> tuple[str | None, Any]:
    """`filters` may be a document name (plain text) or JSON filters."""
    if raw is None or raw == "":
        return None, None
    if isinstance(raw, str):
        try:
            decoded = json.loads(raw)
        except ValueError:
            return raw, None
        if isinstance(decoded, str | int):
            return str(decoded), None
        return None, decoded
    return None, raw


@whitelist("frappe.client.get", methods=("GET", "POST"))
def get(user: Any, doctype: Any = None, name: Any = None, filters: Any = None) -> dict[str, Any]:
    dt = doctype_or_404(doctype)
    if not name:
        name, decoded = _name_or_filters(filters)
        if name is None and decoded is not None:
            name = _first_name(dt, user, decoded)
        if name is None:
            raise errors.DoesNotExistError(f"{dt.name} not found")
    return documents.get_doc(dt, user, str(name))


@whitelist("frappe.client.get_value", methods=("GET", "POST"))
def get_value(
    user: Any, doctype: Any = None, fieldname: Any = None, filters: Any = None, as_dict: Any = True
) -> Any:
    dt = doctype_or_404(doctype)
    if not fieldname:
        raise errors.ValidationError("Parameter 'fieldname' is required")
    fields = fieldname
    if isinstance(fieldname, str):
        fields = (
            _decode(fieldname, "fieldname") if fieldname.lstrip().startswith("[") else [fieldname]
        )
    if not isinstance(fields, list):
        raise errors.ValidationError("Parameter 'fieldname' must be a field or a JSON list")
    name, decoded = _name_or_filters(filters)
    flt: Any = [["name", "=", name]] if name is not None else decoded
    args = {"filters": flt, "fields": fields, "limit": 1, "as_dict": as_dict}
    rows = query.get_list(dt, user, args)
    if not rows:
        return {}
    return rows[0]


@whitelist("frappe.client.set_value", methods=_WRITE)
def set_value(
    user: Any, doctype: Any = None, name: Any = None, fieldname: Any = None, value: Any = None
) -> dict[str, Any]:
    dt = doctype_or_404(doctype)
    if not name or not fieldname:
        raise errors.ValidationError("Parameters 'name' and 'fieldname' are required")
    if isinstance(fieldname, str) and fieldname.lstrip().startswith("{"):
        fieldname = _decode(fieldname, "fieldname")
    data = fieldname if isinstance(fieldname, dict) else {str(fieldname): value}
    if any(k in registry.STANDARD_FIELDS or k in registry.CHILD_STANDARD for k in data):
        raise errors.ValidationError("Cannot edit standard fields")
    return documents.update(dt, user, str(name), data)


def doc_arg(doc: Any, name: str = "doc") -> dict[str, Any]:
    if isinstance(doc, str):
        doc = _decode(doc, name)
    if not isinstance(doc, dict):
        raise errors.ValidationError(f"Parameter '{name}' must be a JSON object")
    return doc


def _insert_one(user: Any, doc: dict[str, Any]) -> dict[str, Any]:
    if doc.get("parenttype") and doc.get("parent") and doc.get("parentfield"):
        parent_dt = doctype_or_404(doc["parenttype"])
        table = parent_dt.tables.get(str(doc["parentfield"]))
        if table is None:
            raise errors.ValidationError(f"{parent_dt.name} has no table {doc['parentfield']}")
        parent = documents.get_doc(parent_dt, user, str(doc["parent"]))
        rows = [*parent.get(table.fieldname, []), doc]
        return documents.update(parent_dt, user, str(doc["parent"]), {table.fieldname: rows})
    return documents.create(doctype_or_404(doc.get("doctype")), user, doc)


@whitelist("frappe.client.insert", methods=_WRITE)
def insert(user: Any, doc: Any = None) -> dict[str, Any]:
    return _insert_one(user, doc_arg(doc))


@whitelist("frappe.client.insert_many", methods=_WRITE)
def insert_many(user: Any, docs: Any = None) -> list[str]:
    if isinstance(docs, str):
        docs = _decode(docs, "docs")
    if not isinstance(docs, list):
        raise errors.ValidationError("Parameter 'docs' must be a JSON list")
    if len(docs) > MAX_INSERT_MANY:
        raise errors.ValidationError(f"Only {MAX_INSERT_MANY} inserts allowed in one request")
    return [str(_insert_one(user, doc_arg(d, "docs"))["name"]) for d in docs]


@whitelist("frappe.client.save", methods=_WRITE)
def save(user: Any, doc: Any = None) -> dict[str, Any]:
    data = doc_arg(doc)
    dt = doctype_or_404(data.get("doctype"))
    if not data.get("name"):
        raise errors.ValidationError("Parameter 'doc' needs a name to save")
    return documents.update(dt, user, str(data["name"]), data)


@whitelist("frappe.client.delete", methods=("POST", "DELETE"))
def delete(user: Any, doctype: Any = None, name: Any = None) -> None:
    if not name:
        raise errors.ValidationError("Parameter 'name' is required")
    documents.delete(doctype_or_404(doctype), user, str(name))


@whitelist("frappe.client.bulk_update", methods=_WRITE)
def bulk_update(user: Any, docs: Any = None) -> dict[str, Any]:
    if isinstance(docs, str):
        docs = _decode(docs, "docs")
    if not isinstance(docs, list):
        raise errors.ValidationError("Parameter 'docs' must be a JSON list")
    failed = []
    for raw in docs:
        doc = doc_arg(raw, "docs")
        data = {k: v for k, v in doc.items() if k not in ("doctype", "docname")}
        try:
            with transaction.atomic():
                documents.update(
                    doctype_or_404(doc.get("doctype")), user, str(doc.get("docname")), data
                )
        except errors.ApiError as exc:
            failed.append({"doc": doc, "exc": exc.message or exc.exc_type})
    return {"failed_docs": failed}


@whitelist("frappe.desk.form.load.getdoctype", methods=("GET",))
def getdoctype(user: Any, doctype: Any = None) -> HttpResponse:
    dt = doctype_or_404(doctype)
    meta = doctype_meta(dt.name)
    return json_response({"docs": [meta]})


# -- document methods ------------------------------------------------------------------------
@doc_method("Task", "complete", methods=("POST",))
def complete_task(doc: Any, user: Any, force: Any = 0) -> None:
    with acting_as(user):
        try:
            doc.complete(by=user, force=str(force).lower() in ("1", "true", "yes"))
        except Exception as exc:
            from django.core.exceptions import ValidationError as DjangoValidationError

            if isinstance(exc, DjangoValidationError):
                raise errors.ValidationError(" ".join(exc.messages)) from None
            raise
