"""Enumerations shared by several domain apps.

Values are what CSV files and the API carry; labels are what the UI shows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.TextChoices):
    MARKETING = "marketing", _("Marketing")
    SALES = "sales", _("Sales")
    ENGINEERING = "engineering", _("Engineering")
    PRODUCTION = "production", _("Production")
    SERVICE = "service", _("Service")
    FINANCE = "finance", _("Finance")
    MANAGEMENT = "management", _("Management")
    PURCHASING = "purchasing", _("Purchasing")

    @classmethod
    def technical(cls) -> tuple[str, ...]:
        """Departments whose time with customers counts as technical presence (P15)."""
        return (cls.ENGINEERING, cls.PRODUCTION, cls.SERVICE)


class Currency(models.TextChoices):
    VND = "VND", _("Vietnamese dong")
    USD = "USD", _("US dollar")
    EUR = "EUR", _("Euro")


# Minor units per currency: VND has none, USD and EUR have cents.
CURRENCY_DECIMALS = {Currency.VND: 0, Currency.USD: 2, Currency.EUR: 2}


class Direction(models.TextChoices):
    """Which way something flowed between us (the vendor) and the counterparty."""

    FROM_US = "from_us", _("From us")
    TO_US = "to_us", _("To us")
