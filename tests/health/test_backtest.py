"""The backtest command on a small portfolio: who orders again after the as-of date."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from aftersale.accounts.models import Account, AccountKind, Industry, Tier
from aftersale.health.models import BacktestRun, HealthSnapshot
from aftersale.stats.simulate import simulate_bgnbd, simulate_event_days

from .conftest import NOW, order


@pytest.fixture
def simulated(owner):
    """50 buyers drawn from BG/NBD itself (seeded), observed 200 to 400 days before the as-of date."""
    params = {"r": 3.0, "alpha": 90.0, "a": 1.5, "b": 6.0}
    rng = np.random.default_rng(0)
    first = rng.integers(200, 400, 50)
    sim = simulate_bgnbd(params, 50, first + 100.0, rng)
    account_idx, day = simulate_event_days(sim, -first, rng)  # day 0 is the as-of date
    as_of = NOW - timedelta(days=100)
    accounts = [Account.objects.create(external_id=f"S-{i}", name=f"Buyer {i}", kind=AccountKind.CUSTOMER,
                                       industry=Industry.CAPITAL_EQUIPMENT, tier=Tier.STANDARD, owner=owner)
                for i in range(50)]
    for i, d in zip(account_idx.tolist(), day.tolist(), strict=True):
        order(accounts[i], as_of + timedelta(days=d, hours=-2))
    again = {i for i, d in zip(account_idx.tolist(), day.tolist(), strict=True) if 0 < d <= 90}
    return as_of, len(again)


def test_it_ranks_by_the_rhythm_of_a_portfolio_the_model_fits(simulated):
    as_of, ordered_again = simulated
    out = StringIO()
    call_command("backtest", "--as-of", as_of.date().isoformat(), "--horizon", "90", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["accounts"], result["ordered_again"]) == (50, ordered_again)
    assert result["model"]["kind"] == "bgnbd" and result["model"]["converged"]
    assert list(result["auc"])[:4] == ["health", "rhythm", "recency", "frequency"]
    assert result["auc"]["rhythm"] > 0.7


@pytest.fixture
def portfolio(owner):
    """25 regular buyers that keep ordering, 25 that stopped long before the as-of date."""
    as_of = NOW - timedelta(days=100)
    for i in range(50):
        account = Account.objects.create(external_id=f"B-{i}", name=f"Buyer {i}", kind=AccountKind.CUSTOMER,
                                         industry=Industry.CAPITAL_EQUIPMENT, tier=Tier.STANDARD, owner=owner)
        keeps = i % 2 == 0
        stop = 0 if keeps else 200
        for n in range(stop, 400, 30 + i % 5):
            if n < 100 and not keeps:
                continue
            order(account, NOW - timedelta(days=n + 1))
    return as_of


def test_it_ranks_the_accounts_that_order_again_and_reports_a_fit_that_did_not_converge(portfolio):
    out = StringIO()
    call_command("backtest", "--as-of", portfolio.date().isoformat(), "--horizon", "90", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["accounts"] == 50
    assert result["ordered_again"] == 25
    assert result["model"]["kind"] == "bgnbd"
    assert list(result["auc"])[:3] == ["health", "recency", "frequency"]
    assert "order_rhythm" in result["auc"]  # every signal is ranked too
    # Perfectly even gaps leave BG/NBD nothing to fit: the fit is shown, the rhythm is not ranked.
    assert result["model"]["converged"] is False and "rhythm" not in result["auc"]
    assert result["auc"]["recency"] > 0.9
    recency = result["outcomes"]["orders_again"]["rankings"]["recency"]
    assert recency["low"] <= recency["auc"] <= recency["high"]
    assert recency["n"] == 50 and recency["positives"] == 25
    assert recency["lift_top_tenth"] == pytest.approx(2.0)  # the top tenth all reorder, half do overall
    calibration = result["outcomes"]["orders_again"]["calibration"]
    assert sum(b["n"] for b in calibration["by_band"]) == 50
    assert sum(t["n"] for t in calibration["by_tenth"]) + calibration["unscored"]["n"] == 50
    assert result["outcomes"]["active"]["accounts"] == 50
    assert not HealthSnapshot.objects.exists()  # computed, never written
    assert BacktestRun.objects.get().report == result  # the run is kept for the proof page


def test_it_prints_the_table_and_names_bad_input(portfolio):
    out = StringIO()
    call_command("backtest", "--as-of", portfolio.date().isoformat(), "--horizon", "90", stdout=out)
    assert "25" in out.getvalue()
    assert "rhythm" in out.getvalue()
    with pytest.raises(CommandError, match="--horizon"):
        call_command("backtest", "--as-of", "2026-01-01", "--horizon", "0")
    with pytest.raises(CommandError, match="--as-of"):
        call_command("backtest", "--as-of", "yesterday", "--horizon", "30")
    with pytest.raises(CommandError, match="not known yet"):
        call_command("backtest", "--as-of", portfolio.date().isoformat(), "--horizon", "100000")
