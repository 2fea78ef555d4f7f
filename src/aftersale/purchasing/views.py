"""The supplier pages: the list, one supplier's buyer-side page, and the partnership report.

Staff only (a portal contact gets 403); a supplier the user may not see, or a
customer's id, is a 404. The account 360 page stays the place for contacts,
touchpoints, promises and reviews; these pages add what only the buyer sees.
"""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from aftersale.accounts.models import Account
from aftersale.core.asof import end_of_day
from aftersale.core.enums import Direction
from aftersale.core.filters import FilterForm, by_search, day, not_after, search
from aftersale.engagement.models import Idea
from aftersale.health.evaluate import evaluate_account
from aftersale.health.models import HealthSnapshot
from aftersale.health.signals import registry
from aftersale.purchasing import measures
from aftersale.purchasing.access import access_supplier
from aftersale.purchasing.models import IncomingInspection, Purchase, PurchasingEffort
from aftersale.purchasing.report import REFERENCES, cost_gap, supplier_rows, trust_groups
from aftersale.reviews.measures import quarter_label
from aftersale.staff.access import staff_required
from aftersale.staff.models import User

RECENT_ROWS = 10


def with_latest_health(accounts: QuerySet[Account]) -> QuerySet[Account]:
    latest = HealthSnapshot.objects.filter(account=OuterRef("pk")).order_by("-as_of")
    return accounts.annotate(
        score=Subquery(latest.values("score")[:1]), band=Subquery(latest.values("band")[:1]),
        trend=Subquery(latest.values("trend")[:1]),
    )


class SupplierFilters(FilterForm):
    """The supplier pages' filters: which suppliers, and the day (at the latest today) the
    figures are as of."""

    q = search(placeholder=gettext_lazy("Name or external ID"))
    as_of = day(gettext_lazy("As of"))

    @property
    def as_of_day(self) -> date:
        return not_after(self.values["as_of"], timezone.localdate())

    def suppliers(self, user: User) -> list[Account]:
        accounts = by_search(Account.objects.restrict(user).suppliers(), self.values["q"], contains="name")
        return list(with_latest_health(accounts).select_related("owner").order_by("name"))


@staff_required
def supplier_list(request: HttpRequest) -> HttpResponse:
    filters = SupplierFilters(request.GET)
    as_of = filters.as_of_day
    return render(request, "purchasing/supplier_list.html", {
        "rows": supplier_rows(filters.suppliers(request.user), as_of), "as_of": as_of, "filters": filters,
    }, status=filters.response_status)


@staff_required
def partnership_report(request: HttpRequest) -> HttpResponse:
    filters = SupplierFilters(request.GET)
    as_of = filters.as_of_day
    rows = supplier_rows(filters.suppliers(request.user), as_of)
    groups = trust_groups(rows)
    return render(request, "purchasing/partnership_report.html", {
        "rows": rows, "groups": groups, "cost_gap": cost_gap(groups), "references": REFERENCES,
        "as_of": as_of, "filters": filters,
    }, status=filters.response_status)


@staff_required
def supplier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = access_supplier(request.user, pk)
    filters = SupplierFilters(request.GET)
    as_of = filters.as_of_day
    suppliers = list(with_latest_health(Account.objects.filter(pk=supplier.pk)).select_related("owner"))
    row = supplier_rows(suppliers, as_of)[0]
    by_quarter = measures.inspections_by_quarter(as_of, [supplier.pk]).get(supplier.pk, {})
    quarters = [{"label": quarter_label(start), "inspections": found} for start, found in by_quarter.items()]
    moment = timezone.now() if as_of == timezone.localdate() else \
        end_of_day(as_of)
    health, ctx = evaluate_account(supplier, moment)
    supplier_side = {d.name for d in registry.all() if d.kinds and "supplier" in d.kinds}
    signals = health.signal_rows(ctx.months)
    records = IncomingInspection.objects.restrict(request.user).filter(account=supplier)
    return render(request, "purchasing/supplier_detail.html", {
        "supplier": supplier, "row": row, "as_of": as_of, "quarters": quarters, "health": health,
        "buyer_signals": [s for s in signals if s["name"] in supplier_side],
        "shared_signals": [s for s in signals if s["name"] not in supplier_side],
        "inspections": records.filter(received_on__lte=as_of)[:RECENT_ROWS],
        "purchases": Purchase.objects.restrict(request.user).filter(
            account=supplier, ordered_on__lte=as_of)[:RECENT_ROWS],
        "efforts": PurchasingEffort.objects.restrict(request.user).filter(
            account=supplier, period_end__lte=as_of)[:RECENT_ROWS],
        "ideas": Idea.objects.filter(account=supplier, direction=Direction.TO_US, proposed_at__lte=as_of)
        .order_by("-proposed_at")[:RECENT_ROWS],
        "references": REFERENCES, "filters": filters,
    }, status=filters.response_status)
