"""Jinja in a sandbox: webhook conditions (expressions), dynamic URLs and body templates.

Conditions are Jinja *expressions* (`SandboxedEnvironment.compile_expression`), not Python
`eval`: attribute access to anything unsafe (`__class__`, `mro`, function internals) raises
`SecurityError`, there are no builtins, imports or assignments. `doc` is the document as a
dict (its JSON), reachable as `doc.status` or `doc["status"]`; `frappe.utils` helpers do not
exist, but Jinja's tests and filters do (`doc.priority in ["High", "Urgent"]`,
`doc.subject | lower`, `doc.exp_end_date is none`).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_OUTPUT = 1024 * 1024  # a rendered body larger than this is refused


class TemplateProblem(Exception):
    """A condition, URL or body could not be evaluated; the message is safe to show."""


def _tojson(value: Any) -> str:
    return json.dumps(value, default=str)


@functools.cache
def env() -> ImmutableSandboxedEnvironment:
    environment = ImmutableSandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
    # Jinja's own tojson HTML-escapes (<, >, &, '): webhook bodies want plain JSON.
    environment.filters["tojson"] = _tojson
    environment.policies["json.dumps_function"] = _tojson
    return environment


def check_syntax(source: str, expression: bool = False) -> str:
    """'' when `source` compiles, else a one-line problem."""
    if not source or not source.strip():
        return ""
    try:
        if expression:
            env().compile_expression(source)
        else:
            env().from_string(source)
    except TemplateError as exc:
        return f"Template error: {exc}"
    return ""


def evaluate(condition: str, doc: dict[str, Any]) -> bool:
    if not condition.strip():
        return True
    try:
        return bool(env().compile_expression(condition, undefined_to_none=False)(doc=doc))
    except Exception as exc:  # a sandbox refusal, a missing field, a type error
        raise TemplateProblem(f"condition failed: {type(exc).__name__}: {exc}") from None


def render(source: str, doc: dict[str, Any], **extra: Any) -> str:
    try:
        out = env().from_string(source).render(doc=doc, **extra)
    except Exception as exc:
        raise TemplateProblem(f"template failed: {type(exc).__name__}: {exc}") from None
    if len(out) > MAX_OUTPUT:
        raise TemplateProblem(f"rendered text is larger than {MAX_OUTPUT} bytes")
    return out
