"""``aftersale worker``: the background worker (scheduled scans, scan parts, alert e-mails).

The database task queue's own ``db_worker`` loop with our start-up: requeue
tasks a killed worker left running and make sure the periodic tasks (the
scan, recovery, the e-mail sender) are scheduled. Run as many as you like against PostgreSQL; on
SQLite one is enough.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from aftersale.jobs import worker

logger = logging.getLogger("django_tasks_db")


class Command(DbWorkerCommand):
    help = (
        "Run a background worker: the periodic portfolio scan, scan parts queued by any "
        "worker, and alert e-mails. SIGTERM finishes the current item and exits."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-schedule", action="store_true",
            help="do not queue the periodic scan (this worker only takes queued tasks)",
        )

    def handle(self, *, verbosity: int, queue_name: str, interval: float, batch: bool,
               backend_name: str, startup_delay: bool, reload: bool, max_tasks: int | None,
               worker_id: str, exclude_queues: str, no_schedule: bool, **options: Any) -> None:
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker.set_current_id(worker_id)
        worker.STOP.clear()
        recovered = worker.recover_stale_tasks(worker_id=worker_id)
        if recovered:
            logger.warning("Requeued %d task(s) left running by a stopped worker", recovered)
        if not no_schedule and (queued := worker.ensure_schedule()):
            logger.info("Scheduled the periodic tasks: %s", ", ".join(queued))
        loop = worker.QueueWorker(
            queue_names=queue_names, interval=interval, batch=batch, backend_name=backend_name,
            startup_delay=startup_delay, max_tasks=max_tasks, worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                loop.configure_signals()
            run_with_reloader(loop.run)
        else:
            loop.configure_signals()
            loop.run()
