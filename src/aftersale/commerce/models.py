"""What we sell and what customers buy: products, orders, quotes with their TCO."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account, Competitor, Contact
from aftersale.core.models import CurrencyField, ExternalModel, MoneyField, TimeStampedModel

NOT_NEGATIVE = Decimal("0")


class ProductKind(models.TextChoices):
    EQUIPMENT = "equipment", _("Equipment")
    PART = "part", _("Part")
    CONSUMABLE = "consumable", _("Consumable")
    SERVICE = "service", _("Service")


class Channel(models.TextChoices):
    REP = "rep", _("Sales rep")
    PORTAL = "portal", _("Customer portal")
    PHONE = "phone", _("Phone")
    EDI = "edi", _("EDI")


class Product(ExternalModel):
    """Something we sell. Equipment carries the data the TCO calculator needs."""

    name = models.CharField(verbose_name=_("name"), max_length=200)
    kind = models.CharField(verbose_name=_("kind"), max_length=12, choices=ProductKind.choices)
    list_price = MoneyField(verbose_name=_("list price"), default=NOT_NEGATIVE)
    unit_cost = MoneyField(verbose_name=_("unit cost"), default=NOT_NEGATIVE)
    service_cost_per_year = MoneyField(
        verbose_name=_("expected service cost per year"), default=NOT_NEGATIVE
    )
    life_years = models.PositiveSmallIntegerField(
        verbose_name=_("expected life (years)"), null=True, blank=True
    )
    currency = CurrencyField()
    fits = models.ManyToManyField(
        "self", verbose_name=_("fits equipment"), symmetrical=False, blank=True,
        related_name="parts", help_text=_("For parts and consumables: the equipment they fit."),
    )
    is_active = models.BooleanField(verbose_name=_("sold"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="product_amounts_not_negative",
                condition=Q(list_price__gte=0, unit_cost__gte=0, service_cost_per_year__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def margin(self) -> Decimal:
        return self.list_price - self.unit_cost


class Order(ExternalModel):
    """A purchase by an account. The order rhythm is a health signal (P2, P10)."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="orders",
        db_index=False,  # led by a composite index (Meta.indexes)
    )
    placed_at = models.DateTimeField(verbose_name=_("placed"))
    total = MoneyField(verbose_name=_("total"))
    currency = CurrencyField()
    channel = models.CharField(
        verbose_name=_("channel"), max_length=8, choices=Channel.choices, default=Channel.REP
    )
    placed_by = models.ForeignKey(
        Contact, verbose_name=_("placed by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="orders",
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("taken by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="orders_taken",
    )
    note = models.TextField(verbose_name=_("note"), blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at"]
        constraints = [
            models.CheckConstraint(name="order_total_not_negative", condition=Q(total__gte=0)),
        ]
        indexes = [
            # Covers the health engine's per-account, time-ordered aggregates.
            models.Index(
                fields=["account", "placed_at", "channel", "total"], name="order_account_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} ({self.account})"


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="order_lines"
    )
    quantity = models.DecimalField(verbose_name=_("quantity"), max_digits=12, decimal_places=3)
    unit_price = MoneyField(verbose_name=_("unit price"))
    unit_cost = MoneyField(
        verbose_name=_("unit cost"), null=True, blank=True,
        help_text=_("Cost at the time of sale; defaults to the product's unit cost."),
    )

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(
                name="orderline_amounts_positive", condition=Q(quantity__gt=0, unit_price__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product}"

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    LOST = "lost", _("Lost")


class Quote(ExternalModel):
    """An offer, with the customer's total cost of ownership over its life (P13, P14)."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="quotes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        related_name="quotes",
    )
    title = models.CharField(verbose_name=_("title"), max_length=200)
    status = models.CharField(
        verbose_name=_("status"), max_length=10, choices=QuoteStatus.choices,
        default=QuoteStatus.DRAFT,
    )
    currency = CurrencyField()
    horizon_years = models.PositiveSmallIntegerField(verbose_name=_("years compared"), default=10)
    target_margin = models.DecimalField(
        verbose_name=_("target margin"), max_digits=5, decimal_places=4, default=Decimal("0.25"),
        help_text=_("Share of the price, for example 0.25 for 25%."),
    )
    downtime_cost_per_hour = MoneyField(
        verbose_name=_("customer's cost of an hour of downtime"), default=NOT_NEGATIVE
    )
    competitor = models.ForeignKey(
        Competitor, verbose_name=_("competing offer from"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="quotes",
    )
    competitor_price = MoneyField(verbose_name=_("competitor's price"), null=True, blank=True)
    competitor_service_cost_per_year = MoneyField(
        verbose_name=_("competitor's service cost per year"), null=True, blank=True
    )
    competitor_downtime_hours_per_year = models.DecimalField(
        verbose_name=_("competitor's downtime hours per year"), max_digits=8, decimal_places=2,
        null=True, blank=True,
    )
    competitor_life_years = models.PositiveSmallIntegerField(
        verbose_name=_("competitor's expected life (years)"), null=True, blank=True
    )
    service_included_years = models.PositiveSmallIntegerField(
        verbose_name=_("years of service included in our price"), default=1,
        help_text=_("Warranty or service contract: service we pay for, not the customer."),
    )
    competitor_service_included_years = models.PositiveSmallIntegerField(
        verbose_name=_("years of service included in the competitor's price"), null=True,
        blank=True,
    )
    competitor_consumables_per_year = MoneyField(
        verbose_name=_("competitor's consumables per year"), null=True, blank=True
    )
    sent_at = models.DateTimeField(verbose_name=_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    sent_below_floor = models.BooleanField(
        verbose_name=_("sent below the service-inclusive price"), default=False,
        help_text=_("A manager sent it although the price does not cover the after-sale cost."),
    )
    estimated_on = models.DateField(
        verbose_name=_("estimates as of"), null=True, blank=True,
        help_text=_("Set when the quote is sent: its estimates are kept as they were then."),
    )

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="quote_margin_between_0_and_1",
                condition=Q(target_margin__gte=0, target_margin__lt=1),
            ),
            models.CheckConstraint(
                name="quote_amounts_not_negative",
                condition=Q(downtime_cost_per_hour__gte=0)
                & (Q(competitor_price__isnull=True) | Q(competitor_price__gte=0)),
            ),
            models.CheckConstraint(
                name="quote_horizon_positive", condition=Q(horizon_years__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("quote_detail", args=[self.account_id, self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == QuoteStatus.DRAFT

    @property
    def has_competitor_offer(self) -> bool:
        return self.competitor_price is not None


class QuoteLine(models.Model):
    quote = models.ForeignKey(
        Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="quote_lines"
    )
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"), default=1)
    unit_price = MoneyField(verbose_name=_("unit price"))
    # The estimates the quote was sent with (in the quote's currency, per unit); empty
    # while it is a draft, whose estimates follow the data.
    unit_cost = MoneyField(verbose_name=_("unit cost"), null=True, blank=True)
    life_years = models.PositiveSmallIntegerField(
        verbose_name=_("expected life (years)"), null=True, blank=True
    )
    catalogue_service_cost_per_year = MoneyField(
        verbose_name=_("catalogue service cost per year"), null=True, blank=True
    )
    observed_service_cost_per_year = MoneyField(
        verbose_name=_("observed service cost per asset-year"), null=True, blank=True
    )
    service_cost_per_year = MoneyField(
        verbose_name=_("expected service cost per year"), null=True, blank=True
    )
    consumables_per_year = MoneyField(
        verbose_name=_("consumables per year"), null=True, blank=True
    )
    downtime_hours_per_year = models.DecimalField(
        verbose_name=_("downtime hours per year"), max_digits=8, decimal_places=2, null=True,
        blank=True,
    )
    asset_years = models.DecimalField(
        verbose_name=_("asset-years of history"), max_digits=12, decimal_places=2, null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        constraints = [
            models.CheckConstraint(
                name="quoteline_price_not_negative", condition=Q(unit_price__gte=0)
            ),
            models.CheckConstraint(name="quoteline_quantity_positive", condition=Q(quantity__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product}"


class ExchangeRate(TimeStampedModel):
    """How many units of the reporting currency one unit of ``currency`` was worth from a date."""

    currency = CurrencyField(default=None)
    valid_from = models.DateField(verbose_name=_("valid from"))
    rate = models.DecimalField(verbose_name=_("rate"), max_digits=20, decimal_places=8)
    base_currency = CurrencyField()

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "base_currency", "valid_from"], name="exchangerate_unique_day"
            ),
            models.CheckConstraint(name="exchangerate_positive", condition=Q(rate__gt=0)),
            models.CheckConstraint(
                name="exchangerate_distinct_currencies", condition=~Q(currency=F("base_currency"))
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} {self.base_currency} ({self.valid_from})"
