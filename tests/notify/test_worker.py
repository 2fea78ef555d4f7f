"""The worker runs the e-mail sender every few minutes beside the scan."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from aftersale.alerts.models import AlertKind
from aftersale.jobs import worker
from aftersale.jobs.models import Schedule
from aftersale.notify import tasks
from tests.alerts.examples import silent

from .conftest import NOW, open_alert

# The worker loop checks its connection between tasks, outside a test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def run_worker() -> None:
    worker.QueueWorker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="w1", excluded_queue_names=[],
    ).run()


def ticks(status=None) -> list[DBTaskResult]:
    found = DBTaskResult.objects.filter(task_path=tasks.notify_tick.module_path)
    return list(found.filter(status=status) if status else found)


@pytest.fixture(autouse=True)
def clear_stop():
    worker.STOP.clear()
    yield
    worker.STOP.clear()


def test_it_schedules_one_sender_tick_when_workers_start(frozen):
    worker.ensure_schedule()
    worker.ensure_schedule()
    assert len(ticks()) == 1
    assert Schedule.objects.get(name=tasks.NOTIFY_SCHEDULE).task_id == str(ticks()[0].pk)
    assert tasks.notify_tick.module_path in worker.recoverable_paths()


def test_it_sends_what_is_due_on_each_tick_and_queues_the_next(account, owner, frozen):
    open_alert(account)  # an immediate kind
    worker.ensure_schedule()
    DBTaskResult.objects.exclude(task_path=tasks.notify_tick.module_path).delete()  # no scan here
    run_worker()
    assert [m.subject for m in mail.outbox] == ["Aftersale: Service target breached – Công ty Cơ khí Hà Nội"]
    waiting = ticks(TaskResultStatus.READY)
    assert len(waiting) == 1 and waiting[0].run_after == NOW + timedelta(minutes=5)
    open_alert(account, kind=AlertKind.PROMISE_NEW, subject="promise:2")
    frozen.shift(timedelta(minutes=5))
    run_worker()
    assert len(mail.outbox) == 2 and len(ticks(TaskResultStatus.READY)) == 1


def test_it_does_nothing_on_a_stray_duplicate_tick(account, frozen):
    open_alert(account)
    worker.ensure_schedule()
    DBTaskResult.objects.exclude(task_path=tasks.notify_tick.module_path).delete()
    live = Schedule.objects.get(name=tasks.NOTIFY_SCHEDULE).task_id
    Schedule.objects.filter(name=tasks.NOTIFY_SCHEDULE).update(task_id="someone-else")
    run_worker()
    assert mail.outbox == []
    assert DBTaskResult.objects.get(pk=live).return_value == {"skipped": True}


def test_it_sends_what_is_due_and_previews_a_digest_from_the_notify_command(account, owner, frozen):
    open_alert(account, kind=AlertKind.SILENCE, subject="", params=silent(94))
    out = io.StringIO()
    call_command("notify", "--preview", owner.email, stdout=out)
    assert "Last contact 94 days ago" in out.getvalue() and mail.outbox == []
    out = io.StringIO()
    call_command("notify", stdout=out)
    assert "Digests: 1 sent" in out.getvalue()
    assert len(mail.outbox) == 1
    out = io.StringIO()
    call_command("notify", stdout=out)
    assert "Digests: 0 sent" in out.getvalue()
