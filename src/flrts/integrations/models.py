"""Webhooks (Frappe's Webhook + Webhook Header + Webhook Request Log) and the ERPNext connector's
settings, per-record sync state and exchange log. All are Admin-only (SETTINGS) or system logs."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from flrts.core.doctypes import all_doctypes
from flrts.core.models import PermKind
from flrts.integrations import crypto


class DocEvent(models.TextChoices):
    AFTER_INSERT = "after_insert", "After Insert"
    ON_UPDATE = "on_update", "On Update"
    ON_SUBMIT = "on_submit", "On Submit"
    ON_CANCEL = "on_cancel", "On Cancel"
    ON_TRASH = "on_trash", "On Trash"
    ON_CHANGE = "on_change", "On Change"


class RequestMethod(models.TextChoices):
    POST = "POST"
    PUT = "PUT"
    DELETE = "DELETE"


class RequestStructure(models.TextChoices):
    DOCUMENT = "Document", "The document as JSON"
    TEMPLATE = "Template", "A Jinja template"


def _doctype_choices() -> list[tuple[str, str]]:
    return sorted((name, name) for name in all_doctypes())


class Webhook(models.Model):
    """Call a URL when a document event happens (Frappe's Webhook DocType)."""

    doctype: ClassVar[str] = "Webhook"
    perm_kind: ClassVar[str] = PermKind.SETTINGS

    webhook_doctype = models.CharField(
        "DocType", max_length=140, help_text="Documents of this DocType trigger the webhook"
    )
    webhook_docevent = models.CharField("event", max_length=20, choices=DocEvent.choices)
    condition = models.TextField(
        blank=True,
        help_text='A Jinja expression on the document, e.g. doc.status == "Completed" and '
        'doc.priority in ["High", "Urgent"]. Empty: always.',
    )
    request_url = models.CharField(
        "request URL",
        max_length=1000,
        help_text="http(s) URL; may use document fields: https://x/hook/{{ doc.name }}",
    )
    request_method = models.CharField(
        max_length=6, choices=RequestMethod.choices, default=RequestMethod.POST
    )
    request_structure = models.CharField(
        "body", max_length=10, choices=RequestStructure.choices, default=RequestStructure.DOCUMENT
    )
    webhook_json = models.TextField(
        "body template",
        blank=True,
        help_text='Jinja template of the body when "A Jinja template" is chosen; '
        "{{ doc | tojson }} is the whole document",
    )
    webhook_secret = models.TextField(blank=True, editable=False)  # encrypted (crypto.encrypt)
    timeout = models.PositiveIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(60)], help_text="Seconds"
    )
    max_attempts = models.PositiveIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Tries on network errors and 5xx (backoff 5 s, 20 s, 80 s, ...)",
    )
    allow_private_targets = models.BooleanField(
        default=False,
        help_text="Allow loopback, private and link-local addresses (only for a trusted LAN "
        "service such as a local n8n)",
    )
    enabled = models.BooleanField(default=True)
    creation = models.DateTimeField(default=timezone.now, editable=False)
    modified = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["webhook_doctype", "webhook_docevent", "id"]
        indexes = [models.Index(fields=["webhook_doctype", "enabled"], name="webhook_dt_enabled")]

    def __str__(self) -> str:
        return f"{self.webhook_doctype} {self.webhook_docevent} → {self.request_url[:60]}"

    @property
    def has_secret(self) -> bool:
        return bool(self.webhook_secret)

    def set_secret(self, value: str) -> None:
        self.webhook_secret = crypto.encrypt(value)

    def get_secret(self) -> str:
        return crypto.decrypt(self.webhook_secret)

    def clean(self) -> None:
        from flrts.integrations import templating

        errors: dict[str, str] = {}
        if self.webhook_doctype not in dict(_doctype_choices()):
            errors["webhook_doctype"] = f"Unknown DocType {self.webhook_doctype!r}"
        for field in ("condition", "request_url", "webhook_json"):
            problem = templating.check_syntax(getattr(self, field), expression=field == "condition")
            if problem:
                errors[field] = problem
        url = self.request_url.strip()
        if not url.lower().startswith(("http://", "https://")) and not url.startswith("{{"):
            errors["request_url"] = "The URL must start with http:// or https://"
        if self.request_structure == RequestStructure.TEMPLATE and not self.webhook_json.strip():
            errors["webhook_json"] = "A template body needs a template"
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.request_url = self.request_url.strip()
        self.modified = timezone.now()
        super().save(*args, **kwargs)


class WebhookHeader(models.Model):
    """A request header (Frappe's child table Webhook Header). Values may hold tokens: they are
    sent, never shown in the request log."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="headers")
    key = models.CharField(max_length=255)
    value = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        if not self.key.strip() or any(c in self.key for c in ":\r\n "):
            raise ValidationError({"key": "A header name has no spaces, colons or line breaks"})
        if any(c in self.value for c in "\r\n"):
            raise ValidationError({"value": "A header value has no line breaks"})


class DeliveryStatus(models.TextChoices):
    SUCCESS = "Success"
    RETRYING = "Retrying"
    FAILED = "Failed"
    REFUSED = "Refused"


class WebhookRequestLog(models.Model):
    """One attempt to deliver one webhook request (Frappe's Webhook Request Log)."""

    doctype: ClassVar[str] = "Webhook Request Log"
    perm_kind: ClassVar[str] = PermKind.SYSTEM

    webhook = models.ForeignKey(
        Webhook, null=True, on_delete=models.SET_NULL, related_name="request_logs"
    )
    delivery_id = models.CharField(max_length=36, db_index=True)
    reference_doctype = models.CharField(max_length=140, blank=True)
    reference_document = models.CharField(max_length=140, blank=True)
    event = models.CharField(max_length=20, blank=True)
    url = models.TextField()
    method = models.CharField(max_length=6, default="POST")
    headers = models.JSONField(default=dict, blank=True, help_text="Sent headers, values masked")
    data = models.TextField(blank=True, help_text="The body exactly as sent")
    attempt = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response = models.TextField(blank=True, help_text="First 2,000 characters of the response")
    error = models.TextField(blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds")
    resent_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    creation = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-creation", "-id"]
        verbose_name = "webhook request log"

    def __str__(self) -> str:
        return f"{self.method} {self.url[:60]} → {self.status_code or self.status}"


class ERPNextSettings(models.Model):
    """The connector's one row. Credentials may instead live in site config (`erpnext_url`,
    `erpnext_api_key`, `erpnext_api_secret`), which wins when set."""

    doctype: ClassVar[str] = "ERPNext Settings"
    perm_kind: ClassVar[str] = PermKind.SETTINGS

    enabled = models.BooleanField(default=False, help_text="Push and pull automatically")
    site_url = models.CharField(
        "ERPNext site URL", max_length=255, blank=True, help_text="https://erp.example.com"
    )
    api_key = models.CharField(max_length=140, blank=True)
    api_secret = models.TextField(blank=True, editable=False)  # encrypted (crypto.encrypt)
    timeout = models.PositiveIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(120)], help_text="Seconds"
    )
    push_tasks = models.BooleanField(default=True)
    push_field_reports = models.BooleanField(default=True)
    report_doctype = models.CharField(
        "field report DocType",
        max_length=140,
        default="Comment",
        help_text='Where submitted field reports go: "Comment" (on the task) or any DocType',
    )
    report_field_map = models.JSONField(
        default=dict,
        blank=True,
        help_text='For a DocType other than Comment: {"remote_field": "Jinja template"}, e.g. '
        '{"title": "{{ doc.summary }}", "task": "{{ task }}"}',
    )
    pull_interval_minutes = models.PositiveIntegerField(
        default=5, validators=[MinValueValidator(1)], help_text="How often remote edits are pulled"
    )
    pull_cursor = models.CharField(
        max_length=32, blank=True, help_text="Remote `modified` of the last pulled change"
    )
    remote_time_zone = models.CharField(
        max_length=64, blank=True, help_text="ERPNext's system time zone (read on first sync)"
    )
    last_pull_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    modified = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "ERPNext settings"
        verbose_name_plural = "ERPNext settings"

    def __str__(self) -> str:
        return "ERPNext Settings"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        self.modified = timezone.now()
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> ERPNextSettings:
        row = cls.objects.filter(pk=1).first()
        return row if row is not None else cls(pk=1)

    def clean(self) -> None:
        url = self.site_url.strip()
        if url and not url.lower().startswith(("http://", "https://")):
            raise ValidationError({"site_url": "The URL must start with http:// or https://"})
        self.site_url = url.rstrip("/")

    def set_secret(self, value: str) -> None:
        self.api_secret = crypto.encrypt(value)

    def get_secret(self) -> str:
        return crypto.decrypt(self.api_secret)


class SyncStatus(models.TextChoices):
    PENDING = "Pending"
    SYNCED = "Synced"
    ERROR = "Error"


class SyncRecord(models.Model):
    """Where one local record lives in ERPNext, and how its last exchange went."""

    doctype: ClassVar[str] = "Sync Record"
    perm_kind: ClassVar[str] = PermKind.SYSTEM

    local_doctype = models.CharField(max_length=140)
    local_name = models.CharField(max_length=140)
    remote_doctype = models.CharField(max_length=140)
    remote_name = models.CharField(max_length=140, blank=True, db_index=True)
    remote_modified = models.CharField(
        max_length=32, blank=True, help_text="ERPNext's `modified` at the last exchange"
    )
    remote_assign = models.CharField(
        max_length=1000, blank=True, help_text="ERPNext's `_assign` at the last exchange"
    )
    local_modified = models.DateTimeField(
        null=True, blank=True, help_text="The local `modified` at the last exchange"
    )
    status = models.CharField(
        max_length=10, choices=SyncStatus.choices, default=SyncStatus.PENDING, db_index=True
    )
    last_sync = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_type = models.CharField(max_length=64, blank=True)
    creation = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-last_sync", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_doctype", "local_name", "remote_doctype"], name="sync_record_unique"
            )
        ]
        verbose_name = "sync record"

    def __str__(self) -> str:
        remote = self.remote_name or "(not yet created)"
        return f"{self.local_doctype} {self.local_name} ↔ {self.remote_doctype} {remote}"


class ERPNextExchange(models.Model):
    """One HTTP exchange with ERPNext (credentials never stored)."""

    doctype: ClassVar[str] = "ERPNext Exchange"
    perm_kind: ClassVar[str] = PermKind.SYSTEM

    method = models.CharField(max_length=8)
    path = models.TextField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    exc_type = models.CharField(max_length=64, blank=True)
    request = models.TextField(blank=True, help_text="Body sent (first 2,000 characters)")
    response = models.TextField(blank=True, help_text="Body received (first 2,000 characters)")
    error = models.TextField(blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds")
    creation = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-creation", "-id"]
        verbose_name = "ERPNext exchange"

    def __str__(self) -> str:
        return f"{self.method} {self.path[:80]} → {self.status_code or self.error[:40]}"
