"""Server-rendered SVG charts: pure geometry here, markup in ``reviews/_line_chart.html``
and ``reviews/_scatter_chart.html`` (no JavaScript, no CDN, prints as drawn)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 12, 32


@dataclass(frozen=True)
class Series:
    label: str
    css: str  # colour class in reviews/_chart_style.html
    path: str  # SVG path through the known points; gaps break the line
    points: list[tuple[float, float, str]]  # x, y, the value as text


@dataclass(frozen=True)
class Reference:
    label: str
    y: float
    css: str


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    series: list[Series] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    dots: list[Dot] = field(default_factory=list)
    x_title: str = ""
    y_title: str = ""

    @property
    def plot_left(self) -> int:
        return LEFT

    @property
    def plot_right(self) -> int:
        return self.width - RIGHT

    @property
    def plot_bottom(self) -> int:
        return self.height - BOTTOM

    @property
    def plot_top(self) -> int:
        return TOP


def _scale(value: float, low: float, high: float, out_low: float, out_high: float) -> float:
    if high == low:
        return (out_low + out_high) / 2
    return round(out_low + (value - low) / (high - low) * (out_high - out_low), 1)


def line_chart(
    labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[float | None]]], *,
    y_min: float = 0.0, y_max: float = 1.0, y_format: str = "{:.0%}", ticks: int = 5,
    references: Sequence[tuple[str, float, str]] = (),
) -> Chart:
    """A line per series over the labelled x positions; None values leave a gap."""
    chart = Chart()
    n = len(labels)
    x_at = [_scale(i, 0, max(n - 1, 1), LEFT + 12, WIDTH - RIGHT - 12) for i in range(n)]

    def y_at(v: float) -> float:
        return _scale(min(max(v, y_min), y_max), y_min, y_max, HEIGHT - BOTTOM, TOP)

    chart.x_labels = list(zip(x_at, labels, strict=True))
    tick_values = [y_min + (y_max - y_min) * i / (ticks - 1) for i in range(ticks)]
    chart.y_ticks = [(y_at(v), y_format.format(v)) for v in tick_values]
    chart.references = [Reference(label, y_at(value), css) for label, value, css in references]
    for label, css, values in series:
        parts, points, pen_down = [], [], False
        for x, value in zip(x_at, values, strict=True):
            if value is None:
                pen_down = False
                continue
            y = y_at(value)
            parts.append(f"{'L' if pen_down else 'M'}{x},{y}")
            points.append((x, y, y_format.format(value)))
            pen_down = True
        chart.series.append(Series(label, css, " ".join(parts), points))
    return chart


def scatter_chart(
    points: Sequence[tuple[float, float, str]], *, x_title: str, y_title: str,
    x_format: str = "{:.1f}", y_format: str = "{:.2f}", ticks: int = 5,
) -> Chart:
    """Dots at (x, y) with a label each, axes fitted to the data."""
    chart = Chart(x_title=x_title, y_title=y_title)
    if not points:
        return chart
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x_low, x_high = min(xs), max(xs)
    y_low, y_high = min(0.0, min(ys)), max(ys)
    pad = (x_high - x_low) * 0.05 or 0.5
    x_low, x_high = x_low - pad, x_high + pad
    y_high = y_high * 1.05 if y_high > 0 else 1.0
    chart.dots = [
        Dot(_scale(x, x_low, x_high, LEFT, WIDTH - RIGHT),
            _scale(y, y_low, y_high, HEIGHT - BOTTOM, TOP), label)
        for x, y, label in points
    ]
    chart.x_labels = [
        (_scale(x_low + (x_high - x_low) * i / (ticks - 1), x_low, x_high, LEFT, WIDTH - RIGHT),
         x_format.format(x_low + (x_high - x_low) * i / (ticks - 1)))
        for i in range(ticks)
    ]
    chart.y_ticks = [
        (_scale(y_low + (y_high - y_low) * i / (ticks - 1), y_low, y_high, HEIGHT - BOTTOM, TOP),
         y_format.format(y_low + (y_high - y_low) * i / (ticks - 1)))
        for i in range(ticks)
    ]
    return chart
