"""Issuing, checking and revoking API tokens (``do_*`` change, ``check_*`` validate)."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.api.fast import aware, fetch
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


# The user's columns every request needs; the rest load on first use.
USER_FIELDS = ("id", "email", "name", "department", "role", "language", "is_active")


@cache
def _lookup_sql() -> str:
    q = connection.ops.quote_name
    columns = ", ".join(f"u.{q(User._meta.get_field(f).column)}" for f in USER_FIELDS)
    return (
        f"SELECT t.{q('id')}, t.{q('prefix')}, t.{q('revoked_at')}, t.{q('last_used_at')}, {columns}"  # noqa: S608
        f" FROM {q(ApiToken._meta.db_table)} t"
        f" JOIN {q(User._meta.db_table)} u ON u.{q('id')} = t.{q('user_id')}"
        f" WHERE t.{q('key_hash')} = %s"
    )


def lookup(secret: str) -> tuple[str, list[str]]:
    """The statement that reads the token ``secret`` with its user."""
    return _lookup_sql(), [hash_token(secret)]


def token_from_rows(rows: list[tuple]) -> ApiToken | None:
    if not rows:
        return None
    token_id, prefix, revoked_at, last_used_at, *user_values = rows[0]
    values = dict(zip(USER_FIELDS, user_values, strict=True))
    values["is_active"] = bool(values["is_active"])  # SQLite answers 0/1
    user = User.from_db(connection.alias, list(USER_FIELDS), [values[f] for f in USER_FIELDS])
    token = ApiToken(id=token_id, prefix=prefix, user_id=user.pk, revoked_at=aware(revoked_at),
                     last_used_at=aware(last_used_at))
    token.user = user
    token.row = tuple(rows[0])  # type: ignore[attr-defined]  (as read: see aftersale.api.hot)
    return token


def find_token(secret: str) -> ApiToken | None:
    """The token with its user, in one plain query: this runs on every API request, where
    the ORM's query building cost more than the query itself (bench/api_load.py)."""
    return token_from_rows(fetch(*lookup(secret)))


def authenticate_token(secret: str, now: datetime | None = None) -> ApiToken:
    """The active token ``secret`` belongs to, with its user; ``TokenRefused`` otherwise.

    Checked against the database on every request (one prepared query), so a
    revocation, a deactivation or a lost staff role takes effect at once in
    every process.
    """
    return accept(find_token(secret), secret, now)


def accept(token: ApiToken | None, secret: str, now: datetime | None = None) -> ApiToken:
    """``token`` as just read from the database if it may be used (``TokenRefused`` if
    not); its last use recorded. Remembered as this process's expectation for the next
    request with the same secret (see ``expected``)."""
    token = _check(token)
    now = now or timezone.now()
    if use_to_record(token, now):
        # Conditional, so concurrent requests write it once.
        ApiToken.objects.filter(pk=token.pk, last_used_at=token.last_used_at).update(last_used_at=now)
        token.last_used_at = now
    if len(_expected) >= MAX_EXPECTED:
        _expected.clear()
    _expected[hash_token(secret)] = token
    return token


def use_to_record(token: ApiToken, now: datetime) -> bool:
    """Whether a request at ``now`` should write the token's ``last_used_at``."""
    return token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION


# The last token each secret was found to be, per process. Never trusted: a request
# may only *start* with this guess (to send the token check together with its first
# query, see aftersale.api.auth); the check's answer decides.
_expected: dict[str, ApiToken] = {}
MAX_EXPECTED = 1000


def expected(secret: str) -> ApiToken | None:
    return _expected.get(hash_token(secret))


def same_holder(one: ApiToken, other: ApiToken) -> bool:
    """Whether two readings of a token agree on everything a request's answer may depend
    on: the token itself and every field of its user that is read."""
    return one.pk == other.pk and all(
        getattr(one.user, f) == getattr(other.user, f) for f in USER_FIELDS
    )


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
