"""The backtest command on a small portfolio: who orders again after the as-of date."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aftersale.accounts.models import Account, AccountKind, Industry, Tier
from aftersale.health.models import BacktestRun, HealthSnapshot

from .conftest import NOW, order


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


def test_it_ranks_the_accounts_that_order_again_by_their_rhythm(portfolio):
    out = StringIO()
    call_command("backtest", "--as-of", portfolio.date().isoformat(), "--horizon", "90", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["accounts"] == 50
    assert result["ordered_again"] == 25
    assert result["model"]["kind"] == "bgnbd"
    assert list(result["auc"])[:4] == ["health", "rhythm", "recency", "frequency"]
    assert "order_rhythm" in result["auc"]  # every signal is ranked too
    assert result["auc"]["rhythm"] > 0.9
    assert result["auc"]["recency"] > 0.9
    rhythm = result["outcomes"]["orders_again"]["rankings"]["rhythm"]
    assert rhythm["low"] <= rhythm["auc"] <= rhythm["high"]
    assert rhythm["n"] == 50 and rhythm["positives"] == 25
    assert rhythm["lift_top_tenth"] == pytest.approx(2.0)  # the top tenth all reorder, half do overall
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
