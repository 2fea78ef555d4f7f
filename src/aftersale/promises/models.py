"""The promise ledger (P5, P6, P7): what was promised, by whom, and who must deliver it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account, Contact
from aftersale.core.enums import Department, Direction
from aftersale.core.models import ExternalModel


class Stage(models.TextChoices):
    PRE_SALE = "pre_sale", _("Pre-sale")
    SALE = "sale", _("Sale")
    DELIVERY = "delivery", _("Delivery")
    AFTER_SALE = "after_sale", _("After-sale")


class PromiseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    LATE = "late", _("Kept late")
    BROKEN = "broken", _("Broken")
    RENEGOTIATED = "renegotiated", _("Renegotiated")
    CANCELLED = "cancelled", _("Cancelled")

    @classmethod
    def pending(cls) -> tuple[str, ...]:
        """Statuses in which the promise still has to be delivered."""
        return (cls.OPEN, cls.RENEGOTIATED)

    @classmethod
    def delivered(cls) -> tuple[str, ...]:
        return (cls.KEPT, cls.LATE)


class Promise(ExternalModel):
    """One promise to (or, for suppliers, from) an account.

    ``made_by`` and ``delivery_owner`` are usually different people in different
    departments (P6); the account's owner is accountable for the whole.
    ``version`` guards against lost updates when two people edit at once.
    """

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="promises"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("promised to"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="promises",
    )
    direction = models.CharField(
        verbose_name=_("direction"), max_length=8, choices=Direction.choices,
        default=Direction.FROM_US,
        help_text=_("From us to the account, or from the account (a supplier) to us."),
    )
    description = models.TextField(verbose_name=_("what was promised"))
    stage = models.CharField(verbose_name=_("stage"), max_length=12, choices=Stage.choices)
    made_at = models.DateField(verbose_name=_("made on"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("made by"), on_delete=models.PROTECT,
        related_name="promises_made",
    )
    made_by_department = models.CharField(
        verbose_name=_("made by department"), max_length=20, choices=Department.choices
    )
    due_at = models.DateField(verbose_name=_("due"))
    original_due_at = models.DateField(
        verbose_name=_("originally due"), null=True, blank=True,
        help_text=_("Set when the due date was renegotiated."),
    )
    delivery_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("must be delivered by"),
        on_delete=models.PROTECT, related_name="promises_to_deliver",
    )
    delivery_department = models.CharField(
        verbose_name=_("delivering department"), max_length=20, choices=Department.choices
    )
    status = models.CharField(
        verbose_name=_("status"), max_length=12, choices=PromiseStatus.choices,
        default=PromiseStatus.OPEN,
    )
    delivered_at = models.DateField(verbose_name=_("delivered on"), null=True, blank=True)
    closed_at = models.DateField(verbose_name=_("closed on"), null=True, blank=True)
    evidence = models.TextField(verbose_name=_("evidence"), blank=True)
    renegotiations = models.PositiveSmallIntegerField(
        verbose_name=_("times renegotiated"), default=0
    )
    version = models.PositiveIntegerField(verbose_name=_("version"), default=1)

    class Meta:
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        ordering = ["due_at"]
        constraints = [
            models.CheckConstraint(
                name="promise_due_not_before_made", condition=Q(due_at__gte=F("made_at"))
            ),
            models.CheckConstraint(
                name="promise_closed_not_before_made",
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("made_at")),
            ),
            models.CheckConstraint(
                name="promise_delivered_not_before_made",
                condition=Q(delivered_at__isnull=True) | Q(delivered_at__gte=F("made_at")),
            ),
        ]
        indexes = [
            models.Index(
                fields=["account", "due_at", "status", "closed_at"], name="promise_account_due"
            ),
            models.Index(fields=["delivery_owner", "status"], name="promise_delivery_owner"),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    def get_absolute_url(self) -> str:
        return reverse("promise_detail", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status in PromiseStatus.pending()


class PromiseEvent(models.Model):
    """One change to a promise: who, when, and what changed (field -> [old, new])."""

    promise = models.ForeignKey(
        Promise, verbose_name=_("promise"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(verbose_name=_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )
    action = models.CharField(verbose_name=_("action"), max_length=30)
    changes = models.JSONField(verbose_name=_("changes"), default=dict, blank=True)
    note = models.TextField(verbose_name=_("note"), blank=True)

    class Meta:
        verbose_name = _("promise event")
        verbose_name_plural = _("promise history")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"
