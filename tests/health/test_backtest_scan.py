"""The backtest scores the health that ships: on a generated world, its health as of a date is
exactly what a scan as of that date stores, account by account."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from aftersale.core.asof import end_of_day
from aftersale.demo.load import load_demo
from aftersale.health.backtest import evaluate_history
from aftersale.health.models import HealthSnapshot
from aftersale.health.proof import fit_weights, run_backtest
from aftersale.health.scan import run_scan

AS_OF = date(2026, 6, 15)
BACK = AS_OF - timedelta(days=200)


@pytest.fixture
def world(db):
    load_demo(accounts=40, seed=7, as_of=AS_OF)


def test_it_scores_every_account_as_a_scan_as_of_that_date_does(world):
    moment = end_of_day(BACK)
    evaluated = evaluate_history(moment, 90)
    fits = evaluated.ctx.fits
    assert set(fits) == {"orders", "contacts", "quietness"}  # every fit the scan makes, not only orders
    run = run_scan(moment, part_size=7)  # in parts, as the worker runs it
    assert sorted(f["stream"] for f in run.rhythm_models) == sorted(fits)
    stored = {s.account_id: s for s in HealthSnapshot.objects.filter(as_of=BACK)}
    assert set(stored) == set(evaluated.health)
    for account_id, h in evaluated.health.items():
        snap = stored[account_id]
        assert (None if h.score is None else round(h.score, 2)) == snap.score, account_id
        assert h.band == snap.band, account_id
        assert h.snapshot_signals() == snap.signals, account_id
    # Some accounts are judged by every kind of evidence the scan reads, quietness included.
    assert any("quietness" in s.signals and s.signals["quietness"][0] is not None for s in stored.values())


def test_fitted_weights_are_checked_on_the_later_date_and_add_up_to_100(world):
    later = end_of_day(AS_OF - timedelta(days=100))
    fitted = fit_weights(evaluate_history(later - timedelta(days=90), 90), evaluate_history(later, 90))
    assert sum(fitted["suggested"].values()) == 100
    assert all(w >= 0 for w in fitted["suggested"].values())
    assert fitted["fitted_on"] < fitted["checked_on"]
    best = fitted["best_part"]
    assert best["auc"] == max(p["auc"] for p in fitted["parts"].values() if p["auc"] is not None)
    assert fitted["beats_best"] == (fitted["auc_after"]["auc"] >= best["auc"])


def test_a_run_is_stored_with_its_calibration(world, admin_user):
    run = run_backtest(end_of_day(BACK), 90, user=admin_user)
    probability = run.report["probability"]
    assert probability["n"] > 0
    assert probability["y"] == sorted(probability["y"])
    assert run.created_by == admin_user
