"""Scanning the portfolio and refreshing one account.

A scan is a ``ScanRun`` split into ``ScanPart`` account-id ranges. The
``scan`` command runs the parts one after the other in its own process; the
worker enqueues one task per part so several workers share the load. Each
part evaluates its accounts (one query per signal for the whole range),
upserts their snapshots and reconciles their alerts, so running a part twice,
or re-running a scan for the same date, changes nothing.

Its statements are never planned blind (``core.bulk.ensure_statistics`` before
the first of them, before each part and after the close) and never run for
hours: on PostgreSQL each step runs under ``SCAN_STATEMENT_TIMEOUT_SECONDS``
(``core.guard.statement_limit``), and a statement over it fails its part (or
the start, or the close) with a message naming what it computes, recorded on
the part (or the run). docs/operations.md, "Bulk loads and statistics".
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account
from aftersale.alerts import registry as alert_registry
from aftersale.alerts.models import Alert
from aftersale.core import conf
from aftersale.core.bulk import ensure_statistics
from aftersale.core.guard import StatementTimeout, slow_statements_logged, statement_kind, statement_limit
from aftersale.core.sql import Scope, adapt, table
from aftersale.health import engine_alerts
from aftersale.health.evaluate import AccountHealth, evaluate, make_context
from aftersale.health.latest import sync_latest_health
from aftersale.health.models import Band, HealthSnapshot, ScanPart, ScanRun, ScanStatus
from aftersale.health.rhythm.signals import fit_models, fits_by_stream
from aftersale.health.signals.registry import EvalContext
from aftersale.health.store import load_config

logger = logging.getLogger(__name__)

# Accounts per part: big enough that per-query overhead vanishes (and PostgreSQL
# may scan in parallel), small enough that a part's results stay small in memory.
PART_SIZE = 10000
# Snapshot rows per upsert statement.
SNAPSHOT_BATCH = 2000
TIMEOUT_SETTING = "SCAN_STATEMENT_TIMEOUT_SECONDS"


def read_models() -> list[type[models.Model]]:
    """The tables a scan may read (and writes): every model of Aftersale's own apps.

    A superset of what the signals read, so a new signal's table is never left out;
    checking a table whose statistics are fine costs nothing but a row of one
    catalogue query.
    """
    return [m for m in apps.get_models(include_auto_created=True) if m.__module__.startswith("aftersale.")]


def written_models() -> list[type[models.Model]]:
    """The tables a scan writes: snapshots, the accounts' copy of the latest, alerts."""
    return [HealthSnapshot, Account, Alert]


def guard_statistics() -> list[str]:
    """Before a scan's (or a backtest's) statements: analyse the tables they read that
    lack statistics or whose rows drifted from them (``core.bulk.ensure_statistics``)."""
    analysed = ensure_statistics(read_models())
    if analysed:
        logger.info("analysed before scanning: %s", ", ".join(analysed))
    return analysed


def limited() -> Any:
    """A scan step's statements under ``SCAN_STATEMENT_TIMEOUT_SECONDS`` (PostgreSQL)."""
    return statement_limit(conf.get(TIMEOUT_SETTING), TIMEOUT_SETTING)
# Accounts per list when refreshing changed accounts: their ids are inlined in each
# signal's statement, and alerts are reconciled with ``account_id IN (...)``, which
# must stay under SQLite's limit on parameters.
REFRESH_BATCH = 2000


def is_newest(day: Any) -> bool:
    """False when a later date was already scanned: replaying history must not touch
    the alerts, which describe the present."""
    return not ScanRun.objects.filter(as_of_date__gt=day).exists()


def start_scan(as_of: datetime | None = None, *, part_size: int = PART_SIZE,
               enqueue: Callable[[list[int]], object] | None = None) -> ScanRun:
    """Create the run and its parts; fit the rhythm models on the whole portfolio once.

    ``enqueue(part_ids)`` is called in the transaction that creates them, so a
    worker dying here leaves either a run whose every part is queued or no run
    at all (the queue lives in the same database)."""
    as_of = as_of or timezone.now()
    guard_statistics()
    ctx = make_context(as_of, fits={})
    with limited(), statement_kind(_("the rhythm and quietness fits")):
        fits = fit_models(ctx)  # stored with the run; ``evaluate_as_scan`` makes the same
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        run = ScanRun.objects.create(
            as_of=as_of, as_of_date=ctx.as_of_date, started_at=timezone.now(),
            reconciles_alerts=is_newest(ctx.as_of_date), accounts=len(ids), rhythm_models=fits,
        )
        ScanPart.objects.bulk_create([
            ScanPart(run=run, first_id=chunk[0], last_id=chunk[-1], accounts=len(chunk))
            for chunk in (ids[i:i + part_size] for i in range(0, len(ids), part_size))
        ])
        if enqueue is not None:
            enqueue(list(run.parts.order_by("first_id").values_list("pk", flat=True)))
    if not ids:
        finish_if_complete(run.pk)
        run.refresh_from_db()
    return run


def run_part(part_id: int) -> bool:
    """Evaluate one range and store the results; False if it was already done."""
    part = ScanPart.objects.select_related("run").get(pk=part_id)
    if part.done_at is not None:
        # Run again (a recovered task): the part is done, but the run may not have been
        # closed if the worker that finished it died while closing it.
        finish_if_complete(part.run_id)
        return False
    run = part.run
    # The parts before this one wrote snapshots (and alerts): analysed once they amount to much.
    guard_statistics()
    ctx = part_context(run.as_of, run.rhythm_models)
    scope = range(part.first_id, part.last_id + 1)
    try:
        with limited():
            with statement_kind(_("the accounts' signals and references")):
                results = evaluate(ctx, scope)
            with transaction.atomic():
                with statement_kind(_("the snapshots")):
                    save_snapshots(ctx, results)
                if run.reconciles_alerts:
                    with statement_kind(_("the engine's alerts")):
                        reconcile_engine_alerts(ctx, results)
    except StatementTimeout as exc:
        ScanPart.objects.filter(pk=part.pk).update(error=str(exc))
        logger.error("scan %s, accounts %d..%d: %s", run.pk, part.first_id, part.last_id, exc)
        raise
    claimed = ScanPart.objects.filter(pk=part.pk, done_at__isnull=True).update(
        done_at=timezone.now(), error=""
    )
    finish_if_complete(run.pk)
    return bool(claimed)


def part_context(as_of: datetime, models: list[dict[str, Any]]) -> EvalContext:
    """The context every part of a scan evaluates with: the settings now, the run's fits."""
    return make_context(as_of, load_config(), fits_by_stream(models))


def evaluate_as_scan(as_of: datetime, scope: Scope = None) -> tuple[dict[int, AccountHealth], EvalContext]:
    """What a scan as of ``as_of`` would store for ``scope``, storing nothing (the backtest).

    The same fits made the same way on the whole portfolio as of that moment, kept as
    the run keeps them (JSON), and the same evaluation: every signal, quietness and
    the band rules. The run's ``rhythm_models`` are in the context's ``fits``."""
    models = json.loads(json.dumps(fit_models(make_context(as_of, fits={}))))
    ctx = part_context(as_of, models)
    return evaluate(ctx, scope), ctx


def save_snapshots(ctx: EvalContext, results: dict[int, AccountHealth]) -> None:
    """Upsert one row per account for the day, and copy each account's latest snapshot
    onto the account (``latest.sync_latest_health``) in the same transaction.

    PostgreSQL gets each column as one array (``unnest``): a short statement the
    driver does not have to parse for thousands of placeholders. SQLite gets
    ``executemany``, which loops in C.
    """
    day, moment = adapt(ctx.as_of_date), adapt(ctx.as_of)
    rows = [
        (h.account_id, day, moment, None if h.score is None else round(h.score, 2), h.band,
         round(h.coverage, 4), h.trend, json.dumps(h.snapshot_signals(), separators=(",", ":")))
        for h in results.values()
    ]
    columns = "account_id, as_of, computed_at, score, band, coverage, trend, signals"
    upsert = (
        " ON CONFLICT (account_id, as_of) DO UPDATE SET computed_at = excluded.computed_at,"
        " score = excluded.score, band = excluded.band, coverage = excluded.coverage,"
        " trend = excluded.trend, signals = excluded.signals"
    )
    snapshots = table(HealthSnapshot)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(rows), SNAPSHOT_BATCH):
            batch = rows[start:start + SNAPSHOT_BATCH]
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"INSERT INTO {snapshots} ({columns}) SELECT * FROM unnest("  # noqa: S608
                    "%s::bigint[], %s::date[], %s::timestamptz[], %s::float8[], %s::text[],"
                    " %s::float8[], %s::text[], %s::jsonb[])" + upsert,
                    [list(column) for column in zip(*batch, strict=True)],
                )
            else:
                cursor.executemany(
                    f"INSERT INTO {snapshots} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"  # noqa: S608
                    + upsert,
                    batch,
                )
        if results:
            sync_latest_health(latest_scope(results))


def latest_scope(results: dict[int, AccountHealth]) -> range | list[int]:
    """The accounts whose latest copy to update: the smallest id range holding them when
    they are about that dense (a scan part's range, one account): one short statement, not
    a list of 10,000 ids; otherwise the ids themselves (changed accounts spread over the
    portfolio), so the accounts between them are not locked and rewritten."""
    first, last = min(results), max(results)
    if last - first + 1 <= 2 * len(results):
        return range(first, last + 1)
    return sorted(results)


def reconcile_engine_alerts(ctx: EvalContext, results: dict[int, AccountHealth]) -> None:
    """The engine's own kinds, over the accounts just evaluated."""
    engine_alerts.reconcile(ctx, results, list(results))


def finish_if_complete(run_id: int) -> bool:
    """Close the run once every part is done; exactly one caller closes it.

    The domain apps' alert conditions are reconciled here, once for the whole
    portfolio: each is one set-based query over all accounts, far cheaper than
    once per part with a list of ids. Two parts finishing at the same moment
    both get here: the run's row is locked while closing, so the second waits,
    finds the run done and does nothing (two reconciliations at once could
    both try to open the same alert).
    """
    if ScanPart.objects.filter(run_id=run_id, done_at__isnull=True).exists():
        return False
    try:
        with limited(), transaction.atomic():
            run = ScanRun.objects.select_for_update().get(pk=run_id)
            if run.status == ScanStatus.DONE:
                return False
            if run.reconciles_alerts:
                with statement_kind(_("the domain alerts")):
                    alert_registry.refresh(run.as_of, None)
            finished = timezone.now()
            with statement_kind(_("the scan's summary")):
                run.summary = {
                    "bands": band_counts(run),
                    "alerts": dict(
                        Alert.objects.open().order_by().values("kind").annotate(n=Count("*"))
                        .values_list("kind", "n")
                    ),
                    "seconds": round((finished - run.started_at).total_seconds(), 2),
                }
            run.status, run.finished_at, run.error = ScanStatus.DONE, finished, ""
            run.save(update_fields=["status", "finished_at", "summary", "error"])
    except StatementTimeout as exc:
        ScanRun.objects.filter(pk=run_id).update(error=str(exc))
        logger.error("scan %s, closing: %s", run_id, exc)
        raise
    # What the scan wrote (snapshots, the accounts' latest copy, alerts) is analysed once it
    # amounts to much, so the pages and the next scan are planned with it.
    analysed = ensure_statistics(written_models(), changed=True)
    if analysed:
        logger.info("analysed after scanning: %s", ", ".join(analysed))
    return True


def unfinished_parts() -> dict[int, list[int]]:
    """Parts not done of the scans still running, by run."""
    parts: dict[int, list[int]] = {}
    for run_id, part_id in ScanPart.objects.filter(
        run__status=ScanStatus.RUNNING, done_at__isnull=True
    ).order_by("run_id", "first_id").values_list("run_id", "pk"):
        parts.setdefault(run_id, []).append(part_id)
    return parts


def close_finished_runs() -> int:
    """Close the running scans whose parts are all done (the task closing one died
    and was not run again); returns how many were closed."""
    open_runs = ScanRun.objects.filter(status=ScanStatus.RUNNING).values_list("pk", flat=True)
    waiting = set(unfinished_parts())
    return sum(finish_if_complete(run_id) for run_id in open_runs if run_id not in waiting)


def band_counts(run: ScanRun) -> dict[str, int]:
    counts = Counter(dict(
        HealthSnapshot.objects.filter(as_of=run.as_of_date).order_by()
        .values("band").annotate(n=Count("*")).values_list("band", "n")
    ))
    return {band: counts.get(band, 0) for band in Band.values}


def run_scan(as_of: datetime | None = None, *, part_size: int = PART_SIZE) -> ScanRun:
    """The whole portfolio in this process (the ``scan`` command)."""
    started = time.monotonic()
    with slow_statements_logged():
        run = start_scan(as_of, part_size=part_size)
        for part_id in run.parts.order_by("first_id").values_list("pk", flat=True):
            run_part(part_id)
    run.refresh_from_db()
    logger.info("scan %s: %d accounts in %.1f s", run.pk, run.accounts, time.monotonic() - started)
    return run


def scan_summary(run: ScanRun) -> dict[str, Any]:
    """The ``scan --json`` object."""
    summary = run.summary or {}
    return {
        "as_of": timezone.localtime(run.as_of).isoformat(timespec="seconds"),
        "accounts": run.accounts,
        "bands": summary.get("bands", {}),
        "alerts": summary.get("alerts", {}),
        "seconds": summary.get("seconds"),
        "models": run.rhythm_models,
    }


def refresh_account(account_id: int, as_of: datetime | None = None, *, alerts: bool = True) -> AccountHealth:
    """Recompute one account now (``refresh_accounts`` for one id); an unknown id raises
    ``Account.DoesNotExist``."""
    results = refresh_accounts([account_id], as_of, alerts=alerts)
    if account_id not in results:
        raise Account.DoesNotExist(f"no account with id {account_id}")
    return results[account_id]


def refresh_accounts(account_ids: Iterable[int], as_of: datetime | None = None, *,
                     alerts: bool = True) -> dict[int, AccountHealth]:
    """Recompute these accounts now (after their records changed), through the scan's own
    path restricted to them: their snapshots for the day are overwritten and, unless
    ``alerts`` is false, their alerts reconciled (the engine's kinds and every domain
    condition). Ids of accounts that no longer exist are skipped.

    This is the one handler of ``core.changes`` (subscribed in ``HealthConfig.ready``):
    every change committed through an action, the admin or an import ends here. Many ids
    are evaluated a list at a time, so the number of queries grows with the number of
    lists, never with the data or one per account.
    """
    as_of = as_of or timezone.now()
    ids = sorted({int(i) for i in account_ids})
    if not ids:
        return {}
    ctx = make_context(as_of)
    reconcile = alerts and is_newest(ctx.as_of_date)
    found: dict[int, AccountHealth] = {}
    for start in range(0, len(ids), REFRESH_BATCH):
        results = evaluate(ctx, ids[start:start + REFRESH_BATCH])
        with transaction.atomic():
            save_snapshots(ctx, results)
            if reconcile and results:
                reconcile_engine_alerts(ctx, results)
                alert_registry.refresh(ctx.as_of, list(results))
        found.update(results)
    return found
