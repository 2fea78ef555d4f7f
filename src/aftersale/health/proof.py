"""What the backtests prove, for people: weights fitted on the vendor's own history, the calibrated
probability beside a score, and the runs stored for the "Does the score work?" page.

Weights are fitted on the signals as of one date (``as_of - horizon``) against who ordered again in
the horizon after it, by non-negative logistic regression (``stats.proof``), and checked on the later
date ``as_of``: the score rebuilt with them by the scan's own rule (``scoring.combine``) is ranked
beside the score with today's weights and beside its best single part. Nothing is applied here: an
admin applies a suggestion (``actions.do_apply_weights``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import numpy as np

from aftersale.health import scoring
from aftersale.health.backtest import (
    NO_SCORE,
    Evaluated,
    evaluate_history,
    rankings,
    report,
    signal_values,
)
from aftersale.health.evaluate import AccountHealth
from aftersale.health.models import BacktestRun
from aftersale.stats.proof import Isotonic, auc_interval, fit_nonnegative_logistic, isotonic_predict

#: L2 penalty on the coefficients: enough to keep a signal few accounts have from taking all the
#: weight, little against the evidence of a portfolio of hundreds of accounts.
L2 = 1.0
TOTAL_WEIGHT = 100


def percent_weights(coef: Mapping[str, float]) -> dict[str, int]:
    """Whole weights in proportion to ``coef`` adding up to 100 (largest remainders); all 0 if all are."""
    total = sum(coef.values())
    if total <= 0:
        return dict.fromkeys(coef, 0)
    exact = {name: TOTAL_WEIGHT * value / total for name, value in coef.items()}
    out = {name: int(v) for name, v in exact.items()}
    left = TOTAL_WEIGHT - sum(out.values())
    for name in sorted(exact, key=lambda n: (out[n] - exact[n], n))[:left]:
        out[name] += 1
    return out


def rescore(health: Mapping[int, AccountHealth], ids: np.ndarray, weights: Mapping[str, int]) -> np.ndarray:
    """The score each account would have with ``weights`` (the scan's rule, its signal values)."""
    out = np.full(ids.size, NO_SCORE)
    for i, account_id in enumerate(ids.tolist()):
        h = health.get(account_id)
        if h is None:
            continue
        combined = scoring.combine({n: sv.value for n, sv in h.values.items()},
                                   {n: weights.get(n, 0) for n in h.weights})
        if combined.score is not None:
            out[i] = combined.score
    return out


def _design(evaluated: Evaluated, ids: np.ndarray, signals: list[str]) -> np.ndarray:
    """Signal values by account; where a signal has no data, the mean of those that have it, so
    that missing evidence pushes neither way (as the score leaves it out)."""
    columns = []
    for name in signals:
        values = signal_values(evaluated.health, ids, name)
        has = np.isfinite(values)
        columns.append(np.where(has, values, float(values[has].mean()) if has.any() else 0.0))
    return np.column_stack(columns) if columns else np.zeros((ids.size, 0))


def fit_weights(fit_on: Evaluated, check: Evaluated) -> dict[str, Any]:
    """Suggested weights fitted on ``fit_on`` and checked on ``check`` (the later date)."""
    signals = [s for s in fit_on.signals if s in check.signals]
    pop = fit_on.orders_population()
    model = fit_nonnegative_logistic(_design(fit_on, pop.ids, signals), pop.positive, l2=L2)
    suggested = percent_weights(dict(zip(signals, model.coef.tolist(), strict=True)))
    current = {name: check.ctx.config.weight(name) for name in signals}

    later = check.orders_population()
    parts = rankings(later, check.health, check.rhythm(later), signals)

    def auc(values: np.ndarray) -> dict[str, Any]:
        found = auc_interval(values, later.positive)
        return {"auc": _r(found.auc), "low": _r(found.low), "high": _r(found.high)}

    before = auc(parts.pop("health"))
    after = auc(rescore(check.health, later.ids, suggested))
    # Over the same accounts: a part without data for an account ranks it lowest, as the score
    # ranks an account without one.
    aucs = {name: auc(np.nan_to_num(values, nan=-1.0)) for name, values in parts.items()}
    best = max(aucs, key=lambda n: -1.0 if aucs[n]["auc"] is None else aucs[n]["auc"])
    best_auc = aucs[best]["auc"]
    coverage = None
    if best in signals:
        values = parts[best]
        coverage = _r(float(np.isfinite(values).mean()), 3) if values.size else None
    in_sample = auc_interval(rescore(fit_on.health, pop.ids, suggested), pop.positive)
    return {
        "fitted_on": fit_on.as_of.isoformat(), "checked_on": check.as_of.isoformat(),
        "horizon_days": check.horizon_days, "accounts": int(pop.ids.size),
        "checked_accounts": int(later.ids.size),
        "coefficients": {n: round(float(c), 4) for n, c in zip(signals, model.coef.tolist(), strict=True)},
        "converged": model.converged,
        "suggested": suggested, "current": current,
        "auc_before": before, "auc_after": after, "auc_fitted_on": _r(in_sample.auc),
        "parts": aucs,
        "best_part": {"name": best, "auc": best_auc, "is_signal": best in signals, "coverage": coverage},
        "beats_best": (after["auc"] or 0.0) >= (best_auc or 0.0),
    }


def _r(value: float | None, places: int = 4) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), places)


def run_backtest(as_of: Any, horizon_days: int, *, fit: bool = False, user: Any = None) -> BacktestRun:
    """Backtest as of ``as_of`` (and fit weights on ``as_of - horizon`` when ``fit``); store the run."""
    evaluated = evaluate_history(as_of, horizon_days)
    result = report(evaluated)
    if fit:
        earlier = evaluate_history(as_of - timedelta(days=horizon_days), horizon_days)
        result["fitted"] = fit_weights(earlier, evaluated)
    return BacktestRun.objects.create(as_of=as_of, horizon_days=horizon_days, report=result, created_by=user)


def latest_run() -> BacktestRun | None:
    return BacktestRun.objects.order_by("-created_at", "-pk").first()


def calibrated_probability(run: BacktestRun | None, score: float | None) -> float | None:
    """The chance of ordering again within the run's horizon for ``score``, from its calibration."""
    if run is None or score is None:
        return None
    found = run.report.get("probability")
    if not found or not found.get("x"):
        return None
    model = Isotonic(tuple(found["x"]), tuple(found["y"]), int(found.get("n", 0)))
    return float(isotonic_predict(model, [score])[0])
