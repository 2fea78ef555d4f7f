"""How workers recover from faults, in one process: tasks a dead worker left running,
tasks that failed on a lost connection, scans whose ranges or closing task died, a
database that goes away under the worker loop."""

from __future__ import annotations

import signal
import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from aftersale.accounts.models import Account
from aftersale.health import scan
from aftersale.health.models import HealthSnapshot, ScanPart, ScanRun, ScanStatus
from aftersale.jobs import tasks, worker
from aftersale.jobs.models import Schedule

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_fitting():
    # The rhythm models' fit is beside the point here and slow: the signals fall back on
    # each account's own gaps.
    with mock.patch.object(scan, "fit_models", return_value=[]):
        yield


@pytest.fixture
def accounts(owner) -> list[Account]:
    return [Account.objects.create(external_id=f"R-{i}", name=f"Account {i}", owner=owner) for i in range(4)]


def running(path: str, *, started: timedelta, claims: list[str], args: list | None = None) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        task_path=path, args_kwargs={"args": args or [], "kwargs": {}}, status=TaskResultStatus.RUNNING,
        started_at=now - started, run_after=now, backend_name="default", worker_ids=claims,
    )


def failed(path: str, exception: str, claims: list[str], args: list | None = None) -> DBTaskResult:
    task = running(path, started=timedelta(seconds=5), claims=claims, args=args)
    task.status, task.exception_class_path = TaskResultStatus.FAILED, exception
    task.finished_at = timezone.now()
    task.save()
    return task


def run_worker(worker_id: str = "w1") -> worker.QueueWorker:
    loop = worker.QueueWorker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id=worker_id, excluded_queue_names=[],
    )
    loop.run()
    return loop


def status(task: DBTaskResult) -> str:
    task.refresh_from_db()
    return task.status


def test_it_takes_the_stale_timeout_from_a_setting(settings):
    part = tasks.scan_part.module_path
    task = running(part, started=timedelta(minutes=2), claims=["gone"])
    assert worker.recover_stale_tasks() == 0  # 30 minutes by default
    assert status(task) == TaskResultStatus.RUNNING
    settings.AFTERSALE = {**settings.AFTERSALE, "WORKER": {"STALE_AFTER_SECONDS": 60}}
    assert worker.recover_stale_tasks() == 1
    assert status(task) == TaskResultStatus.READY


def test_it_requeues_a_restarted_workers_own_running_tasks_at_once():
    part = tasks.scan_part.module_path
    mine = running(part, started=timedelta(seconds=3), claims=["other", "w1"])
    theirs = running(part, started=timedelta(seconds=3), claims=["w2"])
    assert worker.recover_stale_tasks(worker_id="w1") == 1
    assert (status(mine), status(theirs)) == (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def test_it_retries_tasks_failed_on_a_lost_connection_a_few_times():
    part, notify = tasks.scan_part.module_path, "aftersale.notify.tasks.notify_tick"
    lost = failed(part, "django.db.utils.OperationalError", ["w1"])
    lost_again = failed(notify, "django.db.utils.InterfaceError", ["w1", "w2"])
    given_up = failed(part, "django.db.utils.OperationalError", ["w1"] * worker.MAX_ATTEMPTS)
    a_bug = failed(part, "builtins.ValueError", ["w1"])
    theirs = failed("somewhere.else.task", "django.db.utils.OperationalError", ["w1"])
    assert worker.recover_stale_tasks() == 2
    assert [status(t) for t in (lost, lost_again, given_up, a_bug, theirs)] == [
        TaskResultStatus.READY, TaskResultStatus.READY, TaskResultStatus.FAILED,
        TaskResultStatus.FAILED, TaskResultStatus.FAILED,
    ]
    lost.refresh_from_db()
    assert (lost.exception_class_path, lost.finished_at, lost.started_at) == ("", None, None)


def test_it_queues_a_scan_with_all_its_ranges_or_not_at_all(accounts):
    def dies_after_the_first(part_ids):
        tasks.scan_part.enqueue(part_ids[0])
        raise OperationalError("server closed the connection unexpectedly")

    with mock.patch.object(tasks, "enqueue_parts", side_effect=dies_after_the_first), \
            pytest.raises(OperationalError):
        tasks.scan.call(timezone.now().isoformat(), part_size=1)
    assert not ScanRun.objects.exists() and not ScanPart.objects.exists()
    assert not DBTaskResult.objects.filter(task_path=tasks.scan_part.module_path).exists()


def test_it_queues_a_ticks_scan_and_its_successor(accounts, settings):
    settings.AFTERSALE = {**settings.AFTERSALE, "WORKER": {"SCAN_PART_SIZE": 2}}
    worker.ensure_schedule()
    run_worker()
    run = ScanRun.objects.get()
    assert run.status == ScanStatus.DONE and run.parts.count() == 2
    waiting = DBTaskResult.objects.get(task_path=tasks.tick.module_path, status=TaskResultStatus.READY)
    assert Schedule.objects.get(name=Schedule.SCAN).task_id == str(waiting.pk)
    recover = DBTaskResult.objects.filter(task_path=tasks.recover.module_path)
    assert recover.filter(status=TaskResultStatus.READY).count() == 1


def test_it_queues_the_ranges_left_without_a_task_on_recovery_and_closes_the_scan(accounts):
    run = scan.start_scan(timezone.now(), part_size=1)
    first, second, third, fourth = run.parts.order_by("first_id")
    scan.run_part(first.pk)  # done
    tasks.scan_part.enqueue(second.pk)  # waiting in the queue
    failed(tasks.scan_part.module_path, "builtins.ValueError", ["w1"], args=[third.pk])  # failed once
    for _ in range(worker.MAX_ATTEMPTS):  # failed for good
        failed(tasks.scan_part.module_path, "builtins.ValueError", ["w1"], args=[fourth.pk])
    assert tasks.resume_parts() == 1
    queued = DBTaskResult.objects.filter(task_path=tasks.scan_part.module_path, status=TaskResultStatus.READY)
    assert sorted(t.args_kwargs["args"][0] for t in queued) == sorted([second.pk, third.pk])
    run_worker()
    assert not ScanPart.objects.filter(pk__in=[second.pk, third.pk], done_at__isnull=True).exists()
    run.refresh_from_db()
    assert run.status == ScanStatus.RUNNING  # the fourth range needs a person
    assert tasks.resume_parts() == 0


def test_it_closes_a_scan_whose_closing_task_died_on_recovery(accounts):
    run = scan.start_scan(timezone.now(), part_size=2)
    with mock.patch.object(scan, "finish_if_complete"):  # the worker died while closing
        for part in run.parts.all():
            scan.run_part(part.pk)
    run.refresh_from_db()
    assert run.status == ScanStatus.RUNNING and not run.parts.filter(done_at__isnull=True).exists()
    assert scan.close_finished_runs() == 1
    run.refresh_from_db()
    assert run.status == ScanStatus.DONE
    assert sum(run.summary["bands"].values()) == HealthSnapshot.objects.count() == len(accounts)
    assert scan.close_finished_runs() == 0


def test_it_runs_the_recover_task_every_few_minutes_and_it_does_it_all(accounts):
    run = scan.start_scan(timezone.now(), part_size=4)
    stale = running(tasks.scan_part.module_path, started=timedelta(hours=1), claims=["gone"],
                    args=[run.parts.get().pk])
    Schedule.objects.create(name=Schedule.SCAN, next_run_at=timezone.now() + timedelta(days=1))
    worker.ensure_schedule()
    run_worker()
    assert status(stale) == TaskResultStatus.SUCCESSFUL
    run.refresh_from_db()
    assert run.status == ScanStatus.DONE
    recover = DBTaskResult.objects.filter(task_path=tasks.recover.module_path)
    assert recover.filter(status=TaskResultStatus.SUCCESSFUL).get().return_value["requeued"] == 1
    following = recover.get(status=TaskResultStatus.READY)
    assert following.run_after > timezone.now() + timedelta(minutes=4)


def test_it_rides_out_a_database_outage_in_the_worker_loop(accounts):
    run = scan.start_scan(timezone.now(), part_size=1)
    tasks.enqueue_parts(list(run.parts.values_list("pk", flat=True)))
    real = db_worker.close_old_connections
    outage = iter([True, True, False])

    def database_down():
        if next(outage, False):
            raise OperationalError("could not connect to server: Connection refused")
        real()

    with mock.patch.object(db_worker, "close_old_connections", side_effect=database_down), \
            mock.patch.object(worker, "OUTAGE_WAITS", (0,)):
        run_worker()
    run.refresh_from_db()
    assert run.status == ScanStatus.DONE


def test_it_runs_a_task_interrupted_by_an_outage_again(accounts):
    run = scan.start_scan(timezone.now(), part_size=4)
    tasks.enqueue_parts(list(run.parts.values_list("pk", flat=True)))
    real_run_part, real_set_failed = tasks.run_part, DBTaskResult.set_failed
    lost = OperationalError("terminating connection due to administrator command")
    attempts = []

    def drops_once(part_id):
        attempts.append(part_id)
        if len(attempts) == 1:
            raise lost
        return real_run_part(part_id)

    def cannot_record(self, exc):
        if exc is lost:  # the database is still down: the failure cannot be written
            raise OperationalError("could not connect to server")
        return real_set_failed(self, exc)

    with mock.patch.object(tasks, "run_part", side_effect=drops_once), \
            mock.patch.object(DBTaskResult, "set_failed", cannot_record), \
            mock.patch.object(worker, "OUTAGE_WAITS", (0,)):
        run_worker()
    task = DBTaskResult.objects.get(task_path=tasks.scan_part.module_path)
    assert task.status == TaskResultStatus.SUCCESSFUL and task.worker_ids == ["w1", "w1"]
    run.refresh_from_db()
    assert run.status == ScanStatus.DONE


def test_it_stops_an_idle_workers_loop_on_sigterm_without_cutting_a_query():
    loop = worker.QueueWorker(
        queue_names=["default"], interval=0.05, batch=False, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="w1", excluded_queue_names=[],
    )
    errors: list[BaseException] = []

    def run() -> None:
        try:
            loop.run()
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.3)  # polling the empty queue
    # The stock worker calls sys.exit() from the signal handler when idle, wherever the
    # loop is, even inside its poll's transaction; this one lets the loop finish its turn.
    loop.shutdown(signal.SIGTERM, None)
    thread.join(10)
    assert not thread.is_alive() and errors == []
    assert worker.STOP.is_set()
    worker.STOP.clear()
