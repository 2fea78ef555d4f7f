from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "aftersale.staff"
    verbose_name = _("Staff")
