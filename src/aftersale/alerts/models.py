"""Alerts: rows that say an account needs action, raised and resolved idempotently."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account
from aftersale.alerts.texts import AlertText, render


class AlertKind(models.TextChoices):
    PROMISE_NEW = "promise_new", _("New promise")
    PROMISE_OVERDUE = "promise_overdue", _("Promise overdue")
    SLA_BREACH = "sla_breach", _("Service target breached")
    MAINTENANCE_OVERDUE = "maintenance_overdue", _("Maintenance overdue")
    SILENCE = "silence", _("Gone silent")
    QUIET_CUSTOMER = "quiet_customer", _("Quiet customer")
    REVIEW_DUE = "review_due", _("Review due")
    HEALTH_DETERIORATING = "health_deteriorating", _("Health deteriorating")
    SUPPLIER_SQUEEZED = "supplier_squeezed", _("Supplier squeezed")


#: Kinds that ask the owner to step in (P10): they carry a suggested visit or call and close
#: only when a two-way contact with the customer is logged, never by acknowledging them.
STEP_IN_KINDS: tuple[str, ...] = (AlertKind.SILENCE, AlertKind.QUIET_CUSTOMER)


class AlertQuerySet(models.QuerySet["Alert"]):
    def open(self) -> AlertQuerySet:
        return self.filter(resolved_at__isnull=True)

    def restrict(self, user) -> AlertQuerySet:
        """Staff see alerts of accounts they may see; portal contacts none."""
        if not getattr(user, "is_authenticated", False) or not user.role:
            return self.none()
        accounts = Account.objects.restrict(user)
        if not accounts.query.has_filters():
            # Every account is visible, so every alert is (each has an account): a semi-join
            # with the whole account table only cost time on a large portfolio.
            return self.all()
        return self.filter(account__in=accounts)


class Alert(models.Model):
    """Something about an account that needs its owner's action.

    ``subject`` distinguishes several alerts of one kind on one account (for
    example ``promise:42``); at most one alert per (account, kind, subject) is
    open at a time, enforced by a partial unique constraint.
    """

    kind = models.CharField(verbose_name=_("kind"), max_length=24, choices=AlertKind.choices)
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="alerts"
    )
    subject = models.CharField(verbose_name=_("subject"), max_length=60, blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.SET_NULL, null=True,
        related_name="alerts",
    )
    # The facts the kind's registered text renders from when read, in the reader's language
    # (``aftersale.alerts.texts``); an alert stores no sentence.
    params = models.JSONField(verbose_name=_("facts"), default=dict, blank=True)
    # Words stored by earlier versions, shown only for an alert of a kind that no longer exists.
    stored_explanation = models.TextField(verbose_name=_("stored explanation"), blank=True, default="")
    stored_action = models.CharField(
        verbose_name=_("stored suggested action"), max_length=300, blank=True, default=""
    )
    opened_at = models.DateTimeField(verbose_name=_("opened"))
    acknowledged_at = models.DateTimeField(verbose_name=_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    resolved_at = models.DateTimeField(verbose_name=_("resolved"), null=True, blank=True)
    notified_at = models.DateTimeField(verbose_name=_("notified"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "subject"],
                condition=Q(resolved_at__isnull=True),
                name="alert_one_open_per_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "resolved_at", "kind"], name="alert_owner_open"),
            # The attention list reads the oldest few waiting alerts of each kind, and of those
            # in hand, straight from these (without them it sorted every open alert).
            models.Index(
                fields=["kind", "opened_at", "id"],
                condition=Q(resolved_at__isnull=True, acknowledged_at__isnull=True),
                name="alert_waiting_by_kind",
            ),
            models.Index(
                fields=["opened_at", "id"],
                condition=Q(resolved_at__isnull=True, acknowledged_at__isnull=False),
                name="alert_in_hand",
            ),
            models.Index(
                fields=["notified_at", "opened_at"],
                condition=Q(notified_at__isnull=True),
                name="alert_to_notify",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.account}"

    def text(self) -> AlertText:
        """The explanation and suggested action in the active language (kept for that language)."""
        language = translation.get_language()
        cached = self.__dict__.get("_text")
        if cached is None or cached[0] != language:
            cached = (language, render(self.kind, self.params, stored_explanation=self.stored_explanation,
                                       stored_action=self.stored_action))
            self.__dict__["_text"] = cached
        return cached[1]

    @property
    def explanation(self) -> str:
        return self.text().explanation

    @property
    def action(self) -> str:
        return self.text().action

    @property
    def needs_step_in(self) -> bool:
        """Closed only by a logged visit, meeting or call, not by "I'm on it"."""
        return self.kind in STEP_IN_KINDS
