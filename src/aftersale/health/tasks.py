"""Background tasks on the project's database queue (django-tasks with django-tasks-db).

``tick`` is the periodic scan: it re-enqueues itself ``scan_interval_minutes``
ahead (django-tasks has no periodic tasks), under a lock on the ``Schedule``
row so only one tick is ever live; then it starts a scan (the alerts it opens
are e-mailed by ``aftersale.notify``'s own periodic task). A scan is one
``scan_part`` task per account-id range, so every worker takes a share; the
queue's own locking (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, an
exclusive transaction on SQLite) hands each task to one worker, and a part
that runs twice changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tasks import TaskContext, task

from aftersale.health import worker
from aftersale.health.config import load_config
from aftersale.health.models import Schedule
from aftersale.health.scan import PART_SIZE, run_part, start_scan


@task()
def scan_part(part_id: int) -> bool:
    return run_part(part_id)


@task()
def scan(as_of: str | None = None, part_size: int = PART_SIZE) -> int:
    """Start a scan as of ``as_of`` (ISO datetime; default now) and queue its parts."""
    moment = parse_datetime(as_of) if as_of else None
    run = start_scan(moment, part_size=part_size)
    for part_id in run.parts.values_list("pk", flat=True):
        scan_part.enqueue(part_id)
    return run.pk


@task(takes_context=True)
def tick(context: TaskContext) -> dict[str, Any]:
    me = str(context.task_result.id)
    now = timezone.now()
    next_run = now + timedelta(minutes=load_config().scan_interval_minutes)
    if not worker.advance_schedule(Schedule.SCAN, tick, me, next_run):
        # A stray duplicate (the live tick is another task): do nothing.
        return {"skipped": True}
    recovered = worker.recover_stale_tasks()
    run_id = scan.call(now.isoformat())
    # The alerts this scan opened are e-mailed by aftersale.notify's periodic sender.
    return {"scan": run_id, "recovered": recovered, "next": next_run.isoformat()}
