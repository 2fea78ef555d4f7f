"""The buyer's-side measures on a frozen year (see ``story`` in conftest)."""

from datetime import date
from decimal import Decimal

import pytest

from aftersale.purchasing import measures
from tests.purchasing.conftest import AS_OF


def test_it_counts_lots_of_the_last_twelve_months_only(story):
    found = measures.inspections(AS_OF)[story.pk]
    assert (found.received, found.inspected, found.rejected) == (20, 14, 1)
    assert found.inspection_rate == pytest.approx(0.7)
    assert found.rejection_rate == pytest.approx(1 / 14)


def test_it_shows_the_inspection_rate_falling_quarter_by_quarter(story):
    by_quarter = measures.inspections_by_quarter(AS_OF, [story.pk])[story.pk]
    assert sorted(by_quarter) == [date(2024, 10, 1), date(2025, 7, 1), date(2026, 1, 1)]
    assert by_quarter[date(2025, 7, 1)].inspection_rate == 1.0
    assert by_quarter[date(2026, 1, 1)].inspection_rate == pytest.approx(0.4)


def test_it_works_out_purchase_value_per_purchasing_hour(story, other_supplier):
    efforts = measures.purchasing_effort(AS_OF)
    mine = efforts[story.pk]
    assert (mine.hours, mine.value, mine.currency) == (Decimal(160), Decimal(800_000_000), "VND")
    assert mine.value_per_hour == Decimal(5_000_000)
    assert mine.value_per_person == Decimal(5_000_000) * measures.HOURS_PER_PERSON_YEAR
    assert mine.hours_per_million == pytest.approx(0.2)
    # The other supplier costs ten times the purchasing time per unit bought.
    assert measures.cost_ratios(efforts) == {story.pk: 1.0, other_supplier.pk: pytest.approx(10.0)}


def test_it_measures_price_pressure_from_orders_and_face_time(story):
    pressure = measures.price_pressure(AS_OF)[story.pk]
    assert (pressure.orders, pressure.competing_bids, pressure.requotes) == (3, 3, 4)
    assert pressure.requotes_per_order == pytest.approx(4 / 3)
    assert pressure.price_share == pytest.approx(90 / 210)


def test_it_counts_only_ideas_the_supplier_sent_us(story, account):
    found = measures.ideas_received(AS_OF)
    assert account.pk in found  # a customer's idea to us is its own row, never the supplier's
    ideas = found[story.pk]
    # Our own idea to the supplier is not counted; the one decided after AS_OF is pending.
    assert (ideas.received, ideas.adopted, ideas.rejected, ideas.pending) == (2, 1, 0, 1)


def test_it_counts_only_the_promises_the_supplier_made_us(story):
    theirs = measures.supplier_promises(AS_OF, [story.pk])[story.pk]
    assert (theirs.kept, theirs.broken, theirs.due) == (1, 1, 2)
    assert theirs.on_time_rate == 0.5


def test_it_reads_every_measure_in_one_query_each(story, other_supplier, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        measures.inspections(AS_OF)
        measures.inspections_by_quarter(AS_OF)
        measures.purchasing_effort(AS_OF)
        measures.price_pressure(AS_OF)
        measures.ideas_received(AS_OF)
