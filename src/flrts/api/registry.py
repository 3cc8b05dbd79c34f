"""The DocType registry as the API sees it: every exposed DocType, its fields and child tables.

Built once per process from the models (Document subclasses with a `doctype`, plus User) and
cached, so no request rebuilds meta. Field types follow Frappe's names (Data, Select, Link, Date,
Datetime, Check, Int, Float, Text, JSON, Table, Table MultiSelect).

- Link fields carry the linked document's *name* (a Task's `site` is the site's name; a user link
  is the user's email, or "Administrator").
- Child tables: reverse foreign keys listed in CHILD_TABLES (list items, shares, readings) are
  `Table` fields; many-to-many fields (recipients, contractor sites, follow-up tasks) are
  `Table MultiSelect` fields whose rows hold one link. Sub-tasks are not a child table: as in
  ERPNext they are Tasks whose `parent_task` links the parent.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from flrts.core.doctypes import all_doctypes
from flrts.people.models import login_q

STANDARD_FIELDS = ("name", "owner", "creation", "modified", "modified_by", "docstatus", "idx")
CHILD_STANDARD = ("parent", "parentfield", "parenttype")

# parent doctype -> [(related_name, child doctype name)]
CHILD_TABLES: dict[str, list[tuple[str, str]]] = {
    "Field Report": [("readings", "Field Report Reading")],
    "FLRTS List": [("items", "FLRTS List Item"), ("shares", "FLRTS List Share")],
}

# Fields never exposed, per model label.
HIDDEN: dict[str, set[str]] = {
    "people.user": {"password", "is_staff", "groups", "user_permissions", "id"},
}
# User fields only Admins may set (password is write-only). A Telegram link is set by an Admin or
# proven by its holder with a one-time code (flrts.bot.linking), never typed in by others.
ADMIN_ONLY_USER_FIELDS = frozenset(
    {"role", "is_active", "is_superuser", "password", "telegram_user_id", "telegram_chat_id"}
)
# The login identity: given when a person is created, changed afterwards only by an Admin.
ADMIN_ONLY_CHANGE_USER_FIELDS = frozenset({"email", "username"})


@dataclass(frozen=True)
class LinkTarget:
    doctype: str
    model: type[models.Model]
    name_column: str  # column compared by like/>/< filters
    value_columns: tuple[str, ...]  # what to read to build the name
    to_name: Callable[..., Any]

    def resolve_q(self, value: str) -> models.Q:
        if self.doctype == "User":
            return login_q(value)
        return models.Q(name=value)


@dataclass(eq=False)
class ApiField:
    fieldname: str
    label: str
    fieldtype: str
    options: str = ""
    reqd: bool = False
    read_only: bool = False
    path: str = ""  # ORM path for filters and ordering
    attname: str = ""  # model attribute written on save
    link: LinkTarget | None = None
    model_field: models.Field | None = None  # type: ignore[type-arg]
    choices: tuple[str, ...] = ()
    text: bool = False  # a character column (is set / not set compare with "")
    nullable: bool = False

    def meta(self, idx: int) -> dict[str, Any]:
        return {
            "fieldname": self.fieldname,
            "label": self.label,
            "fieldtype": self.fieldtype,
            "options": self.options or None,
            "reqd": int(self.reqd),
            "read_only": int(self.read_only),
            "idx": idx,
        }


@dataclass(eq=False)
class ChildTable:
    fieldname: str
    label: str
    doctype: str  # the child DocType name
    fieldtype: str  # Table or Table MultiSelect
    model: type[models.Model] | None  # the row model (None for many-to-many)
    fk: str = ""  # the row model's foreign key to the parent
    fields: dict[str, ApiField] = field(default_factory=dict)
    m2m_link: LinkTarget | None = None  # Table MultiSelect: the linked DocType
    m2m_row_field: str = ""  # Table MultiSelect: the fieldname in each row
    has_idx: bool = False  # the row model stores its position

    @property
    def order(self) -> tuple[str, ...]:
        return ("idx", "pk") if self.has_idx else ("pk",)


@dataclass(eq=False)
class ApiDocType:
    name: str
    model: type[models.Model]
    fields: dict[str, ApiField]
    tables: dict[str, ChildTable]
    is_user: bool = False
    is_child: bool = False
    parent: str = ""
    title_field: str = ""
    default_order: tuple[str, ...] = ("-modified",)
    is_tree: bool = False
    is_submittable: bool = False

    @property
    def queryset(self) -> models.QuerySet[Any]:
        return self.model._default_manager.all()

    def get_field(self, fieldname: str) -> ApiField | None:
        return self.fields.get(fieldname)


def _label(f: models.Field) -> str:  # type: ignore[type-arg]
    verbose = str(getattr(f, "verbose_name", "") or f.name)
    return verbose[:1].upper() + verbose[1:] if verbose else f.name


def _fieldtype(f: models.Field) -> str:  # type: ignore[type-arg]
    if isinstance(f, models.ForeignKey):
        return "Link"
    if f.choices:
        return "Select"
    if isinstance(f, models.BooleanField):
        return "Check"
    if isinstance(f, models.DateTimeField):
        return "Datetime"
    if isinstance(f, models.DateField):
        return "Date"
    if isinstance(f, models.TimeField):
        return "Time"
    if isinstance(f, models.IntegerField):
        return "Int"
    if isinstance(f, models.FloatField | models.DecimalField):
        return "Float"
    if isinstance(f, models.JSONField):
        return "JSON"
    if isinstance(f, models.FileField):
        return "Attach"
    if isinstance(f, models.TextField):
        return "Text"
    return "Data"


def link_target(model: type[models.Model]) -> LinkTarget:
    user_model = get_user_model()
    if model is user_model:
        return LinkTarget(
            doctype="User",
            model=model,
            name_column="email",
            value_columns=("username", "email"),
            to_name=lambda username, email: (
                "Administrator" if username == "Administrator" else email
            ),
        )
    doctype = getattr(model, "doctype", "") or model.__name__
    return LinkTarget(doctype, model, "name", ("name",), lambda name: name)


def make_field(f: models.Field, read_only: bool = False) -> ApiField:  # type: ignore[type-arg]
    fieldtype = _fieldtype(f)
    link = link_target(f.related_model) if isinstance(f, models.ForeignKey) else None  # type: ignore[arg-type]
    has_default = (
        f.has_default() or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    )
    reqd = not f.blank and not f.null and not has_default and not read_only and f.editable
    options = ""
    choices: tuple[str, ...] = ()
    if f.choices:
        choices = tuple(str(c[0]) for c in f.choices)  # type: ignore[union-attr]
        options = "\n".join(choices)
    elif link:
        options = link.doctype
    elif isinstance(f, models.EmailField):
        options = "Email"
    return ApiField(
        fieldname=f.name,
        label=_label(f),
        fieldtype=fieldtype,
        options=options,
        reqd=reqd,
        read_only=read_only or not f.editable,
        path=f"{f.name}__{link.name_column}" if link else f.name,
        attname=f.attname,
        link=link,
        model_field=f,
        choices=choices,
        text=isinstance(f, models.CharField | models.TextField) and not choices,
        nullable=f.null,
    )


def _standard_fields(model: type[models.Model]) -> dict[str, ApiField]:
    out: dict[str, ApiField] = {}
    for fname in STANDARD_FIELDS:
        f = model._meta.get_field(fname)
        api_field = make_field(f, read_only=True)  # type: ignore[arg-type]
        api_field.reqd = False
        if fname == "name":
            api_field.label = "ID"
        out[fname] = api_field
    return out


def _plain_fields(model: type[models.Model], skip: set[str]) -> dict[str, ApiField]:
    out: dict[str, ApiField] = {}
    hidden = HIDDEN.get(model._meta.label_lower, set())
    for f in model._meta.concrete_fields:
        if f.name in skip or f.name in hidden or f.primary_key:
            continue
        out[f.name] = make_field(f)
    return out


def _child_table(parent: type[models.Model], related_name: str, doctype: str) -> ChildTable:
    relation = parent._meta.get_field(related_name)
    child_model = relation.related_model  # type: ignore[union-attr]
    fk = relation.field.name  # type: ignore[union-attr]
    fields = _plain_fields(child_model, {fk, "idx"})  # type: ignore[arg-type]
    return ChildTable(
        fieldname=related_name,
        label=related_name.replace("_", " ").capitalize(),
        doctype=doctype,
        fieldtype="Table",
        model=child_model,  # type: ignore[arg-type]
        fk=fk,
        fields=fields,
        has_idx=any(f.name == "idx" for f in child_model._meta.concrete_fields),  # type: ignore[union-attr]
    )


def _m2m_table(parent_doctype: str, f: models.ManyToManyField) -> ChildTable:  # type: ignore[type-arg]
    target = link_target(f.related_model)  # type: ignore[arg-type]
    row_field = target.doctype.lower().replace(" ", "_")
    row = ApiField(
        fieldname=row_field,
        label=target.doctype,
        fieldtype="Link",
        options=target.doctype,
        reqd=True,
        link=target,
        path=f"{f.name}__{target.name_column}",
        attname=f.name,
    )
    return ChildTable(
        fieldname=f.name,
        label=_label(f),
        doctype=f"{parent_doctype} {_label(f)}",
        fieldtype="Table MultiSelect",
        model=None,
        fields={row_field: row},
        m2m_link=target,
        m2m_row_field=row_field,
    )


def _build_document(doctype: str, model: type[models.Model]) -> ApiDocType:
    fields = _standard_fields(model)
    fields.update(_plain_fields(model, set(STANDARD_FIELDS)))
    fields["archived"].read_only = True
    tables: dict[str, ChildTable] = {}
    for related_name, child_doctype in CHILD_TABLES.get(doctype, []):
        tables[related_name] = _child_table(model, related_name, child_doctype)
    for m2m in model._meta.many_to_many:
        tables[m2m.name] = _m2m_table(doctype, m2m)  # type: ignore[arg-type]
    return ApiDocType(
        name=doctype,
        model=model,
        fields=fields,
        tables=tables,
        title_field=getattr(model, "title_field", ""),
        is_tree=any(f == "parent_task" for f in fields),
        is_submittable=bool(getattr(model, "is_submittable", False)),
    )


def _build_user(model: type[models.Model]) -> ApiDocType:
    fields: dict[str, ApiField] = {
        "name": ApiField(
            fieldname="name",
            label="ID",
            fieldtype="Data",
            read_only=True,
            path="email",
            text=True,
        )
    }
    fields.update(_plain_fields(model, set()))
    for fname in ("is_superuser", "last_login", "date_joined"):
        if fname in fields:
            fields[fname].read_only = True
    fields["username"].reqd = False  # defaults to the email
    return ApiDocType(
        name="User",
        model=model,
        fields=fields,
        tables={},
        is_user=True,
        title_field="full_name",
        default_order=("full_name", "username"),
    )


@functools.cache
def registry() -> dict[str, ApiDocType]:
    out: dict[str, ApiDocType] = {"User": _build_user(get_user_model())}
    for doctype, model in sorted(all_doctypes().items()):
        out[doctype] = _build_document(doctype, model)
    return out


@functools.cache
def child_doctypes() -> dict[str, tuple[ApiDocType, ChildTable]]:
    return {
        table.doctype: (parent, table)
        for parent in registry().values()
        for table in parent.tables.values()
    }


@functools.cache
def _by_lower() -> dict[str, str]:
    names = [*registry(), *child_doctypes()]
    return {name.lower(): name for name in names}


def canonical_name(name: str) -> str | None:
    """Case-insensitive; spaces, %20 or underscores: 'field report' == 'Field_Report'."""
    wanted = name.replace("%20", " ").replace("_", " ").replace("+", " ").strip().lower()
    return _by_lower().get(wanted)


def get(name: str) -> ApiDocType | None:
    canonical = canonical_name(name)
    return registry().get(canonical) if canonical else None
