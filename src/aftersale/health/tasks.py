"""Background tasks on the project's database queue (django-tasks with django-tasks-db).

``tick`` is the periodic scan: it re-enqueues itself ``scan_interval_minutes``
ahead (django-tasks has no periodic tasks), under a lock on the ``Schedule``
row so only one tick is ever live; then it starts a scan and queues the
e-mails. A scan is one ``scan_part`` task per account-id range, so every
worker takes a share; the queue's own locking (``SELECT ... FOR UPDATE SKIP
LOCKED`` on PostgreSQL, an exclusive transaction on SQLite) hands each task to
one worker, and a part that runs twice changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tasks import TaskContext, task

from aftersale.health import notify, worker
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


@task()
def send_notifications() -> dict[str, int]:
    result = notify.send_pending(worker.current_id(), should_stop=worker.STOP.is_set)
    return {"sent": result.sent, "messages": result.messages, "failed": result.failed}


@task(takes_context=True)
def tick(context: TaskContext) -> dict[str, Any]:
    me = str(context.task_result.id)
    now = timezone.now()
    interval = timedelta(minutes=load_config().scan_interval_minutes)
    with transaction.atomic():
        schedule, _ = Schedule.objects.select_for_update().get_or_create(name=Schedule.SCAN)
        if schedule.task_id and schedule.task_id != me:
            # A stray duplicate (the live tick is another task): do nothing.
            return {"skipped": True}
        following = tick.using(run_after=now + interval).enqueue()
        schedule.task_id, schedule.next_run_at = str(following.id), now + interval
        schedule.save(update_fields=["task_id", "next_run_at"])
    recovered = worker.recover_stale_tasks()
    run_id = scan.call(now.isoformat())
    send_notifications.enqueue()
    return {"scan": run_id, "recovered": recovered, "next": schedule.next_run_at.isoformat()}
