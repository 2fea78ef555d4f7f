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

One set-based statement reads the usage (each measure aggregated once over all
accounts in scope); the statistics are ``aftersale.stats.quietness``. See
docs/silence-models.md, section 5.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from aftersale.accounts.models import Account, AccountKind
from aftersale.commerce.models import Order
from aftersale.core import conf
from aftersale.core.asof import as_date, window_start
from aftersale.core.sql import Scope, age_days_sql, run, scope_sql, table
from aftersale.engagement.models import InitiatedBy, Touchpoint
from aftersale.service.models import Asset, ServiceCase
from aftersale.stats import expected_from_peers, lower_tail_probability

STREAM = "quietness"
#: Covariates every fit has; tier and industry indicators are added when enough accounts share them.
BASE_COVARIATES = ("log_assets", "asset_age_years", "log_orders_per_year")
DAYS_PER_YEAR = 365.25


_KEYS = {
    "p": "QUIET_P", "window_days": "QUIET_WINDOW_DAYS", "min_days": "QUIET_MIN_DAYS",
    "min_orders": "QUIET_MIN_ORDERS", "min_peers": "QUIET_MIN_PEERS", "min_group": "QUIET_MIN_GROUP",
    "silence_p": "SILENCE_P", "grace_days": "STEP_IN_GRACE_DAYS",
}


def _default(name: str) -> Any:
    return conf.BY_NAME[_KEYS[name]].default


@dataclass(frozen=True)
class QuietSettings:
    """The ``AFTERSALE`` keys of silence detection (docs/silence-models.md), each documented
    with its default in ``aftersale.core.conf``."""

    p: float = _default("p")  # flag when P(N <= observed | expected) is below this
    window_days: int = _default("window_days")  # the window requests are counted over
    min_days: int = _default("min_days")  # less use than this in the window is not judged
    min_orders: int = _default("min_orders")  # without equipment, fewer orders are not judged
    min_peers: int = _default("min_peers")  # eligible accounts needed to fit the peers
    min_group: int = _default("min_group")  # accounts sharing a tier/industry for it to be a covariate
    silence_p: float = _default("silence_p")  # contact rhythm below this opens a silence alert
    grace_days: int = _default("grace_days")  # a step-in alert closed this recently is not raised again


def quiet_settings() -> QuietSettings:
    """Read the settings each time (never at import), each checked and named when wrong."""
    result = QuietSettings(**{name: conf.get(key) for name, key in _KEYS.items()})
    if result.min_days > result.window_days:
        raise ImproperlyConfigured('AFTERSALE["QUIET_MIN_DAYS"] must not be more than ["QUIET_WINDOW_DAYS"]')
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


def read_usage(as_of: datetime, scope: Scope, qs: QuietSettings) -> Usage:
    """ONE set-based statement: each customer account in scope with its installed assets, its
    orders and the requests it raised, each aggregated once over all accounts; nothing after ``as_of``."""
    # Whole days (core.asof): the same requests count at any hour of the as-of day.
    start, day = window_start(as_of, qs.window_days), as_date(as_of)
    installed = age_days_sql("installed_at", is_datetime=False, at=":day")
    initiated_by = connection.ops.quote_name("initiated_by")
    kind = connection.ops.quote_name("kind")
    rows = run(
        f"""
        SELECT a.id, a.tier, a.industry, s.n, s.mean_age, s.max_age, o.n, o.first_age, r.n
        FROM {table(Account)} a
        LEFT JOIN (
            SELECT account_id, COUNT(*) AS n, AVG({installed}) AS mean_age, MAX({installed}) AS max_age
            FROM {table(Asset)} WHERE installed_at <= :day{scope_sql("account_id", scope)}
            GROUP BY account_id
        ) s ON s.account_id = a.id
        LEFT JOIN (
            SELECT account_id, SUM(CASE WHEN placed_at >= :start THEN 1 ELSE 0 END) AS n,
                   {age_days_sql("MIN(placed_at)", is_datetime=True)} AS first_age
            FROM {table(Order)} WHERE placed_at <= :as_of{scope_sql("account_id", scope)}
            GROUP BY account_id
        ) o ON o.account_id = a.id
        LEFT JOIN (
            SELECT account_id, COUNT(*) AS n FROM (
                SELECT account_id FROM {table(ServiceCase)}
                WHERE opened_at >= :start AND opened_at <= :as_of AND maintenance_plan_id IS NULL
                      {scope_sql("account_id", scope)}
                UNION ALL
                SELECT account_id FROM {table(Touchpoint)}
                WHERE occurred_at >= :start AND occurred_at <= :as_of AND {initiated_by} = :customer_side
                      {scope_sql("account_id", scope)}
            ) AS raised GROUP BY account_id
        ) r ON r.account_id = a.id
        WHERE a.{kind} = :customer{scope_sql("a.id", scope)}
        ORDER BY a.id
        """,  # noqa: S608 - only table and column names are formatted in
        as_of=as_of, start=start, day=day, customer=AccountKind.CUSTOMER.value,
        customer_side=InitiatedBy.CUSTOMER.value,
    )
    n = len(rows)

    def column(i: int) -> np.ndarray:
        return np.array([row[i] or 0 for row in rows], dtype=np.float64).reshape(n)

    n_assets, n_orders = column(3), column(6)
    # Using us since the first order or the first installation, whichever came first.
    exposure = np.minimum(np.maximum(column(5), column(7)), float(qs.window_days))
    eligible = (exposure >= qs.min_days) & ((n_assets > 0) | (n_orders >= qs.min_orders))
    return Usage(
        account_ids=np.array([row[0] for row in rows], dtype=np.int64).reshape(n),
        tier=np.array([row[1] for row in rows], dtype=object).reshape(n),
        industry=np.array([row[2] for row in rows], dtype=object).reshape(n),
        assets=n_assets, asset_age_years=column(4) / DAYS_PER_YEAR, orders=n_orders,
        exposure_days=exposure, raised=column(8), eligible=eligible,
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
        counts = Counter(str(v) for v in getattr(usage, field)[usage.eligible].tolist())
        total = sum(counts.values())
        big = sorted(((c, level) for level, c in counts.items() if c >= qs.min_group), reverse=True)
        columns += [f"{field}:{level}" for c, level in big[1:] if total - c >= qs.min_group]
    return columns


def fit_quietness(as_of: datetime, qs: QuietSettings | None = None) -> dict[str, Any] | None:
    """Fit the peers on the whole portfolio (once per scan): the JSON ``scan --json`` lists under
    ``models``, or ``None`` with too few eligible accounts (or none that raised anything)."""
    qs = qs or quiet_settings()
    return fit_usage(read_usage(as_of, None, qs), qs)


def fit_usage(usage: Usage, qs: QuietSettings) -> dict[str, Any] | None:
    """The peer fit over the whole portfolio's usage (see ``fit_quietness``)."""
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


class QuietAssessment(NamedTuple):
    """One account: the signal's value and the facts behind it (a tuple: 100,000 are built per scan)."""

    value: float
    facts: dict[str, Any]


def assess_quietness(as_of: datetime, scope: Scope, fit: Mapping[str, Any] | None,
                     qs: QuietSettings | None = None) -> dict[int, QuietAssessment]:
    """Each eligible account in scope against the fitted peers: ONE query. Without a stored fit the
    whole portfolio is fitted on the spot; a part of it cannot be (nothing is judged)."""
    qs = qs or quiet_settings()
    usage = read_usage(as_of, scope, qs)
    if not fit and scope is None:
        # The whole portfolio without a stored fit (before the first scan, a backtest): fit it here.
        fit = fit_usage(usage, qs)
    return judge(usage, fit, qs)


def judge(usage: Usage, fit: Mapping[str, Any] | None, qs: QuietSettings) -> dict[int, QuietAssessment]:
    """The arithmetic of ``assess_quietness`` over usage already read (no database)."""
    if not fit or fit.get("kind") != "poisson_glm":
        return {}
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
    # As likely as not to see so few (or more): 1. Improbably few: towards 0.
    values = np.minimum(1.0, 2.0 * np.nan_to_num(p, nan=0.5)).tolist()
    # Plain lists, zipped: indexing numpy arrays account by account costs more than the maths.
    per_account = zip(
        usage.account_ids[rows].tolist(), values, y.astype(np.int64).tolist(),
        np.round(expected, 1).tolist(), p.tolist(), (p < qs.p).tolist(),
        usage.exposure_days[rows].astype(np.int64).tolist(), usage.assets[rows].astype(np.int64).tolist(),
        usage.orders[rows].astype(np.int64).tolist(), strict=True,
    )
    result: dict[int, QuietAssessment] = {}
    for account_id, value, observed, mean, prob, quiet, exposure, assets, orders in per_account:
        # ``caps_band``: the engine never bands a quiet account healthy (evaluate.py).
        result[account_id] = QuietAssessment(value, {
            "observed": observed, "expected": mean, "p": prob, "quiet": quiet, "caps_band": quiet,
            "window_days": qs.window_days, "exposure_days": exposure, "assets": assets, "orders": orders,
        })
    return result
