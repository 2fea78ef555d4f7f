"""Statistical rhythm signals (issue 7): BG/NBD on distinct event days, wired into the scan."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from aftersale.accounts.models import Account, AccountKind, Industry, Tier
from aftersale.commerce.models import Order
from aftersale.engagement.models import InitiatedBy
from aftersale.health.evaluate import evaluate, make_context
from aftersale.health.rhythm.bgnbd import BGNBDRhythm, event_days
from aftersale.health.scan import run_scan

from .conftest import NOW, case, days_ago, order, touchpoint

CDNOW = Path(__file__).resolve().parents[1] / "data" / "cdnow" / "CDNOW_sample.txt"
AS_OF = datetime(1997, 9, 30, 16, 0, tzinfo=UTC)  # the calibration period's last day counts


def import_cdnow(owner) -> int:
    """The CDNOW sample as accounts (one per customer) and orders; returns the number of repeat days."""
    raw = np.loadtxt(CDNOW, dtype=np.int64, usecols=(1, 2))
    customers = sorted(set(raw[:, 0].tolist()))
    Account.objects.bulk_create([
        Account(external_id=f"CDNOW-{c}", name=f"CDNOW {c}", kind=AccountKind.CUSTOMER,
                industry=Industry.CAPITAL_EQUIPMENT, tier=Tier.STANDARD, owner=owner)
        for c in customers
    ], batch_size=1000)
    ids = dict(Account.objects.filter(external_id__startswith="CDNOW-").values_list("external_id", "pk"))
    Order.objects.bulk_create([
        Order(account_id=ids[f"CDNOW-{c}"], total=Decimal("10"), channel="rep",
              placed_at=datetime(d // 10000, d // 100 % 100, d % 100, 4, 0, tzinfo=UTC))
        for c, d in raw.tolist()
    ], batch_size=2000)
    return len(customers)


@pytest.mark.slow
def test_it_reproduces_the_published_cdnow_fit_in_the_scan(owner):
    n = import_cdnow(owner)
    run = run_scan(AS_OF)
    fits = {m["stream"]: m for m in run.rhythm_models}
    assert "contacts" not in fits  # no customer contact at all: no model, no invented rhythm
    fit = fits["orders"]
    assert fit["kind"] == "bgnbd"
    assert fit["time_unit"] == "day"
    assert fit["n"] == n == 2357
    published = {"r": 0.243, "alpha": 4.414 * 7, "a": 0.793, "b": 2.426}
    for name, value in published.items():
        assert fit["params"][name] == pytest.approx(value, rel=0.01), name
    # In days every repeat event's density is the weekly one divided by 7.
    days = event_days("orders", AS_OF, None)
    repeats = days.days.size - np.unique(days.account_ids).size
    assert fit["log_likelihood"] == pytest.approx(-9582.4 - repeats * np.log(7), abs=1.0)
    assert fit["converged"]
    assert "zero_repeat_model" not in fit  # one model for every account


def test_it_ignores_orders_after_as_of_and_same_day_repeats(account):
    order(account, datetime(2026, 1, 5, 3, tzinfo=UTC))
    order(account, datetime(2026, 1, 5, 9, tzinfo=UTC))
    order(account, datetime(2026, 2, 5, 3, tzinfo=UTC))
    order(account, datetime(2026, 3, 5, 3, tzinfo=UTC))
    days = event_days("orders", datetime(2026, 2, 10, tzinfo=UTC), None)
    assert sorted(days.days.tolist()) == [-36, -5]


def test_it_makes_the_contact_stream_of_cases_and_customer_initiated_touchpoints(account, frozen):
    case(account, days_ago(10))
    touchpoint(account, days_ago(20), initiated_by=InitiatedBy.CUSTOMER)
    touchpoint(account, days_ago(30))  # our own call proves nothing about the customer
    days = event_days("contacts", NOW, None)
    assert sorted(days.days.tolist()) == [-20, -10]


FIT = {
    "stream": "orders", "kind": "bgnbd", "params": {"r": 0.243, "alpha": 30.9, "a": 0.793, "b": 2.426},
    "log_likelihood": -1.0, "n": 100, "time_unit": "day", "converged": True, "population_gap": 30.0,
}


def order_signal(account, fits=None):
    ctx = make_context(NOW, fits={"orders": FIT} if fits is None else fits)
    health = evaluate(ctx, [account.pk])[account.pk]
    row = next(r for r in health.signal_rows(12) if r["name"] == "order_rhythm")
    return row["value"], row["explanation"]


def test_it_does_not_call_a_new_account_lost(account, frozen):
    order(account, days_ago(10))
    value, words = order_signal(account)
    assert value == 1.0
    assert "too early" in words


def test_it_does_not_call_a_one_time_buyer_safe(account, other_account, frozen):
    # BG/NBD's P(alive) would say 1.0 (alive forever); the chance of an order within the usual gap
    # falls with the silence.
    order(account, days_ago(400))
    order(other_account, days_ago(60))
    value, words = order_signal(account)
    assert value < 0.7
    assert value < order_signal(other_account)[0] < 1.0
    assert "Only one order" in words
    assert "estimate from one order" in words


def test_it_explains_a_regular_buyer_gone_silent_in_its_own_rhythm(account, frozen):
    for n in (395, 365, 335, 305, 275, 245, 215):
        order(account, days_ago(n))
    value, words = order_signal(account)
    assert value < 0.2
    assert words.startswith("Orders usually every 30 days; none for 215 days; chance of an order within "
                            "the next 180 days: ")


def test_it_calls_a_regular_buyer_on_rhythm_engaged(account, other_account, frozen):
    for n in (185, 155, 125, 95, 65, 35, 5):
        order(account, days_ago(n))
    for n in (395, 365, 335, 305, 275, 245, 215):
        order(other_account, days_ago(n))
    # The chance of an order within 180 days: six usual gaps of a steady rhythm.
    on_rhythm = order_signal(account)[0]
    assert on_rhythm > 0.8
    assert on_rhythm > 5 * order_signal(other_account)[0]


def test_it_does_not_use_a_fit_that_did_not_converge_and_says_why(account, frozen):
    for n in (90, 60, 30):
        order(account, days_ago(n))
    value, words = order_signal(account, fits={"orders": {**FIT, "converged": False}})
    assert value == 1.0  # the gap ratio: 30 days since, usually every 30
    assert words.startswith("Last order 30 days ago")
    assert "did not settle" in words


def test_it_still_speaks_by_the_gap_ratio_without_a_fit(account, frozen):
    for n in (90, 60, 30):
        order(account, days_ago(n))
    value, words = order_signal(account, fits={})
    assert value == 1.0
    assert words.startswith("Last order 30 days ago")


def test_it_fits_no_model_to_a_portfolio_too_small_to_fit(account):
    model = BGNBDRhythm("orders")
    for n in (90, 60, 30):
        order(account, days_ago(n))
    assert model.fit(NOW, event_days("orders", NOW, None)) is None


def test_it_falls_back_to_each_accounts_own_gap_after_a_degenerate_fit():
    """Perfectly regular event days drive BG/NBD's dropout towards zero and its
    expectation to NaN; those accounts are judged by their usual gap instead, so no
    signal value or explanation carries a NaN."""
    from aftersale.health.rhythm.bgnbd import EventDays

    ids, days = [], []
    for account_id in range(1, 61):
        last = -(account_id % 7) * 5 - (200 if account_id == 60 else 0)  # the last one went silent
        for k in range(12):
            ids.append(account_id)
            days.append(last - 30 * k)
    events = EventDays(np.array(ids), np.array(days))
    model = BGNBDRhythm("orders")
    with np.errstate(all="ignore"):
        fit = model.fit(NOW, events)
        assert fit is not None
        result = model.assess(NOW, events, fit)
    assert len(result) == 60
    assert all(np.isfinite(r.value) for r in result.values())
    assert result[1].value == 1.0 and result[1].facts["gap_days"] == 30
    assert result[60].value < 0.1  # 200 days past its 30-day rhythm
    assert "nan" not in model.explain(result[60].facts).lower()
