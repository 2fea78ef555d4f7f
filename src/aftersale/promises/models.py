"""The promise ledger (P5, P6, P7): what was promised, by whom, and who must deliver it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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

    @classmethod
    def final(cls) -> tuple[str, ...]:
        """Statuses that close the promise for good (it has a ``closed_at`` date)."""
        return (cls.KEPT, cls.LATE, cls.BROKEN, cls.CANCELLED)


# The whole lifecycle in one place: which status may follow which. Final
# statuses have no way out, so a closed promise's outcome (and every measure
# built on it) can never be quietly rewritten; a new date agreed with the
# customer is a renegotiation, which keeps the promise pending.
TRANSITIONS: dict[str, frozenset[str]] = {
    PromiseStatus.OPEN: frozenset(
        {PromiseStatus.KEPT, PromiseStatus.LATE, PromiseStatus.BROKEN,
         PromiseStatus.RENEGOTIATED, PromiseStatus.CANCELLED}
    ),
    PromiseStatus.RENEGOTIATED: frozenset(
        {PromiseStatus.KEPT, PromiseStatus.LATE, PromiseStatus.BROKEN,
         PromiseStatus.RENEGOTIATED, PromiseStatus.CANCELLED}
    ),
    PromiseStatus.KEPT: frozenset(),
    PromiseStatus.LATE: frozenset(),
    PromiseStatus.BROKEN: frozenset(),
    PromiseStatus.CANCELLED: frozenset(),
}


class EventAction(models.TextChoices):
    """What a history row records: the promise was recorded, edited, or changed status."""

    RECORDED = "recorded", _("Recorded")
    EDITED = "edited", _("Edited")
    KEPT = "kept", _("Marked kept")
    LATE = "late", _("Marked kept late")
    BROKEN = "broken", _("Marked broken")
    RENEGOTIATED = "renegotiated", _("Renegotiated")
    CANCELLED = "cancelled", _("Cancelled")


class PromiseQuerySet(models.QuerySet["Promise"]):
    def restrict(self, user) -> PromiseQuerySet:
        """Promises of the accounts ``user`` may see (staff: all; a contact: their own)."""
        return self.filter(account__in=Account.objects.restrict(user))

    def pending(self) -> PromiseQuerySet:
        return self.filter(status__in=PromiseStatus.pending())


class Promise(ExternalModel):
    """One promise to (or, for suppliers, from) an account.

    ``made_by`` and ``delivery_owner`` are usually different people in different
    departments (P6); the account's owner is accountable for the whole.
    ``version`` guards against lost updates when two people edit at once.
    """

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="promises",
        db_index=False,  # led by a composite index (Meta.indexes)
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
        db_index=False,  # led by a composite index (Meta.indexes)
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
    version = models.PositiveIntegerField(verbose_name=pgettext_lazy("promise field", "version"), default=1)

    objects = PromiseQuerySet.as_manager()

    class Meta:
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        ordering = ["due_at"]
        constraints = [
            models.CheckConstraint(
                name="promise_due_not_before_made", condition=Q(due_at__gte=F("made_at")),
                violation_error_message=_(
                    "The due date cannot be before the date the promise was made."
                ),
            ),
            # Measures read "closed as of a date" from closed_at alone, so a
            # final status without it (or a pending one with it) must not exist.
            models.CheckConstraint(
                name="promise_closed_iff_final",
                condition=(
                    Q(status__in=PromiseStatus.pending(), closed_at__isnull=True)
                    | (~Q(status__in=PromiseStatus.pending()) & Q(closed_at__isnull=False))
                ),
                violation_error_message=_(
                    "A kept, late, broken or cancelled promise needs the date it closed; "
                    "an open or renegotiated one has none."
                ),
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

    def allowed_statuses(self) -> list[str]:
        """The statuses this promise may move to next, in the order of the enum."""
        allowed = TRANSITIONS[self.status]
        return [value for value in PromiseStatus.values if value in allowed]

    def can_become(self, status: str) -> bool:
        return status in TRANSITIONS.get(self.status, frozenset())


class PromiseEvent(models.Model):
    """One change to a promise: who, when, and what changed (field -> [old, new])."""

    promise = models.ForeignKey(
        Promise, verbose_name=_("promise"), on_delete=models.CASCADE, related_name="events",
        db_index=False,  # led by a composite index (Meta.indexes)
    )
    at = models.DateTimeField(verbose_name=_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )
    action = models.CharField(verbose_name=_("action"), max_length=30, choices=EventAction.choices)
    changes = models.JSONField(
        verbose_name=_("changes"), default=dict, blank=True,
        help_text=_("Each changed field with its old and new value."),
    )
    note = models.TextField(verbose_name=_("note"), blank=True)
    version = models.PositiveIntegerField(
        verbose_name=pgettext_lazy("promise field", "version"), default=1,
        help_text=_("The promise's version after this change."),
    )

    class Meta:
        verbose_name = _("promise event")
        verbose_name_plural = _("promise history")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["promise", "version"], name="promise_event_version")]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"

    def change_rows(self) -> list[tuple[str, str, str]]:
        """(field label, old, new) for display, with enum values shown by their label."""
        rows = []
        for name, pair in self.changes.items():
            old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            try:
                field = Promise._meta.get_field(name)
            except FieldDoesNotExist:
                rows.append((name, _display(old), _display(new)))
                continue
            labels = dict(field.choices or [])
            rows.append(
                (
                    str(field.verbose_name),
                    str(labels.get(old, _display(old))),
                    str(labels.get(new, _display(new))),
                )
            )
        return rows


def _display(value: object) -> str:
    return "—" if value is None or value == "" else str(value)
