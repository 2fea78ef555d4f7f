"""One-click unsubscribe: a signed link per person and kinds of alert, no login needed.

The link carries the user id and the kinds it switches off, signed with the
site's SECRET_KEY (a different salt from everything else), so it cannot be
forged or pointed at someone else. It does not expire: an old e-mail's link
must keep working. Following it only ever turns e-mails off.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core import signing

from aftersale.alerts.models import AlertKind
from aftersale.notify.conf import absolute
from aftersale.staff.models import User

SALT = "aftersale.notify.unsubscribe"


def make_token(user: User, kinds: Iterable[str]) -> str:
    return signing.dumps({"u": user.pk, "k": sorted(set(kinds))}, salt=SALT, compress=True)


def unsubscribe_url(user: User, kinds: Iterable[str]) -> str:
    return absolute("notify_unsubscribe", make_token(user, kinds))


@dataclass(frozen=True)
class Unsubscribe:
    user: User
    kinds: list[str]


def read_token(token: str) -> Unsubscribe | None:
    """Who and what a link unsubscribes; None for a forged, damaged or outdated link."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(
        data.get("k"), list
    ):
        return None
    kinds = [k for k in data["k"] if k in AlertKind.values]
    user = User.objects.filter(pk=data["u"], is_active=True).first()
    if user is None or not kinds:
        return None
    return Unsubscribe(user=user, kinds=kinds)
