"""Portal use per account, for the health engine's dependence signal (P11).

A customer that orders through the portal and whose people use it has come to
depend on the conveniences we volunteered. This module reads only data (orders
and ``PortalVisit`` rows), never a view, so the engine may import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from aftersale.commerce.models import Channel, Order
from aftersale.portal.conf import portal_setting
from aftersale.portal.models import PortalVisit

PortalUsage = tuple[float | None, int]


def portal_usage(as_of: datetime, account_ids: Iterable[int] | None = None) -> dict[int, PortalUsage]:
    """``{account_id: (portal_order_share_last_12m, active_contacts_last_90d)}`` as of ``as_of``.

    - the share is portal orders / all orders placed in the ``ORDER_SHARE_DAYS``
      (365) days up to ``as_of``, counted in orders, 0..1; None without any order;
    - active contacts are the distinct contacts who used the portal on a day in
      the ``ACTIVE_CONTACT_DAYS`` (90) days up to ``as_of``'s date.

    Events after ``as_of`` are ignored. Two aggregate queries for any number of
    accounts. With ``account_ids`` every asked account is in the result, as
    ``(None, 0)`` when it has neither; without, every account with either.
    """
    ids = None if account_ids is None else list(account_ids)
    share_start = as_of - timedelta(days=int(portal_setting("ORDER_SHARE_DAYS")))
    orders = Order.objects.filter(placed_at__gt=share_start, placed_at__lte=as_of)
    today = timezone.localdate(as_of)
    visits = PortalVisit.objects.filter(
        day__gt=today - timedelta(days=int(portal_setting("ACTIVE_CONTACT_DAYS"))), day__lte=today
    )
    if ids is not None:
        orders, visits = orders.filter(account_id__in=ids), visits.filter(account_id__in=ids)
    shares = {
        account_id: (portal / total if total else None)
        for account_id, total, portal in orders.order_by().values("account_id").annotate(
            n=Count("pk"), portal=Count("pk", filter=Q(channel=Channel.PORTAL))
        ).values_list("account_id", "n", "portal")
    }
    active = dict(
        visits.order_by().values("account_id").annotate(n=Count("contact_id", distinct=True))
        .values_list("account_id", "n")
    )
    keys = set(ids) if ids is not None else set(shares) | set(active)
    return {pk: (shares.get(pk), active.get(pk, 0)) for pk in keys}
