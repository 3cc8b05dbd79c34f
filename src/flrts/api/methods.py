"""The method registry: what `/api/method/<dotted.path>` (and the legacy `cmd=`) may call.

Other apps register their functions with the `whitelist` decorator::

    from flrts.api.methods import whitelist

    @whitelist("flrts.reports.daily_summary", methods=("GET",))
    def daily_summary(user, site=None, date=None):
        ...                      # return any JSON-able value; it is sent as {"message": value}

    @whitelist("flrts_extensions.telegram.webhook", methods=("POST",), allow_guest=True, raw=True)
    def webhook(request):
        ...                      # raw: gets the Django request, returns its own HttpResponse

Rules:
- `path` is the public name; keep Frappe's dotted style. Registering a path twice is an error.
- Normal methods are called with keyword arguments taken from the request (query string, form
  fields, or the JSON body), filtered to the function's parameters unless it takes `**kwargs`.
  Two names are injected when the function declares them: `user` (the caller, a User, or None
  for a guest) and `request` (the Django request). A missing required argument is a 417.
- The result goes under `"message"`; returning None gives `{}`; returning an HttpResponse sends
  it unchanged (for downloads).
- Raise `flrts.api.errors.*` (ValidationError 417, PermissionError 403, DoesNotExistError 404...)
  for expected failures; anything else is logged to the Error Log and answered with a clean 500.
- Non-guest methods need an authenticated caller (token, Basic or session); a guest gets 403.
  A disallowed HTTP method is a 403 "Not permitted", as in Frappe.
- Calls other than GET run in one database transaction; GETs should not write.
- raw=True methods are CSRF-exempt and skip authentication when allow_guest=True (they must
  check their own secret, as the Telegram webhook checks X-Telegram-Bot-Api-Secret-Token).
- Put the functions in `<your app>/methods.py` (imported automatically when the API app starts)
  or import their module from your AppConfig.ready().

Document methods (`POST /api/resource/<DocType>/<name>` with `run_method=...`) register with
`doc_method(doctype, name, methods=("POST",))`; the function gets `(doc, user, **args)` and the
caller needs write permission on the document (read permission for GET).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flrts.api.errors import ValidationError


@dataclass(frozen=True)
class Method:
    path: str
    func: Callable[..., Any]
    methods: frozenset[str]
    allow_guest: bool
    raw: bool
    params: frozenset[str]
    required: frozenset[str]
    takes_kwargs: bool

    def call(self, args: dict[str, Any], user: Any, request: Any) -> Any:
        if self.raw:
            return self.func(request)
        kwargs = dict(args) if self.takes_kwargs else {}
        if not self.takes_kwargs:
            for name in self.params:
                if name in args:
                    kwargs[name] = args[name]
        kwargs.pop("cmd", None)
        if "user" in self.params:
            kwargs["user"] = user
        if "request" in self.params:
            kwargs["request"] = request
        missing = sorted(self.required - set(kwargs))
        if missing:
            raise ValidationError(
                f"{self.path}() missing required argument(s): {', '.join(missing)}"
            )
        return self.func(**kwargs)


_METHODS: dict[str, Method] = {}
_DOC_METHODS: dict[tuple[str, str], Method] = {}


def _describe(
    path: str, func: Callable[..., Any], methods: Any, allow_guest: bool, raw: bool
) -> Method:
    signature = inspect.signature(func)
    params = frozenset(
        name
        for name, p in signature.parameters.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    )
    required = frozenset(
        name
        for name, p in signature.parameters.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.default is p.empty
    )
    takes_kwargs = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    return Method(
        path=path,
        func=func,
        methods=frozenset(m.upper() for m in methods),
        allow_guest=allow_guest,
        raw=raw,
        params=params,
        required=required,
        takes_kwargs=takes_kwargs,
    )


def whitelist(
    path: str,
    methods: tuple[str, ...] | list[str] = ("GET", "POST"),
    allow_guest: bool = False,
    raw: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        method = _describe(path, func, methods, allow_guest, raw)
        existing = _METHODS.get(path)
        if existing is not None and existing.func is not func:
            raise ValueError(f"API method {path!r} is already registered")
        _METHODS[path] = method
        return func

    return register


def doc_method(
    doctype: str, name: str, methods: tuple[str, ...] = ("POST",)
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        _DOC_METHODS[(doctype, name)] = _describe(name, func, methods, False, False)
        return func

    return register


def lookup(path: str) -> Method | None:
    return _METHODS.get(path)


def lookup_doc_method(doctype: str, name: str) -> Method | None:
    return _DOC_METHODS.get((doctype, name))


def registered() -> dict[str, Method]:
    return dict(_METHODS)


def unregister(path: str) -> None:
    """For tests that register throw-away methods."""
    _METHODS.pop(path, None)
