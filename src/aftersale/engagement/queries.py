"""Set-based querysets of the idea exchange and information-sharing logs (P19).

The callers pass accounts they have already scoped (``Account.objects.restrict(user)``
or one account fetched with ``access_account``), so the account timeline, the
portal and these pages share one definition of each log.
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from aftersale.accounts.models import Account
from aftersale.engagement.models import Idea, InfoShare


def ideas_for(
    accounts: QuerySet[Account], *, direction: str = "", since: date | None = None,
    until: date | None = None,
) -> QuerySet[Idea]:
    """Ideas of the given accounts, newest first; optionally one direction and a date range."""
    ideas = Idea.objects.filter(account__in=accounts).select_related(
        "account", "proposed_by_user", "proposed_by_contact"
    )
    if direction:
        ideas = ideas.filter(direction=direction)
    if since is not None:
        ideas = ideas.filter(proposed_at__gte=since)
    if until is not None:
        ideas = ideas.filter(proposed_at__lte=until)
    return ideas.order_by("-proposed_at", "-pk")


def info_shares_for(
    accounts: QuerySet[Account], *, direction: str = "", since: date | None = None,
    until: date | None = None,
) -> QuerySet[InfoShare]:
    """Information shared with or by the given accounts, newest first."""
    shares = InfoShare.objects.filter(account__in=accounts).select_related("account", "recorded_by")
    if direction:
        shares = shares.filter(direction=direction)
    if since is not None:
        shares = shares.filter(shared_at__gte=since)
    if until is not None:
        shares = shares.filter(shared_at__lte=until)
    return shares.order_by("-shared_at", "-pk")
