"""The TCO calculator and the service-inclusive price, without a database."""

from dataclasses import fields, replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from aftersale.commerce.money import quantum
from aftersale.economics.tco import (
    Equipment,
    Offer,
    PricedLine,
    asset_years,
    blend,
    check_pricing,
    compare,
    per_asset_year,
    service_inclusive_price,
    total_cost_of_ownership,
)

CURRENCIES = st.sampled_from(["VND", "USD", "EUR"])


def money(max_value: str = "1000000000") -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal("0"), max_value=Decimal(max_value), places=2,
                       allow_nan=False, allow_infinity=False)


equipment = st.builds(
    Equipment,
    name=st.just("unit"),
    price=money(),
    life_years=st.one_of(st.none(), st.integers(min_value=1, max_value=30)),
    service_per_year=money("100000000"),
    service_included_years=st.integers(min_value=0, max_value=5),
    consumables_per_year=money("100000000"),
    downtime_hours_per_year=st.decimals(min_value=Decimal("0"), max_value=Decimal("500"),
                                        places=2, allow_nan=False, allow_infinity=False),
)


def tco(item: Equipment, horizon: int, hourly: Decimal = Decimal("100000"), currency: str = "USD"):
    return total_cost_of_ownership(Offer("ours", (item,)), horizon_years=horizon,
                                   downtime_cost_per_hour=hourly, currency=currency)


def walk(value):
    """Every value reachable from a result: dataclass fields and properties."""
    if isinstance(value, tuple | list):
        for item in value:
            yield from walk(item)
        return
    if hasattr(value, "__dataclass_fields__"):
        for f in fields(value):
            yield from walk(getattr(value, f.name))
        for name in dir(type(value)):
            if isinstance(getattr(type(value), name), property):
                yield from walk(getattr(value, name))
        return
    yield value


@given(item=equipment, horizon=st.integers(min_value=1, max_value=40), currency=CURRENCIES,
       hourly=money("10000000"))
def test_it_never_lets_a_float_in_and_rounds_every_figure_to_the_currency(item, horizon, currency,
                                                                          hourly):
    result = tco(item, horizon, hourly, currency)
    for value in walk(result):
        assert not isinstance(value, float)
        if isinstance(value, Decimal):
            assert value == value.quantize(quantum(currency))
    assert result.total == sum((y.total for y in result.years), Decimal(0))
    assert result.total == (result.purchase + result.service + result.consumables + result.downtime
                            - result.remaining_value)


@given(item=equipment, horizon=st.integers(min_value=1, max_value=40))
def test_it_only_ever_adds_up_year_after_year(item, horizon):
    result = tco(item, horizon)
    running = result.cumulative[:-1] + [result.total + result.remaining_value]
    assert running == sorted(running)  # only the final credit of remaining value goes back
    assert result.total >= 0


@given(item=equipment, life=st.integers(min_value=1, max_value=29))
def test_it_costs_more_over_a_longer_life(item, life):
    shorter = tco(replace(item, life_years=life), life)
    longer = tco(replace(item, life_years=life + 1), life + 1)
    assert longer.total >= shorter.total
    if longer.years[-1].consumables + longer.years[-1].downtime > 0:
        assert longer.total > shorter.total


@given(item=equipment, horizon=st.integers(min_value=1, max_value=40),
       life=st.integers(min_value=1, max_value=29))
def test_it_never_costs_more_when_the_equipment_lasts_longer(item, horizon, life):
    # Without included service (a replacement renews it, a real benefit of buying new),
    # a longer life means fewer purchases, and the remaining value nets each out to
    # price x years used / life.
    item = replace(item, service_included_years=0)
    assert (tco(replace(item, life_years=life + 1), horizon).total
            <= tco(replace(item, life_years=life), horizon).total + Decimal("0.02"))


@given(item=equipment, horizon=st.integers(min_value=1, max_value=40))
def test_it_charges_equipment_for_the_years_it_is_used(item, horizon):
    assume(item.life_years)
    result = tco(item, horizon)
    used = item.price * horizon / item.life_years
    assert abs(result.purchase - result.remaining_value - used) <= Decimal("0.02")


@given(item=equipment, horizon=st.integers(min_value=1, max_value=40), extra=money("10000000"))
def test_it_costs_more_with_more_service(item, horizon, extra):
    assume(extra >= 1)
    heavier = replace(item, service_per_year=item.service_per_year + extra)
    assert tco(heavier, horizon).total >= tco(item, horizon).total
    if any(item.age_in(year) > item.service_included_years for year in range(1, horizon + 1)):
        assert tco(heavier, horizon).total > tco(item, horizon).total


def test_it_refuses_floats():
    with pytest.raises(TypeError):
        tco(Equipment(name="x", price=1000.0), 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tco(Equipment(name="x", price=Decimal(1)), 5, hourly=2.5)  # type: ignore[arg-type]


def test_it_works_out_a_press_against_a_cheaper_competitor_over_ten_years():
    ours = Offer("ours", (Equipment(
        name="press", price=Decimal("1000000000"), life_years=10,
        service_per_year=Decimal("40000000"), service_included_years=2,
        consumables_per_year=Decimal("20000000"), downtime_hours_per_year=Decimal("10"),
    ),))
    theirs = Offer("theirs", (Equipment(
        name="press", price=Decimal("800000000"), life_years=7,
        service_per_year=Decimal("60000000"), service_included_years=1,
        consumables_per_year=Decimal("20000000"), downtime_hours_per_year=Decimal("40"),
    ),))
    result = compare(ours, theirs, horizon_years=10, downtime_cost_per_hour=Decimal("2000000"),
                     currency="VND")
    # Ours: 1,000M + service 8 x 40M + consumables 10 x 20M + downtime 10 x 10 h x 2M.
    assert result.ours.total == Decimal("1000000000") + 320000000 + 200000000 + 200000000
    # Theirs: 800M, bought again in year 8 and 3 of its 7 years used by year 10, so
    # 4/7 of it is credited back; service in years 2-7 and 9-10 (year 8 is a new machine
    # under its first year's service); downtime 10 x 40 h x 2M.
    assert result.theirs.years[8].purchase == Decimal("800000000")
    assert result.theirs.remaining_value == Decimal("457142857")
    assert result.theirs.service == 8 * Decimal("60000000")
    assert result.theirs.total == (Decimal("1600000000") - 457142857 + 480000000 + 200000000
                                   + 800000000)
    assert result.price_gap == Decimal("200000000")
    assert result.saving == Decimal("2622857143") - Decimal("1720000000")
    assert result.cheaper_from_year == 3


@given(unit_cost=money(), service=money("100000000"), years=st.integers(min_value=0, max_value=10),
       margin=st.decimals(min_value=Decimal("0"), max_value=Decimal("0.9"), places=4,
                          allow_nan=False, allow_infinity=False),
       currency=CURRENCIES)
def test_it_prices_service_in_so_that_the_target_margin_holds(unit_cost, service, years, margin,
                                                              currency):
    after_sale = service * years
    floor = service_inclusive_price(unit_cost=unit_cost, after_sale_cost=after_sale,
                                    target_margin=margin, currency=currency)
    assert floor == floor.quantize(quantum(currency))
    cost = unit_cost + after_sale
    if floor:
        assert (floor - cost) / floor >= margin
    below = floor - quantum(currency)
    if below > 0:
        assert (below - cost) / below < margin


def test_it_flags_a_quote_that_does_not_cover_the_service_it_includes():
    press = PricedLine(name="press", quantity=2, unit_price=Decimal("1000000000"),
                       unit_cost=Decimal("700000000"), service_per_year=Decimal("40000000"),
                       service_included_years=3, life_years=10)
    # Cost per unit 700M + 3 x 40M = 820M; at a 25 % margin the floor is 820M / 0.75.
    check = check_pricing([press], target_margin=Decimal("0.25"), currency="VND")
    assert check.lines[0].floor == Decimal("1093333334")
    assert check.underpriced
    assert check.shortfall == 2 * Decimal("93333334")
    assert check.after_sale_cost == Decimal("240000000")
    assert check.margin == Decimal("0.18")
    assert check.lines[0].full_service_price == Decimal("1466666667")

    fair = check_pricing([replace(press, unit_price=Decimal("1100000000"))],
                         target_margin=Decimal("0.25"), currency="VND")
    assert not fair.underpriced and fair.shortfall == 0


def test_it_lets_one_line_carry_another():
    cheap = PricedLine(name="a", quantity=1, unit_price=Decimal("90"), unit_cost=Decimal("80"),
                       service_per_year=Decimal("0"), service_included_years=0)
    rich = PricedLine(name="b", quantity=1, unit_price=Decimal("300"), unit_cost=Decimal("100"),
                      service_per_year=Decimal("0"), service_included_years=0)
    check = check_pricing([cheap, rich], target_margin=Decimal("0.2"), currency="USD")
    assert check.lines[0].underpriced and not check.underpriced


def test_it_refuses_a_margin_of_one_or_more():
    with pytest.raises(ValueError, match="target margin"):
        service_inclusive_price(unit_cost=Decimal(1), after_sale_cost=Decimal(0),
                                target_margin=Decimal(1), currency="USD")


def test_it_counts_asset_years_and_trusts_observations_with_history():
    years = asset_years([(date(2024, 1, 1), 2), (date(2026, 1, 1), 1)], date(2026, 1, 1))
    assert years == Decimal("4.00")
    assert per_asset_year(Decimal("100"), Decimal("0.5")) is None
    assert per_asset_year(Decimal("100"), years) == Decimal("25")
    assert blend(Decimal("40"), None, Decimal("0")) == Decimal("40")
    assert blend(Decimal("0"), Decimal("25"), years) == Decimal("25")
    # 5 asset-years of history weigh as much as the catalogue.
    assert blend(Decimal("40"), Decimal("20"), Decimal("5")) == Decimal("30")


@given(catalogue=money(), observed=money(), years=st.decimals(
    min_value=Decimal("1"), max_value=Decimal("1000"), places=2, allow_nan=False,
    allow_infinity=False))
def test_it_blends_between_the_catalogue_and_the_observations(catalogue, observed, years):
    assume(catalogue > 0)
    value = blend(catalogue, observed, years)
    assert isinstance(value, Decimal)
    assert min(catalogue, observed) <= value <= max(catalogue, observed)


def test_it_draws_the_cumulative_costs_inside_the_chart():
    from aftersale.core.charts import Frame, Series, line_chart, nice_ceiling

    assert nice_ceiling(Decimal("3080000000")) == Decimal("5000000000")
    assert nice_ceiling(Decimal("1720")) == Decimal("2000")
    assert nice_ceiling(Decimal("0.3")) == Decimal("0.5")
    frame = Frame(width=640, height=280, left=124, right=16, top=16, bottom=36)
    chart = line_chart("TCO", ["0", "1", "2"],
                       [Series("ours", "s-brand", [Decimal(0), Decimal(50), Decimal(100)]),
                        Series("theirs", "s-risk dashed", [Decimal(10), Decimal(80), Decimal(170)])],
                       frame=frame, inset=0, markers=False)
    assert chart.y_ticks[-1].label.value == Decimal(200)
    for line in chart.lines:
        for point in line.points:
            assert 0 <= float(point.x) <= frame.width and 0 <= float(point.y) <= frame.height
    assert chart.lines[0].path.startswith("M124,244 L")
