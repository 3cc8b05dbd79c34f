"""Daily reports (a PDF per day, a private file), the monitors' thresholds and their state."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from flrts.core.models import PermKind

DAILY_REPORT_DIR = "reports/daily/"


class DailyReport(models.Model):
    """One day's report. Rebuilding a day replaces its file; the row keeps when it was sent.

    SYSTEM kind: Supervisors read, Admins build and send; Workers and Viewers see none (the
    report names people and their numbers and shows costs; see docs/reports.md).
    """

    doctype: ClassVar[str] = "Daily Report"
    perm_kind: ClassVar[str] = PermKind.SYSTEM

    report_date = models.DateField(unique=True)
    time_zone = models.CharField(max_length=64)
    file = models.FileField(upload_to=DAILY_REPORT_DIR, max_length=255, blank=True)
    size = models.PositiveIntegerField(default=0, help_text="Bytes")
    pages = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True, help_text="The day's headline numbers")
    built_at = models.DateTimeField(default=timezone.now)
    build_ms = models.PositiveIntegerField(default=0)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    telegram_sent_at = models.DateTimeField(null=True, blank=True)
    telegram_message_id = models.BigIntegerField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_recipients = models.TextField(blank=True)
    send_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-report_date"]
        verbose_name = "daily report"

    def __str__(self) -> str:
        return f"Daily report {self.report_date:%Y-%m-%d}"

    @property
    def download_url(self) -> str:
        return f"/private/files/{self.file.name}" if self.file else ""


class MonitorSettings(models.Model):
    """The monitors' thresholds: one row, edited in the desk by Admins (SETTINGS kind)."""

    doctype: ClassVar[str] = "Monitor Settings"
    perm_kind: ClassVar[str] = PermKind.SETTINGS

    success_rate_threshold = models.DecimalField(
        "parser success rate threshold (%)",
        max_digits=5,
        decimal_places=1,
        default=Decimal("80.0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Alert when Accepted / (Accepted + Rejected) over the last 24 h is below this",
    )
    success_rate_min_reviewed = models.PositiveIntegerField(
        default=1, help_text="Reviewed parses needed before the rate is judged"
    )
    daily_cost_budget = models.DecimalField(
        "daily OpenAI budget (USD)",
        max_digits=10,
        decimal_places=2,
        default=Decimal("10.00"),
        validators=[MinValueValidator(0)],
    )
    monthly_cost_budget = models.DecimalField(
        "monthly OpenAI budget (USD)",
        max_digits=10,
        decimal_places=2,
        default=Decimal("300.00"),
        validators=[MinValueValidator(0)],
    )
    failed_jobs_threshold = models.PositiveIntegerField(
        default=1,
        validators=[MinValueValidator(1)],
        help_text="Alert when this many jobs failed in the window",
    )
    failed_jobs_window_minutes = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(1)]
    )
    stalled_queue_minutes = models.PositiveIntegerField(
        default=15,
        validators=[MinValueValidator(1)],
        help_text="Alert when a job due to run has waited this long in the queue",
    )
    scheduler_stale_minutes = models.PositiveIntegerField(
        default=5,
        validators=[MinValueValidator(1)],
        help_text="Alert when the scheduler has not ticked for this long",
    )
    webhook_errors_threshold = models.PositiveIntegerField(
        default=3,
        validators=[MinValueValidator(1)],
        help_text="Alert when this many Telegram updates failed in the window",
    )
    webhook_window_minutes = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(1)]
    )
    alert_emails = models.TextField(
        blank=True,
        help_text="Extra addresses for alerts, comma or line separated (Admins always get them)",
    )
    modified = models.DateTimeField(default=timezone.now, editable=False)
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = "monitor settings"
        verbose_name_plural = "monitor settings"

    def __str__(self) -> str:
        return "Monitor settings"

    def clean(self) -> None:
        from django.core.validators import validate_email

        for address in self.extra_emails():
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(
                    {"alert_emails": f"{address!r} is not an email address"}
                ) from None

    def extra_emails(self) -> list[str]:
        text = (self.alert_emails or "").replace("\n", ",").replace(";", ",")
        return [part.strip() for part in text.split(",") if part.strip()]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1  # a single row
        self.modified = timezone.now()
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> MonitorSettings:
        row = cls.objects.filter(pk=1).first()
        return row if row is not None else cls(pk=1)


class MonitorState(models.Model):
    """Where each monitor stands, so an alert goes out once per condition and a recovery
    message once when it clears (the flip is a conditional UPDATE: one process wins)."""

    doctype: ClassVar[str] = "Monitor State"
    perm_kind: ClassVar[str] = PermKind.SYSTEM

    key = models.CharField(max_length=64, unique=True)
    alerting = models.BooleanField(default=False)
    since = models.DateTimeField(null=True, blank=True, help_text="When the condition began")
    detail = models.TextField(blank=True, help_text="What the last check saw")
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_alert_at = models.DateTimeField(null=True, blank=True)
    last_recovery_at = models.DateTimeField(null=True, blank=True)
    alerts_sent = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["key"]
        verbose_name = "monitor state"

    def __str__(self) -> str:
        return f"{self.key}: {'ALERT' if self.alerting else 'ok'}"
