"""Quietness (P10): an account that keeps using us but raises improbably few requests.

"No customer is that satisfied for long." For every customer account that
uses the vendor (installed equipment, or regular orders) the engine expects a
number of customer-raised requests over the window (``QUIET_WINDOW_DAYS``,
365 by default): service cases it opened (scheduled maintenance visits from a
plan excluded) plus touchpoints it initiated. The expectation comes from its
peers: a zero-inflated negative-binomial model (``aftersale.stats.quietness``),
fitted once per scan on every judged account, of those counts on what exposes
the account to needing us, and nothing it decides itself in the same window:
its installed machines, their mean age, the share of them a maintenance
contract covers, our own outreach to it (touchpoints we started), and its
purchase volume in the year before the window (never the window's own orders),
with its time in the window as exposure. Each account's own count is left out of its
benchmark (leave-one-out), so a silent account does not lower its own expectation.

Each judged account gets p = P(N <= observed) under the negative-binomial
predictive of an engaged account like it. The accounts flagged *quiet* are
chosen by Benjamini-Hochberg at the false-discovery rate ``QUIET_FDR`` (10%):
of the accounts flagged, at most that share is expected to be flagged by
chance. The cutoff is set on the whole portfolio at the scan's fit and stored
with it, so a part of a scan, or a one-account refresh, flags as the whole did.
Accounts with no exposure (no equipment and fewer than ``QUIET_MIN_ORDERS``
orders, or less than ``QUIET_MIN_DAYS`` of use in the window) are not judged,
and their facts say why.

One set-based statement reads the usage (each measure aggregated once over all
accounts in scope). See docs/silence-models.md, section 5.
"""

from __future__ import annotations

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
from aftersale.core.sql import Scope, age_days_sql, run, scope_sql, table, true
from aftersale.engagement.models import InitiatedBy, Touchpoint
from aftersale.service.models import Asset, MaintenancePlan, ServiceCase
from aftersale.stats import (
    CountModel,
    benjamini_hochberg,
    fit_count_model,
    lower_tail_probability,
    quiet_p_values,
)

STREAM = "quietness"
#: The covariates: what exposes an account to needing us, none of it the account's own choice
#: in the window (its orders there would be: a customer that stops asking may stop buying too,
#: and its own silence would then lower its benchmark). Its purchase volume in the year before
#: the window is set before the window starts; ``new_in_window`` marks the accounts without one.
COVARIATES = ("log_assets", "asset_age_years", "contract_coverage", "log_outreach_per_year",
              "log_prior_orders_per_year", "new_in_window")
#: Less history than this before the window and the account counts as new in it.
MIN_PRIOR_DAYS = 30
DAYS_PER_YEAR = 365.25
#: Why an account is not judged (facts ``not_judged``).
TOO_NEW = "too_new"
NO_EXPOSURE = "no_exposure"


_KEYS = {
    "fdr": "QUIET_FDR", "window_days": "QUIET_WINDOW_DAYS", "min_days": "QUIET_MIN_DAYS",
    "min_orders": "QUIET_MIN_ORDERS", "min_peers": "QUIET_MIN_PEERS",
    "silence_p": "SILENCE_P", "grace_days": "STEP_IN_GRACE_DAYS",
}


def _default(name: str) -> Any:
    return conf.BY_NAME[_KEYS[name]].default


@dataclass(frozen=True)
class QuietSettings:
    """The ``AFTERSALE`` keys of silence detection (docs/silence-models.md), each documented
    with its default in ``aftersale.core.conf``."""

    fdr: float = _default("fdr")  # Benjamini-Hochberg false-discovery rate of the quiet flags
    window_days: int = _default("window_days")  # the window requests are counted over
    min_days: int = _default("min_days")  # less use than this in the window is not judged
    min_orders: int = _default("min_orders")  # without equipment, fewer orders are not judged
    min_peers: int = _default("min_peers")  # eligible accounts needed to fit the peers
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
    assets: np.ndarray
    asset_age_years: np.ndarray
    covered: np.ndarray  # installed assets an active maintenance plan covers
    outreach: np.ndarray  # touchpoints we started in the window
    orders: np.ndarray  # in the window (who is judged; never a covariate)
    prior_orders: np.ndarray  # in the window-long span before the window
    prior_days: np.ndarray  # days of that span since the account started using us
    exposure_days: np.ndarray  # days of the window since the account started using us
    raised: np.ndarray  # customer-raised requests in the window
    complaints: np.ndarray  # of which complaints (they count for the flag, never for the value)
    not_judged: np.ndarray  # why not judged (TOO_NEW, NO_EXPOSURE), "" when judged

    @property
    def eligible(self) -> np.ndarray:
        return self.not_judged == ""


def read_usage(as_of: datetime, scope: Scope, qs: QuietSettings) -> Usage:
    """ONE set-based statement: each customer account in scope with its installed assets (and how
    many a maintenance plan covers), its orders, our outreach and the requests it raised, each
    aggregated once over all accounts; nothing after ``as_of``."""
    # Whole days (core.asof): the same requests count at any hour of the as-of day.
    start, day = window_start(as_of, qs.window_days), as_date(as_of)
    prior_start = window_start(as_of, 2 * qs.window_days)
    installed = age_days_sql("installed_at", is_datetime=False, at=":day")
    initiated_by = connection.ops.quote_name("initiated_by")
    kind = connection.ops.quote_name("kind")
    plan = table(MaintenancePlan)
    # A plan covers its own asset, or every asset of its product; only plans that existed then.
    covered = (
        f"CASE WHEN EXISTS (SELECT 1 FROM {plan} m WHERE m.is_active = :yes"  # noqa: S608 - names only
        f" AND m.created_at <= :as_of AND (m.asset_id = x.id OR m.product_id = x.product_id))"
        f" THEN 1 ELSE 0 END"
    )
    rows = run(
        f"""
        SELECT a.id, s.n, s.mean_age, s.max_age, s.covered, o.n, o.first_age, r.n, v.n, r.c, o.prior_n
        FROM {table(Account)} a
        LEFT JOIN (
            SELECT x.account_id, COUNT(*) AS n, AVG({installed}) AS mean_age, MAX({installed}) AS max_age,
                   SUM({covered}) AS covered
            FROM {table(Asset)} x WHERE x.installed_at <= :day{scope_sql("x.account_id", scope)}
            GROUP BY x.account_id
        ) s ON s.account_id = a.id
        LEFT JOIN (
            SELECT account_id, SUM(CASE WHEN placed_at >= :start THEN 1 ELSE 0 END) AS n,
                   SUM(CASE WHEN placed_at >= :prior_start AND placed_at < :start THEN 1 ELSE 0 END)
                       AS prior_n,
                   {age_days_sql("MIN(placed_at)", is_datetime=True)} AS first_age
            FROM {table(Order)} WHERE placed_at <= :as_of{scope_sql("account_id", scope)}
            GROUP BY account_id
        ) o ON o.account_id = a.id
        LEFT JOIN (
            SELECT account_id, COUNT(*) AS n, SUM(complaint) AS c FROM (
                SELECT account_id, CASE WHEN is_complaint = {true()} THEN 1 ELSE 0 END AS complaint
                FROM {table(ServiceCase)}
                WHERE opened_at >= :start AND opened_at <= :as_of AND maintenance_plan_id IS NULL
                      {scope_sql("account_id", scope)}
                UNION ALL
                SELECT account_id, 0 FROM {table(Touchpoint)}
                WHERE occurred_at >= :start AND occurred_at <= :as_of AND {initiated_by} = :customer_side
                      {scope_sql("account_id", scope)}
            ) AS raised GROUP BY account_id
        ) r ON r.account_id = a.id
        LEFT JOIN (
            SELECT account_id, COUNT(*) AS n FROM {table(Touchpoint)}
            WHERE occurred_at > :start AND occurred_at <= :as_of AND {initiated_by} = :vendor_side
                  {scope_sql("account_id", scope)}
            GROUP BY account_id
        ) v ON v.account_id = a.id
        WHERE a.{kind} = :customer{scope_sql("a.id", scope)}
        ORDER BY a.id
        """,  # noqa: S608 - only table and column names are formatted in
        as_of=as_of, start=start, prior_start=prior_start, day=day, yes=True,
        customer=AccountKind.CUSTOMER.value,
        customer_side=InitiatedBy.CUSTOMER.value, vendor_side=InitiatedBy.VENDOR.value,
    )
    n = len(rows)

    def column(i: int) -> np.ndarray:
        return np.array([row[i] or 0 for row in rows], dtype=np.float64).reshape(n)

    n_assets, n_orders = column(1), column(5)
    # Using us since the first order or the first installation, whichever came first.
    using = np.maximum(column(3), column(6))
    exposure = np.minimum(using, float(qs.window_days))
    reason = np.full(n, "", dtype=object)
    reason[(n_assets == 0) & (n_orders < qs.min_orders)] = NO_EXPOSURE
    reason[exposure < qs.min_days] = TOO_NEW
    return Usage(
        account_ids=np.array([row[0] for row in rows], dtype=np.int64).reshape(n),
        assets=n_assets, asset_age_years=column(2) / DAYS_PER_YEAR, covered=column(4),
        outreach=column(8), orders=n_orders, prior_orders=column(10),
        prior_days=np.clip(using - qs.window_days, 0.0, float(qs.window_days)),
        exposure_days=exposure, raised=column(7), complaints=column(9),
        not_judged=reason,
    )


def _design(usage: Usage) -> np.ndarray:
    """The covariates of ``COVARIATES``, one column each."""
    years = np.maximum(usage.exposure_days, 1.0) / DAYS_PER_YEAR
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(usage.assets > 0, usage.covered / np.maximum(usage.assets, 1.0), 0.0)
    new = usage.prior_days < MIN_PRIOR_DAYS
    prior_rate = np.where(new, 0.0, usage.prior_orders / np.maximum(usage.prior_days, 1.0) * DAYS_PER_YEAR)
    return np.column_stack((
        np.log1p(usage.assets), usage.asset_age_years, coverage, np.log1p(usage.outreach / years),
        np.log1p(prior_rate), new.astype(np.float64),
    ))


def _years(usage: Usage, rows: np.ndarray) -> np.ndarray:
    return usage.exposure_days[rows] / DAYS_PER_YEAR


def fit_quietness(as_of: datetime, qs: QuietSettings | None = None) -> dict[str, Any] | None:
    """Fit the peers on the whole portfolio (once per scan): the JSON ``scan --json`` lists under
    ``models``, or ``None`` with too few judged accounts (or none that raised anything)."""
    qs = qs or quiet_settings()
    return fit_usage(read_usage(as_of, None, qs), qs)


def fit_usage(usage: Usage, qs: QuietSettings) -> dict[str, Any] | None:
    """The peer fit over the whole portfolio's usage (see ``fit_quietness``), with the
    Benjamini-Hochberg cutoff of its p-values at ``qs.fdr``."""
    rows = np.flatnonzero(usage.eligible)
    n = int(rows.size)
    if n < qs.min_peers or usage.raised[rows].sum() == 0:
        return None
    X, y, years = _design(usage)[rows], usage.raised[rows], _years(usage, rows)
    model = fit_count_model(X, y, years)
    result: dict[str, Any] = {
        "stream": STREAM,
        "kind": "zinb" if model.zero_inflated else "negbin",
        "covariates": list(COVARIATES),
        **model.as_dict(),
        "dispersion": round(model.dispersion, 6),
        "zero_share": round(model.zero_share, 6),
        "zeros_observed": int((y == 0).sum()),
        "time_unit": "year",
        "window_days": qs.window_days,
        "fdr": qs.fdr,
        "not_judged": int(usage.account_ids.size - n),
    }
    intercept, slopes = model.original_coefficients()
    result["params"] = {"intercept": intercept,
                        **{c: float(v) for c, v in zip(COVARIATES, slopes, strict=True)}}
    if not model.converged:
        # Not used (``judge`` says nothing): a model that did not settle is no benchmark.
        return {**result, "tested": 0, "flagged": 0, "p_cutoff": None, "expected_false_alarms": 0.0}
    p, _ = quiet_p_values(model, X, y, years)
    flags, cutoff = benjamini_hochberg(p, qs.fdr)
    flagged = int(flags.sum())
    return {**result, "tested": n, "flagged": flagged, "p_cutoff": cutoff,
            "expected_false_alarms": round(qs.fdr * flagged, 2)}


class QuietAssessment(NamedTuple):
    """One account: the signal's value (None: not judged) and the facts behind it (a tuple:
    one is built per account in every scan)."""

    value: float | None
    facts: dict[str, Any]


def assess_quietness(as_of: datetime, scope: Scope, fit: Mapping[str, Any] | None,
                     qs: QuietSettings | None = None) -> dict[int, QuietAssessment]:
    """Each account in scope against the fitted peers: ONE query. Without a stored fit the
    whole portfolio is fitted on the spot; a part of it cannot be (nothing is judged)."""
    qs = qs or quiet_settings()
    usage = read_usage(as_of, scope, qs)
    if not usable(fit) and scope is None:
        # The whole portfolio without a usable stored fit (before the first scan, a backtest, a fit
        # from before an upgrade): fit it here.
        fit = fit_usage(usage, qs)
    return judge(usage, fit, qs)


def usable(fit: Mapping[str, Any] | None) -> bool:
    """A stored quietness fit the signal may judge by: this model with these covariates (a scan
    stored before an upgrade may have others), and it converged."""
    return (bool(fit) and fit.get("kind") in ("zinb", "negbin") and bool(fit.get("converged"))
            and list(fit.get("covariates") or ()) == list(COVARIATES))


def judge(usage: Usage, fit: Mapping[str, Any] | None, qs: QuietSettings) -> dict[int, QuietAssessment]:
    """The arithmetic of ``assess_quietness`` over usage already read (no database)."""
    if fit is None or not usable(fit):
        return {}
    result: dict[int, QuietAssessment] = {}
    skipped = np.flatnonzero(~usage.eligible)
    for account_id, reason, exposure, assets, orders in zip(
        usage.account_ids[skipped].tolist(), usage.not_judged[skipped].tolist(),
        usage.exposure_days[skipped].astype(np.int64).tolist(),
        usage.assets[skipped].astype(np.int64).tolist(), usage.orders[skipped].astype(np.int64).tolist(),
        strict=True,
    ):
        result[account_id] = QuietAssessment(None, {
            "not_judged": reason, "exposure_days": exposure, "assets": assets, "orders": orders,
            "min_days": qs.min_days, "min_orders": qs.min_orders, "window_days": qs.window_days,
        })
    rows = np.flatnonzero(usage.eligible)
    if rows.size == 0:
        return result
    model = CountModel.from_dict(dict(fit))
    X, y = _design(usage)[rows], usage.raised[rows]
    p, expected = quiet_p_values(model, X, y, _years(usage, rows))
    cutoff = fit.get("p_cutoff")
    quiet = p <= cutoff if cutoff is not None else np.zeros(rows.size, dtype=bool)
    # As likely as not to see so few (or more): 1. Improbably few: towards 0. A complaint is
    # the customer speaking up, so it counts against the quiet flag (above), but it is evidence
    # of trouble: the value is judged without complaints, so one never raises the score.
    plain = lower_tail_probability(y - usage.complaints[rows], expected, model.dispersion)
    values = np.minimum(1.0, 2.0 * np.nan_to_num(plain, nan=0.5)).tolist()
    # Plain lists, zipped: indexing numpy arrays account by account costs more than the maths.
    per_account = zip(
        usage.account_ids[rows].tolist(), values, y.astype(np.int64).tolist(),
        np.round(expected, 1).tolist(), p.tolist(), quiet.tolist(),
        usage.exposure_days[rows].astype(np.int64).tolist(), usage.assets[rows].astype(np.int64).tolist(),
        usage.outreach[rows].astype(np.int64).tolist(), strict=True,
    )
    for account_id, value, observed, mean, prob, is_quiet, exposure, assets, outreach in per_account:
        # A quiet account is never banded healthy: the band rules read ``quiet`` (signals/now.py).
        result[account_id] = QuietAssessment(value, {
            "observed": observed, "expected": mean, "p": prob, "quiet": is_quiet,
            "fdr": qs.fdr, "window_days": qs.window_days, "exposure_days": exposure, "assets": assets,
            "outreach": outreach,
        })
    return result
