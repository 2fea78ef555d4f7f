"""The one chart module: geometry inside the frame, SVG that any language can read,
labels in the reader's language, a title and description for assistive technology."""

import re
from datetime import date, timedelta
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from aftersale.core import charts

NUMBER = re.compile(r"-?\d+(\.\d)?")


def drawn(chart: charts.Chart, language: str = "en") -> str:
    with translation.override(language):
        return render_to_string("charts/chart.html", {"chart": chart})


def geometry(svg: str) -> list[str]:
    """Every coordinate and size the drawing carries, path commands split into numbers."""
    values = re.findall(r' (?:x|y|x1|x2|y1|y2|cx|cy|width|height)="([^"]*)"', svg)
    for path in re.findall(r' d="([^"]*)"', svg):
        values += [n for part in path.split() for n in part[1:].split(",")]
    return values


def quarterly() -> charts.Chart:
    return charts.line_chart(
        "Share by quarter", ["Q1", "Q2", "Q3", "Q4"],
        [charts.Series("Transactional", "s-risk", [0.25, None, 0.125, 0.5]),
         charts.Series("Technical", "s-brand", [0.5, 0.5, 0.375, 0.25])],
        y_range=(0, 1), y_format=charts.percent(1), references=[("Least trusted", 0.47, "s-risk")],
        description="Two shares over four quarters.",
    )


def every_kind() -> list[charts.Chart]:
    today = date(2026, 3, 1)
    return [
        quarterly(),
        charts.scatter_chart("Trust and cost", [(3.5, 0.125, "Acme"), (4.25, 0.0625, "Beta")],
                             x_title="Trust", y_title="Cost", y_format=charts.percent(1)),
        charts.sparkline("Score", [(today - timedelta(days=d), s)
                                   for d, s in ((60, 40.5), (30, None), (0, 72.25))],
                         y_range=(0, 100), reference=("Healthy", 70)),
        charts.histogram("Scores", [0, 3, 1200, 5, 0, 0, 7, 8, 9, 1], css=lambda low: "bar-watch"),
        charts.stacked_columns("Bands", [charts.Stack("1/2", [("bar-at_risk", 2, "At risk"),
                                                              ("bar-healthy", 1500, "Healthy")])]),
    ]


def test_it_draws_coordinates_svg_can_read_in_every_language():
    for chart in every_kind():
        for language in ("en", "vi"):
            svg = drawn(chart, language)
            values = geometry(svg)
            assert values, chart.title
            assert all(NUMBER.fullmatch(v) for v in values), (chart.title, language, values)


def test_it_writes_the_labels_in_the_readers_language():
    english, vietnamese = drawn(quarterly(), "en"), drawn(quarterly(), "vi")
    assert ">25.0 %<" in english and ">25,0 %<" in vietnamese
    assert "Transactional: 12.5 %" in english and "Transactional: 12,5 %" in vietnamese
    scatter = every_kind()[1]
    assert ">3.3<" in drawn(scatter, "en") or ">3.4<" in drawn(scatter, "en")
    assert "Acme: 3,5, 12,5 %" in drawn(scatter, "vi")


def test_it_names_every_chart_for_assistive_technology():
    svg = drawn(quarterly())
    assert 'role="img" aria-label="Share by quarter"' in svg
    assert "<title>Share by quarter</title>" in svg and "<desc>Two shares over four quarters.</desc>" in svg
    # Two lines and a reference: a legend names them.
    assert svg.count('<span class="swatch') == 3


def test_it_leaves_a_gap_where_a_value_is_missing():
    transactional, technical = quarterly().lines
    assert transactional.path.count("M") == 2 and len(transactional.points) == 3
    assert technical.path.count("M") == 1 and len(technical.points) == 4


def test_it_says_so_when_there_is_nothing_to_draw():
    empty = charts.scatter_chart("Nothing", [], x_title="x", y_title="y")
    assert empty.is_empty and "Not enough data to draw." in drawn(empty)
    one_scan = charts.sparkline("Score", [(date(2026, 1, 1), 50.0)], y_range=(0, 100))
    assert one_scan.is_empty


def test_it_rounds_the_value_axis_up_to_a_round_number():
    assert charts.nice_ceiling(Decimal("3080000000")) == Decimal("5000000000")
    assert charts.nice_ceiling(Decimal("1720")) == Decimal("2000")
    assert charts.nice_ceiling(0.3) == Decimal("0.5")
    assert charts.nice_ceiling(0) == 1
    ours = charts.Series("ours", "s-brand", [Decimal(0), Decimal(170)])
    chart = charts.line_chart("Costs", ["0", "1"], [ours])
    assert [t.label.value for t in chart.y_ticks] == [0, 50, 100, 150, 200]


def test_it_thins_the_x_labels_to_sixteen_at_most():
    for n in (1, 8, 16, 17, 33, 81, 400):
        series = [charts.Series("s", "s-brand", [1] * n)]
        chart = charts.line_chart("Years", [str(i) for i in range(n)], series)
        assert 1 <= len(chart.x_ticks) <= charts.MAX_X_LABELS
        assert chart.x_ticks[0].label == "0"


def test_it_stacks_columns_on_one_scale():
    chart = every_kind()[4]
    at_risk, healthy = chart.bars
    frame = chart.frame
    assert float(at_risk.y) + float(at_risk.height) == frame.height - frame.bottom
    assert abs(float(healthy.y) - frame.top) < 0.1
    assert str(healthy.label) == "1/2 · Healthy: 1,500"


values = st.lists(st.one_of(st.none(), st.floats(-1e9, 1e9, allow_nan=False)), min_size=1, max_size=40)


@given(values, st.floats(-1e6, 1e6, allow_nan=False), st.floats(0.001, 1e6, allow_nan=False))
def test_it_keeps_every_line_inside_its_frame(ys, low, span):
    chart = charts.line_chart("Any", [str(i) for i in range(len(ys))], [charts.Series("s", "s-brand", ys)],
                              y_range=(low, low + span))
    frame = chart.frame
    for point in chart.lines[0].points:
        assert frame.left <= float(point.x) <= frame.width - frame.right
        assert frame.top - 0.05 <= float(point.y) <= frame.height - frame.bottom + 0.05
    assert len(chart.lines[0].points) == sum(y is not None for y in ys)


@given(st.lists(st.tuples(st.floats(-1e6, 1e6, allow_nan=False), st.floats(-1e6, 1e6, allow_nan=False)),
                min_size=1, max_size=30))
def test_it_keeps_every_dot_inside_its_frame(points):
    chart = charts.scatter_chart("Any", [(x, y, "n") for x, y in points], x_title="x", y_title="y")
    frame = chart.frame
    for dot in chart.dots:
        assert frame.left - 0.05 <= float(dot.x) <= frame.width - frame.right + 0.05
        assert frame.top - 0.05 <= float(dot.y) <= frame.height - frame.bottom + 0.05
