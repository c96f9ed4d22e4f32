"""Bar charts drawn on the server as SVG: no JavaScript, no CDN, and nothing the content security
policy has to allow. A chart (``chart_spec``) is geometry computed here (``ChartSpec.layout``)
and drawn by the macro in
``templates/reports/_chart.html``; colours come from CSS classes (``series-0`` …) in app.css, and
each chart's figures are also shown as a table beside it, for screen readers and for copying.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH = 640
ROW_HEIGHT = 28
BAR_GAP = 8
LABEL_WIDTH = 170
TICKS = 4
#: Approximate advance of a character at the charts' 11 px font: narrow (Latin) and wide (CJK).
NARROW_PX, WIDE_PX = 6.2, 11.0


def fit_label(text: str, max_px: float) -> str:
    """``text`` cut with an ellipsis so that it fits ``max_px`` at the charts' font size,
    counting Japanese (wide) characters about twice as wide as Latin ones."""
    used = 0.0
    for i, char in enumerate(text):
        used += WIDE_PX if unicodedata.east_asian_width(char) in ("W", "F") else NARROW_PX
        if used > max_px:
            return text[: max(i - 1, 0)] + "…"
    return text


def _coordinate(value: float) -> str:
    """An SVG coordinate as drawn: one decimal."""
    return f"{value:.1f}"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str  # shown as a tooltip: "label — series: value"
    #: the coordinates as written in the SVG (formatted once here, not per attribute in Jinja)
    svg: tuple[str, str, str, str] = ("", "", "", "")


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    svg_x: str = ""


@dataclass(frozen=True)
class Label:
    """A category's name as drawn beside its row (cut to fit), and whole as its tooltip."""

    y: str
    text: str
    title: str


def _bar(x: float, y: float, width: float, height: float, series: int, title: str) -> Bar:
    svg = (_coordinate(x), _coordinate(y), _coordinate(width), _coordinate(height))
    return Bar(x, y, width, height, series, title, svg)


@dataclass
class BarChart:
    """Horizontal bars, one row per category, the series stacked or side by side."""

    title: str
    categories: list[str]
    series: list[str]
    values: list[list[float]]  # values[series][category]
    stacked: bool = True
    unit: str = ""
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    width: int = WIDTH
    height: int = 0
    label_width: int = LABEL_WIDTH
    row_height: int = ROW_HEIGHT
    row_labels: list[Label] = field(default_factory=list)
    totals: list[float] = field(default_factory=list)  # per category, for the table

    @property
    def empty(self) -> bool:
        return not any(v for row in self.values for v in row)

    @property
    def labels(self) -> list[str]:
        """The category names as drawn beside the bars (cut to fit; the table has them whole)."""
        return [fit_label(c, self.label_width - 10) for c in self.categories]

    def total(self, category_index: int) -> float:
        return sum(row[category_index] for row in self.values)

    @property
    def marks(self) -> Markup:
        """The SVG's grid, ticks, row labels and bars, written here as the macro's loops wrote
        them, byte for byte (tests/reports/test_charts.py): the dashboard drew some 200 marks
        per view through Jinja, a call and an escape per attribute."""
        grid_y, tick_y, label_x = self.height - 20, self.height - 6, self.label_width - 6
        gap = "\n    "
        parts = [
            f'{gap}<line class="chart-grid" x1="{t.svg_x}" x2="{t.svg_x}" y1="0" y2="{grid_y}"/>'
            f'{gap}<text class="chart-tick" x="{t.svg_x}" y="{tick_y}" text-anchor="middle">'
            f"{escape(t.label)}</text>{gap}"
            for t in self.ticks
        ]
        parts.append(gap)
        parts.extend(
            f'{gap}<text class="chart-label" x="{label_x}" y="{r.y}" text-anchor="end">'
            f"{escape(r.text)}<title>{escape(r.title)}</title></text>{gap}"
            for r in self.row_labels
        )
        parts.append(gap)
        parts.extend(
            f'{gap}<rect class="series-{b.series}" x="{b.svg[0]}" y="{b.svg[1]}" '
            f'width="{b.svg[2]}" height="{b.svg[3]}"><title>{escape(b.title)}</title></rect>{gap}'
            for b in self.bars
        )
        return Markup("".join(parts))  # noqa: S704  # nosec B704 - every text above is escaped


def _nice_max(value: float) -> float:
    """A round upper bound for the axis (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def quantity(value: float | Decimal | int) -> str:
    """A count or an amount as the charts and the dashboard show it: 1,234 or 12.5."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


@dataclass(frozen=True)
class ChartSpec:
    """What a chart shows, before it is laid out: hashable, so that the drawn figure can be kept
    for the same figures (``hrfund.reports.figures``)."""

    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple], ...]  # (name, (value per category, …))
    stacked: bool = True
    unit: str = ""

    @property
    def values(self) -> list[list[float]]:
        """values[series][category], as numbers to draw (none counts as 0)."""
        return [[float(Decimal(str(v or 0))) for v in vals] for _name, vals in self.series]

    def layout(self) -> BarChart:
        """The chart's bars, ticks and labels."""
        values = self.values
        categories, stacked, unit = list(self.categories), self.stacked, self.unit
        chart = BarChart(
            title=self.title,
            categories=categories,
            series=[name for name, _vals in self.series],
            values=values,
            stacked=stacked,
            unit=unit,
        )
        per_row = len(values) if not stacked else 1
        chart.row_height = ROW_HEIGHT if per_row == 1 else max(ROW_HEIGHT, 12 * per_row + BAR_GAP)
        chart.height = chart.row_height * max(len(categories), 1) + 24
        if stacked:
            largest = max((chart.total(i) for i in range(len(categories))), default=0)
        else:
            largest = max((v for row in values for v in row), default=0)
        top = _nice_max(largest)
        if all(float(v).is_integer() for row in values for v in row):
            top = max(top, TICKS)  # counts: whole-number ticks
            top = TICKS * -(-top // TICKS)
        plot = chart.width - chart.label_width - 40  # room for the last tick's label
        scale = plot / top
        for i in range(len(categories)):
            row_y = i * chart.row_height + BAR_GAP / 2
            inner = chart.row_height - BAR_GAP
            offset = 0.0
            for s, row in enumerate(values):
                value = row[i]
                if value <= 0:
                    continue
                name = chart.series[s]
                label = f"{categories[i]} — {name}: {quantity(value)}{unit}"
                if stacked:
                    bar = _bar(chart.label_width + offset, row_y, value * scale, inner, s, label)
                    offset += value * scale
                else:
                    height = inner / len(values)
                    bar = _bar(
                        chart.label_width, row_y + s * height, value * scale, height, s, label
                    )
                chart.bars.append(bar)
        ticks = ((chart.label_width + plot * k / TICKS, top * k / TICKS) for k in range(TICKS + 1))
        chart.ticks = [Tick(x, quantity(value), _coordinate(x)) for x, value in ticks]
        half = chart.row_height / 2 + 4
        chart.row_labels = [
            Label(str(i * chart.row_height + half), label, category)
            for i, (label, category) in enumerate(zip(chart.labels, categories, strict=True))
        ]
        chart.totals = [chart.total(i) for i in range(len(categories))]
        return chart


def chart_spec(
    title: str,
    categories: list[str],
    series: list[tuple[str, list]],
    *,
    stacked: bool = True,
    unit: str = "",
) -> ChartSpec:
    """A chart's figures: ``series`` is [(name, [value per category])] (labels made plain
    strings, values kept as given)."""
    return ChartSpec(
        str(title),
        tuple(str(c) for c in categories),
        tuple((str(name), tuple(vals)) for name, vals in series),
        stacked,
        str(unit),
    )
