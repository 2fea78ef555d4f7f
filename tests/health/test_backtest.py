"""The backtest command on a small portfolio: who orders again after the as-of date."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from aftersale.accounts.models import Account, AccountKind, Industry, Tier
from aftersale.core.asof import as_date, end_of_day
from aftersale.health.models import BacktestRun, HealthSnapshot

from .conftest import NOW, order

N_BUYERS = 120


@pytest.fixture
def portfolio(owner):
    """Buyers drawn as BG/NBD assumes (a pace per buyer, a chance to drop out after each order),
    from about three years back; returns the as-of date and who ordered in the 90 days after it."""
    as_of = NOW - timedelta(days=100)
    # The backtest reads days: from the end of the as-of day to the end of the horizon's last day.
    start, end = end_of_day(as_date(as_of)), end_of_day(as_date(as_of) + timedelta(days=90))
    rng = np.random.default_rng(4)
    again = set()
    for i in range(N_BUYERS):
        account = Account.objects.create(external_id=f"B-{i}", name=f"Buyer {i}", kind=AccountKind.CUSTOMER,
                                         industry=Industry.CAPITAL_EQUIPMENT, tier=Tier.STANDARD, owner=owner)
        gap, drop = 1 / rng.gamma(2.0, 1 / 60.0), rng.beta(1.0, 6.0)
        day = 1100 - rng.uniform(0, 100)
        while day > 10:
            placed = NOW - timedelta(days=float(day))
            order(account, placed)
            if start < placed <= end:
                again.add(account.pk)
            if rng.random() < drop:
                break
            day -= rng.exponential(gap) + 1
    return as_of, again


def test_it_ranks_the_accounts_that_order_again_by_their_rhythm(portfolio):
    out = StringIO()
    as_of, again = portfolio
    call_command("backtest", "--as-of", as_of.date().isoformat(), "--horizon", "90", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["accounts"] == N_BUYERS
    assert result["ordered_again"] == len(again)
    assert result["model"]["kind"] == "bgnbd" and result["model"]["converged"]
    assert list(result["auc"])[:4] == ["health", "rhythm", "recency", "frequency"]
    assert "order_rhythm" in result["auc"]  # every signal is ranked too
    assert result["auc"]["rhythm"] > 0.8
    assert result["auc"]["recency"] > 0.8
    rhythm = result["outcomes"]["orders_again"]["rankings"]["rhythm"]
    assert rhythm["low"] <= rhythm["auc"] <= rhythm["high"]
    assert rhythm["n"] == N_BUYERS and rhythm["positives"] == len(again)
    assert rhythm["lift_top_tenth"] > 1.2
    calibration = result["outcomes"]["orders_again"]["calibration"]
    assert sum(b["n"] for b in calibration["by_band"]) == N_BUYERS
    assert sum(t["n"] for t in calibration["by_tenth"]) + calibration["unscored"]["n"] == N_BUYERS
    assert result["outcomes"]["active"]["accounts"] == N_BUYERS
    expected = result["expected_orders"]
    assert expected["all"]["n"] == N_BUYERS
    assert expected["0"]["n"] + expected["1"]["n"] + expected["2+"]["n"] == N_BUYERS
    assert not HealthSnapshot.objects.exists()  # computed, never written
    assert BacktestRun.objects.get().report == result  # the run is kept for the proof page


def test_it_prints_the_table_and_names_bad_input(portfolio):
    as_of, again = portfolio
    out = StringIO()
    call_command("backtest", "--as-of", as_of.date().isoformat(), "--horizon", "90", stdout=out)
    assert f" {len(again)} " in out.getvalue()
    assert "rhythm" in out.getvalue()
    with pytest.raises(CommandError, match="--horizon"):
        call_command("backtest", "--as-of", "2026-01-01", "--horizon", "0")
    with pytest.raises(CommandError, match="--as-of"):
        call_command("backtest", "--as-of", "yesterday", "--horizon", "30")
    with pytest.raises(CommandError, match="not known yet"):
        call_command("backtest", "--as-of", as_of.date().isoformat(), "--horizon", "100000")
