from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "aftersale.imports"
    verbose_name = _("CSV import and export")
