"""Backtest (issue 7): how well the rhythm expectation and the health score, computed as of a
past date, rank the accounts that order again within a horizon (ROC AUC), beside recency-only
and frequency-only baselines. Reads only; writes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np

from aftersale.health.evaluate import evaluate, make_context
from aftersale.health.rhythm.bgnbd import BGNBDRhythm, EventDays, _model_from, event_days, usable
from aftersale.stats import account_rhythm, roc_auc, summarise


def _finite(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 4)


def backtest(as_of: datetime, horizon_days: int) -> dict[str, Any]:
    """AUCs for the accounts with an order on or before ``as_of``; positive: an order in the horizon."""
    if horizon_days < 1:
        raise ValueError(f"horizon must be at least 1 day, got {horizon_days}")
    end = as_of + timedelta(days=horizon_days)
    # One query up to the horizon's end; day offsets are then shifted so that as_of is day 0.
    everything = event_days("orders", end, None)
    days = everything.days + horizon_days
    before = days <= 0
    ids, idx = np.unique(everything.account_ids[before], return_inverse=True)
    result: dict[str, Any] = {"as_of": as_of.isoformat(), "horizon_days": horizon_days,
                              "accounts": int(ids.size)}
    if ids.size == 0:
        return {**result, "ordered_again": 0, "auc": {}}
    later = np.isin(ids, everything.account_ids[~before])
    calibration = EventDays(everything.account_ids[before], days[before])
    fit = BGNBDRhythm("orders").fit(as_of, calibration)
    summary = summarise(idx, days[before], 0, n_accounts=ids.size, time_unit="day")
    scores: dict[str, np.ndarray] = {
        "recency": -summary.since_last,
        "frequency": summary.x.astype(np.float64),
    }
    if fit is not None and usable(fit):
        rhythm = account_rhythm(summary, _model_from(fit), horizon=float(horizon_days))
        scores["rhythm"] = np.nan_to_num(rhythm.expected_next, nan=0.0)
    ctx = make_context(as_of, fits={"orders": fit} if fit is not None else {})
    health = evaluate(ctx, ids.tolist())
    # An account without a score (too little evidence) ranks lowest.
    scores["health"] = np.array([h.score if (h := health.get(a)) and h.score is not None else -1.0
                                 for a in ids.tolist()])
    return {
        **result,
        "ordered_again": int(later.sum()),
        "model": fit,
        "auc": {name: _finite(roc_auc(values, later)) for name, values in scores.items()},
    }
