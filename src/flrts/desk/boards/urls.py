"""The boards' routes, mounted inside the desk (login and the desk's permission check)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern


def urls(wrap: Callable[[Any], Any]) -> list[URLPattern]:
    return []
