"""The desk's browser libraries ship inside the package: the versions the vendor README names,
their licenses beside them, served by the desk itself, and no page loads anything from a CDN."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import flrts.desk

VENDOR = Path(flrts.desk.__file__).parent / "static" / "desk" / "vendor"
# folder, file, what the file itself says about its version
LIBRARIES = [
    ("htmx", "htmx.min.js", 'version:"2.0.11"'),
    ("sortablejs", "Sortable.min.js", "Sortable 1.15.7"),
    ("event-calendar", "event-calendar.min.js", "EventCalendar v5.10.1"),
    ("event-calendar", "event-calendar.min.css", "EventCalendar v5.10.1"),
]


@pytest.mark.parametrize(("folder", "name", "version"), LIBRARIES)
def test_vendored_files_are_the_versions_the_readme_names(folder, name, version) -> None:
    text = (VENDOR / folder / name).read_text(encoding="utf-8")
    assert version in text
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    number = re.search(r"\d+\.\d+\.\d+", version)
    assert number is not None
    assert re.search(rf"\| `{folder}/` \| `[^`]+` \| {re.escape(number.group())} \|", readme)
    assert (VENDOR / folder / "LICENSE").stat().st_size > 300


@pytest.mark.django_db
def test_pages_load_their_scripts_from_the_desk_only(client, people) -> None:
    from flrts.tasks.models import Task

    task = Task(subject="Assets")
    task.save()
    client.force_login(people.admin)
    for path in ("/desk/tasks/task/kanban/", "/desk/tasks/task/calendar/",
                 f"/desk/tasks/task/{task.pk}/change/"):  # fmt: skip
        body = client.get(path).content.decode()
        sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', body)
        assert sources and all(s.startswith("/assets/") for s in sources), (path, sources)
    for folder, name, _version in LIBRARIES:
        response = client.get(f"/assets/desk/vendor/{folder}/{name}")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        response.close()
        assert response.status_code == 200 and len(body) > 10_000, name
