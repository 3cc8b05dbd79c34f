"""Request arguments the way Frappe reads them.

A JSON body (object) is merged with the query string (query wins, as in Frappe's
`make_form_dict`); a JSON list body becomes `data`; form-encoded bodies (`data=<json>`, `cmd=`,
`usr`/`pwd`) are read for POST, PUT, PATCH and DELETE alike. Values that Frappe JSON-decodes
(`fields`, `filters`, `data`, ...) go through `json_arg`, which names the parameter on bad JSON.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParserError

from flrts.api.errors import ValidationError
from flrts.core.text import unstorable

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _flat(qd: QueryDict) -> dict[str, Any]:
    return {key: qd[key] for key in qd}  # the last value of a repeated key, as Werkzeug


def json_body(request: HttpRequest) -> Any:
    """The parsed JSON body, or None when the request has no JSON body."""
    cached = getattr(request, "_flrts_json", ...)
    if cached is not ...:
        return cached
    value = None
    if request.method in _BODY_METHODS and request.content_type == "application/json":
        raw = request.body
        if raw.strip():
            try:
                value = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as exc:
                raise ValidationError(f"Request body is not valid JSON: {exc}") from None
            except RecursionError:
                raise ValidationError("Request body is nested too deeply") from None
    request._flrts_json = value  # type: ignore[attr-defined]
    return value


def request_args(request: HttpRequest) -> dict[str, Any]:
    cached = getattr(request, "_flrts_args", None)
    if cached is not None:
        return cached
    args: dict[str, Any] = {}
    if request.method in _BODY_METHODS:
        body = json_body(request)
        if isinstance(body, dict):
            args.update(body)
        elif isinstance(body, list):
            args["data"] = body
        elif body is not None:
            raise ValidationError("Request body must be a JSON object or list")
        elif request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            args.update(_flat(_form(request)))
    args.update(_flat(request.GET))
    args.pop("_", None)
    if problem := unstorable(args, "the request"):
        raise ValidationError(f"Cannot store this request: {problem}")
    request._flrts_args = args  # type: ignore[attr-defined]
    return args


def _form(request: HttpRequest) -> QueryDict:
    try:
        return request.POST if request.method == "POST" else QueryDict(request.body)
    except MultiPartParserError as exc:  # e.g. multipart/form-data without a boundary
        raise ValidationError(f"Request body is not valid {request.content_type}: {exc}") from None


def json_arg(args: dict[str, Any], name: str, default: Any = None) -> Any:
    """A parameter that may arrive as JSON text (query/form) or already decoded (JSON body)."""
    value = args.get(name)
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        return value
    try:
        decoded = json.loads(value)
    except ValueError as exc:
        raise ValidationError(f"Parameter '{name}' is not valid JSON: {exc}") from None
    except RecursionError:
        raise ValidationError(f"Parameter '{name}' is nested too deeply") from None
    # `"\ud800"` is valid JSON and decodes to text no database can store
    if problem := unstorable(decoded, f"parameter '{name}'"):
        raise ValidationError(f"Cannot use this request: {problem}")
    return decoded


def int_arg(args: dict[str, Any], name: str, default: int | None) -> int | None:
    value = args.get(name)
    if value is None or value == "" or value == "None" or value == "null":
        return default
    if isinstance(value, bool):
        return int(value)
    try:
        number = int(float(value)) if isinstance(value, str) and "." in value else int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: "1e400" is infinite
        raise ValidationError(f"Parameter '{name}' must be a whole number, got {value!r}") from None
    if number < 0:
        raise ValidationError(f"Parameter '{name}' must not be negative")
    return number


def bool_arg(args: dict[str, Any], name: str, default: bool) -> bool:
    """Frappe's sbool: 0/1, true/false, yes/no."""
    value = args.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValidationError(f"Parameter '{name}' must be true or false, got {value!r}")


def doc_data(args: dict[str, Any], request: HttpRequest) -> dict[str, Any]:
    """The document in a create/update: form field `data=<json>`, else the JSON body itself."""
    if "data" in args:
        data = json_arg(args, "data", {})
    else:
        data = json_body(request)
        if data is None:
            data = {k: v for k, v in args.items() if k not in ("cmd",)}
    if not isinstance(data, dict):
        raise ValidationError("The document must be a JSON object")
    return data
