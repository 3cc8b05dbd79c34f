"""The README's demo logins are the demo's people, with their roles and zones."""

from __future__ import annotations

from pathlib import Path

from flrts.desk.demo import PEOPLE

README = Path(__file__).resolve().parents[2] / "README.md"


def _demo_table() -> list[list[str]]:
    lines = README.read_text().splitlines()
    start = lines.index("| login | name | role | time zone |")
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip().strip("`") for cell in line.strip("|").split("|")])
    return rows


def test_readme_lists_every_demo_login_with_its_role_and_zone() -> None:
    rows = _demo_table()
    assert rows[0] == ["Administrator", "Administrator", "Admin", "(site's)"]
    expected = [[email, name, str(role), zone] for email, name, role, zone, *_ in PEOPLE]
    assert rows[1:] == expected


def test_readme_demo_password_is_the_demos() -> None:
    import inspect

    from flrts.desk.demo import load_demo

    default = inspect.signature(load_demo).parameters["password"].default
    assert f"the password `{default}`" in README.read_text()
