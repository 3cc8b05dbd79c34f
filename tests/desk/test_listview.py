"""The list tools on desk DocType lists: the filter builder (the API's filters), saved filters,
the column picker, "mine" filters, sidebar counts and sorting by any column."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from flrts.desk.models import ListFilter, ListViewSettings
from flrts.org.models import Site
from flrts.tasks.models import Task

pytestmark = pytest.mark.django_db
TASKS = "/desk/tasks/task/"


@pytest.fixture
def tasks(people, site):
    viper = Site(site_name="Viper", site_code="TX-02")
    viper.save()
    rows = [
        ("Check compressor", "Open", "High", people.worker, site, people.supervisor),
        ("Replace filters", "Working", "Low", people.worker, viper, people.worker),
        ("Label PDU", "Completed", "Low", people.other, viper, people.other),
        ("Generator check", "Open", "Urgent", people.other, site, people.worker),
    ]
    out = {}
    for subject, status, priority, who, where, owner in rows:
        task = Task(subject=subject, status=status, priority=priority, assigned_to=who, site=where)
        task.owner = owner
        task.save()
        out[subject] = task
    return out


def _names(response) -> set[str]:
    return {t.subject for t in response.context["cl"].result_list}


def _filtered(client, filters) -> set[str]:
    response = client.get(TASKS, {"filters": json.dumps(filters)})
    assert response.status_code == 200
    return _names(response)


def test_builder_filters_use_the_apis_operators(client, people, tasks) -> None:
    client.force_login(people.supervisor)
    assert _filtered(client, [["status", "=", "Working"]]) == {"Replace filters"}
    assert _filtered(client, [["status", "in", ["Open", "Working"]]]) == {
        "Check compressor", "Replace filters", "Generator check",
    }  # fmt: skip
    assert _filtered(client, [["site", "=", "Viper"], ["priority", "!=", "Urgent"]]) == {
        "Replace filters", "Label PDU",
    }  # fmt: skip
    assert _filtered(client, [["subject", "like", "%check%"]]) == {
        "Check compressor", "Generator check",
    }  # fmt: skip
    assert _filtered(client, [["assigned_to", "=", people.other.email]]) == {
        "Label PDU", "Generator check",
    }  # fmt: skip
    assert _filtered(client, [["exp_end_date", "is", "not set"]]) == set(tasks)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not json", "The filters are not valid JSON"),
        ('[["nope", "=", 1]]', "Field not permitted in query: nope"),
        ('[["status", "~", "Open"]]', "Operator must be one of"),
        ('[["exp_end_date", ">", "June"]]', "Invalid date 'June'"),
        ('[["status"]]', "Each filter must be [field, operator, value]"),
    ],
)
def test_bad_filters_say_what_is_wrong_and_show_nothing(client, people, tasks, raw, message):
    client.force_login(people.supervisor)
    response = client.get(TASKS, {"filters": raw})
    assert response.status_code == 200
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert len(errors) == 1 and message in errors[0]
    assert _names(response) == set()


def test_naive_times_are_read_in_the_readers_zone(client, people, tasks) -> None:
    """09:00 typed by a reader at UTC+14 is 19:00 UTC the day before (Chicago would be 14:00)."""
    early = tasks["Check compressor"]
    Task.objects.filter(pk=early.pk).update(creation=dt.datetime(2026, 5, 31, 18, tzinfo=dt.UTC))
    late = tasks["Replace filters"]
    Task.objects.filter(pk=late.pk).update(creation=dt.datetime(2026, 5, 31, 20, tzinfo=dt.UTC))
    people.supervisor.time_zone = "Etc/GMT-14"
    people.supervisor.save()
    client.force_login(people.supervisor)
    got = _filtered(client, [["creation", "between", ["2026-06-01 09:00", "2026-06-01 10:00"]]])
    assert got == {"Replace filters"}


def test_apply_turns_builder_rows_into_one_filters_parameter(client, people, tasks) -> None:
    client.force_login(people.supervisor)
    response = client.get(
        f"{TASKS}listview/apply/",
        {
            "back": "o=2&archived=all",
            "f-0-field": "status", "f-0-op": "in", "f-0-value": "Open, Working",
            "f-1-field": "exp_end_date", "f-1-op": "between",
            "f-1-value": "2026-06-01", "f-1-value2": "2026-06-30",
            "f-2-field": "priority", "f-2-op": "is", "f-2-value": "set",
            "f-3-field": "", "f-3-op": "=", "f-3-value": "ignored",
            "f-4-field": "password", "f-4-op": "=", "f-4-value": "x",
        },
    )  # fmt: skip
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == TASKS
    params = parse_qs(location.query)
    assert params["o"] == ["2"] and params["archived"] == ["all"]
    assert json.loads(params["filters"][0]) == [
        ["status", "in", ["Open", "Working"]],
        ["exp_end_date", "between", ["2026-06-01", "2026-06-30"]],
        ["priority", "is", "set"],
    ]


def test_apply_never_redirects_off_the_list(client, people) -> None:
    client.force_login(people.worker)
    for back in ("//evil.example/x", "https://evil.example/", "\\\\evil"):
        response = client.get(f"{TASKS}listview/apply/", {"back": back})
        assert urlsplit(response["Location"]).path == TASKS
        assert urlsplit(response["Location"]).netloc == ""


def test_builder_row_fits_the_field_and_operator(client, people, site) -> None:
    client.force_login(people.worker)
    row = client.get(f"{TASKS}listview/row/", {"index": "2", "f-2-field": "status"})
    body = row.content.decode()
    assert 'name="f-2-value"' in body and '<option value="Pending Review"' in body
    between = client.get(
        f"{TASKS}listview/row/", {"index": "0", "f-0-field": "exp_end_date", "f-0-op": "between"}
    ).content.decode()
    assert between.count('type="date"') == 2 and 'name="f-0-value2"' in between
    span = client.get(
        f"{TASKS}listview/row/", {"index": "0", "f-0-field": "creation", "f-0-op": "timespan"}
    ).content.decode()
    assert '<option value="this week"' in span
    link = client.get(f"{TASKS}listview/row/", {"index": "0", "f-0-field": "site"}).content.decode()
    assert '<option value="Big Sky"' in link


def test_saved_filters_personal_and_shared(client, people, tasks) -> None:
    working = json.dumps([["status", "=", "Working"]])
    client.force_login(people.worker)
    saved = client.post(
        f"{TASKS}listview/filters/save/",
        {"filter_name": "Mine working", "filters": working, "back": "o=1"},
    )
    assert saved.status_code == 302 and "filters=" in saved["Location"]
    refused = client.post(
        f"{TASKS}listview/filters/save/",
        {"filter_name": "For all", "filters": working, "shared": "1"},
    )
    assert refused.status_code == 403
    assert "Only Admins and Supervisors share filters" in refused.content.decode()
    client.force_login(people.supervisor)
    client.post(
        f"{TASKS}listview/filters/save/",
        {"filter_name": "Open at Big Sky", "shared": "1",
         "filters": json.dumps([["status", "=", "Open"], ["site", "=", "Big Sky"]])},
    )  # fmt: skip
    shared = ListFilter.objects.get(filter_name="Open at Big Sky")
    assert shared.for_user is None and shared.reference_doctype == "Task"
    # Everyone sees the shared filter and their own; nobody sees another person's.
    client.force_login(people.other)
    page = client.get(TASKS).content.decode()
    assert "Open at Big Sky" in page and "Mine working" not in page
    client.force_login(people.worker)
    page = client.get(TASKS).content.decode()
    assert "Open at Big Sky" in page and "Mine working" in page
    applied = client.get(TASKS, {"filters": json.dumps(shared.filters)})
    assert _names(applied) == {"Check compressor", "Generator check"}
    # A worker may remove their own filter, not the shared one.
    mine = ListFilter.objects.get(filter_name="Mine working")
    assert client.post(f"{TASKS}listview/filters/{shared.pk}/delete/").status_code == 403
    client.post(f"{TASKS}listview/filters/{mine.pk}/delete/")
    assert list(ListFilter.objects.values_list("filter_name", flat=True)) == ["Open at Big Sky"]


def test_a_filter_that_cannot_run_is_not_saved(client, people) -> None:
    client.force_login(people.supervisor)
    response = client.post(
        f"{TASKS}listview/filters/save/",
        {"filter_name": "Broken", "filters": '[["nope", "=", 1]]'},
        follow=True,
    )
    assert not ListFilter.objects.exists()
    assert any("Field not permitted" in str(m) for m in response.context["messages"])


def test_viewer_may_keep_a_personal_filter_but_not_share(client, people) -> None:
    client.force_login(people.viewer)
    client.post(f"{TASKS}listview/filters/save/", {"filter_name": "Mine", "filters": "[]"})
    assert ListFilter.objects.get().for_user == people.viewer
    response = client.post(
        f"{TASKS}listview/filters/save/", {"filter_name": "All", "filters": "[]", "shared": "1"}
    )
    assert response.status_code == 403


def test_column_picker_is_remembered_per_person(client, people, tasks) -> None:
    client.force_login(people.worker)
    client.post(
        f"{TASKS}listview/columns/",
        {"column": ["name", "subject", "contractor", "exp_end_date", "not_a_column"]},
    )
    setting = ListViewSettings.objects.get(user=people.worker)
    assert setting.columns == ["name", "subject", "contractor", "exp_end_date"]  # offered order
    page = client.get(TASKS)
    assert list(page.context["cl"].list_display)[1:] == setting.columns
    assert "Contractor" in page.content.decode()
    client.force_login(people.other)
    assert "status_pill" in client.get(TASKS).context["cl"].list_display
    client.force_login(people.worker)
    client.post(f"{TASKS}listview/columns/", {"reset": "1"})
    assert not ListViewSettings.objects.exists()
    assert "status_pill" in client.get(TASKS).context["cl"].list_display


def test_every_column_sorts(client, people, tasks) -> None:
    client.force_login(people.supervisor)
    offered = [name for name, _label, _on in client.get(TASKS).context["column_choices"]]
    client.post(f"{TASKS}listview/columns/", {"column": offered})
    for index in range(1, len(offered) + 1):
        for order in (str(index), f"-{index}"):
            response = client.get(TASKS, {"o": order})
            assert response.status_code == 200, (order, offered[index - 1])
            assert len(_names(response)) == 4
    subjects = [t.subject for t in client.get(TASKS, {"o": "2"}).context["cl"].result_list]
    assert subjects == sorted(subjects)


def test_a_sort_with_ties_is_total_and_reverses_exactly(client, people, tasks) -> None:
    """Equal subjects are ordered by id in the sort's direction (one index walk either way):
    sorted descending is the ascending list reversed, and paging never repeats a row."""
    client.force_login(people.supervisor)
    for _ in range(3):
        Task(subject="Check compressor", status="Open", priority="Low").save()
    up = [(t.subject, t.pk) for t in client.get(TASKS, {"o": "2"}).context["cl"].result_list]
    down = [(t.subject, t.pk) for t in client.get(TASKS, {"o": "-2"}).context["cl"].result_list]
    assert up == sorted(up) and len(up) == 7
    assert down == up[::-1]


def test_assigned_to_me_and_created_by_me(client, people, tasks) -> None:
    client.force_login(people.worker)
    assert _names(client.get(TASKS, {"mine": "assigned"})) == {
        "Check compressor", "Replace filters",
    }  # fmt: skip
    assert _names(client.get(TASKS, {"mine": "created"})) == {
        "Replace filters", "Generator check",
    }  # fmt: skip


def test_sidebar_counts_follow_the_filters(client, people, tasks) -> None:
    client.force_login(people.supervisor)
    body = client.get(
        f"{TASKS}listview/counts/", {"filters": json.dumps([["status", "!=", "Completed"]])}
    ).content.decode()
    assert 'data-field="status"' in body and 'data-field="site"' in body
    groups = client.get(
        f"{TASKS}listview/counts/", {"filters": json.dumps([["status", "!=", "Completed"]])}
    ).context["groups"]
    by_field = {g["field"]: {v["label"]: v["count"] for v in g["values"]} for g in groups}
    assert by_field["status"] == {"Open": 2, "Working": 1}
    assert by_field["site"] == {"Big Sky": 2, "Viper": 1}
    assert by_field["assigned_to"] == {"Wendy": 2, "Oscar": 1}
    # Each count links to the list with that value added to the filters.
    link = next(v for g in groups if g["field"] == "site" for v in g["values"])
    filters = json.loads(parse_qs(urlsplit(link["url"]).query)["filters"][0])
    assert filters == [["status", "!=", "Completed"], ["site", "=", "Big Sky"]]


def test_counts_and_lists_keep_to_what_the_reader_may_read(client, people) -> None:
    from flrts.reminders.models import Reminder

    for who in (people.worker, people.other):
        reminder = Reminder(title=f"for {who}", remind_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
        reminder.owner = who
        reminder.save()
    client.force_login(people.worker)
    groups = client.get("/desk/reminders/reminder/listview/counts/").context["groups"]
    status = next(g for g in groups if g["field"] == "status")
    assert sum(v["count"] for v in status["values"]) == 1


def test_counts_by_a_date_field_link_to_the_list_filtered_by_that_date(client, people) -> None:
    """Field reports count by report date: each count's link carries the date as the API writes
    it (a date value once made the counts a 500)."""
    from flrts.fieldreports.models import FieldReport

    FieldReport(summary="Pump check", report_date=dt.date(2026, 6, 5)).save()
    client.force_login(people.supervisor)
    response = client.get("/desk/fieldreports/fieldreport/listview/counts/")
    assert response.status_code == 200
    dates = next(g for g in response.context["groups"] if g["field"] == "report_date")
    link = dates["values"][0]["url"]
    assert json.loads(parse_qs(urlsplit(link).query)["filters"][0]) == [
        ["report_date", "=", "2026-06-05"]
    ]


def test_list_tools_need_the_desk_login(client, tasks) -> None:
    for url in ("listview/counts/", "listview/row/", "listview/apply/"):
        assert client.get(f"{TASKS}{url}").status_code == 302
    assert client.post(f"{TASKS}listview/filters/save/", {"filter_name": "x"}).status_code == 302


@pytest.mark.parametrize(
    "page",
    [
        "tasks/task",
        "fieldreports/fieldreport",
        "reminders/reminder",
        "lists/flrtslist",
        "org/site",
        "org/contractor",
        "nlp/parserlog",
    ],
)
def test_every_doctype_list_has_the_list_tools(client, people, page) -> None:
    client.force_login(people.supervisor)
    body = client.get(f"/desk/{page}/").content.decode()
    for part in ('id="filter-builder"', 'id="column-picker"', 'id="saved-filters"'):
        assert part in body, (page, part)
    assert 'id="sidebar-counts"' in body
    assert client.get(f"/desk/{page}/listview/counts/").status_code == 200
    assert client.get(f"/desk/{page}/listview/row/").status_code == 200


def test_by_me_on_field_reports_and_reminders(client, people) -> None:
    from flrts.fieldreports.models import FieldReport
    from flrts.reminders.models import Reminder

    mine = FieldReport(summary="Mine", reported_by=people.worker)
    mine.save()
    FieldReport(summary="Theirs", reported_by=people.other).save()
    for_me = Reminder(title="For me", remind_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    for_me.save()
    for_me.recipients.add(people.worker)
    not_for_me = Reminder(title="Not for me", remind_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    not_for_me.owner = people.worker  # readable by her (she made it), but not one of hers
    not_for_me.save()
    client.force_login(people.worker)
    reports = client.get("/desk/fieldreports/fieldreport/", {"mine": "reported"})
    assert [r.summary for r in reports.context["cl"].result_list] == ["Mine"]
    assert "Reported by me" in reports.content.decode()
    everything = client.get("/desk/reminders/reminder/").context["cl"].result_list
    assert {r.title for r in everything} == {"For me", "Not for me"}
    reminders = client.get("/desk/reminders/reminder/", {"mine": "for_me"})
    assert [r.title for r in reminders.context["cl"].result_list] == ["For me"]


def test_counts_with_a_bad_sidebar_parameter_answer_without_counts(client, people, tasks) -> None:
    client.force_login(people.supervisor)
    response = client.get(f"{TASKS}listview/counts/", {"site__id__exact": "not-a-number"})
    assert response.status_code == 200 and response.context["groups"] == []
    assert client.get(TASKS, {"site__id__exact": "x"}).status_code == 302  # Django's ?e=1


def test_counts_of_few_and_many_valued_fields_agree(people, tasks, monkeypatch) -> None:
    from flrts.desk.listview import counts

    rows = Task.objects.filter(archived=False).order_by()
    fields = [Task._meta.get_field(n) for n in ("status", "site", "assigned_to", "subject")]
    one_pass = counts.count_values(rows, fields)  # a short list: one pass over its rows
    monkeypatch.setattr(counts, "PROBE", 1)  # a "long" list: one GROUP BY per field
    assert counts.count_values(rows, fields) == one_pass  # same values, counts and order
    monkeypatch.setattr(counts, "SMALL_TABLE", 0)  # links are now "big": the top in SQL
    grouped = counts.count_values(rows, fields)
    for name in ("status", "site", "assigned_to", "subject"):
        assert sorted(one_pass[name], key=str) == sorted(grouped[name], key=str), name
    assert dict(one_pass["status"]) == {"Open": 2, "Working": 1, "Completed": 1}
