from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "aftersale.ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from aftersale.ops.audit import register

        register()
