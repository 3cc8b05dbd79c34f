from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from flrts.core.naming import expand_series, make_name
from flrts.tasks.models import Task


def test_series_expands_year_and_counter_width() -> None:
    assert expand_series("TASK-.YYYY.-.#####", dt.date(2026, 3, 1)) == ("TASK-2026-", 5)
    assert expand_series("LIST-.#####", dt.date(2026, 3, 1)) == ("LIST-", 5)


def test_series_without_counter_is_refused() -> None:
    with pytest.raises(ValueError, match="no ##### counter"):
        expand_series("TASK-.YYYY.", dt.date(2026, 1, 1))


@pytest.mark.django_db
def test_names_count_up_per_prefix_and_restart_each_year() -> None:
    a = make_name("TASK-.YYYY.-.#####", dt.date(2026, 5, 1))
    b = make_name("TASK-.YYYY.-.#####", dt.date(2026, 5, 2))
    c = make_name("TASK-.YYYY.-.#####", dt.date(2027, 1, 1))
    assert (a, b, c) == ("TASK-2026-00001", "TASK-2026-00002", "TASK-2027-00001")


@pytest.mark.django_db
def test_task_gets_a_readable_name_on_first_save_and_keeps_it(people) -> None:
    task = Task(subject="Check the compressor")
    task.save()
    year = dt.date.today().year
    assert task.name == f"TASK-{year}-00001"
    task.subject = "Check the compressor again"
    task.save()
    task.refresh_from_db()
    assert task.name == f"TASK-{year}-00001"
    assert Task(subject="second").__class__.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_never_share_a_name() -> None:
    names: list[str] = []
    errors: list[BaseException] = []

    def create(n: int) -> None:
        try:
            for i in range(5):
                task = Task(subject=f"t{n}-{i}")
                task.save()
                names.append(task.name)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(names) == 20
    assert len(set(names)) == 20
