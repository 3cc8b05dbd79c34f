"""The registry of DocTypes: every Document model by its Frappe-style name."""

from __future__ import annotations

from django.apps import apps

from flrts.core.models import Document


def all_doctypes() -> dict[str, type[Document]]:
    return {
        model.doctype: model
        for model in apps.get_models()
        if issubclass(model, Document) and model.doctype
    }


def get_doctype(name: str) -> type[Document] | None:
    """Case-insensitive; spaces, %20 or underscores: 'field report' == 'Field_Report'."""
    wanted = name.replace("_", " ").replace("%20", " ").strip().lower()
    for doctype, model in all_doctypes().items():
        if doctype.lower() == wanted:
            return model
    return None
