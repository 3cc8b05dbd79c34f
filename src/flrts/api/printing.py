"""Document PDFs as Frappe serves them: `frappe.utils.print_format.download_pdf`.

frappe-client's `get_pdf` calls the older path `frappe.templates.pages.print.download_pdf`,
which is registered too. The print is the document as the API reads it (every field that has a
value, child tables as tables), drawn by the reports' PDF writer; `format` and letterhead
arguments are accepted and ignored (FLRTS has one print format).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from flrts.api import documents
from flrts.api.client import doctype_or_404
from flrts.api.errors import ValidationError
from flrts.api.methods import whitelist
from flrts.core.pdf import html_to_pdf, unicode_font_dir

_SKIP = ("doctype", "docstatus", "idx", "archived")


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "" if value is None else str(value)


def print_html(doctype: Any, doc: dict[str, Any]) -> str:
    rows = []
    tables = []
    for key, value in doc.items():
        if key in _SKIP or value in (None, "", []):
            continue
        table = doctype.tables.get(key)
        if table is not None:
            columns = [c for c in table.fields if any(r.get(c) not in (None, "") for r in value)]
            tables.append(
                {
                    "label": table.label,
                    "columns": columns,
                    "rows": [[_cell(r.get(c)) for c in columns] for r in value],
                }
            )
            continue
        api_field = doctype.fields.get(key)
        rows.append((api_field.label if api_field else key, _cell(value)))
    return render_to_string(
        "api/print.html",
        {"doctype": doctype.name, "name": doc["name"], "rows": rows, "tables": tables},
    )


@whitelist("frappe.utils.print_format.download_pdf", methods=("GET", "POST"))
def download_pdf(user: Any, doctype: Any = None, name: Any = None) -> HttpResponse:
    dt = doctype_or_404(doctype)
    if not name or not isinstance(name, str):
        raise ValidationError("Parameter 'name' is required")
    doc = documents.get_doc(dt, user, name)
    content, _pages = html_to_pdf(
        print_html(dt, doc),
        title=f"{dt.name} {doc['name']}",
        font_dir=unicode_font_dir(settings.SITE.get("report_font_dir")),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{doc["name"]}.pdf"'
    return response


whitelist("frappe.templates.pages.print.download_pdf", methods=("GET", "POST"))(download_pdf)
