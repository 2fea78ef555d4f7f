from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "aftersale.notify"
    verbose_name = _("E-mail and calendar")

    def ready(self) -> None:
        # The worker runs our periodic sender beside the health scan (docs/notifications.md).
        from aftersale.jobs import worker
        from aftersale.notify import tasks

        worker.register_periodic(tasks.NOTIFY_SCHEDULE, tasks.notify_tick)
