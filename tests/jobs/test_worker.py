"""The worker: one live schedule, scans shared as tasks, recovery, and a clean SIGTERM."""

from __future__ import annotations

import signal
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from aftersale.alerts import registry as alert_registry
from aftersale.alerts.models import Alert, AlertKind
from aftersale.health.models import HealthSnapshot, ScanRun, ScanStatus
from aftersale.health.scan import start_scan
from aftersale.jobs import tasks, worker
from aftersale.jobs.models import Schedule
from tests.health.conftest import NOW, day, promise
from tests.health.test_scan import overdue_promises

# The worker loop checks its connection between tasks (close_old_connections), which
# must not find itself inside a test's wrapping transaction: these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


def run_worker(**options) -> worker.QueueWorker:
    loop = worker.QueueWorker(
        queue_names=["default"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=options.get("max_tasks"), worker_id=options.get("worker_id", "w1"),
        excluded_queue_names=[],
    )
    loop.run()
    return loop


def tasks_of(task) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=task.module_path).order_by("enqueued_at"))


@pytest.fixture(autouse=True)
def clear_stop():
    worker.STOP.clear()
    yield
    worker.STOP.clear()


def test_it_schedules_one_tick_however_often_workers_start(frozen):
    assert worker.ensure_schedule()[:2] == [Schedule.SCAN, tasks.RECOVER]
    assert worker.ensure_schedule() == []
    ticks = tasks_of(tasks.tick)
    assert len(ticks) == 1
    assert Schedule.objects.get(name=Schedule.SCAN).task_id == str(ticks[0].pk)


def test_it_lets_a_worker_that_loses_the_race_to_create_a_schedule_go_on_with_the_winners(frozen):
    """Two workers starting at once both find the recovery schedule missing; the second
    one's insert is refused (unique name), and it uses the row the first committed."""
    Schedule.objects.create(name=tasks.RECOVER)  # what the other worker just committed
    real_filter = Schedule.objects.filter

    def missing_at_first_look(**kwargs):
        found = real_filter(**kwargs)
        return found.none() if kwargs == {"name": tasks.RECOVER} else found

    with mock.patch.object(Schedule.objects, "filter", side_effect=missing_at_first_look):
        assert tasks.RECOVER in worker.ensure_schedule()
    assert Schedule.objects.filter(name=tasks.RECOVER).count() == 1
    assert Schedule.objects.get(name=tasks.RECOVER).task_id
    assert worker.ensure_schedule() == []


def test_it_scans_on_a_tick_and_schedules_the_next_tick(account, owner, frozen):
    alert_registry.register(AlertKind.PROMISE_OVERDUE, overdue_promises)
    promise(account, owner, due=day(3))
    worker.ensure_schedule()
    run_worker()
    assert ScanRun.objects.get().status == ScanStatus.DONE
    assert HealthSnapshot.objects.filter(account=account).exists()
    assert Alert.objects.get().kind == AlertKind.PROMISE_OVERDUE
    waiting = [t for t in tasks_of(tasks.tick) if t.status == TaskResultStatus.READY]
    assert len(waiting) == 1
    assert waiting[0].run_after == NOW + timedelta(days=1)
    assert Schedule.objects.get(name=Schedule.SCAN).task_id == str(waiting[0].pk)
    # Starting another worker does not add a second tick.
    assert Schedule.SCAN not in worker.ensure_schedule()
    # The alerts a scan opens are e-mailed by aftersale.notify's periodic task, which runs
    # in the same workers every few minutes: an overdue promise goes to the daily digest.
    frozen.shift(timedelta(minutes=5))
    run_worker()
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_it_does_nothing_on_a_stray_duplicate_tick(account, frozen):
    worker.ensure_schedule()
    tasks.tick.enqueue()
    run_worker()
    assert ScanRun.objects.count() == 1
    assert len([t for t in tasks_of(tasks.tick) if t.status == TaskResultStatus.READY]) == 1


def test_it_splits_a_scan_into_parts_any_worker_can_take(account, other_account, frozen):
    run_id = tasks.scan.enqueue(NOW.isoformat(), part_size=1).id
    run_worker(max_tasks=2, worker_id="first")  # the scan and one part
    assert ScanRun.objects.get().status == ScanStatus.RUNNING
    run_worker(worker_id="second")
    assert ScanRun.objects.get().status == ScanStatus.DONE
    parts = tasks_of(tasks.scan_part)
    assert {tuple(t.worker_ids) for t in parts} == {("first",), ("second",)}
    assert DBTaskResult.objects.get(pk=run_id).status == TaskResultStatus.SUCCESSFUL


def test_it_requeues_tasks_left_running_by_a_killed_worker(frozen):
    stale = DBTaskResult.objects.create(
        task_path=tasks.scan_part.module_path, args_kwargs={"args": [1], "kwargs": {}},
        status=TaskResultStatus.RUNNING, started_at=NOW - timedelta(hours=1), run_after=NOW,
        backend_name="default",
    )
    fresh = DBTaskResult.objects.create(
        task_path=tasks.scan_part.module_path, args_kwargs={"args": [2], "kwargs": {}},
        status=TaskResultStatus.RUNNING, started_at=NOW - timedelta(minutes=1), run_after=NOW,
        backend_name="default",
    )
    foreign = DBTaskResult.objects.create(
        task_path="somewhere.else.task", args_kwargs={"args": [], "kwargs": {}},
        status=TaskResultStatus.RUNNING, started_at=NOW - timedelta(hours=1), run_after=NOW,
        backend_name="default",
    )
    assert worker.recover_stale_tasks() == 1
    statuses = {t.pk: t.status for t in DBTaskResult.objects.all()}
    assert statuses == {stale.pk: TaskResultStatus.READY, fresh.pk: TaskResultStatus.RUNNING,
                        foreign.pk: TaskResultStatus.RUNNING}


def test_it_finishes_the_current_task_and_exits_on_sigterm(account, other_account, frozen):
    run = start_scan(NOW, part_size=1)
    for part in run.parts.all():
        tasks.scan_part.enqueue(part.pk)
    loop = worker.QueueWorker(
        queue_names=["default"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="w1", excluded_queue_names=[],
    )
    real_run_part = tasks.run_part

    def run_part_then_terminate(part_id: int) -> bool:
        loop.shutdown(signal.SIGTERM, None)  # arrives while the first part runs
        return real_run_part(part_id)

    with mock.patch.object(tasks, "run_part", side_effect=run_part_then_terminate):
        loop.run()
    statuses = sorted(t.status for t in tasks_of(tasks.scan_part))
    assert statuses == [TaskResultStatus.READY, TaskResultStatus.SUCCESSFUL]
    assert worker.STOP.is_set()


def test_it_schedules_and_runs_until_the_queue_is_empty_from_the_worker_command(account):
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        with time_machine.travel(NOW, tick=False):
            call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert ScanRun.objects.get().status == ScanStatus.DONE
    assert Schedule.objects.get(name=Schedule.SCAN).next_run_at == NOW + timedelta(days=1)
