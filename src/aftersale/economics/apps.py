from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EconomicsConfig(AppConfig):
    """The economics of each relationship (P13, P14): profitability with the cost to serve,
    service estimates from history, total cost of ownership and service-inclusive quotes.

    Above both commerce (orders, quotes, money) and service (the work the cost comes from).
    """

    name = "aftersale.economics"
    verbose_name = _("Economics")
