"""`{% load flrts_display %}`: `{{ value|when }}` and `{{ status|pill }}` in any desk template."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from flrts.core import display

register = template.Library()


@register.filter
def when(value: Any) -> str:
    return display.when(value)


@register.filter
def pill(value: Any) -> SafeString:
    return display.pill(value)
