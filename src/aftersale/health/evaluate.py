"""Evaluating accounts: every signal (one query each), the score, the trend and why it moved.

``evaluate(ctx, scope)`` reads and never writes; the scan and the one-account
refresh store what it returns as snapshots. Its query count does not depend
on how many accounts are in ``scope``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Max

from aftersale.accounts.models import Account
from aftersale.health import scoring
from aftersale.health.config import EngineConfig, load_config
from aftersale.health.models import HealthSnapshot, ScanRun, ScanStatus
from aftersale.health.signals import registry
from aftersale.health.signals.registry import EvalContext, SignalValue
from aftersale.health.signals.rhythm import fits_by_stream
from aftersale.health.sql import Scope, scope_q

# A reference snapshot may be up to this many days older than its target date.
REFERENCE_SLACK_DAYS = 14
NO_DATA = SignalValue(None)


@dataclass
class AccountHealth:
    """One account's health as of a moment, with everything needed to explain it."""

    account_id: int
    as_of: datetime
    score: float | None
    band: str
    coverage: float
    trend: str
    trend_change: float | None
    values: dict[str, SignalValue]
    contributions: dict[str, float | None]
    weights: dict[str, int]
    reasons: list[str] = field(default_factory=list)
    moved: list[tuple[str, float]] = field(default_factory=list)
    previous_date: date | None = None
    previous_score: float | None = None
    language: str = "en"

    @property
    def rounded_score(self) -> int | None:
        return None if self.score is None else round(self.score)

    def snapshot_signals(self) -> dict[str, list[float | None]]:
        """The compact per-signal record a snapshot keeps: ``[value, contribution]``."""
        return {
            name: [
                None if sv.value is None else round(sv.value, 4),
                None if self.contributions.get(name) is None else round(self.contributions[name], 2),
            ]
            for name, sv in self.values.items()
        }

    def signal_rows(self, months: int) -> list[dict[str, Any]]:
        """Each signal as the ``health --json`` command and the account page show it."""
        rows = []
        for definition in registry.all():
            if definition.name not in self.values:
                continue
            sv = self.values[definition.name]
            contribution = self.contributions.get(definition.name)
            rows.append({
                "name": definition.name,
                "label": str(definition.label),
                "value": None if sv.value is None else round(sv.value, 3),
                "weight": self.weights.get(definition.name, 0),
                "contribution": None if contribution is None else round(contribution, 1),
                "explanation": definition.explanation(sv, months),
            })
        return rows


@dataclass(frozen=True)
class References:
    """The earlier scan dates an evaluation compares with."""

    previous: date | None  # the last scan before this date: "why it moved"
    trend: tuple[tuple[int, date], ...]  # (days before, scan date) for the trend line


def make_context(as_of: datetime, config: EngineConfig | None = None,
                 fits: Mapping[str, Mapping[str, Any] | None] | None = None) -> EvalContext:
    """A context for ``as_of``; without ``fits``, the latest finished scan's rhythm fits."""
    if config is None:
        config = load_config()
    if fits is None:
        latest = (
            ScanRun.objects.filter(status=ScanStatus.DONE, as_of__lte=as_of)
            .order_by("-as_of").values_list("rhythm_models", flat=True).first()
        )
        fits = fits_by_stream(latest or [])
    return EvalContext(as_of=as_of, config=config, fits=fits)


def find_references(day: date) -> References:
    """Finished scan dates before ``day``: the previous one, and those nearest 30, 60 and
    90 days back (each at most two weeks older than its target)."""
    oldest = day - timedelta(days=max(scoring.TREND_REFERENCE_DAYS) + REFERENCE_SLACK_DAYS)
    done = ScanRun.objects.filter(status=ScanStatus.DONE, as_of_date__lt=day)
    recent = sorted(set(done.filter(as_of_date__gte=oldest).values_list("as_of_date", flat=True)))
    previous = recent[-1] if recent else done.aggregate(last=Max("as_of_date"))["last"]
    trend = []
    for days in scoring.TREND_REFERENCE_DAYS:
        target = day - timedelta(days=days)
        candidates = [d for d in recent if target - timedelta(days=REFERENCE_SLACK_DAYS) <= d <= target]
        if candidates:
            trend.append(((day - candidates[-1]).days, candidates[-1]))
    return References(previous, tuple(trend))


def load_references(scope: Scope, refs: References) -> tuple[
    dict[int, list[tuple[float, float]]], dict[int, tuple[float | None, dict[str, float | None]]]
]:
    """Scores at the trend dates, and the previous snapshot's score and contributions."""
    points: dict[int, list[tuple[float, float]]] = {}
    if refs.trend:
        days_before = {d: days for days, d in refs.trend}
        rows = (
            HealthSnapshot.objects.filter(scope_q("account_id", scope), as_of__in=list(days_before))
            .exclude(score__isnull=True)
            .values_list("account_id", "as_of", "score")
        )
        for account_id, day, score in rows:
            points.setdefault(account_id, []).append((days_before[day], score))
    previous: dict[int, tuple[float | None, dict[str, float | None]]] = {}
    if refs.previous is not None:
        rows = HealthSnapshot.objects.filter(
            scope_q("account_id", scope), as_of=refs.previous
        ).values_list("account_id", "score", "signals")
        for account_id, score, signals in rows:
            previous[account_id] = (score, {name: pair[1] for name, pair in signals.items()})
    return points, previous


def compute_signals(ctx: EvalContext, scope: Scope) -> dict[str, dict[int, SignalValue]]:
    """Every signal with a weight, one aggregate query each."""
    return {
        d.name: d.compute(ctx, scope) for d in registry.all() if ctx.config.weight(d.name) > 0
    }


def evaluate(ctx: EvalContext, scope: Scope) -> dict[int, AccountHealth]:
    """The health of every account in ``scope`` as of ``ctx.as_of`` (reads only)."""
    accounts = list(
        Account.objects.filter(scope_q("pk", scope)).order_by("pk").values_list("pk", "owner__language")
    )
    if not accounts:
        return {}
    by_signal = compute_signals(ctx, scope)
    refs = find_references(ctx.as_of_date)
    points, previous = load_references(scope, refs)
    config = ctx.config
    weights = {name: config.weight(name) for name in by_signal}
    results: dict[int, AccountHealth] = {}
    for account_id, language in accounts:
        values = {name: found.get(account_id, NO_DATA) for name, found in by_signal.items()}
        plain = {name: sv.value for name, sv in values.items()}
        combined = scoring.combine(plain, weights)
        band = scoring.band(
            combined.score, combined.coverage, healthy_min=config.healthy_min,
            watch_min=config.watch_min, min_coverage_healthy=config.min_coverage_healthy,
        )
        change = None
        if combined.score is not None:
            change = scoring.trend_change([(0.0, combined.score), *points.get(account_id, [])])
        before = previous.get(account_id)
        results[account_id] = AccountHealth(
            account_id=account_id, as_of=ctx.as_of, score=combined.score, band=band,
            coverage=combined.coverage, trend=scoring.trend(change, config.trend_points),
            trend_change=change, values=values, contributions=combined.contributions,
            weights=weights, reasons=scoring.reasons(plain, weights),
            moved=scoring.moved(combined.contributions, before[1]) if before else [],
            previous_date=refs.previous if before else None,
            previous_score=before[0] if before else None,
            language=language or "en",
        )
    return results


def evaluate_account(account: Account, as_of: datetime) -> tuple[AccountHealth, EvalContext]:
    """One account as of ``as_of``, through the same signal code (reads only)."""
    ctx = make_context(as_of)
    return evaluate(ctx, [account.pk])[account.pk], ctx
