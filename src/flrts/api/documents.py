"""Reading and writing one document: permissions, typed values, child tables, Frappe errors.

Writes go through the model's own `save()` inside `acting_as(user)` (owner, modified_by and the
version history are the foundation's), after `full_clean()`; Django validation errors become 417
bodies naming the field. Keys that are not writable fields (standard fields, `doctype`, unknown
names) are ignored, as Frappe ignores them, so a document read with GET can be sent back as is.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, Q

from flrts.api import errors, prepared
from flrts.api.registry import (
    ADMIN_ONLY_CHANGE_USER_FIELDS,
    ADMIN_ONLY_USER_FIELDS,
    ApiDocType,
    ApiField,
    ChildTable,
    LinkTarget,
)
from flrts.api.serialize import document, fmt_datetime, from_row, read_row
from flrts.api.values import scalar
from flrts.core import docstatus
from flrts.core.context import acting_as
from flrts.core.permissions import Action, can, readable, role_of
from flrts.core.roles import Role
from flrts.people.models import login_q, normalize_email, normalize_username

_MISSING = ("blank", "null", "required")


def name_q(doctype: ApiDocType, name: str) -> Q:
    if doctype.is_user:
        return login_q(name)
    return Q(name=name)


def _live(doctype: ApiDocType) -> models.QuerySet[Any]:
    qs = doctype.queryset
    return qs.filter(archived=False) if "archived" in doctype.fields else qs


def not_found(doctype: ApiDocType, name: str) -> errors.DoesNotExistError:
    return errors.DoesNotExistError(f"{doctype.name} {name} not found")


def get_doc(doctype: ApiDocType, user: Any, name: str) -> dict[str, Any]:
    if not can(user, Action.READ, doctype.model):
        raise errors.PermissionError(f"No permission for {doctype.name}")
    if doctype.is_user:  # a name is an email (any case) or a username: the ORM path
        qs = _live(doctype).filter(name_q(doctype, name))
        doc = document(doctype, readable(user, qs))
        if doc is None:
            if qs.exists():
                raise errors.PermissionError(f"No permission to read {doctype.name} {name}")
            raise not_found(doctype, name)
        return doc
    row = read_row(doctype, "name", name, live=True)
    if row is None:
        raise not_found(doctype, name)
    everything = doctype.queryset
    allowed = readable(user, everything)
    # readable() hands back the queryset itself when the user may read every row
    if allowed is not everything and not allowed.filter(pk=row[-1]).exists():
        raise errors.PermissionError(f"No permission to read {doctype.name} {name}")
    return from_row(doctype, row)


def load(doctype: ApiDocType, user: Any, name: str, action: Action, lock: bool = False) -> Any:
    qs = _live(doctype).filter(name_q(doctype, name))
    if lock:
        qs = qs.select_for_update()
    instance = qs.first()
    if instance is None:
        raise not_found(doctype, name)
    if not can(user, action, instance):
        raise errors.PermissionError(f"Not permitted to {action.value} {doctype.name} {name}")
    return instance


# -- values ------------------------------------------------------------------------------
def _resolve_link(api_field: ApiField, value: Any) -> Any:
    link = api_field.link
    assert link is not None
    if isinstance(value, dict):
        value = value.get("name")
    pk = _link_pk(link, str(value))
    if pk is None:
        raise errors.LinkValidationError(f"Could not find {api_field.label}: {value}")
    return pk


def _link_pk(link: LinkTarget, name: str) -> Any:
    manager = link.model._default_manager
    if link.doctype == "User":  # email in any case, or username: the ORM path
        return manager.filter(link.resolve_q(name)).values_list("pk", flat=True).first()

    def build() -> models.QuerySet[Any]:
        return manager.order_by("pk").filter(name=prepared.SLOT).values_list("pk")[:1]

    rows = prepared.prepared(("link-pk", link.doctype), build).rows(name)
    return rows[0][0] if rows else None


def set_value(instance: Any, api_field: ApiField, value: Any) -> bool:
    """Set one field from its API value; True when it is a link just found to exist."""
    if api_field.link is not None:
        pk = None if value in (None, "") else _resolve_link(api_field, value)
        setattr(instance, api_field.attname, pk)
        return pk is not None
    if api_field.choices:
        if value in (None, "") and api_field.nullable:
            setattr(instance, api_field.attname, None)
            return False
        if str(value) not in api_field.choices:
            allowed = ", ".join(f'"{c}"' for c in api_field.choices)
            raise errors.ValidationError(
                f'{api_field.label} cannot be "{value}". It should be one of {allowed}'
            )
        setattr(instance, api_field.attname, str(value))
        return False
    typed = scalar(api_field, value)
    if typed is None and api_field.text and not api_field.nullable:
        typed = ""
    setattr(instance, api_field.attname, typed)
    return False


def _label(doctype: ApiDocType, fields: dict[str, ApiField], fieldname: str) -> str:
    api_field = fields.get(fieldname)
    return api_field.label if api_field else fieldname.replace("_", " ").capitalize()


def convert(
    exc: DjangoValidationError, doctype: ApiDocType, fields: dict[str, ApiField] | None = None
) -> errors.ApiError:
    """The first problem of a Django ValidationError as Frappe's exception type."""
    fields = fields if fields is not None else doctype.fields
    if isinstance(exc, docstatus.DocstatusError):
        return docstatus_error(exc)
    if not hasattr(exc, "error_dict"):
        return errors.ValidationError(" ".join(exc.messages))
    for fieldname, problems in exc.error_dict.items():
        for problem in problems:
            message = " ".join(problem.messages)
            if fieldname == NON_FIELD_ERRORS:
                return errors.ValidationError(message)
            label = _label(doctype, fields, fieldname)
            if problem.code in _MISSING:
                return errors.MandatoryError(f"Error: Value missing for {doctype.name}: {label}")
            if problem.code in ("unique", "unique_together"):
                name_field = getattr(doctype.model, "name_field", "")
                if fieldname in ("name", name_field):
                    return errors.DuplicateEntryError(f"{doctype.name} {message}")
                return errors.UniqueValidationError(f"{label} ({fieldname}): {message}")
            return errors.ValidationError(f"{label} ({fieldname}): {message}")
    return errors.ValidationError(" ".join(exc.messages))


def docstatus_error(exc: docstatus.DocstatusError) -> errors.ApiError:
    kinds: dict[str, type[errors.ApiError]] = {
        "UpdateAfterSubmitError": errors.UpdateAfterSubmitError,
        "DocstatusTransitionError": errors.DocstatusTransitionError,
    }
    return kinds.get(exc.frappe_type, errors.ValidationError)(" ".join(exc.messages))


# -- writes ------------------------------------------------------------------------------
def _is_admin(user: Any) -> bool:
    return role_of(user) is Role.ADMIN


def _apply(doctype: ApiDocType, instance: Any, data: dict[str, Any], user: Any) -> set[str]:
    """Write `data` onto `instance`; returns the link fields whose rows were just found."""
    admin = _is_admin(user)
    found: set[str] = set()
    for key, value in data.items():
        if key == "docstatus" and doctype.is_submittable:
            _apply_docstatus(doctype, instance, value, user)
            continue
        api_field = doctype.fields.get(key)
        if api_field is None or api_field.read_only:
            continue
        if doctype.is_user and not admin and _admin_only(instance, key):
            if _changes(instance, api_field, value):
                raise errors.PermissionError(f"Only an Admin may change {api_field.label} ({key})")
            continue
        if set_value(instance, api_field, value) and _checks_existence_only(api_field):
            found.add(api_field.fieldname)
    if doctype.is_user and data.get("password"):
        if not admin:
            raise errors.PermissionError("Only an Admin may set a password through the API")
        instance.set_password(str(data["password"]))
    return found


def _apply_docstatus(doctype: ApiDocType, instance: Any, value: Any, user: Any) -> None:
    """Saving with docstatus 1 submits, 2 cancels (Frappe's rule); the model checks the move."""
    try:
        wanted = docstatus.parse(value)
    except DjangoValidationError as exc:
        raise errors.ValidationError(" ".join(exc.messages)) from None
    current = instance.docstatus if not instance._state.adding else docstatus.DocStatus.DRAFT
    if wanted == current:
        return
    action = {1: Action.SUBMIT, 2: Action.CANCEL}.get(wanted)
    target = doctype.model if instance._state.adding else instance
    if action is not None and not can(user, action, target):
        raise errors.PermissionError(f"Not permitted to {action.value} {doctype.name}")
    instance.docstatus = wanted


def _admin_only(instance: Any, key: str) -> bool:
    if key in ADMIN_ONLY_USER_FIELDS:
        return True
    return key in ADMIN_ONLY_CHANGE_USER_FIELDS and not instance._state.adding


def _changes(instance: Any, api_field: ApiField, value: Any) -> bool:
    """Would writing `value` change the stored value (compared in the stored, normalised form)?"""
    probe = type(instance)()
    set_value(probe, api_field, value)
    before, after = getattr(instance, api_field.attname), getattr(probe, api_field.attname)
    if api_field.fieldname == "email":
        before, after = normalize_email(before), normalize_email(after)
    elif api_field.fieldname == "username":
        before, after = normalize_username(before), normalize_username(after)
    return bool(before != after)


def _checks_existence_only(api_field: ApiField) -> bool:
    """Is a foreign key's full_clean() nothing but "does the row exist"?

    Then a link the request has just looked up need not be looked up again. Not so when the
    key has validators or limit_choices_to, or is unique or in a constraint (excluding it from
    full_clean would skip those checks too).
    """
    f = api_field.model_field
    if not isinstance(f, models.ForeignKey) or f.unique or f.validators:
        return False
    if f.remote_field.limit_choices_to:
        return False
    meta = f.model._meta
    in_unique_together = any(f.name in group for group in meta.unique_together)
    return not in_unique_together and not meta.constraints


def _clean(
    doctype: ApiDocType,
    instance: Any,
    fields: dict[str, ApiField],
    found: AbstractSet[str] = frozenset(),
) -> None:
    exclude = {"name"} if instance._state.adding else set()
    exclude |= found  # links looked up in this request: validating them would look again
    try:
        instance.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        raise convert(exc, doctype, fields) from None


def _save(doctype: ApiDocType, instance: Any) -> None:
    try:
        instance.save()
    except DjangoValidationError as exc:
        raise convert(exc, doctype) from None
    except IntegrityError as exc:
        raise errors.UniqueValidationError(
            f"{doctype.name}: a unique value is already used ({exc.__class__.__name__})"
        ) from None


def _write_tables(doctype: ApiDocType, instance: Any, data: dict[str, Any], user: Any) -> None:
    for fieldname, table in doctype.tables.items():
        if fieldname in data:
            rows = data[fieldname]
            if rows is None:
                rows = []
            if not isinstance(rows, list):
                raise errors.ValidationError(f"{table.label} ({fieldname}) must be a list of rows")
            write_rows(doctype, table, instance, rows)


def write_rows(doctype: ApiDocType, table: ChildTable, parent: Any, rows: list[Any]) -> None:
    """Replace the child rows: rows with a known `name` are updated, others added, the rest go."""
    if table.model is None:
        row_field = table.fields[table.m2m_row_field]
        pks = []
        for row in rows:
            value = row.get(table.m2m_row_field) if isinstance(row, dict) else row
            if value in (None, ""):
                raise errors.MandatoryError(
                    f"Error: Value missing for {table.doctype}: {row_field.label}"
                )
            pks.append(_resolve_link(row_field, value))
        manager = getattr(parent, table.fieldname)
        current = set(manager.values_list("pk", flat=True))
        wanted = list(dict.fromkeys(pks))
        stale = current - set(wanted)
        if stale:
            manager.remove(*stale)
        for pk in wanted:  # one by one: rows are read back in the order they were sent
            if pk not in current:
                manager.add(pk)
        return
    manager = table.model._default_manager
    existing = {str(o.pk): o for o in manager.filter(**{table.fk: parent})}
    keep: set[Any] = set()
    for idx, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise errors.ValidationError(f"Each row of {table.fieldname} must be an object")
        obj: Any = existing.get(str(row.get("name"))) or table.model(**{table.fk: parent})
        for key, value in row.items():
            api_field = table.fields.get(key)
            if api_field is not None and not api_field.read_only:
                set_value(obj, api_field, value)
        if table.has_idx:
            obj.idx = idx
        try:
            obj.full_clean(exclude=[table.fk])
        except DjangoValidationError as exc:
            child = ApiDocType(table.doctype, table.model, table.fields, {})
            raise convert(exc, child) from None
        obj.save()
        keep.add(obj.pk)
    gone = [pk for key, o in existing.items() if (pk := o.pk) not in keep]
    if gone:
        manager.filter(pk__in=gone).delete()


def _reload(doctype: ApiDocType, instance: Any) -> dict[str, Any]:
    row = read_row(doctype, "pk", instance.pk, live=False)
    assert row is not None
    return from_row(doctype, row)


def create(doctype: ApiDocType, user: Any, data: dict[str, Any]) -> dict[str, Any]:
    if doctype.is_child:
        raise errors.ValidationError(f"{doctype.name} is a child table; write it in its parent")
    if not can(user, Action.CREATE, doctype.model):
        raise errors.PermissionError(f"Not permitted to create {doctype.name}")
    with transaction.atomic(), acting_as(user):
        instance: Any = doctype.model()
        found = _apply(doctype, instance, data, user)
        if doctype.is_user:
            if not instance.username:
                instance.username = instance.email
            if not data.get("password"):
                instance.set_unusable_password()
        elif getattr(instance, "owner_id", 1) is None and user is not None:
            instance.owner = user
            owner = doctype.fields.get("owner")
            if owner is not None and _checks_existence_only(owner):
                found.add("owner")  # the caller was just authenticated: the row exists
        if doctype.is_submittable and data.get("amended_from"):
            _amends(doctype, instance, user, data["amended_from"])
        _clean(doctype, instance, doctype.fields, found)
        _save(doctype, instance)
        _write_tables(doctype, instance, data, user)
        return _reload(doctype, instance)


def _amends(doctype: ApiDocType, instance: Any, user: Any, source_name: Any) -> None:
    """A new document with `amended_from` is the amendment of that cancelled one, named
    `<name>-1` as in Frappe (the desk's Amend button copies the fields first)."""
    source = load(doctype, user, str(source_name), Action.READ)
    if source.docstatus != docstatus.DocStatus.CANCELLED:
        raise errors.DocstatusTransitionError(
            f"Only a cancelled document can be amended ({source.name})"
        )
    name = docstatus.amended_name(source)
    if doctype.queryset.filter(name=name).exists():
        raise errors.DuplicateEntryError(f"{doctype.name} {name} already exists")
    instance.amended_from = source
    instance.name = name
    instance.docstatus = docstatus.DocStatus.DRAFT


def amend(doctype: ApiDocType, user: Any, name: str) -> dict[str, Any]:
    """Copy the cancelled document `name` into a new draft (fields, rows and links)."""
    if not can(user, Action.CREATE, doctype.model):
        raise errors.PermissionError(f"Not permitted to create {doctype.name}")
    with transaction.atomic(), acting_as(user):
        source = load(doctype, user, name, Action.READ)
        try:
            new = docstatus.make_amendment(source)
        except docstatus.DocstatusError as exc:
            raise docstatus_error(exc) from None
        return _reload(doctype, new)


def set_docstatus(doctype: ApiDocType, user: Any, name: str, wanted: int) -> dict[str, Any]:
    """Submit (1) or cancel (2) one document, permission-checked: frappe.client.submit/cancel."""
    action = Action.SUBMIT if wanted == docstatus.DocStatus.SUBMITTED else Action.CANCEL
    with transaction.atomic(), acting_as(user):
        instance = load(doctype, user, name, Action.READ, lock=True)
        if not can(user, action, instance):
            raise errors.PermissionError(f"Not permitted to {action.value} {doctype.name} {name}")
        move = docstatus.submit if action is Action.SUBMIT else docstatus.cancel
        try:
            move(instance)
        except DjangoValidationError as exc:
            raise convert(exc, doctype) from None
        return _reload(doctype, instance)


def update(doctype: ApiDocType, user: Any, name: str, data: dict[str, Any]) -> dict[str, Any]:
    with transaction.atomic(), acting_as(user):
        instance = load(doctype, user, name, Action.WRITE, lock=True)
        sent = data.get("modified")
        if sent and "modified" in doctype.fields and str(sent) != fmt_datetime(instance.modified):
            raise errors.TimestampMismatchError(
                "Error: Document has been modified after you have opened it "
                f"({sent}, {fmt_datetime(instance.modified)}). "
                "Please refresh to get the latest document."
            )
        if doctype.is_submittable and instance.docstatus != docstatus.DocStatus.DRAFT:
            _refuse_table_edits(doctype, _reload(doctype, instance), data)
        found = _apply(doctype, instance, data, user)
        _clean(doctype, instance, doctype.fields, found)
        _save(doctype, instance)
        _write_tables(doctype, instance, data, user)
        return _reload(doctype, instance)


def _refuse_table_edits(doctype: ApiDocType, current: dict[str, Any], data: dict[str, Any]) -> None:
    """Child rows of a submitted document are part of it: sending them back unchanged is fine
    (a GET body round-trips), changing them is UpdateAfterSubmitError."""
    for fieldname, table in doctype.tables.items():
        if fieldname in data and _rows_key(table, data[fieldname]) != _rows_key(
            table, current.get(fieldname)
        ):
            raise errors.UpdateAfterSubmitError(
                f"Not allowed to change {table.label} ({fieldname}) after submission"
            )


def _rows_key(table: ChildTable, rows: Any) -> list[tuple[str, ...]]:
    names = sorted(k for k, f in table.fields.items() if not f.read_only)
    out = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            row = {table.m2m_row_field: row}
        out.append(tuple(_comparable(row.get(name)) for name in names))
    return out


def _comparable(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(float(value))
    return str(value)


def delete(doctype: ApiDocType, user: Any, name: str, purge: bool = False) -> None:
    """Archive (the user-facing delete), or purge for Admins."""
    with transaction.atomic(), acting_as(user):
        if purge:
            instance = _purge_target(doctype, user, name)
            try:
                instance.delete()
            except ProtectedError as exc:
                linked = ", ".join(sorted({str(o) for o in exc.protected_objects})[:5])
                raise errors.LinkExistsError(
                    f"Cannot delete {doctype.name} {name}: it is linked with {linked}"
                ) from None
            return
        if doctype.is_user:
            if not _is_admin(user):
                raise errors.PermissionError("Only an Admin may disable a User")
            instance = load(doctype, user, name, Action.WRITE)
            if not instance.is_active:
                raise not_found(doctype, name)
            instance.is_active = False
            instance.save()
            return
        instance = load(doctype, user, name, Action.ARCHIVE)
        instance.archived = True
        _save(doctype, instance)


def _purge_target(doctype: ApiDocType, user: Any, name: str) -> Any:
    instance = doctype.queryset.filter(name_q(doctype, name)).first()  # archived ones too
    if instance is None:
        raise not_found(doctype, name)
    if not can(user, Action.PURGE, instance):
        raise errors.PermissionError(f"Only an Admin may purge {doctype.name} {name}")
    return instance
