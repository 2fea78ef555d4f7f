"""Worker faults with real processes: a worker killed mid-scan (SIGKILL) and restarted,
and two workers started at once. Each scan must end with every account scored once,
every range run to completion exactly once, no alert opened twice and no e-mail sent
twice. Runs on SQLite (a file copy of the test database) and on PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from aftersale.alerts.models import Alert
from aftersale.demo.load import load_demo
from aftersale.health import scan
from aftersale.health.models import HealthSnapshot, ScanPart, ScanRun, ScanStatus
from aftersale.jobs import tasks
from aftersale.jobs.models import Schedule
from aftersale.notify.models import Digest, DigestState, NotificationClaim
from aftersale.notify.sending import pending_alerts, send_due_digests, send_immediate_alerts
from aftersale.notify.tasks import notify_tick

from .conftest import PART_SIZE, Workers

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ACCOUNTS = 100  # 13 ranges of PART_SIZE: a scan long enough to kill in the middle

TASKS = DBTaskResult._meta.db_table
PARTS = ScanPart._meta.db_table


@pytest.fixture
def portfolio(transactional_db) -> int:
    load_demo(accounts=ACCOUNTS, seed=13, as_of=timezone.localdate())
    return ACCOUNTS


def started_scan() -> ScanRun:
    """A scan with its ranges queued, as the ``scan`` task leaves it. The rhythm models
    are not fitted (the signals fall back on each account's own gaps): fitting takes
    tens of seconds on a busy machine and has nothing to do with these faults."""
    with mock.patch.object(scan, "fit_models", return_value=[]):
        return scan.start_scan(timezone.now(), part_size=PART_SIZE, enqueue=tasks.enqueue_parts)


def parts_done(workers: Workers) -> int:
    return workers.query(f"SELECT COUNT(*) FROM {PARTS} WHERE done_at IS NOT NULL")[0][0]  # noqa: S608


def running_parts(workers: Workers, worker_id: str) -> list[int]:
    rows = workers.query(
        f"SELECT id, worker_ids FROM {TASKS} WHERE status = 'RUNNING' AND task_path = "  # noqa: S608
        f"'{tasks.scan_part.module_path}'"
    )
    return [pk for pk, claims in rows if f'"{worker_id}"' in str(claims).replace("'", '"')]


def open_alert_keys() -> list[tuple]:
    return list(Alert.objects.open().values_list("account_id", "kind", "subject"))


def alerts_state() -> dict[int, tuple]:
    return {a.pk: (a.account_id, a.kind, a.subject, a.opened_at, a.resolved_at) for a in Alert.objects.all()}


def assert_scan_complete_once(run: ScanRun) -> None:
    run.refresh_from_db()
    assert run.status == ScanStatus.DONE and run.finished_at is not None
    assert ScanRun.objects.count() == 1
    assert not ScanPart.objects.filter(run=run, done_at__isnull=True).exists()
    # Every account scored once for the day, by whichever worker ran its range.
    assert HealthSnapshot.objects.filter(as_of=run.as_of_date).count() == run.accounts
    assert sum(run.summary["bands"].values()) == run.accounts
    keys = open_alert_keys()
    assert keys and len(keys) == len(set(keys))
    # The faulty scan left exactly what an uninterrupted one finds: scanning again
    # as of the same moment opens, closes and reopens nothing.
    before = alerts_state()
    with mock.patch.object(scan, "fit_models", return_value=[]):
        scan.run_scan(run.as_of, part_size=PART_SIZE)
    assert alerts_state() == before


def test_it_restarts_a_worker_killed_mid_scan_and_finishes_the_scan_once(portfolio, workers, settings):
    run = started_scan()
    ranges = run.parts.count()
    workers.to_workers()

    # Kill the worker (SIGKILL: no clean-up) while it is inside a range. A kill that
    # lands between two tasks leaves nothing running; start it again and retry.
    interrupted: list[int] = []
    for _ in range(5):
        proc = workers.start("w1")
        floor = parts_done(workers) + 2
        workers.poll(lambda floor=floor: parts_done(workers) >= floor and running_parts(workers, "w1"),
                     what="the worker to be inside a range")
        workers.kill(proc)
        interrupted = running_parts(workers, "w1")
        if interrupted:
            break
    assert interrupted, "no kill landed inside a range"
    done_at_kill = parts_done(workers)
    assert 0 < done_at_kill < ranges
    workers.from_workers()
    assert ScanRun.objects.get().status == ScanStatus.RUNNING

    # Restarted under the same id, the worker knows its predecessor is dead: the task
    # left RUNNING is queued again at once (no waiting for the stale timeout).
    workers.wait(workers.start("w1", "--batch"))
    workers.from_workers()
    assert_scan_complete_once(run)
    recovered = DBTaskResult.objects.get(pk=interrupted[0])
    assert recovered.status == TaskResultStatus.SUCCESSFUL
    assert recovered.worker_ids == ["w1", "w1"]
    statuses = Counter(DBTaskResult.objects.filter(task_path=tasks.scan_part.module_path)
                       .values_list("status", flat=True))
    assert statuses == {TaskResultStatus.SUCCESSFUL: ranges}

    # The e-mail sender's next run: the alerts the scan opened go out once, and so
    # does each owner's digest; a second run sends nothing.
    settings.AFTERSALE = {**settings.AFTERSALE, "NOTIFY": {"DIGEST_HOUR": 0, "INTERVAL_MINUTES": 5}}
    mail.outbox.clear()
    for _ in range(2):
        send_immediate_alerts(timezone.now(), worker_id="w1")
        send_due_digests(timezone.now(), worker_id="w1")
    sent = Counter(m.extra_headers["Message-ID"] for m in mail.outbox)
    assert sent and max(sent.values()) == 1, sent.most_common(3)
    # Nothing left half-sent: every alert due at once was e-mailed, and each digest
    # recorded as sent today is one message.
    assert not NotificationClaim.objects.exists()
    assert pending_alerts(timezone.now()) == []
    digests = Digest.objects.filter(day=timezone.localdate())
    assert not digests.filter(state=DigestState.CLAIMED).exists()
    assert digests.filter(state=DigestState.SENT).count() == len([m for m in sent if "digest-" in m])


def test_it_shares_the_scan_between_two_workers_started_at_once(portfolio, workers):
    # The periodic scan is due tomorrow; the one running now was started by the last tick.
    Schedule.objects.create(name=Schedule.SCAN, next_run_at=timezone.now() + timedelta(days=1))
    run = started_scan()
    workers.to_workers()
    # The real start-up: each worker queues the periodic tasks unless they are queued
    # (so once between them), then they share the ranges; the queue hands each range
    # to one of them.
    pair = [workers.start(name, schedule=True) for name in ("w1", "w2")]
    workers.poll(
        lambda: workers.query(
            f"SELECT COUNT(*) FROM {ScanRun._meta.db_table} WHERE status = 'done'"  # noqa: S608
        )[0][0] == 1,
        what="the scan to close",
    )
    for proc in pair:
        proc.terminate()  # SIGTERM: finish the current task and exit
        assert proc.wait(30) == 0, workers.output()
    workers.from_workers()
    assert_scan_complete_once(run)
    part_tasks = list(DBTaskResult.objects.filter(task_path=tasks.scan_part.module_path))
    by_part = Counter(t.args_kwargs["args"][0] for t in part_tasks)
    assert sorted(by_part) == sorted(run.parts.values_list("pk", flat=True))
    assert set(by_part.values()) == {1}  # every range ran exactly once
    assert {t.status for t in part_tasks} == {TaskResultStatus.SUCCESSFUL}
    assert {len(t.worker_ids) for t in part_tasks} == {1}
    # Both may take a share; which one takes how many is the queue's timing (on a busy
    # machine one worker can take every range before the other polls), so it is not asserted.
    assert {t.worker_ids[0] for t in part_tasks} <= {"w1", "w2"}
    # One periodic tick, recovery and e-mail sender between the two of them.
    assert DBTaskResult.objects.filter(task_path=tasks.tick.module_path).count() == 1
    for task in (tasks.recover, notify_tick):
        assert DBTaskResult.objects.filter(
            task_path=task.module_path, status=TaskResultStatus.READY
        ).count() == 1
