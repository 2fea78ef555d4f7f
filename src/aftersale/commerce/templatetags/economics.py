"""Money formatting and the account economics section (an inclusion tag)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import timezone
from django.utils.formats import number_format

from aftersale.accounts.models import Account
from aftersale.commerce.economics import account_history
from aftersale.commerce.models import Quote
from aftersale.commerce.money import format_money, reporting_currency
from aftersale.commerce.periods import PeriodKind
from aftersale.commerce.profit import MarginBasis

register = template.Library()

SECTION_PERIODS = {PeriodKind.MONTH: 6, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 4}
RECENT_QUOTES = 5


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """``{{ amount|money:"VND" }}`` -> "1.234.567 VND" (grouped as the language does)."""
    if amount is None:
        return "—"
    return format_money(amount, currency)


@register.filter
def amount(value: Decimal | None, currency: str) -> str:
    """Like ``money`` without the currency code, for tables that name it once."""
    if value is None:
        return "—"
    return format_money(value, currency).rsplit(" ", 1)[0]


@register.filter
def percent(rate: Decimal | None, places: int = 1) -> str:
    """A share (0.25) as a percentage ("25.0 %")."""
    if rate is None:
        return "—"
    value = (rate * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{number_format(value, decimal_pos=places)} %"


@register.filter
def negate(value: Decimal | None) -> Decimal | None:
    return None if value is None else -value


@register.filter
def hours(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return number_format(value, decimal_pos=1)


def can_see_economics(user, account: Account) -> bool:
    """Money views are for managers and, for their own accounts, relationship owners."""
    return bool(getattr(user, "is_manager", False)) or (
        getattr(user, "is_vendor_staff", False) and account.owner_id == user.pk
    )


@register.inclusion_tag("commerce/_account_economics.html", takes_context=True)
def account_economics(context, account: Account) -> dict:
    request = context["request"]
    user = request.user
    kind = request.GET.get("economics", PeriodKind.QUARTER)
    if kind not in SECTION_PERIODS:
        kind = PeriodKind.QUARTER
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
            unknown=any(f.margin_basis == MarginBasis.UNKNOWN and f.estimated_revenue
                        for _, f in history),
            missing=sorted(frozenset().union(*(f.missing_currencies for _, f in history))),
            split_unknown=any(f.labour is None for _, f in history),
        )
    return data
