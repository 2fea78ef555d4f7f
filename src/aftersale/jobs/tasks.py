"""Background tasks on the project's database queue (django-tasks with django-tasks-db).

``tick`` is the periodic scan: it re-enqueues itself ``scan_interval_minutes``
ahead (django-tasks has no periodic tasks), under a lock on the ``Schedule``
row so only one tick is ever live; then it starts a scan (the alerts it opens
are e-mailed by ``aftersale.notify``'s own periodic task). A scan is one
``scan_part`` task per account-id range, so every worker takes a share; the
queue's own locking (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, an
exclusive transaction on SQLite) hands each task to one worker, and a part
that runs twice changes nothing.

``recover`` runs every few minutes in whichever worker takes it: it requeues
the tasks a dead worker left running (``worker.recover_stale_tasks``), queues
again the parts of a running scan that have no live task (their task failed),
and closes a scan whose parts are all done but whose closing task died.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tasks import TaskContext, task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from aftersale.core.guard import slow_statements_logged
from aftersale.health.models import ScanRun
from aftersale.health.proof import run_backtest
from aftersale.health.scan import PART_SIZE, close_finished_runs, run_part, start_scan, unfinished_parts
from aftersale.health.store import load_config
from aftersale.jobs import worker
from aftersale.jobs.models import Schedule
from aftersale.staff.models import User

RECOVER = "recover"


@task()
def scan_part(part_id: int) -> bool:
    with slow_statements_logged():
        return run_part(part_id)


@task()
def scan(as_of: str | None = None, part_size: int = PART_SIZE) -> int:
    """Start a scan as of ``as_of`` (ISO datetime; default now) and queue its parts."""
    moment = parse_datetime(as_of) if as_of else None
    with slow_statements_logged():
        return start_scan(moment, part_size=part_size, enqueue=enqueue_parts).pk


@task()
def backtest(as_of: str, horizon_days: int, fit_weights: bool = False, user_id: int | None = None) -> int:
    """A backtest (``aftersale backtest``) queued from the "Does the score work?" page: it evaluates
    the whole portfolio (twice when fitting weights), too long for a request."""
    moment = parse_datetime(as_of)
    if moment is None:
        raise ValueError(f"as_of is not an ISO date and time: {as_of!r}")
    user = User.objects.filter(pk=user_id).first() if user_id else None
    return run_backtest(moment, horizon_days, fit=fit_weights, user=user).pk


def enqueue_parts(part_ids: list[int]) -> None:
    for part_id in part_ids:
        scan_part.enqueue(part_id)


@task(takes_context=True)
def tick(context: TaskContext) -> dict[str, Any]:
    me = str(context.task_result.id)
    now = timezone.now()
    next_run = now + timedelta(minutes=load_config().scan_interval_minutes)
    # The successor and this tick's scan are queued together: a tick that dies before
    # committing runs again in full, one that dies after is a stray and the scan is queued.
    with transaction.atomic():
        if not worker.advance_schedule(Schedule.SCAN, tick, me, next_run):
            # A stray duplicate (the live tick is another task): do nothing.
            return {"skipped": True}
        queued = scan.enqueue(now.isoformat(), part_size=worker.setting("SCAN_PART_SIZE"))
    # The alerts this scan opens are e-mailed by aftersale.notify's periodic sender.
    return {"scan_task": str(queued.id), "next": next_run.isoformat()}


@task(takes_context=True)
def recover(context: TaskContext) -> dict[str, Any]:
    me = str(context.task_result.id)
    next_run = timezone.now() + timedelta(minutes=worker.setting("RECOVER_MINUTES"))
    if not worker.advance_schedule(RECOVER, recover, me, next_run):
        return {"skipped": True}
    return {
        "requeued": worker.recover_stale_tasks(),
        "parts_queued": resume_parts(),
        "scans_closed": close_finished_runs(),
        "next": next_run.isoformat(),
    }


def resume_parts() -> int:
    """Queue again each unfinished part of a running scan that has no task waiting or
    running (its task failed for good, or was deleted); up to ``worker.MAX_ATTEMPTS``
    tasks per part, so a part that always fails does not loop for ever."""
    waiting = unfinished_parts()
    if not waiting:
        return 0
    wanted = {part for parts in waiting.values() for part in parts}
    live: set[int] = set()
    attempts: dict[int, int] = {}
    since = ScanRun.objects.filter(pk__in=waiting).aggregate(first=Min("started_at"))["first"]
    for args, status in DBTaskResult.objects.filter(
        task_path=scan_part.module_path, enqueued_at__gte=since
    ).values_list(
        "args_kwargs", "status"
    ).iterator():
        part = (args.get("args") or [None])[0]
        if part not in wanted:
            continue
        attempts[part] = attempts.get(part, 0) + 1
        if status in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
            live.add(part)
    queued = 0
    for part in sorted(wanted - live):
        if attempts.get(part, 0) < worker.MAX_ATTEMPTS:
            scan_part.enqueue(part)
            queued += 1
    return queued
