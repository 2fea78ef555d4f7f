"""Staff pages for orders: every order we may see, newest first, and one order with its lines.

Orders from every channel land here the moment they are saved, so an order a customer
places in the portal shows up at once (issue 9). Scoping is the account's: staff see
the portfolio (``Account.objects.restrict``); members start on their own accounts'
orders and may widen the list to anyone's, as on the attention list.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersale.accounts.access import access_account
from aftersale.accounts.models import Account
from aftersale.commerce.models import Channel, Order
from aftersale.core.filters import FilterForm, IdField, OwnerField, by_owner, choice, day, search
from aftersale.staff.access import staff_required
from aftersale.staff.models import User

PAGE_SIZE = 50


def account_owners() -> QuerySet[User]:
    return User.objects.staff().filter(owned_accounts__isnull=False).distinct()


class OrderFilters(FilterForm):
    """What the order list is narrowed to, read from the query string."""

    q = search(placeholder=gettext_lazy("Order number, account name or ID"))
    channel = choice(gettext_lazy("Channel"), Channel.choices)
    owner = OwnerField(account_owners, label=gettext_lazy("Account owner"))
    since = day(gettext_lazy("From"))
    until = day(gettext_lazy("To"))
    account = IdField(label=gettext_lazy("Account"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("since", _("The first day comes after the last day (To)."))
            data.pop("until", None)
        return data

    def apply(self, orders: QuerySet[Order], user: User) -> QuerySet[Order]:
        values = self.values
        if values["q"]:
            orders = orders.filter(
                Q(external_id__iexact=values["q"]) | Q(account__name__icontains=values["q"])
                | Q(account__external_id__iexact=values["q"])
            )
        if values["channel"]:
            orders = orders.filter(channel=values["channel"])
        orders = by_owner(orders, values["owner"], user, field="account__owner")
        if values["account"] is not None:
            orders = orders.filter(account_id=values["account"])
        # Days are the user's local days (TIME_ZONE), as shown in the list.
        if values["since"]:
            orders = orders.filter(placed_at__date__gte=values["since"])
        if values["until"]:
            orders = orders.filter(placed_at__date__lte=values["until"])
        return orders


@staff_required
def order_list(request: HttpRequest) -> HttpResponse:
    # Members start on their own accounts, as on the attention list; one account's orders
    # (the link from an order) are that account's whoever owns it.
    everyone = request.user.is_manager or "account" in request.GET
    filters = OrderFilters(request.GET, defaults={"owner": "" if everyone else "me"})
    visible = Account.objects.restrict(request.user)
    chosen = Order.objects.filter(account__in=visible)
    chosen = filters.apply(chosen, request.user)
    orders = (chosen.select_related("account", "placed_by", "taken_by")
              .annotate(n_lines=Count("lines")).order_by("-placed_at", "-pk"))
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    # One aggregate for the whole filtered list, per currency: totals never mix currencies.
    totals = list(chosen.order_by().values("currency").annotate(amount=Sum("total"))
                  .order_by("currency"))
    chosen_account = filters.values["account"]
    account = (visible.filter(pk=chosen_account).only("pk", "name").first()
               if chosen_account is not None else None)
    return render(request, "commerce/order_list.html", {
        "page": page, "filters": filters, "totals": totals, "account": account,
    }, status=filters.response_status)


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
