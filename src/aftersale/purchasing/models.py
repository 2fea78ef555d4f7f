"""The buyer's side of a supplier relationship (P18): what we inspect, what buying
costs us, and how hard we press on price.

The supplier itself is an ``Account`` of kind supplier; its contacts,
touchpoints, promises, ideas, information shares, reviews and trust ratings are
the same rows as a customer's, with ``direction`` saying which way each flowed.
Only what has no customer-side counterpart lives here.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account, AccountKind
from aftersale.core.models import CurrencyField, ExternalModel, MoneyField


class SupplierRecordQuerySet(models.QuerySet):
    def restrict(self, user) -> SupplierRecordQuerySet:
        """Rows about suppliers ``user`` may see (portal contacts: none, these are ours)."""
        if not getattr(user, "is_authenticated", False) or not user.role:
            return self.none()
        return self.filter(account__in=Account.objects.restrict(user).suppliers())


class SupplierRecord(ExternalModel):
    """A row about one supplier account; refuses customer accounts."""

    account = models.ForeignKey(
        Account, verbose_name=_("supplier"), on_delete=models.CASCADE,
        limit_choices_to={"kind": AccountKind.SUPPLIER}, related_name="%(class)s_records",
    )

    objects = SupplierRecordQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.account_id and self.account.kind != AccountKind.SUPPLIER:
            raise ValidationError({"account": _("This account is a customer, not a supplier.")})


class IncomingInspection(SupplierRecord):
    """Goods received from a supplier on one day, and how many lots we inspected and
    rejected. Buyers who trust a supplier stop inspecting its goods (P18)."""

    received_on = models.DateField(verbose_name=_("received on"))
    lots_received = models.PositiveIntegerField(verbose_name=_("lots received"))
    lots_inspected = models.PositiveIntegerField(verbose_name=_("lots inspected"), default=0)
    lots_rejected = models.PositiveIntegerField(verbose_name=_("lots rejected"), default=0)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspected by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    notes = models.TextField(verbose_name=_("notes"), blank=True)

    class Meta:
        verbose_name = _("incoming inspection")
        verbose_name_plural = _("incoming inspections")
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["account", "received_on"], name="inspection_account_day")]
        constraints = [
            models.CheckConstraint(
                name="inspection_inspected_le_received", condition=Q(lots_inspected__lte=F("lots_received"))
            ),
            models.CheckConstraint(
                name="inspection_rejected_le_inspected", condition=Q(lots_rejected__lte=F("lots_inspected"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.received_on}: {self.lots_inspected}/{self.lots_received}"

    def clean(self) -> None:
        super().clean()
        if self.lots_inspected is not None and self.lots_received is not None \
                and self.lots_inspected > self.lots_received:
            raise ValidationError({"lots_inspected": _("Cannot inspect more lots than were received.")})
        if self.lots_rejected is not None and self.lots_inspected is not None \
                and self.lots_rejected > self.lots_inspected:
            raise ValidationError({"lots_rejected": _("Cannot reject more lots than were inspected.")})


class PurchasingEffort(SupplierRecord):
    """Our purchasing staff's time on one supplier over a period, and the value of
    the purchases it handled: the purchasing cost per unit of purchases (P17, P18)."""

    period_start = models.DateField(verbose_name=_("period start"))
    period_end = models.DateField(verbose_name=_("period end"))
    staff_hours = models.DecimalField(
        verbose_name=_("purchasing staff hours"), max_digits=9, decimal_places=1
    )
    purchase_value = MoneyField(verbose_name=_("purchase value handled"))
    currency = CurrencyField()

    class Meta:
        verbose_name = _("purchasing effort")
        verbose_name_plural = _("purchasing effort")
        ordering = ["-period_end", "-pk"]
        indexes = [models.Index(fields=["account", "period_end"], name="effort_account_end")]
        constraints = [
            models.CheckConstraint(
                name="effort_period_order", condition=Q(period_end__gte=F("period_start"))
            ),
            models.CheckConstraint(name="effort_hours_positive", condition=Q(staff_hours__gt=0)),
            models.CheckConstraint(name="effort_value_not_negative", condition=Q(purchase_value__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.period_start}..{self.period_end}"

    def clean(self) -> None:
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period ends before it starts.")})


class Purchase(SupplierRecord):
    """One order we placed with a supplier, and how hard we negotiated it: competing
    bids we asked for and rounds of re-quoting (price pressure, P18)."""

    reference = models.CharField(verbose_name=_("our order reference"), max_length=100, blank=True)
    ordered_on = models.DateField(verbose_name=_("ordered on"))
    value = MoneyField(verbose_name=_("value"))
    currency = CurrencyField()
    competing_bids = models.PositiveSmallIntegerField(
        verbose_name=_("competing bids"), default=0,
        help_text=_("Quotes asked from other suppliers for the same order."),
    )
    requotes = models.PositiveSmallIntegerField(
        verbose_name=_("re-quotes"), default=0,
        help_text=_("Times we sent the supplier back for a lower price."),
    )

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ["-ordered_on", "-pk"]
        indexes = [models.Index(fields=["account", "ordered_on"], name="purchase_account_day")]
        constraints = [
            models.CheckConstraint(name="purchase_value_not_negative", condition=Q(value__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.reference or self.external_id}"

    @property
    def pressure(self) -> int:
        return self.competing_bids + self.requotes
