"""The economics section of the account page: who sees it and what it shows."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from aftersale.accounts.models import Account
from aftersale.commerce.models import Quote
from aftersale.commerce.money import reporting_currency
from aftersale.economics.periods import PeriodKind
from aftersale.economics.profitability import account_history

SECTION_PERIODS = {PeriodKind.MONTH: 6, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 4}
RECENT_QUOTES = 5


def can_see_economics(user, account: Account) -> bool:
    """Money views are for managers and, for their own accounts, relationship owners."""
    return bool(getattr(user, "is_manager", False)) or (
        getattr(user, "is_vendor_staff", False) and account.owner_id == user.pk
    )


def section_kind(request: HttpRequest) -> str:
    kind = request.GET.get("economics", PeriodKind.QUARTER)
    return kind if kind in SECTION_PERIODS else PeriodKind.QUARTER


def section_context(request: HttpRequest, account: Account) -> dict:
    """What the economics section shows; its figures only to those who may see money."""
    user = request.user
    kind = section_kind(request)
    data: dict = {
        "account": account,
        "request": request,
        "user": user,
        "kind": kind,
        "kinds": [(k, PeriodKind(k).label) for k in SECTION_PERIODS],
        "recent_quotes": list(
            Quote.objects.filter(account=account).select_related("created_by")[:RECENT_QUOTES]
        ),
        "visible": can_see_economics(user, account),
    }
    if data["visible"]:
        history = account_history(account.pk, kind=kind, as_of=timezone.localdate(),
                                  count=SECTION_PERIODS[kind])
        lifetime = history[-1][1]
        data.update(
            currency=reporting_currency(),
            columns=history,
            lifetime=lifetime,
            estimated=any(f.estimated_revenue for _, f in history),
            missing=sorted(frozenset().union(*(f.missing_currencies for _, f in history))),
            split_unknown=any(f.labour is None for _, f in history),
        )
    return data
