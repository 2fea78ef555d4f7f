"""Issuing, checking and revoking API tokens (``do_*`` change, ``check_*`` validate)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.api.models import VISIBLE_CHARS, ApiToken, hash_token, new_token
from aftersale.staff.models import User

# last_used_at is a hint for people, not an audit log: write it at most this often
# per token, so that a busy integration does not turn every read into a write.
LAST_USED_PRECISION = timedelta(minutes=5)


class TokenRefused(Exception):
    """Why a token does not authenticate: ``code`` for programs, the message for people."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def check_token_holder(user: User) -> None:
    """Only active vendor staff may hold a token; portal contacts never."""
    if not user.is_active:
        raise ValueError(_("%(email)s is deactivated.") % {"email": user.email})
    if not user.role:
        raise ValueError(
            _("%(email)s is not vendor staff (a portal contact or a user without a role): "
              "API tokens are for staff only.") % {"email": user.email}
        )


def do_issue_token(user: User, *, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; the secret is returned once and never stored."""
    check_token_holder(user)
    secret = new_token()
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], prefix=secret[:VISIBLE_CHARS], key_hash=hash_token(secret)
    )
    return token, secret


def do_revoke_tokens(tokens, at: datetime | None = None) -> int:
    """Revoke every token of the queryset still active; returns how many. Every process
    refuses them from the next request on: tokens are checked on each request, not kept."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=at or timezone.now())


def find_token(secret: str) -> ApiToken | None:
    """The token ``secret`` with its user, in one query."""
    return ApiToken.objects.select_related("user").filter(key_hash=hash_token(secret)).first()


def authenticate_token(secret: str, now: datetime | None = None) -> ApiToken:
    """The active token ``secret`` belongs to, with its user; ``TokenRefused`` otherwise.
    Its last use is recorded.

    Checked against the database on every request (one query), so a
    revocation, a deactivation or a lost staff role takes effect at once in
    every process.
    """
    token = _check(find_token(secret))
    now = now or timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
        # Conditional, so concurrent requests write it once.
        ApiToken.objects.filter(pk=token.pk, last_used_at=token.last_used_at).update(last_used_at=now)
        token.last_used_at = now
    return token


def _check(token: ApiToken | None) -> ApiToken:
    if token is None:
        raise TokenRefused("invalid_token", _("This API token is not valid."))
    if token.revoked_at is not None:
        raise TokenRefused("revoked_token", _("This API token was revoked on %(when)s.") % {
            "when": timezone.localtime(token.revoked_at).strftime("%Y-%m-%d %H:%M")})
    if not token.user.is_vendor_staff:
        raise TokenRefused(
            "inactive_user", _("The staff member this API token belongs to is no longer active.")
        )
    return token
