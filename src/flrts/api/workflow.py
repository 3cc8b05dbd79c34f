"""frappe.client's document life-cycle methods: submit, cancel, rename_doc, amend.

The docstatus rules themselves are the document layer's (flrts.core.docstatus); here they are
reached the ways Frappe clients reach them:
- `frappe.client.submit(doc)`: the document (JSON) is saved with its values, then submitted.
  frappe-client sends it as `doclist` (an old Frappe name); that is read too.
- `frappe.client.cancel(doctype, name)`; `frappe.client.rename_doc(doctype, old_name,
  new_name, merge=0)` answers the new name (merging two documents is refused);
  `frappe.client.is_document_amended(doctype, docname)`.
- `POST /api/resource/<DocType>/<name>` with `run_method=submit|cancel|amend`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from flrts.api import documents, errors
from flrts.api.args import bool_arg
from flrts.api.client import doc_arg, doctype_or_404
from flrts.api.methods import doc_method, whitelist
from flrts.core.context import acting_as
from flrts.core.docstatus import DocStatus
from flrts.core.permissions import Action

_WRITE = ("POST", "PUT")


def _submittable(doctype: Any) -> Any:
    dt = doctype_or_404(doctype)
    if not dt.is_submittable:
        raise errors.ValidationError(f"{dt.name} is not submittable")
    return dt


@whitelist("frappe.client.submit", methods=_WRITE)
def submit(user: Any, doc: Any = None, doclist: Any = None) -> dict[str, Any]:
    data = doc_arg(doc if doc is not None else doclist)
    dt = _submittable(data.get("doctype"))
    name = data.get("name")
    if not name:
        raise errors.ValidationError("Parameter 'doc' needs a name to submit")
    values = {k: v for k, v in data.items() if k != "docstatus"}
    with transaction.atomic():
        documents.update(dt, user, str(name), values)
        return documents.set_docstatus(dt, user, str(name), DocStatus.SUBMITTED)


@whitelist("frappe.client.cancel", methods=_WRITE)
def cancel(user: Any, doctype: Any = None, name: Any = None) -> dict[str, Any]:
    if not name:
        raise errors.ValidationError("Parameter 'name' is required")
    return documents.set_docstatus(_submittable(doctype), user, str(name), DocStatus.CANCELLED)


@whitelist("frappe.client.rename_doc", methods=_WRITE)
def rename_doc(
    user: Any, doctype: Any = None, old_name: Any = None, new_name: Any = None, merge: Any = 0
) -> str:
    dt = doctype_or_404(doctype)
    if not old_name or not new_name or not isinstance(new_name, str | int):
        raise errors.ValidationError("Parameters 'old_name' and 'new_name' are required")
    if bool_arg({"merge": merge}, "merge", False):
        raise errors.ValidationError("Merging documents is not supported by FLRTS")
    if dt.is_user:
        raise errors.ValidationError("A User is renamed by changing its email")
    with transaction.atomic(), acting_as(user):
        instance = documents.load(dt, user, str(old_name), Action.WRITE, lock=True)
        try:
            instance.rename(str(new_name))
        except DjangoValidationError as exc:
            raise documents.convert(exc, dt) from None
        return str(instance.name)


@whitelist("frappe.client.is_document_amended", methods=("GET", "POST"))
def is_document_amended(user: Any, doctype: Any = None, docname: Any = None) -> bool:
    dt = doctype_or_404(doctype)
    if not dt.is_submittable or not docname:
        return False
    source = documents.load(dt, user, str(docname), Action.READ)
    return bool(dt.queryset.filter(amended_from=source).exists())


@doc_method("Field Report", "submit", methods=("POST",))
def submit_report(doc: Any, user: Any) -> dict[str, Any]:
    return documents.set_docstatus(_submittable("Field Report"), user, doc.name, 1)


@doc_method("Field Report", "cancel", methods=("POST",))
def cancel_report(doc: Any, user: Any) -> dict[str, Any]:
    return documents.set_docstatus(_submittable("Field Report"), user, doc.name, 2)


@doc_method("Field Report", "amend", methods=("POST",))
def amend_report(doc: Any, user: Any) -> dict[str, Any]:
    return documents.amend(_submittable("Field Report"), user, doc.name)
