"""Backtest (issue 7): how well the rhythm expectation and the health score, computed as of a
past date, rank the accounts that order again within a horizon (ROC AUC), beside recency-only
and frequency-only baselines. Reads only; writes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np

from aftersale.commerce.models import Order
from aftersale.core.asof import as_date, end_of_day
from aftersale.core.guard import slow_statements_logged
from aftersale.core.sql import run, table
from aftersale.health.evaluate import evaluate, make_context
from aftersale.health.rhythm.bgnbd import _model_from, event_days, usable
from aftersale.health.rhythm.signals import fit_models, fits_by_stream
from aftersale.health.scan import guard_statistics
from aftersale.health.store import load_config
from aftersale.stats import account_rhythm, roc_auc, summarise


def _finite(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 4)


def backtest(as_of: datetime, horizon_days: int) -> dict[str, Any]:
    """AUCs for the accounts with an order on or before ``as_of``; positive: an order in the horizon
    (the ``horizon_days`` calendar days after ``as_of``'s day).

    The models are fitted exactly as a scan of ``as_of`` fits them (``fit_models``: the same
    event days, the same parameters) and the health score is the one a scan, the account
    page or ``aftersale health`` gives for that moment."""
    if horizon_days < 1:
        raise ValueError(f"horizon must be at least 1 day, got {horizon_days}")
    # Its statements read the whole history, as the scan's do: never planned blind.
    guard_statistics()
    with slow_statements_logged():
        return _backtest(as_of, horizon_days)


def _backtest(as_of: datetime, horizon_days: int) -> dict[str, Any]:
    end = end_of_day(as_date(as_of) + timedelta(days=horizon_days))
    calibration = event_days("orders", as_of, None)
    ids, idx = np.unique(calibration.account_ids, return_inverse=True)
    result: dict[str, Any] = {"as_of": as_of.isoformat(), "horizon_days": horizon_days,
                              "accounts": int(ids.size)}
    if ids.size == 0:
        return {**result, "ordered_again": 0, "auc": {}}
    ordered = run(
        f"SELECT DISTINCT account_id FROM {table(Order)} WHERE placed_at > :as_of AND placed_at <= :end",  # noqa: S608
        as_of=as_of, end=end,
    )
    later = np.isin(ids, np.array([a for (a,) in ordered], dtype=np.int64))
    config = load_config()
    fits = fits_by_stream(fit_models(make_context(as_of, config, fits={})))
    fit = fits.get("orders")
    summary = summarise(idx, calibration.days, 0, n_accounts=ids.size, time_unit="day")
    scores: dict[str, np.ndarray] = {
        "recency": -summary.since_last,
        "frequency": summary.x.astype(np.float64),
    }
    if fit is not None and usable(fit):
        rhythm = account_rhythm(summary, _model_from(fit), horizon=float(horizon_days))
        scores["rhythm"] = np.nan_to_num(rhythm.expected_next, nan=0.0)
    health = evaluate(make_context(as_of, config, fits), ids.tolist())
    # An account without a score (too little evidence) ranks lowest.
    scores["health"] = np.array([h.score if (h := health.get(a)) and h.score is not None else -1.0
                                 for a in ids.tolist()])
    return {
        **result,
        "ordered_again": int(later.sum()),
        "model": None if fit is None else {k: v for k, v in fit.items() if k != "stream"},
        "auc": {name: _finite(roc_auc(values, later)) for name, values in scores.items()},
    }
