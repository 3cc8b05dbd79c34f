"""HTML to PDF for the reports: a small HTML subset drawn with fpdf2's low-level calls.

The daily report is a Django template (the same HTML is shown in the desk). This module reads
that HTML and draws it with fpdf2 (pure Python, no system service). It understands what the
report templates use and nothing more: h1-h3, p (class "muted"), ul/li, hr, br, and tables
(th with width="NN%", td with class "num" for right-aligned numbers, tr class "total" in
bold); header rows repeat on every page. Everything else is read as text.

Why not fpdf2's own `write_html` or xhtml2pdf: for 1,000 field reports they took 9 s and 32 s
(their line breaking re-measures the line for every character); wrapping words here with a
width cache draws the same in well under a second. Measurements are in docs/reports.md.

Text is drawn with DejaVu Sans when its TrueType files are on the host (Debian's
`fonts-dejavu-core`, or the folder in `report_font_dir`): names and notes in any European,
Cyrillic or Greek script come out as written. Without it, the PDF core font Helvetica, which
covers Latin-1: other characters are transliterated (“quotes”, dashes, …). Either way a
character the font lacks (an emoji) is shown as "?", so a PDF never fails on one.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from fpdf import FPDF

from flrts.core.progress import each

_SPACE = re.compile(r"[ \t\r\n\f]+")
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u2022": "\xb7",
        "\u00a0": " ",
        "\u2192": "->",
        "\u2264": "<=",
        "\u2265": ">=",
        "\u2713": "v",
        "\u2705": "v",
        "\u26a0": "!",
    }
)


def latin1(text: str) -> str:
    """What the core font can draw: Latin-1, with common punctuation transliterated."""
    text = text.translate(_TRANSLATE)
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        out.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return "".join(out)


# DejaVu Sans, regular and bold (the styles the reports use), where Debian installs it.
UNICODE_FONT = "DejaVuSans"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
DEFAULT_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")


def unicode_font_dir(configured: str | None = None) -> Path | None:
    """The folder holding DejaVu Sans regular and bold, or None (then Helvetica, Latin-1)."""
    for folder in [configured] if configured else DEFAULT_FONT_DIRS:
        path = Path(folder)
        if all((path / name).is_file() for name in _FONT_FILES.values()):
            return path
    return None


@cache
def _covered(folder: str) -> frozenset[int]:
    """The code points DejaVu Sans (regular) has glyphs for."""
    from fontTools.ttLib import TTFont

    with TTFont(str(Path(folder) / _FONT_FILES[""]), lazy=True) as font:
        return frozenset(font.getBestCmap())


def in_font(folder: Path) -> Callable[[str], str]:
    """A text filter for DejaVu Sans: typographic punctuation kept, what it lacks as "?"."""
    covered = _covered(str(folder))

    def text(value: str) -> str:
        if all(ord(c) in covered or c in "\n\t" for c in value):
            return value
        return "".join(c if ord(c) in covered or c in "\n\t" else "?" for c in value)

    return text


# -- the HTML subset as blocks ---------------------------------------------------------------


@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Para:
    text: str
    muted: bool = False


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Rule:
    pass


@dataclass
class Cell:
    text: str
    width: float = 0.0  # percent of the text width; 0 = share what is left
    numeric: bool = False
    header: bool = False


@dataclass
class Table:
    header: list[Cell] = field(default_factory=list)
    rows: list[tuple[list[Cell], bool]] = field(default_factory=list)  # (cells, bold)


@dataclass
class Chart:
    """`<figure data-chart='{"kind": "bars"|"line", "title": ..., "labels": [...],
    "series": [[name, [values...]], ...]}'>`: drawn as vector graphics (rectangles, lines),
    in greys told apart by lightness and outline, with every value written beside its mark."""

    kind: str
    title: str
    labels: list[str]
    series: list[tuple[str, list[float]]]

    @classmethod
    def from_json(cls, raw: str) -> Chart | None:
        try:
            data = json.loads(raw)
            series = [(str(name), [float(v) for v in values]) for name, values in data["series"]]
            labels = [str(label) for label in data["labels"]]
            kind = str(data["kind"])
        except (ValueError, KeyError, TypeError):
            return None  # not a chart of ours: nothing drawn
        if kind not in ("bars", "line") or any(len(v) != len(labels) for _, v in series):
            return None
        return cls(kind, str(data.get("title", "")), labels, series)


Block = Heading | Para | Bullets | Rule | Table | Chart


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.text: list[str] = []
        self.kind = ""  # what the collected text becomes: h1.. | p | li | cell | title
        self.muted = False
        self.items: list[str] | None = None
        self.table: Table | None = None
        self.row: list[Cell] | None = None
        self.row_bold = False
        self.in_head = False
        self.cell: Cell | None = None
        self.skip = 0  # inside <style>, <script> or <head>'s <title>

    # text collection
    def _flush(self) -> str:
        raw = "".join(self.text)
        self.text = []
        lines = [_SPACE.sub(" ", part).strip() for part in raw.split("\n")]
        return "\n".join(line for line in lines if line)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag in ("style", "script", "title"):
            self.skip += 1
        elif tag in ("h1", "h2", "h3", "p"):
            self._end_loose_text()
            self.kind, self.muted = tag, "muted" in classes
        elif tag == "ul":
            self.items = []
        elif tag == "li":
            self.kind = "li"
        elif tag == "br":
            self.text.append("\n")
        elif tag == "hr":
            self.blocks.append(Rule())
        elif tag == "figure" and a.get("data-chart"):
            self._end_loose_text()
            chart = Chart.from_json(a["data-chart"])
            if chart is not None:
                self.blocks.append(chart)
        elif tag == "table":
            self._end_loose_text()
            self.table = Table()
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr":
            self.row, self.row_bold = [], "total" in classes
        elif tag in ("td", "th"):
            width = a.get("width", "").rstrip("%")
            self.cell = Cell(
                "",
                float(width) if width.replace(".", "", 1).isdigit() else 0.0,
                "num" in classes,
                tag == "th" or self.in_head,
            )
            self.kind = "cell"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("h1", "h2", "h3"):
            self.blocks.append(Heading(int(tag[1]), self._flush()))
            self.kind = ""
        elif tag == "p":
            text = self._flush()
            if text:
                self.blocks.append(Para(text, self.muted))
            self.kind, self.muted = "", False
        elif tag == "li" and self.items is not None:
            self.items.append(self._flush())
            self.kind = ""
        elif tag == "ul" and self.items is not None:
            self.blocks.append(Bullets(self.items))
            self.items = None
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.cell.text = self._flush()
            self.row.append(self.cell)
            self.cell, self.kind = None, ""
        elif tag == "tr" and self.row is not None and self.table is not None:
            if self.in_head or (all(c.header for c in self.row) and not self.table.header):
                self.table.header = self.row
            else:
                self.table.rows.append((self.row, self.row_bold))
            self.row = None
        elif tag == "thead":
            self.in_head = False
        elif tag == "table" and self.table is not None:
            self.blocks.append(self.table)
            self.table = None

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.text.append(data)

    def _end_loose_text(self) -> None:
        text = self._flush()
        if text and self.table is None:
            self.blocks.append(Para(text))


def read_html(html: str) -> list[Block]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.blocks


# -- drawing -----------------------------------------------------------------------------------


def _nice_top(value: float) -> float:
    """The y axis top: 1, 2, 2.5 or 5 times a power of ten, at least `value` (1 for none)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _number(value: float) -> str:
    """A value as written on a chart: whole numbers without decimals."""
    if value == int(value):
        return str(int(value))
    return f"{value:.4f}".rstrip("0") if abs(value) < 1 else f"{value:.2f}".rstrip("0").rstrip(".")


FONT = "Helvetica"
BODY, SMALL = 9.0, 7.5
LINE = 1.35  # line height as a multiple of the font size (in points)
PT = 0.3528  # mm per point
CELL_PAD = 1.2


class _Document(FPDF):
    footer_text = ""
    header_text = ""
    family = FONT

    def header(self) -> None:
        if not self.header_text:
            return
        self.set_y(6)
        self.set_font(self.family, "", 7)
        self.set_text_color(120)
        self.cell(0, 4, self.header_text, align="L")
        self.set_text_color(0)
        self.set_y(14)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(self.family, "", 7)
        self.set_text_color(120)
        self.cell(0, 4, self.footer_text, align="L")
        self.cell(0, 4, f"Page {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0)


# Greys for the series of a chart, dark to light, each bar also outlined in black: they stay
# apart printed in black and white.
SERIES_GREYS = (40, 140, 225)
CHART_HEIGHT = 48.0  # mm, plot area


class Renderer:
    def __init__(
        self, title: str, footer: str = "", font_dir: Path | None = None, header: str = ""
    ) -> None:
        pdf = _Document(orientation="P", unit="mm", format="A4")
        self.text: Callable[[str], str] = latin1
        if font_dir is not None:
            for style, name in _FONT_FILES.items():
                pdf.add_font(UNICODE_FONT, style, str(font_dir / name))
            pdf.family = UNICODE_FONT
            self.text = in_font(font_dir)
        self.family = pdf.family
        pdf.footer_text = self.text(footer)
        pdf.header_text = self.text(header)
        pdf.set_title(self.text(title))
        pdf.set_creator("FLRTS")
        pdf.set_auto_page_break(False)
        pdf.set_margins(14, 14, 14)
        pdf.add_page()
        self.pdf = pdf
        self.bottom = pdf.h - 16
        self.width = pdf.w - pdf.l_margin - pdf.r_margin
        self._widths: dict[tuple[str, float, str], float] = {}
        self.style = ("", BODY)
        self._set("", BODY)

    def _set(self, style: str, size: float) -> None:
        if (style, size) != self.style:
            self.pdf.set_font(self.family, style, size)
            self.style = (style, size)

    def _w(self, word: str) -> float:
        key = (self.style[0], self.style[1], word)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = self.pdf.get_string_width(word)
        return width

    def wrap(self, text: str, width: float) -> list[str]:
        """Greedy word wrap at `width` mm in the current font; long words are cut."""
        lines: list[str] = []
        space = self._w(" ")
        for paragraph in self.text(text).split("\n"):
            line: list[str] = []
            used = 0.0
            for word in paragraph.split(" "):
                if not word:
                    continue
                w = self._w(word)
                while w > width and len(word) > 1:  # a word longer than the column
                    if line:
                        lines.append(" ".join(line))
                        line, used = [], 0.0
                    cut = max(1, int(len(word) * width / w))
                    lines.append(word[:cut])
                    word = word[cut:]
                    w = self._w(word)
                if line and used + space + w > width:
                    lines.append(" ".join(line))
                    line, used = [], 0.0
                used += (space if line else 0.0) + w
                line.append(word)
            lines.append(" ".join(line))
        return lines or [""]

    def _room(self, height: float) -> bool:
        """Start a new page when `height` does not fit; True when it did."""
        if self.pdf.get_y() + height > self.bottom:
            self.pdf.add_page()
            return True
        return False

    def heading(self, block: Heading) -> None:
        size = {1: 15.0, 2: 12.0, 3: 10.0}.get(block.level, 10.0)
        self._set("B", size)
        height = size * LINE * PT
        self._room(height * 2 + 2)
        self.pdf.ln(2 if block.level > 1 else 0)
        for line in self.wrap(block.text, self.width):
            self.pdf.text(self.pdf.l_margin, self.pdf.get_y() + size * PT, line)
            self.pdf.set_y(self.pdf.get_y() + height)
        self.pdf.ln(1)

    def para(self, block: Para) -> None:
        size = SMALL if block.muted else BODY
        self._set("", size)
        if block.muted:
            self.pdf.set_text_color(100)
        height = size * LINE * PT
        for line in self.wrap(block.text, self.width):
            self._room(height)
            self.pdf.text(self.pdf.l_margin, self.pdf.get_y() + size * PT, line)
            self.pdf.set_y(self.pdf.get_y() + height)
        self.pdf.set_text_color(0)
        self.pdf.ln(1.5)

    def bullets(self, block: Bullets) -> None:
        self._set("", BODY)
        height = BODY * LINE * PT
        for item in block.items:
            for n, line in enumerate(self.wrap(item, self.width - 5)):
                self._room(height)
                y = self.pdf.get_y() + BODY * PT
                if n == 0:
                    self.pdf.text(self.pdf.l_margin + 1, y, "-")
                self.pdf.text(self.pdf.l_margin + 5, y, line)
                self.pdf.set_y(y - BODY * PT + height)
        self.pdf.ln(1.5)

    def rule(self) -> None:
        y = self.pdf.get_y() + 1
        self.pdf.set_draw_color(180)
        self.pdf.line(self.pdf.l_margin, y, self.pdf.l_margin + self.width, y)
        self.pdf.set_y(y + 2)

    def _widths_of(self, cells: list[Cell]) -> list[float]:
        fixed = sum(c.width for c in cells)
        loose = [c for c in cells if not c.width]
        rest = max(0.0, 100.0 - fixed)
        share = rest / len(loose) if loose else 0.0
        percents = [c.width or share for c in cells]
        scale = self.width / (sum(percents) or 1.0)
        return [p * scale for p in percents]

    def _layout(
        self, cells: list[Cell], widths: list[float], bold: bool
    ) -> tuple[list[list[str]], float]:
        self._set("B" if bold else "", SMALL)
        wrapped = [self.wrap(c.text, w - 2 * CELL_PAD) for c, w in zip(cells, widths, strict=False)]
        lines = max((len(parts) for parts in wrapped), default=1)
        return wrapped, lines * SMALL * LINE * PT + 1.4

    def _draw_row(
        self,
        cells: list[Cell],
        widths: list[float],
        laid: tuple[list[list[str]], float],
        bold: bool,
        fill: bool,
    ) -> None:
        wrapped, height = laid
        self._set("B" if bold else "", SMALL)
        line_h = SMALL * LINE * PT
        pdf = self.pdf
        x, y = pdf.l_margin, pdf.get_y()
        if fill:
            pdf.set_fill_color(232, 238, 242)
            pdf.rect(x, y, sum(widths), height, style="F")
        pdf.set_draw_color(200)
        pdf.line(x, y + height, x + sum(widths), y + height)
        for cell, w, lines in zip(cells, widths, wrapped, strict=False):
            ty = y + 0.7 + SMALL * PT
            for line in lines:
                tx = x + w - CELL_PAD - self._w(line) if cell.numeric else x + CELL_PAD
                pdf.text(tx, ty, line)
                ty += line_h
            x += w
        pdf.set_y(y + height)

    def table(self, block: Table) -> None:
        columns = block.header or (block.rows[0][0] if block.rows else [])
        if not columns:
            return
        widths = self._widths_of(columns)
        head = self._layout(block.header, widths, True) if block.header else None
        if head is not None:
            self._room(head[1] * 2)
            self._draw_row(block.header, widths, head, True, True)
        for cells, bold in block.rows:
            laid = self._layout(cells, widths, bold)
            if self._room(laid[1]) and head is not None:
                self._draw_row(block.header, widths, head, True, True)
            self._draw_row(cells, widths, laid, bold, False)
        self.pdf.ln(3)

    def draw(self, blocks: Iterable[Block]) -> None:
        for block in blocks:
            if isinstance(block, Heading):
                self.heading(block)
            elif isinstance(block, Para):
                self.para(block)
            elif isinstance(block, Bullets):
                self.bullets(block)
            elif isinstance(block, Rule):
                self.rule()
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, Chart):
                self.chart(block)

    def chart(self, block: Chart) -> None:
        """Title, legend, y axis with a nice top value and grid, then the bars (grouped per
        label) or the line (with a marker per point); each value written at its mark."""
        pdf = self.pdf
        self._room(CHART_HEIGHT + 22)
        self._set("B", BODY)
        x0, y = pdf.l_margin, pdf.get_y() + 1
        pdf.text(x0, y + BODY * PT, self.text(block.title))
        # legend
        self._set("", SMALL)
        lx = x0
        ly = y + BODY * PT + 2.2
        for n, (name, _values) in enumerate(block.series):
            grey = SERIES_GREYS[n % len(SERIES_GREYS)]
            pdf.set_fill_color(grey)
            pdf.set_draw_color(0)
            if block.kind == "bars":
                pdf.rect(lx, ly, 3, 3, style="DF")
            else:
                pdf.line(lx, ly + 1.5, lx + 3, ly + 1.5)
                pdf.circle(x=lx + 1.5, y=ly + 1.5, radius=0.7, style="DF")
            pdf.text(lx + 4, ly + 2.6, self.text(name))
            lx += 8 + self._w(self.text(name))
        top = ly + 6
        left = x0 + 10
        width = self.width - 10
        bottom = top + CHART_HEIGHT
        values = [v for _, vs in block.series for v in vs]
        peak = _nice_top(max(values, default=0.0))
        # grid and y axis labels
        pdf.set_draw_color(200)
        pdf.set_line_width(0.1)
        lead = peak / 10 ** math.floor(math.log10(peak))
        ticks = 5 if round(lead, 3) in (1.0, 2.5, 5.0) else 4  # whole steps: 5 -> 1, 2 -> 0.5
        for step in range(ticks + 1):
            gy = bottom - CHART_HEIGHT * step / ticks
            pdf.line(left, gy, left + width, gy)
            label = _number(peak * step / ticks)
            pdf.text(left - 1.5 - self._w(label), gy + 1, label)
        pdf.set_draw_color(0)
        pdf.set_line_width(0.25)
        pdf.line(left, top, left, bottom)
        pdf.line(left, bottom, left + width, bottom)
        slot = width / max(1, len(block.labels))
        self._set("", 6.0)
        every = max(1, math.ceil(len(block.labels) * 14 / width))  # x labels that fit
        for i, label in enumerate(block.labels):
            if i % every:
                continue
            text = self.text(label)
            while len(text) > 3 and self._w(text) > slot * every - 1:
                text = text[:-2] + "."
            pdf.text(left + slot * (i + 0.5) - self._w(text) / 2, bottom + 3.2, text)
        if block.kind == "bars":
            count = max(1, len(block.series))
            bar = min(12.0, slot * 0.8 / count)
            for n, (_name, vs) in enumerate(block.series):
                pdf.set_fill_color(SERIES_GREYS[n % len(SERIES_GREYS)])
                for i, value in enumerate(vs):
                    h = CHART_HEIGHT * value / peak
                    bx = left + slot * i + (slot - bar * count) / 2 + bar * n
                    if h > 0:
                        pdf.set_line_width(0.2)
                        pdf.rect(bx, bottom - h, bar, h, style="DF")
                    label = _number(value)
                    pdf.text(bx + bar / 2 - self._w(label) / 2, bottom - h - 0.8, label)
        else:
            pdf.set_line_width(0.5)
            for n, (_name, vs) in enumerate(block.series):
                points = [
                    (left + slot * (i + 0.5), bottom - CHART_HEIGHT * v / peak)
                    for i, v in enumerate(vs)
                ]
                pdf.set_draw_color(0)
                pdf.set_fill_color(SERIES_GREYS[n % len(SERIES_GREYS)])
                if len(points) > 1:
                    pdf.polyline(points)
                for (px, py), value in zip(points, vs, strict=True):
                    pdf.circle(x=px, y=py, radius=0.9, style="DF")
                    label = _number(value)
                    pdf.text(px - self._w(label) / 2, py - 1.6, label)
        pdf.set_line_width(0.2)
        pdf.set_draw_color(0)
        pdf.set_fill_color(255)
        pdf.set_y(bottom + 6)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def html_to_pdf(
    html: str,
    *,
    title: str,
    footer: str = "",
    font_dir: Path | None = None,
    progress: bool = False,
    header: str = "",
) -> tuple[bytes, int]:
    """The PDF bytes and its page count (DejaVu Sans from `font_dir`, else Helvetica).
    progress=True: a bar of the blocks laid out, on a terminal (the CLI's reports)."""
    renderer = Renderer(title, footer, font_dir, header)
    blocks = read_html(html)
    renderer.draw(each(blocks, "pdf") if progress else blocks)
    pages = renderer.pdf.page_no()
    return renderer.output(), pages
