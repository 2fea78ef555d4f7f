"""Evaluating accounts: every signal (one query each), the score, the trend and why it moved.

``evaluate(ctx, scope)`` reads and never writes; the scan and the one-account
refresh store what it returns as snapshots. Its query count does not depend
on how many accounts are in ``scope``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from aftersale.accounts.models import Account
from aftersale.core.asof import as_date
from aftersale.core.guard import statement_kind
from aftersale.core.sql import Scope, batched, date_value, run, run_many, scope_sql, table
from aftersale.health import scoring
from aftersale.health.config import EngineConfig
from aftersale.health.models import Band, HealthSnapshot, ScanRun, ScanStatus, Trend
from aftersale.health.rhythm.signals import fits_by_stream
from aftersale.health.signals import registry
from aftersale.health.signals.registry import EvalContext, SignalDef, SignalValue
from aftersale.health.store import config_from, config_statements
from aftersale.staff.models import User

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
    previous_date: date | None = None
    previous_score: float | None = None
    previous_contributions: dict[str, float | None] | None = None
    language: str = "en"
    # Signals that held the band at watch although the score was healthy (a quiet customer).
    capped_by: tuple[str, ...] = ()

    # Reasons and movements are worked out when someone asks (a page, an alert),
    # not for each account of a scan.
    @cached_property
    def reasons(self) -> list[str]:
        """The signals that explain the score best, costliest first; one that capped the band leads."""
        found = scoring.reasons({n: sv.value for n, sv in self.values.items()}, self.weights)
        if not self.capped_by:
            return found
        return [*self.capped_by, *(n for n in found if n not in self.capped_by)][:max(3, len(self.capped_by))]

    @cached_property
    def moved(self) -> list[tuple[str, float]]:
        """Why it moved: the biggest changes in contribution since the previous scan."""
        if self.previous_contributions is None:
            return []
        return scoring.moved(self.contributions, self.previous_contributions)

    @property
    def band_note(self) -> str:
        """Why the band is watch although the score is healthy, in words ("" when it is not capped)."""
        if not self.capped_by:
            return ""
        parts = []
        for name in self.capped_by:
            definition = registry.get(name)
            if definition is not None and name in self.values:
                parts.append(f"{definition.label}: {definition.explanation(self.values[name], 0)}")
        return _("Banded watch, not healthy, whatever the score: %(why)s") % {"why": " ".join(parts)}

    @property
    def rounded_score(self) -> int | None:
        return None if self.score is None else round(self.score)

    @property
    def band_label(self) -> str:
        return str(Band(self.band).label)

    @property
    def trend_label(self) -> str:
        return str(Trend(self.trend).label) if self.trend else ""

    def snapshot_signals(self) -> dict[str, list[float | None]]:
        """The compact per-signal record a snapshot keeps: ``[value, contribution]``."""
        contributions = self.contributions
        def pair(name: str, value: float | None) -> list[float | None]:
            points = contributions.get(name)
            return [None if value is None else round(value, 4), None if points is None else round(points, 2)]

        return {name: pair(name, sv.value) for name, sv in self.values.items()}

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
    """A context for ``as_of``; without ``fits``, the fitted models (rhythm, quietness) of
    the latest finished scan of ``as_of``'s day or an earlier one.

    Chosen by day, not by moment: a scan of today serves every hour of today, so the page
    at noon uses the same models as the scan that ended the day (``core.asof``). Whatever
    it has to read (settings, weights, fits) is read in one round trip."""
    statements: list[tuple[str, dict[str, Any]]] = [] if config is not None else list(config_statements())
    if fits is None:
        statements.append((
            f"SELECT rhythm_models FROM {table(ScanRun)}"  # noqa: S608 - the table name only
            " WHERE status = :done AND as_of_date <= :day"
            " ORDER BY as_of_date DESC, as_of DESC, id DESC LIMIT 1",
            {"done": ScanStatus.DONE, "day": as_date(as_of)},
        ))
    found = run_many(*statements) if statements else []
    if config is None:
        config = config_from(found[0], found[1])
    if fits is None:
        latest = found[-1]
        models = latest[0][0] if latest else "[]"
        fits = fits_by_stream(json.loads(models) if isinstance(models, str) else models)
    return EvalContext(as_of=as_of, config=config, fits=fits)


def find_references(day: date) -> References:
    """Finished scan dates before ``day``: the previous one, and those nearest 30, 60 and
    90 days back (each at most two weeks older than its target)."""
    oldest = day - timedelta(days=max(scoring.TREND_REFERENCE_DAYS) + REFERENCE_SLACK_DAYS)
    scans = table(ScanRun)
    recent = sorted({date_value(d) for (d,) in run(
        f"SELECT DISTINCT as_of_date FROM {scans}"  # noqa: S608 - the table name only
        " WHERE status = :done AND as_of_date < :day AND as_of_date >= :oldest",
        done=ScanStatus.DONE, day=day, oldest=oldest,
    )})
    if recent:
        previous = recent[-1]
    else:
        found = run(
            f"SELECT MAX(as_of_date) FROM {scans} WHERE status = :done AND as_of_date < :day",  # noqa: S608
            done=ScanStatus.DONE, day=day,
        )
        previous = date_value(found[0][0]) if found else None
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
    return trend_points(scope, refs), previous_snapshots(scope, refs)


def trend_points(scope: Scope, refs: References) -> dict[int, list[tuple[float, float]]]:
    """Each account's (days before, score) at the trend's reference dates."""
    points: dict[int, list[tuple[float, float]]] = {}
    if refs.trend:
        days_before = {d: days for days, d in refs.trend}
        values = {f"d{i}": d for i, d in enumerate(days_before)}
        marks = ", ".join(f":{name}" for name in values)
        for account_id, day, score in run(
            f"SELECT account_id, as_of, score FROM {table(HealthSnapshot)}"  # noqa: S608 - names and ids only
            f" WHERE as_of IN ({marks}) AND score IS NOT NULL{scope_sql('account_id', scope)}",
            **values,
        ):
            points.setdefault(account_id, []).append((days_before[date_value(day)], float(score)))
    return points


Previous = dict[int, tuple[float | None, dict[str, float | None]]]


def previous_snapshots(scope: Scope, refs: References) -> Previous:
    """Each account's score and contributions at the previous scan."""
    previous: Previous = {}
    if refs.previous is not None:
        for account_id, score, signals in run(
            f"SELECT account_id, score, signals FROM {table(HealthSnapshot)}"  # noqa: S608 - names and ids only
            f" WHERE as_of = :day{scope_sql('account_id', scope)}",
            day=refs.previous,
        ):
            pairs = json.loads(signals) if isinstance(signals, str) else signals
            previous[account_id] = (score, {name: pair[1] for name, pair in pairs.items()})
    return previous


def signal_definitions(ctx: EvalContext, kinds: Collection[str] | None = None) -> list[SignalDef]:
    """Every signal with a weight that reads the database, and those the weighted derived
    signals need; with ``kinds``, only those that apply to one of those account kinds (a
    customer's refresh skips the supplier signals)."""
    derived = derived_definitions(ctx)
    weighted = [d for d in registry.all() if (ctx.config.weight(d.name) > 0 or d in derived)
                and (kinds is None or any(d.applies_to(kind) for kind in kinds))]
    needed = {name for d in weighted for name in d.needs}
    return [d for d in registry.all() if d.compute is not None and (d in weighted or (
        d.name in needed and (kinds is None or any(d.applies_to(k) for k in kinds))))]


def derived_definitions(ctx: EvalContext) -> list[SignalDef]:
    """The derived signals, computed per account from the others' values: those with a
    weight, and those that hold bands (the band rules hold whatever the weights)."""
    return [d for d in registry.all()
            if d.derive is not None and (ctx.config.weight(d.name) > 0 or d.caps_band)]


def compute_signals(ctx: EvalContext, scope: Scope,
                    kinds: Collection[str] | None = None) -> dict[str, dict[int, SignalValue]]:
    """Every signal with a weight, one aggregate query each; with ``kinds``, only the
    signals that apply to one of those account kinds."""
    definitions = signal_definitions(ctx, kinds)
    if connection.vendor != "postgresql" or not (scope is None or isinstance(scope, range)):
        return {d.name: _compute(d, ctx, scope) for d in definitions}
    # Over a range of accounts PostgreSQL would JIT-compile these aggregates (their cost
    # estimates are high) and spend longer compiling than running them; switched off for
    # this transaction only.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        return {d.name: _compute(d, ctx, scope) for d in definitions}


def _compute(definition: SignalDef, ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    # Named, so a statement that runs long is logged, or cancelled, as this signal's.
    with statement_kind(_("the signal %(name)s") % {"name": definition.name}):
        return definition.compute(ctx, scope)  # type: ignore[misc]


def _is_few(scope: Scope) -> bool:
    """A list of account ids (a page, a refresh), not a scan's range or every account."""
    return scope is not None and not isinstance(scope, range)


def evaluate(ctx: EvalContext, scope: Scope) -> dict[int, AccountHealth]:
    """The health of every account in ``scope`` as of ``ctx.as_of`` (reads only).

    For a few accounts (a page, a refresh) the signals' statements and the reference
    scores are sent to the database together (``sql.batched``): a handful of round trips
    instead of one per signal. The statements and the results are the same either way.
    """
    accounts_sql = (
        f"SELECT a.id, u.language, a.kind FROM {table(Account)} a"  # noqa: S608 - names and ids only
        f" JOIN {table(User)} u ON u.id = a.owner_id WHERE 1 = 1{scope_sql('a.id', scope)} ORDER BY a.id"
    )
    accounts, refs = batched([lambda: run(accounts_sql), lambda: find_references(ctx.as_of_date)])
    if not accounts:
        return {}
    kinds = {kind for _id, _language, kind in accounts}
    if _is_few(scope):
        definitions = signal_definitions(ctx, kinds)
        found = batched([
            lambda: trend_points(scope, refs), lambda: previous_snapshots(scope, refs),
            *((lambda d=d: d.compute(ctx, scope)) for d in definitions),  # type: ignore[misc]
        ])
        points, previous = found[0], found[1]
        by_signal = {d.name: values for d, values in zip(definitions, found[2:], strict=True)}
    else:
        by_signal = compute_signals(ctx, scope, kinds)
        points, previous = load_references(scope, refs)
    config = ctx.config
    derived = derived_definitions(ctx)
    # Per account kind: the signals that score it and their weights (see SignalDef.kinds).
    items_of_kind: dict[str, list[tuple[str, dict[int, SignalValue]]]] = {}
    derived_of_kind: dict[str, list[SignalDef]] = {}
    weights_of_kind: dict[str, dict[str, int]] = {}
    for kind in kinds:
        items_of_kind[kind] = [(name, found) for name, found in by_signal.items()
                               if (d := registry.get(name)) is not None and d.applies_to(kind)]
        derived_of_kind[kind] = [d for d in derived if d.applies_to(kind)]
        weights_of_kind[kind] = {name: config.weight(name) for name, _found in items_of_kind[kind]}
        weights_of_kind[kind].update((d.name, config.weight(d.name)) for d in derived_of_kind[kind])
    neutral = {d.name: d.neutral for d in registry.all()}
    capping_signals = {d.name for d in registry.all() if d.caps_band}
    results: dict[int, AccountHealth] = {}
    for account_id, language, kind in accounts:
        signal_items, weights = items_of_kind[kind], weights_of_kind[kind]
        values = {name: found.get(account_id, NO_DATA) for name, found in signal_items}
        for definition in derived_of_kind[kind]:
            values[definition.name] = definition.derive(ctx, values)  # type: ignore[misc]
        combined = scoring.combine({name: sv.value for name, sv in values.items()}, weights, neutral)
        band = scoring.band(
            combined.score, combined.coverage, healthy_min=config.healthy_min,
            watch_min=config.watch_min, min_coverage_healthy=config.min_coverage_healthy,
        )
        capped_by: tuple[str, ...] = ()
        if band == Band.HEALTHY:
            capped_by = tuple(name for name in capping_signals
                              if name in values and values[name].facts.get("caps_band"))
            if capped_by:
                band = Band.WATCH
        change = None
        if combined.score is not None:
            change = scoring.trend_change([(0.0, combined.score), *points.get(account_id, [])])
        before = previous.get(account_id)
        results[account_id] = AccountHealth(
            account_id=account_id, as_of=ctx.as_of, score=combined.score, band=band,
            coverage=combined.coverage, trend=scoring.trend(change, config.trend_points),
            trend_change=change, values=values, contributions=combined.contributions,
            weights=weights, previous_date=refs.previous if before else None,
            previous_score=before[0] if before else None,
            previous_contributions=before[1] if before else None, language=language or "en",
            capped_by=capped_by,
        )
    return results


def evaluate_account(account: Account, as_of: datetime) -> tuple[AccountHealth, EvalContext]:
    """One account as of ``as_of``, through the same signal code (reads only)."""
    ctx = make_context(as_of)
    return evaluate(ctx, [account.pk])[account.pk], ctx
