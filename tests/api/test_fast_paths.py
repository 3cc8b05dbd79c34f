"""The speed-ups keep answers identical: prepared reads, link names without joins, their memo."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from flrts.api import linknames, registry
from flrts.api.serialize import document, from_row, read_row
from flrts.core.context import acting_as
from flrts.org.models import Site
from flrts.tasks.models import Task
from tests.api.conftest import Api


@pytest.fixture(autouse=True)
def _fresh_memo() -> Any:
    linknames._memos.clear()
    yield
    linknames._memos.clear()


@pytest.mark.django_db
def test_prepared_read_matches_the_orm_read(data: dict[str, Any]) -> None:
    """Every DocType's documents read by the prepared query equal the plain ORM read."""
    seen = 0
    for doctype in registry.registry().values():
        if doctype.is_user:
            continue
        for name in doctype.queryset.values_list("name", flat=True)[:5]:
            row = read_row(doctype, "name", name, live=False)
            assert row is not None
            assert from_row(doctype, row) == document(doctype, doctype.queryset.filter(name=name))
            seen += 1
    assert seen >= 8


@pytest.mark.django_db
def test_prepared_read_of_a_missing_or_archived_document(data: dict[str, Any]) -> None:
    task_dt = registry.get("Task")
    assert task_dt is not None
    assert read_row(task_dt, "name", "TASK-NOPE", live=True) is None
    task = data["tasks"][1]
    Task.objects.filter(pk=task.pk).update(archived=True)
    assert read_row(task_dt, "name", task.name, live=True) is None
    assert read_row(task_dt, "name", task.name, live=False) is not None


@pytest.mark.django_db(transaction=True)
def test_a_rename_shows_at_once_in_this_process(apis: dict[str, Api], data: dict[str, Any]) -> None:
    task = data["tasks"][0]
    first = apis["admin"].get(f"/api/resource/Task/{task.name}").json()["data"]
    assert first["site"] == "North Yard"
    assert linknames._memos[Site].entries  # read outside a transaction: remembered
    site = Site.objects.get(pk=data["north"].pk)
    with acting_as(site.owner):
        site.site_name = "North Field"
        site.save()
    again = apis["admin"].get(f"/api/resource/Task/{task.name}").json()["data"]
    assert again["site"] == "North Field"
    listed = apis["admin"].get(
        "/api/resource/Task", {"fields": ["name", "site"], "filters": [["name", "=", task.name]]}
    )
    assert listed.json()["data"] == [{"name": task.name, "site": "North Field"}]


@pytest.mark.django_db(transaction=True)
def test_names_read_inside_a_transaction_are_not_remembered(data: dict[str, Any]) -> None:
    link = registry.get("Task").fields["site"].link  # type: ignore[union-attr]
    assert link is not None
    north = data["north"]
    with transaction.atomic():
        Site.objects.filter(pk=north.pk).update(site_name="Rolled Back", name="Rolled Back")
        assert linknames.names(link, [north.pk]) == {north.pk: "Rolled Back"}
        transaction.set_rollback(True)
    assert north.pk not in linknames._memos[Site].entries
    assert linknames.names(link, [north.pk]) == {north.pk: "North Yard"}


@pytest.mark.django_db(transaction=True)
def test_no_memo_when_the_ttl_is_zero(settings: Any, data: dict[str, Any]) -> None:
    settings.API_LINK_NAME_CACHE_SECONDS = 0
    link = registry.get("Task").fields["site"].link  # type: ignore[union-attr]
    assert link is not None
    assert linknames.names(link, [data["north"].pk, None]) == {data["north"].pk: "North Yard"}
    assert not linknames._memos[Site].entries


@pytest.mark.django_db
def test_many_ids_are_named_in_one_query(
    django_assert_num_queries: Any, data: dict[str, Any]
) -> None:
    link = registry.get("Task").fields["site"].link  # type: ignore[union-attr]
    assert link is not None
    pks = [data["north"].pk, data["south"].pk, 10**9]  # a missing row is left out
    with django_assert_num_queries(1):
        named = linknames.names(link, pks)
    assert named == {data["north"].pk: "North Yard", data["south"].pk: "South Yard"}


@pytest.mark.django_db
def test_create_with_a_link_answers_as_before(apis: dict[str, Api], data: dict[str, Any]) -> None:
    body = {"subject": "Fast path", "site": "North Yard", "priority": "High"}
    response = apis["admin"].post("/api/resource/Task", body)
    assert response.status_code == 200, response.content
    doc = response.json()["data"]
    assert doc["site"] == "North Yard" and doc["owner"] == "Administrator"
    bad = apis["admin"].post("/api/resource/Task", {**body, "site": "Nowhere"})
    assert bad.status_code == 417
    assert bad.json()["exc_type"] == "LinkValidationError"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "supervisor", "worker", "viewer"])
def test_prepared_first_page_matches_the_orm_list(
    role: str, people: dict[str, Any], data: dict[str, Any]
) -> None:
    """The default list's first page (a prepared query) equals the ordinary ORM path, which a
    filter that matches every row (`name is set`) forces, for every DocType and page shape."""
    from flrts.api import prepared, query

    user = people[role]
    compared = 0
    for doctype in registry.registry().values():
        if doctype.is_user or not query.can(user, query.Action.READ, doctype.model):
            continue
        for fields in (None, '["*"]', '"*"', '["name"]'):
            for extra in ({"limit_page_length": "3"}, {"limit_page_length": "20", "as_dict": "0"}):
                args = {**extra, **({"fields": fields} if fields else {})}
                fast = query.get_list(doctype, user, args)
                slow = query.get_list(doctype, user, {**args, "filters": '[["name","is","set"]]'})
                assert fast == slow, (doctype.name, role, args)
                compared += 1
    cached = getattr(prepared._local, "cache", {})
    assert any(key[0] == "first-page" for key in cached)  # the fast path did run
    assert compared >= 40


@pytest.mark.django_db
def test_first_page_leaves_out_archived_and_follows_new_rows(
    apis: dict[str, Api], data: dict[str, Any]
) -> None:
    api = apis["admin"]
    before = [r["name"] for r in api.get("/api/resource/Task").json()["data"]]
    Task.objects.filter(pk=data["tasks"][0].pk).update(archived=True)
    with acting_as(data["north"].owner):
        Task(subject="Newest").save()
    after = [r["name"] for r in api.get("/api/resource/Task").json()["data"]]
    newest = Task.objects.get(subject="Newest").name
    assert after[0] == newest and data["tasks"][0].name not in after
    assert set(after) == (set(before) - {data["tasks"][0].name}) | {newest}


# transaction=True: MariaDB's ANALYZE TABLE commits implicitly, which would leak this test's
# rows into the next tests if it ran inside the usual rolled-back transaction.
@pytest.mark.django_db(transaction=True)
def test_default_list_reads_the_live_modified_index(data: dict[str, Any]) -> None:
    """`WHERE archived = false ORDER BY modified DESC LIMIT 20` is served by the (archived,
    modified) index: no sort of every live row (MariaDB's filesort, SQLite's temp B-tree)."""
    from django.db import connection

    qs = Task.objects.filter(archived=False).order_by("-modified").values_list("name")[:20]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            # either index on modified walks rows in order and stops after 20: no sort
            assert "USING INDEX" in plan and "TEMP B-TREE" not in plan, plan
        elif connection.vendor == "mysql":
            for _ in range(300):  # enough rows that the optimizer weighs the index
                Task(subject="filler").save()
            cursor.execute("ANALYZE TABLE tasks_task")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "task_live_modified" in plan and "filesort" not in plan, plan
        else:
            cursor.execute(f"EXPLAIN {sql}", params)
            assert cursor.fetchall()  # PostgreSQL picks by its statistics; nothing to pin
