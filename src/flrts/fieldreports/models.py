from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from flrts.core.files import validate_file_size
from flrts.core.models import DocStatus, Document


class ReportStatus(models.TextChoices):
    """Follows docstatus (0 Draft, 1 Submitted, 2 Cancelled); set by submit/cancel, not by hand."""

    DRAFT = "Draft"
    SUBMITTED = "Submitted"
    CANCELLED = "Cancelled"


_STATUS_OF = {
    DocStatus.DRAFT: ReportStatus.DRAFT,
    DocStatus.SUBMITTED: ReportStatus.SUBMITTED,
    DocStatus.CANCELLED: ReportStatus.CANCELLED,
}


class FieldReport(Document):
    doctype = "Field Report"
    naming_series = "FR-.YYYY.-.#####"
    title_field = "summary"
    is_submittable = True
    docstatus_derived = frozenset({"status"})

    site = models.ForeignKey(
        "org.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="field_reports"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="field_reports",
    )
    report_date = models.DateField(default=timezone.localdate, db_index=True)
    summary = models.CharField(max_length=255)
    observations = models.TextField(blank=True)
    equipment_mentioned = models.TextField(blank=True, help_text="One per line")
    issues_found = models.TextField(blank=True)
    follow_up_tasks = models.ManyToManyField("tasks.Task", blank=True, related_name="field_reports")
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT, editable=False
    )
    amended_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
        editable=False,
        help_text="The cancelled report this draft amends",
    )
    source = models.CharField(max_length=10, default="web")
    telegram_chat_id = models.BigIntegerField(null=True, blank=True)
    telegram_message_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-report_date", "-creation"]
        indexes = [models.Index(fields=["site", "report_date"], name="report_site_date")]

    def validate(self) -> None:
        self.summary = (self.summary or "").strip()
        if not self.summary:
            raise ValidationError({"summary": "A field report needs a summary."})
        loaded = getattr(self, "_loaded_values", None) or {}
        status_set = self._state.adding or loaded.get("status") != self.status
        if status_set and self.status == ReportStatus.SUBMITTED and self.docstatus == 0:
            # Code that builds a report already submitted (the bot, imports) may say so by status.
            self.docstatus = DocStatus.SUBMITTED
        self.status = _STATUS_OF[DocStatus(self.docstatus)]

    def copy_for_amend(self, new: FieldReport) -> None:
        """Readings and follow-up tasks go with an amendment (called once `new` is saved)."""
        for reading in self.readings.all():
            Reading.objects.create(
                report=new,
                idx=reading.idx,
                metric=reading.metric,
                value=reading.value,
                unit=reading.unit,
            )
        new.follow_up_tasks.set(self.follow_up_tasks.all())

    def perm_is_editor(self, user: Any) -> bool:
        return bool(user and (self.owner_id == user.pk or self.reported_by_id == user.pk))


class Reading(models.Model):
    report = models.ForeignKey(FieldReport, on_delete=models.CASCADE, related_name="readings")
    idx = models.PositiveIntegerField(default=0)
    metric = models.CharField(max_length=140)
    value = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["idx", "id"]

    def __str__(self) -> str:
        return f"{self.metric} {self.value if self.value is not None else ''} {self.unit}".strip()


class Attachment(models.Model):
    """A photo or file on a report; stored under the site's private files, served after a check."""

    report = models.ForeignKey(FieldReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="field-reports/%Y/%m/", validators=[validate_file_size])
    file_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    creation = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return self.file_name or self.file.name
