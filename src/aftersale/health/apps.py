from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "aftersale.health"
    verbose_name = _("Relationship health")

    def ready(self) -> None:
        from importlib import import_module

        from aftersale.health.signals import BUILTIN
        from aftersale.health.store import create_missing_weights

        # The built-in signals and engine alert kinds register themselves on import.
        for module in (*BUILTIN, "aftersale.health.engine_alerts", "aftersale.health.quietness.step_in"):
            import_module(module)

        from aftersale.health import rhythm
        from aftersale.health.rhythm.bgnbd import BGNBDRhythm

        rhythm.set_default_model(BGNBDRhythm)
        post_migrate.connect(create_missing_weights, sender=self)

        from aftersale.core import changes
        from aftersale.health.scan import refresh_accounts

        # Every committed change to an account's records rescores it and reconciles its
        # alerts at once (docs/health.md, "Fresh after every change").
        changes.subscribe(refresh_accounts)
