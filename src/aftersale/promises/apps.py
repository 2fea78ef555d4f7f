from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromisesConfig(AppConfig):
    name = "aftersale.promises"
    verbose_name = _("Promises")

    def ready(self) -> None:
        from aftersale.alerts import texts
        from aftersale.alerts.models import AlertKind
        from aftersale.alerts.registry import register
        from aftersale.promises.alerts import promise_overdue, render_promise_new, render_promise_overdue

        register(AlertKind.PROMISE_OVERDUE, promise_overdue)
        texts.register(AlertKind.PROMISE_OVERDUE, render_promise_overdue)
        texts.register(AlertKind.PROMISE_NEW, render_promise_new)
