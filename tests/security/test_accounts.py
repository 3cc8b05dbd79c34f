"""Account takeover: passwords, login emails, Telegram links and password hashes (issue 12,
items 1, 2, 3 and 10)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client

from flrts.lists.models import FlrtsList, ListShare
from flrts.people.models import User
from tests.api.conftest import Api, token_for

pytestmark = pytest.mark.django_db


# -- 1. desk password ------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["supervisor", "worker", "viewer"])
def test_only_an_admin_sets_a_password_in_the_desk(people: Any, role: str) -> None:
    client = Client()
    client.force_login(people[role])
    for target in (people["admin"], people["other"]):
        url = f"/desk/people/user/{target.pk}/password/"
        assert client.get(url).status_code == 403
        posted = client.post(url, {"password1": "Takeover-2026!", "password2": "Takeover-2026!"})
        assert posted.status_code == 403
        target.refresh_from_db()
        assert not target.check_password("Takeover-2026!")
    assert not Client().login(username="admin@example.com", password="Takeover-2026!")


def test_admin_sets_a_password_in_the_desk(people: Any) -> None:
    client = Client()
    client.force_login(people["admin"])
    url = f"/desk/people/user/{people['worker'].pk}/password/"
    assert client.get(url).status_code == 200
    client.post(url, {"password1": "Fresh-Pass-2026!", "password2": "Fresh-Pass-2026!"})
    people["worker"].refresh_from_db()
    assert people["worker"].check_password("Fresh-Pass-2026!")


def test_a_supervisor_cannot_edit_an_admin_record(people: Any, apis: dict[str, Api]) -> None:
    client = Client()
    client.force_login(people["supervisor"])
    admin = people["admin"]
    page = client.get(f"/desk/people/user/{admin.pk}/change/")
    assert 'name="full_name"' not in page.content.decode()  # view only
    put = apis["supervisor"].put("/api/resource/User/admin@example.com", {"full_name": "Pwned"})
    assert put.status_code == 403
    admin.refresh_from_db()
    assert admin.full_name != "Pwned"


# -- 2. email case -----------------------------------------------------------------------------
def test_worker_cannot_take_another_email_in_any_case(people: Any, apis: dict[str, Api]) -> None:
    worker = apis["worker"]
    for value in ("OTHER@example.com", "other@example.com", "Other@Example.COM"):
        refused = worker.put("/api/resource/User/worker@example.com", {"email": value})
        assert refused.status_code == 403, refused.content
        assert "Email" in refused.json()["exception"]
    taken = worker.put("/api/resource/User/worker@example.com", {"username": "other@example.com"})
    assert taken.status_code == 403
    assert apis["admin"].get("/api/resource/User/OTHER@example.com").json()["data"]["name"] == (
        "other@example.com"
    )
    # sending one's own email back, in another case, is no change
    same = worker.put("/api/resource/User/worker@example.com", {"email": "WORKER@example.com"})
    assert same.status_code == 200


def test_emails_are_stored_lower_case_and_unique_in_any_case(people: Any) -> None:
    person = User.objects.create_user(username="Kim@Example.com", email=" Kim@Example.COM ")
    assert (person.email, person.username) == ("kim@example.com", "kim@example.com")
    admin_api = Api(Client(), token_for(people["admin"]))
    clash = admin_api.post("/api/resource/User", {"email": "KIM@example.com", "full_name": "K2"})
    assert clash.status_code in (409, 417), clash.content
    renamed = admin_api.put("/api/resource/User/worker@example.com", {"email": "KIM@EXAMPLE.COM"})
    assert renamed.status_code == 417
    # the database itself refuses, past the model (an .update() skips save())
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=people["worker"].pk).update(email="KIM@example.com")


def test_links_shares_and_login_find_the_person_by_normalised_email(
    people: Any, apis: dict[str, Api], data: Any
) -> None:
    created = apis["admin"].post(
        "/api/resource/Task", {"subject": "Case", "assigned_to": "OTHER@EXAMPLE.COM"}
    )
    assert created.json()["data"]["assigned_to"] == "other@example.com"
    shared = apis["other"].post(
        "/api/resource/FLRTS List",
        {"list_name": "Tools", "shares": [{"user": "Viewer@Example.com", "permission": "view"}]},
    )
    assert shared.status_code == 200, shared.content
    tools = FlrtsList.objects.get(list_name="Tools")
    assert ListShare.objects.get(list=tools).user == people["viewer"]
    assert Client().login(username="OTHER@example.COM", password="pw-other@example.com")
    too_long = apis["admin"].post(
        "/api/resource/Task", {"subject": "Long", "assigned_to": "x" * 60_000 + "@example.com"}
    )
    assert too_long.status_code == 417 and "Assigned" in too_long.json()["exception"]


@pytest.mark.django_db(transaction=True)
def test_migration_refuses_emails_that_differ_only_in_case() -> None:
    from importlib import import_module

    from django.db.migrations.executor import MigrationExecutor

    migration = import_module("flrts.people.migrations.0002_email_lower_case")

    executor = MigrationExecutor(connection)
    executor.migrate([("people", "0001_initial")])
    try:
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(User._meta.db_table)
            insert = (
                f"INSERT INTO {table} (password, is_superuser, username, first_name, last_name,"
                " email, is_staff, is_active, date_joined, full_name, aliases, role, time_zone,"
                " telegram_username, telegram_blocked, notify_telegram, notify_email,"
                " reminder_lead_minutes) VALUES ('', %s, %s, '', '', %s, %s, %s, %s, '', '[]',"
                " 'Worker', 'UTC', '', '', %s, %s, 60)"
            )
            now = "2026-01-01 00:00:00"
            cursor.execute(
                insert, [False, "Taylor", "Taylor@Example.com", True, True, now, True, False]
            )
            if connection.vendor == "mysql":  # utf8mb4_unicode_ci: the unique index is CI already
                with pytest.raises(IntegrityError):
                    cursor.execute(
                        insert, [False, "t2", "taylor@example.com", True, True, now, True, False]
                    )
                return
            cursor.execute(
                insert, [False, "t2", "taylor@example.com", True, True, now, True, False]
            )
        executor = MigrationExecutor(connection)
        with pytest.raises(migration.EmailCollision, match=r"taylor@example.com is used by"):
            executor.migrate([("people", "0002_email_lower_case")])
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE username = %s", ["t2"])
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes("people"))
    assert User.objects.get().email == "taylor@example.com"
    assert User.objects.get().username == "Taylor"


# -- 3. Telegram link ----------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["supervisor", "worker", "viewer"])
def test_only_an_admin_sets_telegram_ids_over_the_api(
    people: Any, apis: dict[str, Api], role: str
) -> None:
    for target in ("other@example.com", people[role].email):
        for field in ("telegram_user_id", "telegram_chat_id"):
            put = apis[role].put(f"/api/resource/User/{target}", {field: 424242})
            assert put.status_code == 403, (role, target, field, put.content)
    assert not User.objects.filter(telegram_user_id=424242).exists()
    assert not User.objects.filter(telegram_chat_id=424242).exists()
    if role == "supervisor":
        made = apis[role].post(
            "/api/resource/User", {"email": "new@example.com", "telegram_user_id": 424242}
        )
        assert made.status_code == 403
    ok = apis["admin"].put("/api/resource/User/other@example.com", {"telegram_user_id": 424242})
    assert ok.status_code == 200


def test_set_telegram_cli_is_the_admin_path(people: Any) -> None:
    call_command("set_telegram", "OTHER@example.com", "515151")
    people["other"].refresh_from_db()
    assert people["other"].telegram_user_id == 515151


# -- 10. password hashes ----------------------------------------------------------------------
@pytest.mark.parametrize("role", ["admin", "supervisor", "worker", "viewer"])
def test_no_role_sees_any_part_of_a_password_hash(people: Any, role: str) -> None:
    client = Client()
    client.force_login(people[role])
    target = people["other"]
    *_, salt, hashed = target.password.split("$")
    page = client.get(f"/desk/people/user/{target.pk}/change/").content.decode()
    assert "Password" in page and "set" in page
    for secret in (salt[:4], hashed[:6], target.password):
        assert secret not in page
    assert "algorithm" not in page.lower() and "salt" not in page.lower()


@pytest.mark.parametrize("role", ["worker", "supervisor"])
def test_desk_form_keeps_the_login_email_for_non_admins(people: Any, role: str) -> None:
    client = Client()
    client.force_login(people[role])
    target = people["worker"]
    page = client.get(f"/desk/people/user/{target.pk}/change/").content.decode()
    assert 'name="email"' not in page and 'name="username"' not in page
    client.post(
        f"/desk/people/user/{target.pk}/change/",
        {
            "email": "other@example.com",
            "username": "other@example.com",
            "full_name": "Worker",
            "time_zone": "America/Chicago",
            "reminder_lead_minutes": 60,
            "aliases": "[]",
        },
    )
    target.refresh_from_db()
    assert (target.email, target.username) == ("worker@example.com", "worker@example.com")
