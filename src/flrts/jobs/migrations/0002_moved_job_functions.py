"""Job functions that moved to another module (issue 17's package split): rename the stored
dotted paths, so jobs queued before an upgrade (a reminder delivery waiting for the end of quiet
hours, a retried alert) still run, and each scheduled job keeps its last-run record."""

from django.db import migrations

MOVED = {
    "flrts.jobs.maintenance.check_telegram_webhook": "flrts.bot.webhook_check.check_telegram_webhook",
    "flrts.capture.conversation.expire_stale": "flrts.capture.drafts.expire_stale",
    "flrts.ops.jobs.scheduled_backup": "flrts.ops.backup.scheduled.scheduled_backup",
    "flrts.reminders.dispatch.dispatch_due": "flrts.notify.reminder_dispatch.dispatch_due",
    "flrts.reminders.deliver.deliver_reminders": "flrts.notify.reminder_delivery.deliver_reminders",
}


def forwards(apps, schema_editor):
    rename(apps, MOVED)


def backwards(apps, schema_editor):
    rename(apps, {new: old for old, new in MOVED.items()})


def rename(apps, moves):
    Job = apps.get_model("jobs", "Job")
    ScheduledJob = apps.get_model("jobs", "ScheduledJob")
    for old, new in moves.items():
        Job.objects.filter(method=old).update(method=new)
        if ScheduledJob.objects.filter(method=old).exists():
            # A row the registry made under the new path before this ran has no history yet;
            # the old row's last slot is what keeps the job from running twice.
            ScheduledJob.objects.filter(method=new).delete()
            ScheduledJob.objects.filter(method=old).update(method=new, in_registry=True)


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
