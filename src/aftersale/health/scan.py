"""Scanning the portfolio and refreshing one account.

A scan is a ``ScanRun`` split into ``ScanPart`` account-id ranges. The
``scan`` command runs the parts one after the other in its own process; the
worker enqueues one task per part so several workers share the load. Each
part evaluates its accounts (one query per signal for the whole range),
upserts their snapshots and reconciles their alerts, so running a part twice,
or re-running a scan for the same date, changes nothing.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from aftersale.accounts.models import Account
from aftersale.alerts import registry as alert_registry
from aftersale.alerts.models import Alert
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
    ctx = make_context(as_of, fits={})
    models = fit_models(ctx)  # the fits stored with the run; ``evaluate_as_scan`` makes the same
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        run = ScanRun.objects.create(
            as_of=as_of, as_of_date=ctx.as_of_date, started_at=timezone.now(),
            reconciles_alerts=is_newest(ctx.as_of_date), accounts=len(ids), rhythm_models=models,
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
    ctx = part_context(run.as_of, run.rhythm_models)
    scope = range(part.first_id, part.last_id + 1)
    results = evaluate(ctx, scope)
    with transaction.atomic():
        save_snapshots(ctx, results)
        if run.reconciles_alerts:
            reconcile_engine_alerts(ctx, results)
    claimed = ScanPart.objects.filter(pk=part.pk, done_at__isnull=True).update(done_at=timezone.now())
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
            # The smallest id range holding the accounts just written (a scan part's range,
            # or one account): one short statement, not a list of 10,000 ids.
            sync_latest_health(range(min(results), max(results) + 1))


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
    with transaction.atomic():
        run = ScanRun.objects.select_for_update().get(pk=run_id)
        if run.status == ScanStatus.DONE:
            return False
        if run.reconciles_alerts:
            alert_registry.refresh(run.as_of, None)
        finished = timezone.now()
        run.summary = {
            "bands": band_counts(run),
            "alerts": dict(
                Alert.objects.open().order_by().values("kind").annotate(n=Count("*")).values_list("kind", "n")
            ),
            "seconds": round((finished - run.started_at).total_seconds(), 2),
        }
        run.status, run.finished_at = ScanStatus.DONE, finished
        run.save(update_fields=["status", "finished_at", "summary"])
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
    """Recompute one account now (after an event was recorded), through the same signal
    code restricted to that account: its snapshot for the day is overwritten and, unless
    ``alerts`` is false, its alerts reconciled (the engine's kinds and every domain
    condition). The number of queries does not grow with the data."""
    as_of = as_of or timezone.now()
    ctx = make_context(as_of)
    results = evaluate(ctx, [account_id])
    if account_id not in results:
        raise Account.DoesNotExist(f"no account with id {account_id}")
    with transaction.atomic():
        save_snapshots(ctx, results)
        if alerts and is_newest(ctx.as_of_date):
            reconcile_engine_alerts(ctx, results)
            alert_registry.refresh(ctx.as_of, [account_id])
    return results[account_id]
