from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "aftersale.jobs"
    verbose_name = _("Background work")

    def ready(self) -> None:
        # The periodic scan and the recovery of dead workers' tasks; other apps register
        # their own periodic tasks the same way (aftersale.notify's e-mail sender).
        from aftersale.jobs import tasks, worker
        from aftersale.jobs.models import Schedule

        worker.register_periodic(Schedule.SCAN, tasks.tick)
        worker.register_periodic(tasks.RECOVER, tasks.recover)
        worker.register_recoverable(tasks.scan, tasks.scan_part)
