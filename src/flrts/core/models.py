"""The document base (Frappe's standard fields), naming series, version history and Error Log."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from flrts.core import docstatus as docstatus_rules
from flrts.core.context import acting_user
from flrts.core.docstatus import DocStatus
from flrts.core.naming import make_name

__all__ = ["DocStatus", "Document", "ErrorLog", "NamingSeries", "PermKind", "Version"]


class PermKind(models.TextChoices):
    """How the role matrix treats a DocType (see flrts.core.permissions)."""

    RECORD = "record"  # work records: tasks, reports, reminders, lists
    REFERENCE = "reference"  # sites, contractors, people: everyone reads, supervisors edit
    SYSTEM = "system"  # logs and jobs: supervisors read, admins act
    SETTINGS = "settings"  # admins only
    PREFERENCE = "preference"  # a person's own desk views; shared ones are kept by supervisors


class Document(models.Model):
    """Standard fields of every DocType and the save path that names and versions documents."""

    name = models.CharField(max_length=140, unique=True, blank=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    creation = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    modified = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    docstatus = models.SmallIntegerField(choices=DocStatus.choices, default=DocStatus.DRAFT)
    idx = models.IntegerField(default=0, editable=False)
    archived = models.BooleanField(default=False, db_index=True)

    doctype: ClassVar[str] = ""
    naming_series: ClassVar[str] = ""  # e.g. "TASK-.YYYY.-.#####"; empty: name_field is used
    name_field: ClassVar[str] = ""  # Frappe's autoname "field:<fieldname>"
    title_field: ClassVar[str] = ""
    track_changes: ClassVar[bool] = True
    perm_kind: ClassVar[str] = PermKind.RECORD
    # Submittable DocTypes (Frappe's is_submittable): see flrts.core.docstatus for the rules.
    is_submittable: ClassVar[bool] = False
    allow_on_submit: ClassVar[frozenset[str]] = frozenset()  # fields editable once submitted
    docstatus_derived: ClassVar[frozenset[str]] = frozenset()  # fields computed from docstatus

    _loaded_values: dict[str, Any]

    class Meta:
        abstract = True

    def __str__(self) -> str:
        title = getattr(self, self.title_field, "") if self.title_field else ""
        return f"{self.name}: {title}" if title and title != self.name else self.name

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance

    # -- hooks for subclasses -------------------------------------------------------------
    def validate(self) -> None:
        """Business rules checked on every save; raise django ValidationError."""

    # -- permission facts (the rules themselves live in flrts.core.permissions) ---------
    @classmethod
    def perm_scope(cls, user: Any) -> models.Q | None:
        """Rows a Worker or Viewer may read; None means all rows."""
        return None

    def perm_is_owner(self, user: Any) -> bool:
        return bool(user and self.owner_id == user.pk)

    def perm_is_editor(self, user: Any) -> bool:
        """May a Worker edit this document? Default: its owner."""
        return self.perm_is_owner(user)

    # -- save path ----------------------------------------------------------------------
    def autoname(self) -> str:
        if self.name_field:
            return str(getattr(self, self.name_field))
        if self.naming_series:
            return make_name(self.naming_series)
        raise NotImplementedError(f"{type(self).__name__} has no naming rule")

    def save(self, *args: Any, **kwargs: Any) -> None:
        user = acting_user()
        now = timezone.now()
        is_new = self._state.adding
        with transaction.atomic(using=kwargs.get("using")):
            self.validate()
            if is_new:
                if not self.name:
                    self.name = self.autoname()
                if self.owner_id is None and user is not None and user.pk:
                    self.owner = user
            elif self.name_field:
                self.name = str(getattr(self, self.name_field))
            self.modified = now
            if user is not None and user.pk:
                self.modified_by = user
            changes = [] if is_new else self._changes()
            before = None if is_new else getattr(self, "_loaded_values", None)
            if is_new or before is not None:
                docstatus_rules.check_save(self, before, [c[0] for c in changes])
            super().save(*args, **kwargs)
            if changes and self.track_changes:
                Version.objects.create(
                    ref_doctype=self.doctype,
                    docname=self.name,
                    data=json.loads(json.dumps({"changed": changes}, cls=DjangoJSONEncoder)),
                    owner=user if user is not None and user.pk else None,
                )
        self._loaded_values = {
            f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields
        }

    def rename(self, new_name: str) -> None:
        """Frappe's rename_doc: a new name (and name field), the history follows it.

        Links are foreign keys, so nothing else changes; a name in use is a unique error.
        """
        new_name = str(new_name).strip()
        if not new_name or len(new_name) > 140:
            raise ValidationError({"name": "A name of 1 to 140 characters is required"})
        if new_name == self.name:
            return
        manager = type(self)._default_manager
        if manager.filter(name=new_name).exclude(pk=self.pk).exists():
            raise ValidationError(
                {"name": ValidationError(f"{new_name} already exists", code="unique")}
            )
        old_name = self.name
        if self.name_field:
            setattr(self, self.name_field, new_name)
        self.name = new_name
        self.save()
        Version.objects.filter(ref_doctype=self.doctype, docname=old_name).update(docname=new_name)

    _untracked: ClassVar[frozenset[str]] = frozenset({"modified", "modified_by_id", "idx"})

    def _changes(self) -> list[list[Any]]:
        loaded = getattr(self, "_loaded_values", None)
        if not loaded:
            return []
        out = []
        for field in self._meta.concrete_fields:
            key = field.attname
            if key in self._untracked or key not in loaded:
                continue
            old, new = loaded[key], getattr(self, key)
            if old != new:
                out.append([field.name, old, new])
        return out


class NamingSeries(models.Model):
    prefix = models.CharField(max_length=100, primary_key=True)
    current = models.BigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "naming series"

    def __str__(self) -> str:
        return f"{self.prefix} ({self.current})"


class Version(models.Model):
    """One change to one document: `data = {"changed": [[field, old, new], ...]}`."""

    ref_doctype = models.CharField(max_length=140)
    docname = models.CharField(max_length=140)
    data = models.JSONField(default=dict)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    creation = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ref_doctype", "docname"])]
        ordering = ["-creation", "-id"]

    def __str__(self) -> str:
        return f"{self.ref_doctype} {self.docname} at {self.creation:%Y-%m-%d %H:%M}"


class ErrorLog(Document):
    """An unhandled error from a request, a job or the bot, with its traceback and context."""

    doctype = "Error Log"
    naming_series = "ERR-.YYYY.-.######"
    title_field = "method"
    perm_kind = PermKind.SYSTEM
    track_changes = False

    method = models.CharField(max_length=255, blank=True)
    error = models.TextField(help_text="Traceback")
    context = models.JSONField(default=dict, blank=True)
    seen = models.BooleanField(default=False)

    class Meta:
        ordering = ["-creation"]
        verbose_name = "error log"


# Comments, assignments and attached files live in their own module; importing them here
# registers them with the core app.
from flrts.core.activity import AttachedFile, Comment, ToDo  # noqa: E402

__all__ = [
    "AttachedFile",
    "Comment",
    "DocStatus",
    "Document",
    "ErrorLog",
    "NamingSeries",
    "PermKind",
    "ToDo",
    "Version",
]
