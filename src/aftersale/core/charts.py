"""Server-rendered SVG charts for every page that draws one.

The geometry is here, as pure functions over numbers; the markup is one
template, ``charts/chart.html`` (``{% include "charts/chart.html" %}`` with
``chart`` in the context). No JavaScript, nothing from a CDN, and a chart
prints as drawn. Each chart has a title and a description that assistive
technology reads, and a tooltip on every mark.

Coordinates are handed to the template as strings with a full stop: a float or
a Decimal would be localised there ("244,0" in Vietnamese), which SVG cannot
read. What people read (tick labels, values in tooltips) is a ``Text`` or a
``Phrase``, formatted in the reader's language when the page is rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal
from functools import partial
from typing import Any, NamedTuple

from django.utils.formats import date_format, number_format

Number = float | int | Decimal
Format = Callable[[Any], str]
NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
# At most this many labels along the x axis; more are thinned to every 2nd, 5th, 10th...
MAX_X_LABELS = 16


def _decimal(value: Number, *, places: int) -> str:
    return number_format(value, decimal_pos=places, force_grouping=True)


def _percent(value: Number, *, places: int) -> str:
    return f"{number_format(value * 100, decimal_pos=places)} %"


def decimal(places: int = 0) -> Format:
    """A number with ``places`` decimals, grouped, in the reader's language."""
    return partial(_decimal, places=places)


def percent(places: int = 0) -> Format:
    """A share (0.25) as a percentage ("25 %"), in the reader's language."""
    return partial(_percent, places=places)


WHOLE, ONE_PLACE, TWO_PLACES = decimal(0), decimal(1), decimal(2)
short_date: Format = partial(date_format, format="SHORT_DATE_FORMAT")


def coord(value: Number) -> str:
    """A coordinate as SVG reads it: a full stop, at most one decimal."""
    text = f"{float(value):.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class Text:
    """A value people read, formatted when the page is rendered (so in its language)."""

    value: Any
    format: Format = str

    def __str__(self) -> str:
        return "—" if self.value is None else self.format(self.value)


@dataclass(frozen=True)
class Phrase:
    """Parts (names, ``Text``) joined by a pattern of punctuation when the page is rendered."""

    pattern: str
    parts: tuple[Any, ...]

    def __str__(self) -> str:
        return self.pattern.format(*(str(part) for part in self.parts))


Label = Text | Phrase | str


@dataclass(frozen=True)
class Tick:
    at: str  # the position along its axis
    label: Label


@dataclass(frozen=True)
class Point:
    x: str
    y: str
    label: Label  # the mark's tooltip


@dataclass(frozen=True)
class Line:
    label: str
    css: str  # a colour class of the chart style sheet (s-brand, s-risk, ... and "dashed")
    path: str  # through the known points; a missing value breaks the line
    points: tuple[Point, ...]
    markers: bool = True


@dataclass(frozen=True)
class Reference:
    label: str
    y: str
    css: str


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    css: str
    label: Label  # its tooltip


@dataclass(frozen=True)
class Frame:
    """The drawing's size and the margins around the plot (room for the tick labels)."""

    width: int = 640
    height: int = 240
    left: int = 48
    right: int = 16
    top: int = 12
    bottom: int = 32

    def x(self, value: Number, low: Number, high: Number, inset: float = 0) -> float:
        return _scale(value, low, high, self.left + inset, self.width - self.right - inset)

    def y(self, value: Number, low: Number, high: Number) -> float:
        return _scale(value, low, high, self.height - self.bottom, self.top)


@dataclass
class Chart:
    title: str
    frame: Frame = field(default_factory=Frame)
    description: str = ""
    caption: str = ""  # a line under the chart
    axes: bool = True
    x_title: str = ""
    y_title: str = ""
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    dots: list[Point] = field(default_factory=list)
    x_anchor: str = "middle"  # where an x label sits: centred on its tick, or starting there
    css: str = ""  # an extra class on the drawing ("compact": smaller labels)

    @property
    def width(self) -> str:
        return str(self.frame.width)

    @property
    def height(self) -> str:
        return str(self.frame.height)

    @property
    def plot_left(self) -> str:
        return str(self.frame.left)

    @property
    def plot_right(self) -> str:
        return str(self.frame.width - self.frame.right)

    @property
    def plot_top(self) -> str:
        return str(self.frame.top)

    @property
    def plot_bottom(self) -> str:
        return str(self.frame.height - self.frame.bottom)

    @property
    def y_label_x(self) -> str:
        return str(self.frame.left - 6)

    @property
    def x_label_y(self) -> str:
        return str(self.frame.height - self.frame.bottom + min(16, self.frame.bottom - 2))

    @property
    def is_empty(self) -> bool:
        return not (any(line.points for line in self.lines) or self.bars or self.dots)

    @property
    def legend(self) -> bool:
        """Whether a legend names the lines (one line is named by the title)."""
        return len(self.lines) + len(self.references) > 1


class Series(NamedTuple):
    label: str
    css: str
    values: Sequence[Number | None]


def _scale(value: Number, low: Number, high: Number, out_low: float, out_high: float) -> float:
    low, high = float(low), float(high)
    if high == low:
        return (out_low + out_high) / 2
    return out_low + (float(value) - low) / (high - low) * (out_high - out_low)


def nice_ceiling(value: Number) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above ``value`` (a round axis maximum)."""
    value = Decimal(str(value))
    if value <= 0:
        return Decimal(1)
    scale = Decimal(1).scaleb(value.adjusted())
    for step in NICE_STEPS:
        if step * scale >= value:
            return (step * scale).quantize(Decimal(1), rounding=ROUND_CEILING) if scale >= 1 else step * scale
    return NICE_STEPS[-1] * scale


def label_every(n: int) -> int:
    """Label every 1st, 2nd, 5th, 10th, 20th... position so that at most MAX_X_LABELS show."""
    step = 1
    while (n + step - 1) // step > MAX_X_LABELS:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return step


def _ticks(low: Number, high: Number, count: int) -> list[Number]:
    return [low + (high - low) * i / (count - 1) for i in range(count)]


def _line(frame: Frame, label: str, css: str, xs: Sequence[float],
          values: Sequence[Number | None], y_range: tuple[Number, Number], fmt: Format,
          markers: bool) -> Line:
    low, high = y_range
    parts: list[str] = []
    points: list[Point] = []
    pen_down = False
    for x, value in zip(xs, values, strict=True):
        if value is None:
            pen_down = False
            continue
        y = coord(frame.y(min(max(value, low), high), low, high))
        parts.append(f"{'L' if pen_down else 'M'}{coord(x)},{y}")
        points.append(Point(coord(x), y, Text(value, fmt)))
        pen_down = True
    return Line(label, css, " ".join(parts), tuple(points), markers)


def line_chart(
    title: str, x_labels: Sequence[Label], series: Sequence[Series], *,
    y_range: tuple[Number, Number] | None = None, y_format: Format = WHOLE, ticks: int = 5,
    references: Sequence[tuple[str, Number, str]] = (), frame: Frame | None = None,
    inset: float = 12, markers: bool = True, description: str = "", caption: str = "",
) -> Chart:
    """A line per series over evenly spaced, labelled x positions; a missing value leaves a gap.

    Without ``y_range`` the axis runs from 0 to a round number at or above the largest value.
    """
    frame = frame or Frame()
    if y_range is None:
        largest = max((v for s in series for v in s.values if v is not None), default=0)
        y_range = (Decimal(0), nice_ceiling(largest))
    low, high = y_range
    n = len(x_labels)
    xs = [frame.x(i, 0, max(n - 1, 1), inset) for i in range(n)]
    every = label_every(n)
    return Chart(
        title=title, frame=frame, description=description, caption=caption,
        x_ticks=[Tick(coord(x), label) for i, (x, label) in enumerate(zip(xs, x_labels, strict=True))
                 if i % every == 0],
        y_ticks=[Tick(coord(frame.y(v, low, high)), Text(v, y_format)) for v in _ticks(low, high, ticks)],
        references=[Reference(label, coord(frame.y(value, low, high)), css)
                    for label, value, css in references],
        lines=[_line(frame, s.label, s.css, xs, s.values, (low, high), y_format, markers) for s in series],
    )


def scatter_chart(
    title: str, points: Sequence[tuple[Number, Number, str]], *, x_title: str, y_title: str,
    x_format: Format = ONE_PLACE, y_format: Format = TWO_PLACES, ticks: int = 5,
    description: str = "",
) -> Chart:
    """A dot at each (x, y), named in its tooltip, with axes fitted to the data."""
    chart = Chart(title=title, x_title=x_title, y_title=y_title, description=description)
    if not points:
        return chart
    frame = chart.frame
    xs, ys = [float(p[0]) for p in points], [float(p[1]) for p in points]
    pad = (max(xs) - min(xs)) * 0.05 or 0.5
    x_low, x_high = min(xs) - pad, max(xs) + pad
    y_low, y_high = min(0.0, min(ys)), max(ys)
    y_high = y_high * 1.05 if y_high > 0 else 1.0
    chart.dots = [
        Point(coord(frame.x(x, x_low, x_high)), coord(frame.y(y, y_low, y_high)),
              Phrase("{}: {}, {}", (label, Text(x, x_format), Text(y, y_format))))
        for x, y, label in points
    ]
    chart.x_ticks = [Tick(coord(frame.x(v, x_low, x_high)), Text(v, x_format))
                     for v in _ticks(x_low, x_high, ticks)]
    chart.y_ticks = [Tick(coord(frame.y(v, y_low, y_high)), Text(v, y_format))
                     for v in _ticks(y_low, y_high, ticks)]
    return chart


SPARK = Frame(width=240, height=48, left=2, right=2, top=2, bottom=2)
HISTOGRAM = Frame(width=400, height=120, left=0, right=0, top=6, bottom=14)
COLUMNS = Frame(width=420, height=130, left=4, right=0, top=6, bottom=16)


def sparkline(title: str, points: Sequence[tuple[date, Number | None]], *, y_range: tuple[Number, Number],
              reference: tuple[str, Number] | None = None, caption: str = "", label: str = "",
              frame: Frame = SPARK) -> Chart:
    """A small line over time (days apart as they were), without axes; days without a value
    are skipped. Empty (``is_empty``) with fewer than two values."""
    known = [(day, value) for day, value in points if value is not None]
    chart = Chart(title=title, frame=frame, axes=False, caption=caption, css="compact")
    if reference is not None:
        chart.references = [Reference(reference[0], coord(frame.y(reference[1], *y_range)), "s-muted")]
    if len(known) < 2:
        return chart
    first, last = known[0][0], known[-1][0]
    span = max((last - first).days, 1)
    xs = [frame.x((day - first).days, 0, span) for day, _value in known]
    chart.lines = [_line(frame, label or title, "s-brand", xs, [v for _d, v in known], y_range, WHOLE, False)]
    return chart


def bin_of(score: float, bins: int = 10) -> int:
    """The bin of a score 0..100 among ``bins`` equal bins (100 falls in the top one)."""
    return min(int(score // (100 / bins)), bins - 1)


def histogram(title: str, counts: Sequence[int], *, css: Callable[[float], str],
              frame: Frame = HISTOGRAM, description: str = "") -> Chart:
    """Bars for counts already binned over 0..100 (``len(counts)`` equal bins), each coloured
    by ``css(lowest score of its bin)`` and labelled with that score."""
    bins = len(counts)
    top = max(counts, default=0) or 1
    width = (frame.width - frame.left - frame.right) / bins
    chart = Chart(title=title, frame=frame, axes=False, description=description, x_anchor="start",
                  css="compact")
    for i, count in enumerate(counts):
        low, high = i * 100 // bins, (i + 1) * 100 // bins
        x = frame.left + i * width
        y = frame.y(count, 0, top)
        chart.bars.append(Bar(coord(x + 1), coord(y), coord(width - 2),
                              coord(frame.height - frame.bottom - y), css(low),
                              Phrase("{}–{}: {}", (low, high, Text(count, WHOLE)))))
        chart.x_ticks.append(Tick(coord(x + 1), Text(low, WHOLE)))
    return chart


class Stack(NamedTuple):
    """One column of a stacked bar chart: its label and its parts (css, count, name)."""

    label: Label
    parts: Sequence[tuple[str, int, Any]]  # (css, count, name; a lazy name is translated when drawn)


def stacked_columns(title: str, columns: Sequence[Stack], *, column_width: int = 28, gap: int = 6,
                    frame: Frame = COLUMNS, description: str = "") -> Chart:
    """A column per entry, its parts stacked bottom up, all on one scale (the tallest column)."""
    top = max((sum(n for _css, n, _name in c.parts) for c in columns), default=0) or 1
    chart = Chart(title=title, frame=frame, axes=False, description=description, x_anchor="start",
                  css="compact")
    for i, column in enumerate(columns):
        x = frame.left + i * (column_width + gap)
        base = 0
        for css, n, name in column.parts:
            y_top, y_base = frame.y(base + n, 0, top), frame.y(base, 0, top)
            chart.bars.append(Bar(coord(x), coord(y_top), str(column_width), coord(y_base - y_top), css,
                                  Phrase("{} · {}: {}", (column.label, name, Text(n, WHOLE)))))
            base += n
        chart.x_ticks.append(Tick(coord(x), column.label))
    return chart
