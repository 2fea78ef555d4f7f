"""What ``aftersale worker`` adds to django-tasks-db's worker loop.

- ``ensure_schedule()`` at start: queue every periodic task that apps
  registered with ``register_periodic`` (the scan tick and ``recover`` of
  ``aftersale.jobs.tasks``, the e-mail sender of ``aftersale.notify``) unless
  one is already queued or running (its ``Schedule`` row is locked while
  checking, so workers starting together queue one between them);
- ``recover_stale_tasks()``: a worker killed mid-task leaves its task
  RUNNING forever; our tasks are idempotent, so they are put back in the
  queue: at once when a worker restarts under the same ``--worker-id`` (its
  predecessor is dead), else after ``stale_after()`` (the setting
  ``AFTERSALE["WORKER"]["STALE_AFTER_SECONDS"]``, 30 minutes by default);
  tasks that failed on a lost database connection are put back too, up to
  ``MAX_ATTEMPTS`` runs. The periodic ``recover`` task does this (and resumes
  unfinished scans) every ``RECOVER_MINUTES`` in whichever worker takes it;
- the loop survives a database outage: on a connection error it waits,
  reconnects, requeues the task it was running and carries on;
- SIGTERM/SIGINT: the stock worker finishes the task it is running and
  exits; ``STOP`` also tells our long tasks to stop after the current item
  (the notification sender stops after the current e-mail).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
from datetime import timedelta
from types import FrameType
from typing import Any

from django.db import IntegrityError, InterfaceError, OperationalError, connections, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from aftersale.core import conf
from aftersale.jobs.models import Schedule

logger = logging.getLogger("django_tasks_db")

# Runs of one task (the first included) when each attempt lost its database
# connection; beyond this the failure is left for a person to look at.
MAX_ATTEMPTS = 5
# What a lost or refused database connection raises (Django wraps the driver's errors).
CONNECTION_ERRORS = (
    "django.db.utils.OperationalError",
    "django.db.utils.InterfaceError",
)
# Seconds the loop waits before reconnecting after a connection error, then the last one again.
OUTAGE_WAITS = (0.5, 1, 2, 5)
STOP = threading.Event()
_current_id = ""


def setting(name: str) -> int:
    return int(conf.get(f"WORKER.{name}"))


def stale_after() -> timedelta:
    """How long a task may stay RUNNING before it is taken for abandoned. Longer than
    the longest task (one part of a scan), short enough that a scan held up by a dead
    machine still closes the same hour."""
    return timedelta(seconds=setting("STALE_AFTER_SECONDS"))


def current_id() -> str:
    return _current_id or f"{socket.gethostname()}-{os.getpid()}"


def set_current_id(worker_id: str) -> None:
    global _current_id
    _current_id = worker_id


# Periodic tasks by the name of their Schedule row. Each re-enqueues itself with
# ``advance_schedule`` and must be safe to run twice.
_periodic: dict[str, Any] = {}
# Tasks that are safe to run twice, so a dead worker's are put back in the queue.
_recoverable: dict[str, Any] = {}


def register_periodic(name: str, task: Any) -> None:
    """Run ``task`` periodically in every worker's queue (call from ``AppConfig.ready()``)."""
    _periodic[name] = task
    register_recoverable(task)


def register_recoverable(*tasks: Any) -> None:
    """Tasks that may run again after their worker died (call from ``AppConfig.ready()``)."""
    for task in tasks:
        _recoverable[task.module_path] = task


def recoverable_paths() -> list[str]:
    return list(_recoverable)


def recover_stale_tasks(now: Any = None, *, worker_id: str | None = None) -> int:
    """Requeue our tasks a dead worker left RUNNING, and those that failed because the
    database connection was lost; returns how many.

    A task is abandoned when it has been RUNNING longer than ``stale_after()``, or
    at once when its last claim is ``worker_id``: that is this worker's own id, so
    the process that claimed it is gone (a restart, or the loop after a connection
    error). Only our tasks are touched: they are all safe to run twice.
    """
    now = now or timezone.now()
    paths = recoverable_paths()
    stale_before = now - stale_after()
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, task_path__in=paths)
    abandoned = [
        pk for pk, started, claims in running.values_list("pk", "started_at", "worker_ids")
        if (started is not None and started < stale_before)
        or (worker_id and claims and claims[-1] == worker_id)
    ]
    # A connection error is transient: run the task again (it claims again, so
    # ``worker_ids`` counts the attempts).
    failed = [
        pk for pk, claims in DBTaskResult.objects.filter(
            status=TaskResultStatus.FAILED, task_path__in=paths, exception_class_path__in=CONNECTION_ERRORS,
        ).values_list("pk", "worker_ids")
        if len(claims) < MAX_ATTEMPTS
    ]
    # The status is part of the condition, so a task that finished meanwhile stays finished.
    requeued = DBTaskResult.objects.filter(pk__in=abandoned, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None,
    )
    requeued += DBTaskResult.objects.filter(pk__in=failed, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, started_at=None, finished_at=None, exception_class_path="",
        traceback="",
    )
    return requeued


def ensure_schedule() -> list[str]:
    """Queue each registered periodic task unless one is already queued or running;
    returns the names of those queued now."""
    return [name for name, task in _periodic.items() if _ensure(name, task)]


def _create_schedule(name: str) -> None:
    """Make sure the Schedule row ``name`` exists, before the transaction that locks it.

    Two workers starting at once may both find it missing. Created on its own (not in
    the locking transaction, whose snapshot on SQLite may predate the other worker's
    commit), the loser of the race gets a unique violation and goes on with the row the
    winner committed."""
    if Schedule.objects.filter(name=name).exists():
        return
    try:
        with transaction.atomic():
            Schedule.objects.create(name=name)
    except IntegrityError:
        pass


def _ensure(name: str, task: Any) -> bool:
    now = timezone.now()
    _create_schedule(name)
    with transaction.atomic():
        schedule = Schedule.objects.select_for_update().get(name=name)
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
    _create_schedule(name)
    with transaction.atomic():
        schedule = Schedule.objects.select_for_update().get(name=name)
        if schedule.task_id and schedule.task_id != me:
            return False
        following = task.using(run_after=next_run).enqueue()
        schedule.task_id, schedule.next_run_at = str(following.id), next_run
        schedule.save(update_fields=["task_id", "next_run_at"])
    return True


class QueueWorker(Worker):
    """django-tasks-db's worker, telling our tasks when a shutdown was asked for and
    riding out database outages.

    The stock loop lets a connection error end the process (and a task that was
    running when the database went away stays RUNNING, or is marked failed if
    the database came back in time to record it). Here the loop waits, drops
    the broken connections and starts again; the task it was running is
    requeued at once (its last claim is this worker), and a failed one by the
    ``recover`` task.
    """

    def run(self) -> None:
        outages = 0
        while True:
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as exc:
                if not self.running:
                    raise
                wait = OUTAGE_WAITS[min(outages, len(OUTAGE_WAITS) - 1)]
                outages += 1
                logger.warning("Database unavailable (%s); retrying in %s s", str(exc).strip(), wait)
                self.running_task = False
                with contextlib.suppress(Exception):  # closing a dead connection may complain
                    connections.close_all()
                time.sleep(wait)
                try:
                    recovered = recover_stale_tasks(worker_id=self.worker_id)
                except (OperationalError, InterfaceError):
                    continue  # still down: the next pass waits again
                outages = 0
                if recovered:
                    logger.warning("Requeued %d task(s) interrupted by the outage", recovered)

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        """The first SIGTERM/SIGINT stops the loop after the current task, or after the
        current wait when idle (at most ``interval`` seconds). The stock worker exits at
        once when idle, which can land inside its poll's transaction and end the process
        with a database error; a second signal still exits at once."""
        STOP.set()
        if not self.running:
            super().shutdown(signum, frame)
            return
        logger.warning("Received %s - shutting down gracefully... (press Ctrl+C again to force)",
                       signal.strsignal(signum))
        self.running = False
