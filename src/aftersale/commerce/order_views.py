"""Staff pages for orders: every order we may see, newest first, and one order with its lines.

Orders from every channel land here the moment they are saved, so an order a customer
places in the portal shows up at once (issue 9). Scoping is the account's: staff see
the portfolio (``Account.objects.restrict``); members start on their own accounts'
orders and may widen the list to anyone's, as on the attention list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from aftersale.accounts.access import access_account
from aftersale.accounts.models import Account
from aftersale.commerce.models import Channel, Order
from aftersale.staff.access import staff_required
from aftersale.staff.models import User

PAGE_SIZE = 50


@dataclass
class OrderFilters:
    """What the order list is narrowed to, read from the query string."""

    q: str = ""
    channel: str = ""
    owner: str = ""
    account: int | None = None
    since: date | None = None
    until: date | None = None
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, query: QueryDict, *, default_owner: str) -> OrderFilters:
        filters = cls(
            q=query.get("q", "").strip(),
            channel=query.get("channel", "") if query.get("channel", "") in Channel.values else "",
            owner=query.get("owner", default_owner),
        )
        if filters.owner not in ("", "me") and not filters.owner.isdigit():
            filters.owner = ""
        raw_account = query.get("account", "")
        filters.account = int(raw_account) if raw_account.isdigit() else None
        filters.since = filters._day(query, "since", _("From"))
        filters.until = filters._day(query, "until", _("To"))
        if filters.since and filters.until and filters.since > filters.until:
            filters.errors.append(_("From: the first day comes after the last day (To)."))
            filters.since = filters.until = None
        return filters

    def _day(self, query: QueryDict, name: str, label: str) -> date | None:
        raw = query.get(name, "").strip()
        if not raw:
            return None
        try:
            day = parse_date(raw)
        except ValueError:
            day = None
        if day is None:
            self.errors.append(
                _("%(field)s: “%(value)s” is not a date; use YYYY-MM-DD.")
                % {"field": label, "value": raw}
            )
        return day

    def apply(self, orders: QuerySet[Order], user: User) -> QuerySet[Order]:
        if self.q:
            orders = orders.filter(
                Q(external_id__iexact=self.q) | Q(account__name__icontains=self.q)
                | Q(account__external_id__iexact=self.q)
            )
        if self.channel:
            orders = orders.filter(channel=self.channel)
        if self.owner == "me":
            orders = orders.filter(account__owner=user)
        elif self.owner:
            orders = orders.filter(account__owner_id=int(self.owner))
        if self.account is not None:
            orders = orders.filter(account_id=self.account)
        # Days are the user's local days (TIME_ZONE), as shown in the list.
        if self.since:
            orders = orders.filter(placed_at__date__gte=self.since)
        if self.until:
            orders = orders.filter(placed_at__date__lte=self.until)
        return orders


@staff_required
def order_list(request: HttpRequest) -> HttpResponse:
    # Members start on their own accounts, as on the attention list; one account's orders
    # (the link from an order) are that account's whoever owns it.
    narrowed = request.GET.get("account", "").isdigit()
    default_owner = "" if request.user.is_manager or narrowed else "me"
    filters = OrderFilters.from_query(request.GET, default_owner=default_owner)
    visible = Account.objects.restrict(request.user)
    chosen = Order.objects.filter(account__in=visible)
    chosen = filters.apply(chosen, request.user)
    orders = (chosen.select_related("account", "placed_by", "taken_by")
              .annotate(n_lines=Count("lines")).order_by("-placed_at", "-pk"))
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    # One aggregate for the whole filtered list, per currency: totals never mix currencies.
    totals = list(chosen.order_by().values("currency").annotate(amount=Sum("total"))
                  .order_by("currency"))
    account = (visible.filter(pk=filters.account).only("pk", "name").first()
               if filters.account is not None else None)
    return render(request, "commerce/order_list.html", {
        "page": page, "filters": filters, "channels": Channel.choices, "totals": totals,
        "account": account,
        "owners": User.objects.staff().filter(owned_accounts__isnull=False).distinct(),
    })


@staff_required
def order_detail(request: HttpRequest, account_pk: int, pk: int) -> HttpResponse:
    """One order with its lines; another account's order, or one we may not see, is a 404."""
    account = access_account(request.user, account_pk)
    order = get_object_or_404(
        Order.objects.select_related("account", "placed_by", "taken_by"), account=account, pk=pk
    )
    lines = list(order.lines.select_related("product").order_by("pk"))
    lines_total = sum((line.amount for line in lines), Decimal(0))
    return render(request, "commerce/order_detail.html", {
        "order": order, "lines": lines, "lines_total": lines_total,
        "differs": bool(lines) and lines_total != order.total,
    })
