"""Django's JSON serializer, counting each object it writes (`flrts export`'s progress bar).
The file it writes is plain dumpdata JSON: `loaddata` reads it as `json`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.serializers import json as django_json

on_object: Callable[[], None] | None = None  # set by export_site while it runs


class Serializer(django_json.Serializer):
    def end_object(self, obj: Any) -> None:
        super().end_object(obj)
        if on_object is not None:
            on_object()


Deserializer = django_json.Deserializer
