"""Job rows, the scheduled-job table, slot claims, worker heartbeats and the scheduler's state."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from flrts.core.models import PermKind


class JobStatus(models.TextChoices):
    QUEUED = "queued"
    STARTED = "started"
    FINISHED = "finished"
    FAILED = "failed"


class Job(models.Model):
    """One background job: what ran, where, how often, how long and how it ended."""

    doctype: ClassVar[str] = "Job"
    perm_kind: ClassVar[str] = PermKind.SYSTEM

    method = models.CharField(max_length=255, help_text="Dotted path of the function")
    job_name = models.CharField(max_length=255, blank=True)
    queue = models.CharField(max_length=32, default="default")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    kwargs = models.JSONField(default=dict, blank=True)
    args_summary = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    # Bumped on every (re)enqueue: a backend message carries the token it was sent with, so a
    # stale copy (a retry raced by a requeue after a lost worker) can never run the job twice.
    token = models.PositiveIntegerField(default=1)
    backend_id = models.CharField(max_length=64, blank=True)
    worker_id = models.CharField(max_length=64, blank=True)
    enqueued_at = models.DateTimeField(default=timezone.now, db_index=True)
    run_after = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds")
    result = models.TextField(blank=True)
    error = models.TextField(blank=True)
    traceback = models.TextField(blank=True)
    error_log = models.CharField(max_length=140, blank=True, help_text="Error Log name")
    scheduled_job = models.ForeignKey(
        "jobs.ScheduledJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )

    class Meta:
        ordering = ["-enqueued_at", "-id"]
        indexes = [models.Index(fields=["status", "enqueued_at"], name="job_status_enqueued")]

    def __str__(self) -> str:
        return f"{self.job_name or self.method} #{self.pk} ({self.status})"


class Frequency(models.TextChoices):
    SECOND = "second", "Every second"
    ALL = "all", "All (every tick)"
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"
    CRON = "cron"


class ScheduledJob(models.Model):
    """A registered scheduled job; the registry creates the rows, people enable or disable them."""

    doctype: ClassVar[str] = "Scheduled Job"
    perm_kind: ClassVar[str] = PermKind.SYSTEM

    method = models.CharField(max_length=255, unique=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    cron = models.CharField(max_length=100, blank=True)
    queue = models.CharField(max_length=32, default="default")
    enabled = models.BooleanField(default=True)
    in_registry = models.BooleanField(default=True, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    last_slot = models.DateTimeField(null=True, blank=True, editable=False)
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_run_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["method"]

    def __str__(self) -> str:
        return self.method


class ScheduledRun(models.Model):
    """The claim of one slot of one scheduled job: the unique pair makes enqueue exactly-once."""

    scheduled_job = models.ForeignKey(ScheduledJob, on_delete=models.CASCADE, related_name="runs")
    slot = models.DateTimeField()
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheduled_job", "slot"], name="one_run_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.scheduled_job} @ {self.slot:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """A running worker says it is alive; a job whose worker stopped beating is run again."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    backend = models.CharField(max_length=10)
    queues = models.CharField(max_length=100)
    pid = models.IntegerField()
    hostname = models.CharField(max_length=255)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class SchedulerState(models.Model):
    """One row per lock name: who leads (until when) and whether the scheduler is paused."""

    name = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(max_length=100, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    paused = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name
