"""The daily report's PDF by two engines on the same HTML (issue 18): FLRTS's fpdf2 writer
(`flrts.core.pdf.html_to_pdf`) and WeasyPrint (real HTML and CSS on Pango), for a day with
10,000 tasks and 1,000 field reports (the 54-page report of bench/reports.py).

Run: .venv/bin/python bench/pdf_engines.py [--tasks 10000] [--reports 1000] [--runs 2]
(WeasyPrint is not a dependency of FLRTS: pip install weasyprint to measure it.)
Prints one JSON object: best seconds and pages of each engine, and the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._site import temp_site


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--reports", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=2)
    opts = parser.parse_args()
    load_before = os.getloadavg()[0]
    temp_site("sqlite")
    from pypdf import PdfReader

    from bench.reports import seed
    from flrts.core.pdf import html_to_pdf
    from flrts.reports.daily import collect, render_html
    from flrts.reports.periods import day_start

    day = dt.date(2026, 3, 10)
    seed(day, opts.tasks, opts.reports)
    html = render_html(collect(day, now=day_start(day) + dt.timedelta(hours=18)))
    out: dict[str, object] = {"tasks": opts.tasks, "field_reports": opts.reports}
    times = []
    for _ in range(opts.runs):
        t = time.perf_counter()
        _content, pages = html_to_pdf(html, title="bench")
        times.append(time.perf_counter() - t)
    out["fpdf2_flrts"] = {"best_s": round(min(times), 3), "pages": pages}
    try:
        import weasyprint
    except ImportError:
        out["weasyprint"] = "not installed"
    else:
        times = []
        for _ in range(opts.runs):
            t = time.perf_counter()
            content = weasyprint.HTML(string=html).write_pdf()
            times.append(time.perf_counter() - t)
        assert content is not None
        out["weasyprint"] = {
            "version": weasyprint.__version__,
            "best_s": round(min(times), 3),
            "pages": len(PdfReader(io.BytesIO(content)).pages),
        }
    out["load_before"] = round(load_before, 2)
    out["load_after"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
