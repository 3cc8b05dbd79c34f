"""Charts in the daily PDF: vector bars and lines whose sizes give back the database's numbers,
the same overdue trend as the desk's home page, a page header with site and date, and page
numbers in the footer."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader
from tests.reports.test_daily import DAY, NOW, day_data  # noqa: F401  # the fixture

from flrts.core.pdf import CHART_HEIGHT, Chart, read_html
from flrts.core.timezones import zone
from flrts.reports.daily import build, collect, render_html
from flrts.reports.periods import site_zone_name
from flrts.tasks.models import Task

pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # points per mm
RECT = re.compile(rb"([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) re B\b")


def pdf_of(report: Any) -> PdfReader:
    with report.file.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def test_the_charts_hold_the_database_numbers(day_data: Any) -> None:  # noqa: F811
    from flrts.desk.home import _overdue_trend

    data = collect(DAY, now=NOW)
    charts = {
        c.title.split(":")[0].split(" (")[0]: c
        for c in read_html(render_html(data))
        if isinstance(c, Chart)
    }
    assert set(charts) == {"Tasks per site", "Overdue tasks, last 14 days", "Parser outcomes"}
    per_site = charts["Tasks per site"]
    assert per_site.kind == "bars" and per_site.labels == ["Big Sky", "Viper"]
    # counted here straight from the rows the fixture made
    assert per_site.series == [
        ("Created", [2.0, 1.0]),
        ("Completed", [2.0, 0.0]),
        ("Overdue", [0.0, 1.0]),
    ]
    trend = charts["Overdue tasks, last 14 days"]
    assert trend.kind == "line" and len(trend.labels) == 14 and trend.labels[-1] == "03-10"
    with timezone.override(zone(site_zone_name())):  # as the desk's middleware does
        _labels, desk = _overdue_trend(Task.objects.filter(archived=False), DAY, NOW)
    assert trend.series == [("Overdue", desk)]  # the same numbers as the desk's home page
    assert trend.series[0][1][-1] == data.totals["overdue"] == 1
    parser = charts["Parser outcomes"]
    assert "4 parses, cost $0.0060" in parser.title
    assert parser.series == [("Parses", [2.0, 1.0, 1.0, 0.0])]  # accepted, rejected, pending

    # In the PDF: one filled and outlined rectangle per bar that is not zero, its height the
    # value on the chart's scale (both charts top out at 2), beside 3 mm legend swatches.
    report = build(DAY, now=NOW)
    reader = pdf_of(report)
    heights = []
    for page in reader.pages:
        for _x, _y, w, h in RECT.findall(page.get_contents().get_data()):
            if abs(float(w) - 3 * MM) > 0.05:
                heights.append(round(abs(float(h)) / (CHART_HEIGHT * MM) * 2, 2))
    assert sorted(heights) == sorted([2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 1.0])  # per site, parser
    # the trend: a polyline of 14 points, a marker on each
    first = reader.pages[0].get_contents().get_data()
    assert len(re.findall(rb" l\b", first)) >= 13
    text = "\n".join(page.extract_text() for page in reader.pages)
    for title in ("Tasks per site: created, completed, overdue", "Overdue tasks, last 14 days"):
        assert title in text
    for number, page in enumerate(reader.pages, start=1):
        words = page.extract_text()
        assert f"{settings.SITE.name} · daily report 2026-03-10" in words  # the header
        assert f"Page {number}/{len(reader.pages)}" in words  # the footer


def test_no_parser_chart_on_a_day_without_parses(people: Any) -> None:
    import datetime as dt

    data = collect(dt.date(2026, 1, 5), now=NOW)
    titles = [c.title for c in read_html(render_html(data)) if isinstance(c, Chart)]
    assert len(titles) == 2 and not any("Parser" in t for t in titles)


def test_a_figure_that_is_not_a_chart_draws_nothing() -> None:
    html = (
        '<figure data-chart="{not json"></figure><figure data-chart=\'{"kind": "pie", '
        '"labels": [], "series": []}\'></figure><p>after</p>'
    )
    assert [type(b).__name__ for b in read_html(html)] == ["Para"]
