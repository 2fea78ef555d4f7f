"""What the customer portal keeps of its own: invitations, survey requests, visits.

Everything else a contact sees or changes (orders, cases, plans, ratings) lives
in the domain apps; the portal only reads and writes it through their models
and actions, scoped to the contact's account.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account, Contact
from aftersale.reviews.models import TrustRating


def hash_token(token: str) -> str:
    """Only the hash of an invitation token is stored: a copy of the database cannot sign anyone in."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["PortalInvitation"]):
    def usable(self, now: datetime) -> InvitationQuerySet:
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class PortalInvitation(models.Model):
    """A single-use, expiring link that lets a contact set their portal password.

    The link carries a random token; the row keeps only its SHA-256 hash. A new
    invitation, or revoking access, withdraws the contact's earlier unused ones.
    """

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="portal_invitations"
    )
    token_hash = models.CharField(verbose_name=_("token hash"), max_length=64, unique=True)
    sent_to = models.EmailField(verbose_name=_("sent to"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+", help_text=_("Empty when sent from the command line."),
    )
    created_at = models.DateTimeField(verbose_name=_("created"))
    expires_at = models.DateTimeField(verbose_name=_("expires"))
    used_at = models.DateTimeField(verbose_name=_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(verbose_name=_("withdrawn"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("portal invitation")
        verbose_name_plural = _("portal invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="invitation_expires_after_creation", condition=Q(expires_at__gt=models.F("created_at"))
            ),
        ]
        indexes = [models.Index(fields=["contact", "created_at"], name="invitation_contact_time")]

    def __str__(self) -> str:
        return f"{self.sent_to} ({self.created_at:%Y-%m-%d})"

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


class SurveyRequest(models.Model):
    """The short survey offered to one contact in one calendar quarter (at most one).

    Offered when the contact first opens the portal in a quarter; answering it
    records a ``TrustRating`` (direction to us); declining it ends the quarter's
    offer too.
    """

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="survey_requests"
    )
    quarter = models.DateField(verbose_name=_("quarter"), help_text=_("The first day of the quarter."))
    offered_at = models.DateTimeField(verbose_name=_("offered"))
    answered_at = models.DateTimeField(verbose_name=_("answered"), null=True, blank=True)
    declined_at = models.DateTimeField(verbose_name=_("declined"), null=True, blank=True)
    rating = models.OneToOneField(
        TrustRating, verbose_name=_("answer"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="survey_request",
    )

    class Meta:
        verbose_name = _("survey request")
        verbose_name_plural = _("survey requests")
        ordering = ["-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "quarter"], name="survey_one_per_quarter"),
            models.CheckConstraint(
                name="survey_answered_or_declined_not_both",
                condition=Q(answered_at__isnull=True) | Q(declined_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} {self.quarter:%Y-%m}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and self.declined_at is None


class PortalVisit(models.Model):
    """A day on which a contact used the portal: the basis of "active contacts" (P11)."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="portal_visits"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="portal_visits"
    )
    day = models.DateField(verbose_name=_("day"))

    class Meta:
        verbose_name = _("portal visit")
        verbose_name_plural = _("portal visits")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "day"], name="portal_visit_once_a_day"),
        ]
        indexes = [models.Index(fields=["account", "day", "contact"], name="portal_visit_account_day")]

    def __str__(self) -> str:
        return f"{self.contact} {self.day}"

