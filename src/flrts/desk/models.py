"""What the desk remembers per person: saved list filters (Frappe's List Filter) and the columns
each person picked for a list. Both are preferences: everyone keeps their own; a filter without a
person is shared with everyone and kept by Admins and Supervisors (flrts.core.permissions)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from flrts.core.models import PermKind


class ListFilter(models.Model):
    """A named set of filters for one DocType's list, as Frappe stores them."""

    doctype = "List Filter"
    perm_kind = PermKind.PREFERENCE

    filter_name = models.CharField(max_length=140)
    reference_doctype = models.CharField(max_length=140, db_index=True)
    for_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="list_filters",
        help_text="Whose filter this is; empty: shared with everyone",
    )
    filters = models.JSONField(default=list, help_text="[[field, operator, value], ...]")
    query = models.CharField(
        max_length=1000, blank=True, help_text="The list's other choices (sidebar, sort)"
    )
    creation = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["filter_name", "pk"]
        verbose_name = "saved list filter"

    def __str__(self) -> str:
        return f"{self.filter_name} ({self.reference_doctype})"

    @property
    def shared(self) -> bool:
        return self.for_user_id is None

    @classmethod
    def perm_scope(cls, user: Any) -> models.Q | None:
        return models.Q(for_user=user) | models.Q(for_user__isnull=True)

    def perm_is_owner(self, user: Any) -> bool:
        return bool(user and self.for_user_id == user.pk)


class ListViewSettings(models.Model):
    """The columns one person chose for one list."""

    perm_kind = PermKind.PREFERENCE

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_view_settings"
    )
    model_label = models.CharField(max_length=100)
    columns = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "model_label"], name="one_setting_per_list")
        ]
        verbose_name_plural = "list view settings"

    def __str__(self) -> str:
        return f"{self.model_label} columns for {self.user_id}"

    @classmethod
    def perm_scope(cls, user: Any) -> models.Q | None:
        return models.Q(user=user)

    def perm_is_owner(self, user: Any) -> bool:
        return bool(user and self.user_id == user.pk)
