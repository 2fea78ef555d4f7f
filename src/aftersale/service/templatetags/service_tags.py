"""Template helpers of the service pages, and the account page's service section."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.accounts.models import Account
from aftersale.commerce.money import round_money
from aftersale.service.models import Asset, TargetState, WarrantyState
from aftersale.service.summary import AccountService, account_service

register = template.Library()

STATE_BANDS = {
    TargetState.ON_TRACK: "band-healthy",
    TargetState.AT_RISK: "band-watch",
    TargetState.BREACHED: "band-at_risk",
}
WARRANTY_BANDS = {
    WarrantyState.IN_WARRANTY: "band-healthy",
    WarrantyState.EXPIRING: "band-watch",
    WarrantyState.EXPIRED: "band-at_risk",
    WarrantyState.UNKNOWN: "",
}


@register.simple_tag
def account_service_summary(account: Account) -> AccountService:
    """Everything ``service/_account_section.html`` shows, in a fixed number of queries."""
    return account_service(account)


@register.filter
def state_band(state: str) -> str:
    return STATE_BANDS.get(state, "")


@register.filter
def warranty_of(asset: Asset, on: date | None = None) -> WarrantyState:
    return asset.warranty_state(on or timezone.localdate())


@register.filter
def warranty_band(state: str) -> str:
    return WARRANTY_BANDS.get(state, "")


@register.filter
def business_duration(value: timedelta | None) -> str:
    """Business time as hours and minutes ("12 h 05 min"): days mean little on a working calendar."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    return _("%(h)d h %(m)02d min") % {"h": minutes // 60, "m": minutes % 60}


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return ""
    rounded = round_money(Decimal(amount), currency)
    return f"{rounded:,} {currency}"
