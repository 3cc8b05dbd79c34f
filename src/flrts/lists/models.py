from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from flrts.core.models import Document


class ListType(models.TextChoices):
    CHECKLIST = "Checklist"
    SHOPPING = "Shopping"
    INVENTORY = "Inventory"
    CUSTOM = "Custom"


class SharePermission(models.TextChoices):
    VIEW = "view"
    EDIT = "edit"


class FlrtsList(Document):
    doctype = "FLRTS List"
    naming_series = "LIST-.#####"
    title_field = "list_name"

    list_name = models.CharField(max_length=140)
    list_type = models.CharField(max_length=20, choices=ListType.choices, default=ListType.CUSTOM)
    site = models.ForeignKey(
        "org.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="lists"
    )
    description = models.TextField(blank=True)

    class Meta:
        verbose_name = "list"
        ordering = ["list_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "list_name"], name="list_name_unique_per_owner"
            )
        ]

    def validate(self) -> None:
        self.list_name = (self.list_name or "").strip()
        if not self.list_name:
            raise ValidationError({"list_name": "A list needs a name."})
        clash = FlrtsList.objects.filter(
            owner_id=self.owner_id, list_name__iexact=self.list_name, archived=False
        ).exclude(pk=self.pk)
        if self.owner_id and clash.exists():
            raise ValidationError({"list_name": f"You already have a list named {self.list_name}."})

    @classmethod
    def perm_scope(cls, user: Any) -> models.Q | None:
        shared = ListShare.objects.filter(user=user).values("list_id")
        return models.Q(owner=user) | models.Q(pk__in=shared)

    def perm_is_editor(self, user: Any) -> bool:
        if self.perm_is_owner(user):
            return True
        return self.shares.filter(user=user, permission=SharePermission.EDIT).exists()


class ListShare(models.Model):
    list = models.ForeignKey(FlrtsList, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_shares"
    )
    permission = models.CharField(
        max_length=10, choices=SharePermission.choices, default=SharePermission.VIEW
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["list", "user"], name="one_share_per_user")]

    def __str__(self) -> str:
        return f"{self.list} shared with {self.user} ({self.permission})"


class ListItem(models.Model):
    list = models.ForeignKey(FlrtsList, on_delete=models.CASCADE, related_name="items")
    idx = models.PositiveIntegerField(default=0)
    item_text = models.CharField(max_length=255)
    quantity = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    is_completed = models.BooleanField(default=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    notes = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["idx", "id"]

    def __str__(self) -> str:
        return self.item_text
