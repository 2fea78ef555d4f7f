"""Who wants which alerts by e-mail, the daily digests sent, and private calendar feeds."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersale.alerts.models import Alert, AlertKind


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    DIGEST = "digest", _("In the daily digest")
    OFF = "off", _("Not by e-mail")


class NotificationPreference(models.Model):
    """How one person wants one kind of alert: at once, in the daily digest, or not at all.

    Without a row the documented default of the kind applies (``preferences.DEFAULTS``).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(verbose_name=_("kind of alert"), max_length=24, choices=AlertKind.choices)
    delivery = models.CharField(verbose_name=_("e-mail"), max_length=10, choices=Delivery.choices)
    updated_at = models.DateTimeField(verbose_name=_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notificationpreference_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} → {self.delivery}"


class DigestState(models.TextChoices):
    CLAIMED = "claimed", _("Being sent")
    SENT = "sent", _("Sent")
    EMPTY = "empty", _("Nothing to send")


class Digest(models.Model):
    """One person's daily digest for one day: claimed by one worker, marked sent after the send.

    The unique (user, day) row is the claim; a claim older than the timeout is
    taken over by a conditional UPDATE, so a worker that died between claiming
    and sending delays the digest but never loses or doubles it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="digests"
    )
    day = models.DateField(verbose_name=_("day"))
    state = models.CharField(verbose_name=_("state"), max_length=8, choices=DigestState.choices)
    worker_id = models.CharField(verbose_name=_("worker"), max_length=64)
    claimed_at = models.DateTimeField(verbose_name=_("claimed"))
    attempts = models.PositiveIntegerField(verbose_name=_("attempts"), default=1)
    sent_at = models.DateTimeField(verbose_name=_("sent"), null=True, blank=True)
    alerts = models.PositiveIntegerField(verbose_name=_("alerts listed"), default=0)
    last_error = models.TextField(verbose_name=_("last error"), blank=True)

    class Meta:
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        ordering = ["-day", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="digest_one_per_day"),
        ]
        indexes = [
            models.Index(fields=["state", "claimed_at"], name="digest_claims",
                         condition=Q(state="claimed")),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.day} ({self.state})"


def new_feed_key() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A person's private calendar feed. The secret URL carries ``key``; regenerating
    the key (or deleting the row) revokes every copy of the old URL at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    key = models.CharField(verbose_name=_("secret key"), max_length=64, unique=True, default=new_feed_key)
    created_at = models.DateTimeField(verbose_name=_("created"), auto_now_add=True)
    last_fetched_at = models.DateTimeField(verbose_name=_("last fetched"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)


class NotificationClaim(models.Model):
    """A worker's claim on sending one alert's notification.

    The row's existence is the claim (its primary key is the alert); a claim
    older than the timeout is taken over by a conditional UPDATE, so a worker
    killed between claiming and sending loses nothing. Deleted once the alert
    is marked notified, which only happens after the e-mail went out.
    """

    alert = models.OneToOneField(
        Alert, verbose_name=_("alert"), on_delete=models.CASCADE, primary_key=True,
        related_name="notification_claim",
    )
    worker_id = models.CharField(verbose_name=_("worker"), max_length=64)
    claimed_at = models.DateTimeField(verbose_name=_("claimed"))
    attempts = models.PositiveIntegerField(verbose_name=_("attempts"), default=1)
    last_error = models.TextField(verbose_name=_("last error"), blank=True)

    class Meta:
        verbose_name = _("notification claim")
        verbose_name_plural = _("notification claims")
        indexes = [models.Index(fields=["claimed_at"], name="claim_claimed_at")]

    def __str__(self) -> str:
        return f"{self.alert_id} by {self.worker_id}"
