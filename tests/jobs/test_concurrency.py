"""Several workers at once on PostgreSQL: no alert opened twice, no scan part run twice.
(SQLite serialises writers, so these run on PostgreSQL only; that no e-mail goes out
twice is tested in tests/notify/test_concurrency.py.)"""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aftersale.accounts.models import Account
from aftersale.alerts import registry as alert_registry
from aftersale.alerts.actions import Condition
from aftersale.alerts.models import Alert, AlertKind
from aftersale.health.models import HealthSnapshot, ScanRun, ScanStatus
from aftersale.health.scan import run_scan, start_scan
from aftersale.jobs import tasks, worker
from tests.alerts.examples import EXAMPLES
from tests.concurrency import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (several connections writing at once)")


@pytest.fixture
def portfolio(owner, colleague) -> list[Account]:
    return [
        Account.objects.create(
            external_id=f"PG-{i}", name=f"Account {i}", owner=owner if i % 2 else colleague
        )
        for i in range(12)
    ]


def test_it_opens_each_alert_once_when_two_scans_run_at_once(portfolio):
    def every_account(as_of, account_ids):
        ids = account_ids if account_ids is not None else [a.pk for a in portfolio]
        return {(pk, "x"): Condition(EXAMPLES[AlertKind.SILENCE]) for pk in ids}

    alert_registry.register(AlertKind.SILENCE, every_account)
    now = timezone.now()
    at_once(2, lambda i: run_scan(now))
    assert Alert.objects.filter(kind=AlertKind.SILENCE).count() == len(portfolio)
    assert HealthSnapshot.objects.count() == len(portfolio)


def test_it_shares_a_scan_between_two_workers_without_running_a_part_twice(portfolio):
    run = start_scan(timezone.now(), part_size=2)
    for part_id in run.parts.values_list("pk", flat=True):
        tasks.scan_part.enqueue(part_id)

    def work(i: int) -> None:
        worker.QueueWorker(
            queue_names=["default"], interval=0, batch=True, backend_name="default",
            startup_delay=False, max_tasks=None, worker_id=f"worker-{i}", excluded_queue_names=[],
        ).run()

    at_once(2, work)
    parts = DBTaskResult.objects.filter(task_path=tasks.scan_part.module_path)
    assert parts.count() == 6
    assert all(len(t.worker_ids) == 1 for t in parts)
    assert ScanRun.objects.get().status == ScanStatus.DONE
    assert HealthSnapshot.objects.count() == len(portfolio)
