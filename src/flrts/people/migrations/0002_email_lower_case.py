"""Emails become lower case (usernames that are emails too), and the database keeps them so.

Two people whose emails differ only in case would become one login; the migration refuses to
merge them and names them instead, so an Admin can change one email and run `flrts migrate` again.
"""

from django.db import migrations, models
from django.db.models.functions import Lower


class EmailCollision(Exception):
    """Raised with a message naming the people whose emails differ only in case."""


def lower_case_emails(apps, schema_editor):
    User = apps.get_model("people", "User")
    rows = User.objects.using(schema_editor.connection.alias).values_list("pk", "email", "username")
    seen: dict[str, list[object]] = {}
    for pk, email, username in rows:
        seen.setdefault((email or "").strip().lower(), []).append(pk)
        if "@" in username and username.strip().lower() != (email or "").strip().lower():
            seen.setdefault(username.strip().lower(), []).append(pk)
    clashes = {email: pks for email, pks in seen.items() if email and len(pks) > 1}
    if clashes:
        described = "; ".join(
            f"{email} is used by the people with ids {', '.join(str(pk) for pk in pks)}"
            for email, pks in sorted(clashes.items())
        )
        raise EmailCollision(
            "Emails must be unique whatever their case, and these differ only in case: "
            f"{described}. Change one of each in the desk (or `flrts console`), then run "
            "`flrts migrate` again."
        )
    for person in User.objects.using(schema_editor.connection.alias).all():
        email = (person.email or "").strip().lower()
        username = person.username.strip()
        if "@" in username:
            username = username.lower()
        if email != person.email or username != person.username:
            User.objects.using(schema_editor.connection.alias).filter(pk=person.pk).update(
                email=email, username=username
            )


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [
        migrations.RunPython(lower_case_emails, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("email", Lower("email"))), name="person_email_lower_case"
            ),
        ),
    ]
