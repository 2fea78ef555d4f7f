"""What ``aftersale worker`` adds to django-tasks-db's worker loop.

- ``ensure_schedule()`` at start: queue the periodic ``tick`` unless one is
  already queued or running (the ``Schedule`` row is locked while checking,
  so workers starting together queue one tick between them); the same for
  every periodic task other apps registered with ``register_periodic``
  (the e-mail sender of ``aftersale.notify``);
- ``recover_stale_tasks()``: a worker killed mid-task leaves its task
  RUNNING forever; our tasks are idempotent, so after ``STALE_AFTER`` they
  are put back in the queue;
- SIGTERM/SIGINT: the stock worker finishes the task it is running and
  exits; ``STOP`` also tells our long tasks to stop after the current item
  (the notification sender stops after the current e-mail).
"""

from __future__ import annotations

import os
import socket
import threading
from datetime import timedelta
from types import FrameType
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from aftersale.health.models import Schedule

STALE_AFTER = timedelta(minutes=30)
STOP = threading.Event()
_current_id = ""


def current_id() -> str:
    return _current_id or f"{socket.gethostname()}-{os.getpid()}"


def set_current_id(worker_id: str) -> None:
    global _current_id
    _current_id = worker_id


# Other apps' periodic tasks, by the name of their Schedule row. Each re-enqueues
# itself with ``advance_schedule`` and must be safe to run twice.
_periodic: dict[str, Any] = {}


def register_periodic(name: str, task: Any) -> None:
    """Run ``task`` periodically in every worker's queue (call from ``AppConfig.ready()``)."""
    _periodic[name] = task


def recoverable_paths() -> list[str]:
    from aftersale.health import tasks

    ours = [t.module_path for t in (tasks.tick, tasks.scan, tasks.scan_part)]
    return ours + [t.module_path for t in _periodic.values()]


def recover_stale_tasks(now=None) -> int:
    """Requeue our tasks left RUNNING by a worker that died; returns how many."""
    now = now or timezone.now()
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - STALE_AFTER,
        task_path__in=recoverable_paths(),
    ).update(status=TaskResultStatus.READY, started_at=None)


def ensure_schedule() -> bool:
    """Queue the periodic tick (and each registered periodic task) unless one is already
    queued or running; True if the tick was queued."""
    from aftersale.health.tasks import tick

    queued = _ensure(Schedule.SCAN, tick)
    for name, task in _periodic.items():
        _ensure(name, task)
    return queued


def _ensure(name: str, task: Any) -> bool:
    now = timezone.now()
    with transaction.atomic():
        schedule, _ = Schedule.objects.select_for_update().get_or_create(name=name)
        if schedule.task_id and DBTaskResult.objects.filter(
            pk=schedule.task_id, status__in=(TaskResultStatus.READY, TaskResultStatus.RUNNING)
        ).exists():
            return False
        run_after = max(now, schedule.next_run_at or now)
        queued = task.using(run_after=run_after).enqueue()
        schedule.task_id, schedule.next_run_at = str(queued.id), run_after
        schedule.save(update_fields=["task_id", "next_run_at"])
    return True


def advance_schedule(name: str, task: Any, me: str, next_run: Any) -> bool:
    """Called by a periodic task when it starts: queue its successor for ``next_run``
    under the lock of its Schedule row. False if ``me`` is a stray duplicate (another
    task is the live one), which must then do nothing."""
    with transaction.atomic():
        schedule, _ = Schedule.objects.select_for_update().get_or_create(name=name)
        if schedule.task_id and schedule.task_id != me:
            return False
        following = task.using(run_after=next_run).enqueue()
        schedule.task_id, schedule.next_run_at = str(following.id), next_run
        schedule.save(update_fields=["task_id", "next_run_at"])
    return True


class HealthWorker(Worker):
    """django-tasks-db's worker, telling our tasks when a shutdown was asked for."""

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        STOP.set()
        super().shutdown(signum, frame)
