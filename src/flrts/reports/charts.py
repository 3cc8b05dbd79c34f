"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, and they print.

Every chart is `<svg class="flrts-chart" data-kind=... data-points=N>`; each point or bar
carries `data-label` and `data-value`, so tests (and people with a screen reader, through the
`<title>` of each mark) can read the numbers back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from flrts.reports.analytics import Chart

WIDTH, HEIGHT = 720, 220
PAD_L, PAD_R, PAD_T, PAD_B = 48, 12, 24, 40
COLOR, ALERT, GRID = "#417690", "#ba2121", "#ddd"


def _nice_max(values: Sequence[float | None], fixed: float | None) -> float:
    if fixed is not None:
        return fixed
    top = max((v for v in values if v is not None), default=0.0)
    if top <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(top))
    for step in (1, 2, 2.5, 5, 10):
        if top <= step * magnitude:
            return step * magnitude
    return top


def _fmt(value: float, unit: str) -> str:
    if unit == "$":
        return f"${value:,.4f}" if value < 1 else f"${value:,.2f}"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text}{unit}" if unit == "%" else text


def render(chart: Chart | None, *, width: int = WIDTH, height: int = HEIGHT) -> SafeString:
    if chart is None or not chart.labels:
        return mark_safe("")
    n = len(chart.labels)
    top = _nice_max(chart.values, chart.y_max)
    plot_w, plot_h = width - PAD_L - PAD_R, height - PAD_T - PAD_B
    step = plot_w / n

    def y_of(value: float) -> float:
        return PAD_T + plot_h - (value / top) * plot_h if top else PAD_T + plot_h

    title = escape(chart.title)
    parts = [
        f'<svg class="flrts-chart" data-kind="{chart.kind}" data-points="{n}" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{title}" '
        f'xmlns="http://www.w3.org/2000/svg" style="max-width:{width}px;font:11px sans-serif">',
        f"<title>{title}</title>",
        f'<text x="{PAD_L}" y="14" font-weight="bold">{title}</text>',
    ]
    for fraction in (0, 0.5, 1):
        y = y_of(top * fraction)
        parts.append(
            f'<line x1="{PAD_L}" x2="{width - PAD_R}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{PAD_L - 4}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(_fmt(top * fraction, chart.unit))}</text>"
        )
    every = max(1, math.ceil(n / 12))
    for i, label in enumerate(chart.labels):
        if i % every == 0 or (i == n - 1 and n <= 24):
            x = PAD_L + step * (i + 0.5)
            short = label[5:] if len(label) == 10 and label[4] == "-" else label
            parts.append(
                f'<text x="{x:.1f}" y="{height - PAD_B + 14}" text-anchor="middle">'
                f"{escape(short)}</text>"
            )
    if chart.kind == "bar":
        bar_w = max(1.0, step * 0.7)
        for i, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
            v = value or 0.0
            x = PAD_L + step * i + (step - bar_w) / 2
            y = y_of(v)
            hot = i < len(chart.highlight) and chart.highlight[i]
            parts.append(
                f'<rect class="bar" data-label="{escape(label)}" data-value="{v}" '
                f'x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{PAD_T + plot_h - y:.1f}" '
                f'fill="{ALERT if hot else COLOR}"><title>{escape(label)}: '
                f"{escape(_fmt(v, chart.unit))}</title></rect>"
            )
    else:
        segments: list[list[str]] = [[]]
        for i, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
            if value is None:
                segments.append([])
                continue
            x, y = PAD_L + step * (i + 0.5), y_of(value)
            segments[-1].append(f"{x:.1f},{y:.1f}")
            parts.append(
                f'<circle class="point" data-label="{escape(label)}" data-value="{value}" '
                f'cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{COLOR}"><title>{escape(label)}: '
                f"{escape(_fmt(value, chart.unit))}</title></circle>"
            )
        for segment in segments:
            if len(segment) > 1:
                parts.append(
                    f'<polyline fill="none" stroke="{COLOR}" stroke-width="2" '
                    f'points="{" ".join(segment)}"/>'
                )
        if not any(v is not None for v in chart.values):
            parts.append(
                f'<text x="{width / 2}" y="{PAD_T + plot_h / 2}" text-anchor="middle" '
                f'fill="#888">No data</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text went through escape()
