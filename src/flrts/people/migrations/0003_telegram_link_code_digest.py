"""Telegram link codes are kept as SHA-256 digests; codes still open are carried over."""

import hashlib

import django.utils.timezone
from django.db import migrations, models


def digest_codes(apps, schema_editor):
    Code = apps.get_model("people", "TelegramLinkCode")
    for row in Code.objects.using(schema_editor.connection.alias).all():
        canonical = "".join(ch for ch in row.code.upper() if ch.isalnum())
        row.code_hash = hashlib.sha256(canonical.encode()).hexdigest()
        row.save(update_fields=["code_hash"])


class Migration(migrations.Migration):
    dependencies = [("people", "0002_email_lower_case")]

    operations = [
        migrations.AddField(
            model_name="telegramlinkcode",
            name="code_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(digest_codes, migrations.RunPython.noop),
        migrations.RemoveField(model_name="telegramlinkcode", name="code"),
        migrations.AlterField(
            model_name="telegramlinkcode",
            name="code_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        migrations.CreateModel(
            name="TelegramLinkFailure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("telegram_user_id", models.BigIntegerField(db_index=True)),
                (
                    "creation",
                    models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                ),
            ],
        ),
    ]
