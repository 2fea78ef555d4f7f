"""Each account's copy of its latest health snapshot (``Account.health_*``).

The portfolio sorts, filters and bins every account by its latest score;
looking each account's latest snapshot up for that (a correlated subquery per
account, twice per page) was most of the page's time. So the account carries
the latest snapshot's date, score, band and trend, written here in the
transaction that stores snapshots (``scan.save_snapshots``).

The copy is recomputed from the snapshots themselves rather than from the rows
just written: a scan replayed for an earlier date, a snapshot replaced on the
same day, or a scan and a refresh of the same account all leave the account
with whatever snapshot is latest, with no ordering to get right.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery

from aftersale.accounts.models import Account
from aftersale.core.sql import Scope
from aftersale.health.models import HealthSnapshot


def sync_latest_health(scope: Scope) -> int:
    """Copy the latest snapshot of every account in ``scope`` (None: all) onto the account;
    accounts without a snapshot get NULLs. One UPDATE; returns the accounts updated."""
    accounts = Account.objects.all()
    if isinstance(scope, range) and scope.step == 1:
        accounts = accounts.filter(pk__gte=scope.start, pk__lt=scope.stop)
    elif scope is not None:
        accounts = accounts.filter(pk__in=sorted({int(i) for i in scope}))
    # Lock the accounts first, then copy in a statement of its own: an UPDATE that waited
    # for another transaction's lock on the same account (a refresh of today while an
    # earlier date is replayed) would recompute its look-ups without seeing that
    # transaction's snapshot, and copy an older one over it. A statement that starts
    # once the locks are held sees it. (SQLite writes one transaction at a time.)
    with transaction.atomic(savepoint=False):
        list(accounts.select_for_update().order_by("pk").values_list("pk", flat=True))
        # Each look-up reads one entry of the (account, as_of) unique index backwards.
        latest = HealthSnapshot.objects.filter(account=OuterRef("pk")).order_by("-as_of")
        return accounts.order_by().update(**{
            f"health_{column}": Subquery(latest.values(column)[:1])
            for column in ("as_of", "score", "band", "trend")
        })


def health_as_of(day: date) -> dict[int, tuple[Decimal | float | None, str]]:
    """Each account's latest snapshot on or before ``day``: ``(score, band)`` (one query).

    For pages that show health beside other figures as of a past day (the
    profitability portfolio); today's is on the account itself."""
    latest = (HealthSnapshot.objects.filter(account_id=OuterRef("account_id"), as_of__lte=day)
              .order_by("-as_of").values("pk")[:1])
    rows = (HealthSnapshot.objects.filter(as_of__lte=day, pk=Subquery(latest))
            .values_list("account_id", "score", "band"))
    return {account_id: (score, band) for account_id, score, band in rows}
