"""API tokens: a staff member's key for the REST API, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Tokens read "aft_" + 43 URL-safe characters (256 random bits); the first 12
# characters are kept in clear so a token can be recognised in the admin.
TOKEN_PREFIX = "aft_"  # noqa: S105 - a label, not a secret
VISIBLE_CHARS = 12


def hash_token(token: str) -> str:
    """The stored form of a token. A fast hash is right here: the secret has 256 bits
    of entropy, so there is nothing to brute-force, and it is checked on every request."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """One API key of one staff member; it acts as that person, with their scoping."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(
        verbose_name=_("name"), max_length=100, blank=True,
        help_text=_("What the token is for, for example the ERP connector."),
    )
    prefix = models.CharField(
        verbose_name=_("prefix"), max_length=VISIBLE_CHARS,
        help_text=_("The first characters of the token, to recognise it."),
    )
    key_hash = models.CharField(verbose_name=_("key hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(verbose_name=_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(verbose_name=_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(verbose_name=_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class HealthReport(models.Model):
    """The API's answer for one account's latest health snapshot, in one language, kept.

    A snapshot stores each signal's value and points, not the facts behind them,
    so its explanations need an evaluation (a couple of dozen queries). The API
    does that on the first read of a snapshot and keeps the whole answer here,
    shared by every worker and server; a newer snapshot (another
    ``computed_at``) makes it stale, and the next read replaces it. Purely a
    cache: deleting rows loses nothing.
    """

    account = models.ForeignKey(
        "accounts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(verbose_name=_("language"), max_length=5)
    computed_at = models.DateTimeField(verbose_name=_("snapshot evaluated as of"))
    body = models.TextField(verbose_name=_("answer (JSON)"))

    class Meta:
        verbose_name = _("health report")
        verbose_name_plural = _("health reports")
        constraints = [
            models.UniqueConstraint(fields=["account", "language"], name="healthreport_one_per_language"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.language} {self.computed_at:%Y-%m-%d}"
