"""A server-rendered SVG line chart of cumulative cost (no JavaScript, no CDN).

Pure geometry over Decimals: the template draws what this computes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 124, 16, 16, 36
PLACES = Decimal("0.1")
NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


# Coordinates are handed to the template as strings: a Decimal would be localised
# ("244,0" in Vietnamese), which SVG cannot read.


@dataclass(frozen=True)
class Series:
    label: str
    points: str  # "x,y x,y ..." for <polyline points>
    css: str


@dataclass(frozen=True)
class Tick:
    value: Decimal
    position: str
    label_position: str  # where the tick's label goes, beside the axis


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    bottom_y: int
    right_x: int
    series: tuple[Series, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above ``value`` (a round axis maximum)."""
    if value <= 0:
        return Decimal(1)
    scale = Decimal(1).scaleb(value.adjusted())
    for step in NICE_STEPS:
        if step * scale >= value:
            return (step * scale).quantize(Decimal(1), rounding=ROUND_CEILING) if scale >= 1 else step * scale
    return NICE_STEPS[-1] * scale


def line_chart(series: Sequence[tuple[str, Sequence[Decimal], str]], *, y_ticks: int = 4) -> LineChart:
    """Lines over years 0..n; ``series`` is (label, values by year, css class)."""
    length = max((len(values) for _, values, _ in series), default=0)
    top = nice_ceiling(max((max(values, default=Decimal(0)) for _, values, _ in series),
                           default=Decimal(0)))
    plot_w = Decimal(WIDTH - LEFT - RIGHT)
    plot_h = Decimal(HEIGHT - TOP - BOTTOM)
    span = Decimal(max(length - 1, 1))

    def x(year: int) -> Decimal:
        return (LEFT + plot_w * year / span).quantize(PLACES)

    def y(value: Decimal) -> Decimal:
        return (TOP + plot_h * (1 - value / top)).quantize(PLACES)

    lines = []
    for label, values, css in series:
        if not values:
            continue
        coords = [(x(i), y(v)) for i, v in enumerate(values)]
        lines.append(Series(label=label, css=css, points=" ".join(f"{a},{b}" for a, b in coords)))
    every = 1 if length <= 16 else 2 if length <= 32 else 5
    return LineChart(
        width=WIDTH, height=HEIGHT, left=LEFT, bottom_y=HEIGHT - BOTTOM, right_x=WIDTH - RIGHT,
        series=tuple(lines),
        y_ticks=tuple(Tick(value=top * i / y_ticks, position=str(y(top * i / y_ticks)),
                           label_position=str(LEFT - 6))
                      for i in range(y_ticks + 1)),
        x_ticks=tuple(Tick(value=Decimal(i), position=str(x(i)), label_position=str(HEIGHT - BOTTOM + 16))
                      for i in range(0, length, every)),
    )
