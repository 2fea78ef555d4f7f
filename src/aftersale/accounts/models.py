"""The counterparties: customer (or supplier) companies, their people, and their competitors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import CurrencyField, ExternalModel


class AccountKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    SUPPLIER = "supplier", _("Supplier")


class Industry(models.TextChoices):
    CAPITAL_EQUIPMENT = "capital_equipment", _("Capital equipment")
    FINANCIAL_SERVICES = "financial_services", _("Financial services")
    CONSULTING = "consulting", _("Consulting")
    OTHER = "other", _("Other")


class Tier(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic")
    KEY = "key", _("Key")
    STANDARD = "standard", _("Standard")


class Competitor(ExternalModel):
    """A rival vendor that competes for our accounts."""

    name = models.CharField(verbose_name=_("name"), max_length=200, unique=True)
    website = models.URLField(verbose_name=_("website"), blank=True)
    notes = models.TextField(verbose_name=_("notes"), blank=True)

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AccountQuerySet(models.QuerySet["Account"]):
    def restrict(self, user) -> AccountQuerySet:
        """The accounts ``user`` may see: staff see the portfolio, a portal
        contact only their own company, anyone else nothing."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role:
            return self
        contact = getattr(user, "contact", None)
        if contact is not None and contact.portal_enabled:
            return self.filter(pk=contact.account_id)
        return self.none()

    def customers(self) -> AccountQuerySet:
        return self.filter(kind=AccountKind.CUSTOMER)

    def suppliers(self) -> AccountQuerySet:
        return self.filter(kind=AccountKind.SUPPLIER)


class Account(ExternalModel):
    """A company we have a relationship with: the unit the whole product is about (P2).

    Each account has exactly one accountable owner (P6), who sees every promise,
    case and signal of the relationship.
    """

    name = models.CharField(verbose_name=_("name"), max_length=200)
    kind = models.CharField(
        verbose_name=_("kind"), max_length=10, choices=AccountKind.choices,
        default=AccountKind.CUSTOMER,
    )
    industry = models.CharField(
        verbose_name=_("industry"), max_length=20, choices=Industry.choices,
        default=Industry.OTHER,
    )
    tier = models.CharField(
        verbose_name=_("tier"), max_length=10, choices=Tier.choices, default=Tier.STANDARD
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_accounts",
        help_text=_("The one person accountable for the whole relationship."),
    )
    currency = CurrencyField()
    city = models.CharField(verbose_name=_("city"), max_length=100, blank=True)
    country = models.CharField(verbose_name=_("country"), max_length=2, default="VN")
    customer_since = models.DateField(verbose_name=_("customer since"), null=True, blank=True)
    competitors = models.ManyToManyField(
        Competitor, verbose_name=_("competitors present"), related_name="accounts", blank=True
    )
    notes = models.TextField(
        verbose_name=_("internal notes"), blank=True,
        help_text=_("Never shown to the customer."),
    )
    # A copy of the latest health snapshot (the health engine writes it in the transaction
    # that stores snapshots: aftersale.health.latest), so that the portfolio can sort and
    # count every account by score without looking each one's latest snapshot up. All
    # four are NULL while the account has no snapshot (band and trend too: "" is a
    # snapshot's "no trend", which sorts apart from "never scored").
    health_as_of = models.DateField(verbose_name=_("latest health snapshot"), null=True, blank=True,
                                    editable=False)
    health_score = models.FloatField(verbose_name=_("latest health score"), null=True, blank=True,
                                     editable=False)
    health_band = models.CharField(verbose_name=_("latest health band"), max_length=8, null=True,
                                   blank=True, editable=False)
    health_trend = models.CharField(verbose_name=_("latest health trend"), max_length=14, null=True,
                                    blank=True, editable=False)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["owner", "kind"], name="account_owner_kind"),
            # The portfolio's score sort: unscored accounts first (as -1, below any score),
            # ties by id; read backwards for the highest scores first.
            models.Index(Coalesce("health_score", Value(-1.0)), "id", name="account_health_score"),
            # The portfolio's histogram counts scores from this index alone (PostgreSQL
            # cannot read a column back out of the expression index above).
            models.Index(fields=["health_score"], name="account_health_score_bins"),
            # The API's list order (keyset paging): its first page reads 50 index entries,
            # not the portfolio, even when many accounts share an updated_at (imports).
            models.Index(fields=["updated_at", "id"], name="account_updated_id"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("account_detail", args=[self.pk])


class Contact(ExternalModel):
    """A person at an account; may be given a portal login."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(verbose_name=_("name"), max_length=200)
    email = models.EmailField(verbose_name=_("e-mail"), blank=True)
    phone = models.CharField(verbose_name=_("phone"), max_length=50, blank=True)
    role = models.CharField(verbose_name=_("role"), max_length=100, blank=True)
    is_active = models.BooleanField(verbose_name=_("active"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
    )
    portal_enabled = models.BooleanField(
        verbose_name=_("portal access"), default=False,
        help_text=_("Staff can revoke portal access at any time."),
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.account})"
