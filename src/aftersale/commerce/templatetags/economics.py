"""Money formatting and the slot of the account economics section (an inclusion tag)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

from aftersale.accounts.models import Account
from aftersale.commerce.money import format_money
from aftersale.economics.sections import section_kind

register = template.Library()



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


@register.inclusion_tag("commerce/_account_economics_slot.html", takes_context=True)
def account_economics(context, account: Account) -> dict:
    """A placeholder the section loads into (htmx), so its queries never slow the
    account page; without JavaScript it is a link to the section's own page."""
    return {"account": account, "kind": section_kind(context["request"])}
