"""Quietness (P10): an account that keeps using us but raises improbably few requests.

"No customer is that satisfied for long." For every customer account that
uses the vendor (installed equipment, or regular orders) the engine expects a
number of customer-raised requests over the window (``QUIET_WINDOW_DAYS``,
365 by default): service cases it opened (scheduled maintenance visits from a
plan excluded) plus touchpoints it initiated. The expectation comes from its
peers: a Poisson regression, fitted once per scan on every eligible account,
of those counts on what the account uses (installed assets, their mean age,
orders per year) and, where enough accounts share one, its tier and industry,
with the account's time in the window as exposure. Each account's own count is
left out of its benchmark (leave-one-out), so a silent account does not lower
its own expectation.

The account is *quiet* when seeing so few requests by chance is improbable:
the negative-binomial lower tail P(N <= observed | expected) is below
``QUIET_P``. Accounts with too little exposure (no equipment and few orders,
or less than ``QUIET_MIN_DAYS`` of use in the window) are not judged.

Four set-based queries read the usage (one per measure, over all accounts in
scope); the statistics are ``aftersale.health.stats.quietness``. See
docs/silence-models.md, section 5.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from aftersale.accounts.models import Account, AccountKind
from aftersale.commerce.models import Order
from aftersale.engagement.models import InitiatedBy, Touchpoint
from aftersale.health.sql import Scope, age_days_sql, run, scope_sql, table
from aftersale.health.stats import expected_from_peers, lower_tail_probability
from aftersale.service.models import Asset, ServiceCase

STREAM = "quietness"
#: Covariates every fit has; tier and industry indicators are added when enough accounts share them.
BASE_COVARIATES = ("log_assets", "asset_age_years", "log_orders_per_year")
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class QuietSettings:
    """``settings.AFTERSALE`` keys of silence detection (docs/silence-models.md)."""

    p: float = 0.05  # QUIET_P: flag when P(N <= observed | expected) is below this
    window_days: int = 365  # QUIET_WINDOW_DAYS: the window requests are counted over
    min_days: int = 180  # QUIET_MIN_DAYS: less use than this in the window is not judged
    min_orders: int = 4  # QUIET_MIN_ORDERS: without equipment, fewer orders in the window are not judged
    min_peers: int = 20  # QUIET_MIN_PEERS: eligible accounts needed to fit the peers
    min_group: int = 20  # QUIET_MIN_GROUP: accounts sharing a tier/industry for it to be a covariate
    silence_p: float = 0.2  # SILENCE_P: contact rhythm below this opens a silence alert
    grace_days: int = 90  # STEP_IN_GRACE_DAYS: a step-in alert closed this recently is not raised again


_KEYS = {
    "QUIET_P": ("p", float), "QUIET_WINDOW_DAYS": ("window_days", int),
    "QUIET_MIN_DAYS": ("min_days", int), "QUIET_MIN_ORDERS": ("min_orders", int),
    "QUIET_MIN_PEERS": ("min_peers", int), "QUIET_MIN_GROUP": ("min_group", int),
    "SILENCE_P": ("silence_p", float), "STEP_IN_GRACE_DAYS": ("grace_days", int),
}


def quiet_settings() -> QuietSettings:
    """Read the settings each time (never at import), each checked and named when wrong."""
    configured = getattr(settings, "AFTERSALE", {})
    values: dict[str, Any] = {}
    for key, (name, kind) in _KEYS.items():
        if key not in configured:
            continue
        raw = configured[key]
        try:
            value = kind(raw)
        except (TypeError, ValueError):
            raise ImproperlyConfigured(f'AFTERSALE["{key}"] = {raw!r} is not a number') from None
        values[name] = value
    result = QuietSettings(**values)
    if not 0 < result.p < 1 or not 0 < result.silence_p < 1:
        raise ImproperlyConfigured('AFTERSALE["QUIET_P"] and ["SILENCE_P"] must be between 0 and 1')
    if result.window_days < 30 or not 0 < result.min_days <= result.window_days:
        raise ImproperlyConfigured(
            'AFTERSALE["QUIET_WINDOW_DAYS"] must be at least 30 and ["QUIET_MIN_DAYS"] between 1 and it'
        )
    if min(result.min_orders, result.min_peers, result.min_group, result.grace_days) < 0:
        raise ImproperlyConfigured('AFTERSALE quietness counts and days must not be negative')
    return result


@dataclass(frozen=True)
class Usage:
    """What each customer account in scope uses and raised, as of a moment (arrays by account)."""

    account_ids: np.ndarray
    tier: np.ndarray
    industry: np.ndarray
    assets: np.ndarray
    asset_age_years: np.ndarray
    orders: np.ndarray  # in the window
    exposure_days: np.ndarray  # days of the window since the account started using us
    raised: np.ndarray  # customer-raised requests in the window
    eligible: np.ndarray


def _by_account(rows: list[tuple[Any, ...]]) -> dict[int, tuple[Any, ...]]:
    return {row[0]: row[1:] for row in rows}


def read_usage(as_of: datetime, scope: Scope, qs: QuietSettings) -> Usage:
    """Four aggregate queries (accounts, assets, orders, raised requests); nothing after ``as_of``."""
    start = as_of - timedelta(days=qs.window_days)
    day = as_of.astimezone(timezone.get_default_timezone()).date()
    accounts = run(
        f"SELECT id, tier, industry FROM {table(Account)} WHERE kind = :customer"  # noqa: S608
        f"{scope_sql('id', scope)} ORDER BY id",
        customer=AccountKind.CUSTOMER.value,
    )
    assets = _by_account(run(
        f"SELECT account_id, COUNT(*), AVG({age_days_sql('installed_at', is_datetime=False, at=':day')}),"  # noqa: S608
        f" MAX({age_days_sql('installed_at', is_datetime=False, at=':day')}) FROM {table(Asset)}"
        f" WHERE installed_at <= :day{scope_sql('account_id', scope)} GROUP BY account_id",
        day=day,
    ))
    orders = _by_account(run(
        f"SELECT account_id, SUM(CASE WHEN placed_at > :start THEN 1 ELSE 0 END),"  # noqa: S608
        f" {age_days_sql('MIN(placed_at)', is_datetime=True)} FROM {table(Order)}"
        f" WHERE placed_at <= :as_of{scope_sql('account_id', scope)} GROUP BY account_id",
        as_of=as_of, start=start,
    ))
    initiated_by = connection.ops.quote_name("initiated_by")
    raised = _by_account(run(
        f"SELECT account_id, COUNT(*) FROM ("  # noqa: S608 - table and column names only
        f" SELECT account_id FROM {table(ServiceCase)} WHERE opened_at > :start AND opened_at <= :as_of"
        f" AND maintenance_plan_id IS NULL{scope_sql('account_id', scope)}"
        f" UNION ALL SELECT account_id FROM {table(Touchpoint)} WHERE occurred_at > :start"
        f" AND occurred_at <= :as_of AND {initiated_by} = :customer{scope_sql('account_id', scope)}"
        ") AS r GROUP BY account_id",
        as_of=as_of, start=start, customer=InitiatedBy.CUSTOMER.value,
    ))
    n = len(accounts)
    ids = np.fromiter((a[0] for a in accounts), dtype=np.int64, count=n)
    asset_rows = [assets.get(a, (0, None, None)) for a in ids.tolist()]
    order_rows = [orders.get(a, (0, None)) for a in ids.tolist()]
    n_assets = np.array([r[0] for r in asset_rows], dtype=np.float64)
    age_years = np.array([(r[1] or 0.0) / DAYS_PER_YEAR for r in asset_rows], dtype=np.float64)
    n_orders = np.array([r[0] or 0 for r in order_rows], dtype=np.float64)
    # Using us since the first order or the first installation, whichever came first.
    first_use = np.array([max(a[2] or 0.0, o[1] or 0.0) for a, o in zip(asset_rows, order_rows, strict=True)],
                         dtype=np.float64)
    exposure = np.minimum(first_use, float(qs.window_days))
    eligible = (exposure >= qs.min_days) & ((n_assets > 0) | (n_orders >= qs.min_orders))
    return Usage(
        account_ids=ids,
        tier=np.array([a[1] for a in accounts], dtype=object),
        industry=np.array([a[2] for a in accounts], dtype=object),
        assets=n_assets, asset_age_years=age_years, orders=n_orders, exposure_days=exposure,
        raised=np.array([raised.get(a, (0,))[0] for a in ids.tolist()], dtype=np.float64),
        eligible=eligible,
    )


def _design(usage: Usage, columns: list[str]) -> np.ndarray:
    """The covariates by name (``tier:key``, ``industry:consulting`` are indicators)."""
    years = np.maximum(usage.exposure_days, 1.0) / DAYS_PER_YEAR
    out = []
    for name in columns:
        if name == "log_assets":
            out.append(np.log1p(usage.assets))
        elif name == "asset_age_years":
            out.append(usage.asset_age_years)
        elif name == "log_orders_per_year":
            out.append(np.log1p(usage.orders / years))
        else:
            field, _, level = name.partition(":")
            out.append((getattr(usage, field) == level).astype(np.float64))
    return np.column_stack(out) if out else np.zeros((usage.account_ids.size, 0))


def _group_columns(usage: Usage, qs: QuietSettings) -> list[str]:
    """Tier and industry indicators for levels shared by enough eligible accounts (not the commonest,
    which is the reference): peers are only a fair benchmark when there are enough of them."""
    columns = []
    for field in ("tier", "industry"):
        values = getattr(usage, field)[usage.eligible]
        levels, counts = np.unique(values.astype(str), return_counts=True)
        big = [(c, str(v)) for v, c in zip(levels, counts, strict=True) if c >= qs.min_group]
        big.sort(reverse=True)
        columns += [f"{field}:{level}" for _, level in big[1:] if (values != level).sum() >= qs.min_group]
    return columns


def fit_quietness(as_of: datetime, qs: QuietSettings | None = None) -> dict[str, Any] | None:
    """Fit the peers on the whole portfolio (once per scan): the JSON ``scan --json`` lists under
    ``models``, or ``None`` with too few eligible accounts (or none that raised anything)."""
    qs = qs or quiet_settings()
    usage = read_usage(as_of, None, qs)
    rows = usage.eligible
    n = int(rows.sum())
    if n < qs.min_peers or usage.raised[rows].sum() == 0:
        return None
    columns = [*BASE_COVARIATES, *_group_columns(usage, qs)]
    X = _design(usage, columns)[rows]
    y = usage.raised[rows]
    years = usage.exposure_days[rows] / DAYS_PER_YEAR
    peers = expected_from_peers(X, y, exposure=years, leave_one_out=False)
    model = peers.model
    mu = peers.expected
    design = np.column_stack((np.ones(n), X)) * np.sqrt(mu)[:, None]
    # Kept so each account's expectation can leave its own count out, part by part.
    inverse = np.linalg.pinv(design.T @ design)
    log_likelihood = float(np.sum(y * np.log(np.maximum(mu, 1e-300)) - mu - _log_factorial(y)))
    return {
        "stream": STREAM,
        "kind": "poisson_glm",
        "params": {"intercept": float(model.coef[0]),
                   **{c: float(v) for c, v in zip(columns, model.coef[1:], strict=True)}},
        "dispersion": round(float(peers.dispersion), 6),
        "log_likelihood": round(log_likelihood, 4),
        "n": n,
        "time_unit": "year",
        "window_days": qs.window_days,
        "converged": bool(model.converged),
        "inverse_information": inverse.tolist(),
    }


def _log_factorial(y: np.ndarray) -> np.ndarray:
    from scipy.special import gammaln

    return gammaln(y + 1.0)


@dataclass(frozen=True)
class QuietAssessment:
    value: float
    facts: dict[str, Any]


def assess_quietness(as_of: datetime, scope: Scope, fit: Mapping[str, Any] | None,
                     qs: QuietSettings | None = None) -> dict[int, QuietAssessment]:
    """Each eligible account in scope against the fitted peers (nothing without a fit)."""
    qs = qs or quiet_settings()
    if not fit or fit.get("kind") != "poisson_glm":
        return {}
    usage = read_usage(as_of, scope, qs)
    rows = np.flatnonzero(usage.eligible)
    if rows.size == 0:
        return {}
    params = dict(fit["params"])
    intercept = params.pop("intercept")
    columns = list(params)
    coef = np.array([params[c] for c in columns], dtype=np.float64)
    X = _design(usage, columns)[rows]
    y = usage.raised[rows]
    years = usage.exposure_days[rows] / DAYS_PER_YEAR
    eta = np.minimum(intercept + X @ coef + np.log(years), 700.0)
    mu = np.exp(eta)
    full = np.column_stack((np.ones(rows.size), X))
    inverse = np.asarray(fit["inverse_information"], dtype=np.float64)
    leverage = np.clip(mu * np.einsum("ij,jk,ik->i", full, inverse, full), 0.0, 0.99)
    # Leave-one-out, one Newton step (as in stats.expected_from_peers): the account's own
    # silence must not lower what its peers would raise.
    expected = np.exp(np.minimum(eta - leverage / (1.0 - leverage) * (y - mu) / mu, 700.0))
    p = lower_tail_probability(y, expected, float(fit.get("dispersion", 0.0)))
    result: dict[int, QuietAssessment] = {}
    for i, row in enumerate(rows.tolist()):
        prob = float(p[i])
        facts = {
            "observed": int(y[i]),
            "expected": round(float(expected[i]), 1),
            "p": round(prob, 4),
            "quiet": bool(prob < qs.p),
            "window_days": qs.window_days,
            "exposure_days": int(usage.exposure_days[row]),
            "assets": int(usage.assets[row]),
            "orders": int(usage.orders[row]),
        }
        # As likely as not to see so few (or more): 1. Improbably few: towards 0.
        value = 1.0 if math.isnan(prob) else min(1.0, 2.0 * prob)
        result[int(usage.account_ids[row])] = QuietAssessment(value, facts)
    return result
