from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "aftersale.service"
    verbose_name = _("After-sale service")

    def ready(self) -> None:
        from aftersale.alerts import texts
        from aftersale.alerts.registry import register
        from aftersale.service import conditions

        register(conditions.MAINTENANCE_OVERDUE, conditions.maintenance_overdue)
        register(conditions.SLA_BREACH, conditions.sla_breach)
        texts.register(conditions.MAINTENANCE_OVERDUE, conditions.render_maintenance_overdue)
        texts.register(conditions.SLA_BREACH, conditions.render_sla_breach)
