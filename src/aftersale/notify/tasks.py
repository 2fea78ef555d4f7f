"""The worker's periodic e-mail sender.

``notify_tick`` runs every ``AFTERSALE["NOTIFY"]["INTERVAL_MINUTES"]`` (5 by
default) in whichever worker takes it: it first queues its successor (under
the lock of its ``Schedule`` row, as the scan tick does, so there is only ever
one live tick), then sends the alerts due at once and the digests due today.
Both senders are idempotent and claim their work, so a tick that runs twice,
or two workers, never send anything twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks import TaskContext, task

from aftersale.jobs import worker
from aftersale.notify.conf import setting
from aftersale.notify.sending import send_due_digests, send_immediate_alerts

NOTIFY_SCHEDULE = "notify"


@task(takes_context=True)
def notify_tick(context: TaskContext) -> dict[str, Any]:
    me = str(context.task_result.id)
    now = timezone.now()
    next_run = now + timedelta(minutes=setting("INTERVAL_MINUTES"))
    if not worker.advance_schedule(NOTIFY_SCHEDULE, notify_tick, me, next_run):
        return {"skipped": True}
    alerts = send_immediate_alerts(now, worker_id=worker.current_id(), should_stop=worker.STOP.is_set)
    digests = send_due_digests(now, worker_id=worker.current_id(), should_stop=worker.STOP.is_set)
    return {
        "alerts": alerts.sent, "alert_messages": alerts.messages, "digests": digests.messages,
        "failed": alerts.failed + digests.failed, "next": next_run.isoformat(),
    }
