"""Template helpers for promises, including the section shown on the account page."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from django import template
from django.db.models import Q
from django.utils import timezone

from aftersale.accounts.models import Account, AccountKind
from aftersale.core.enums import Direction
from aftersale.promises.ledger import RECENT_DAYS, flag
from aftersale.promises.measures import promise_measures
from aftersale.promises.models import Promise, PromiseStatus

register = template.Library()

SECTION_LIMIT = 25
LABELLED = ("made_by_department", "delivery_department", "status")


@cache
def _labels(field: str) -> dict[Any, Any]:
    # get_<field>_display() rebuilds (and hashes) the choices on every call: a quarter of
    # this section's time on the account page.
    return dict(Promise._meta.get_field(field).flatchoices)


@register.inclusion_tag("promises/_account_section.html", takes_context=True)
def account_promises(context: dict[str, Any], account: Account) -> dict[str, Any]:
    """Pending promises and those closed in the last 90 days, and this account's record
    (the page around it has already checked access). The form to record a new one is
    fetched when opened (``promises/_record_form.html``)."""
    request = context["request"]
    today = timezone.localdate()
    recent = today - timedelta(days=RECENT_DAYS)
    promises = list(
        account.promises.filter(Q(status__in=PromiseStatus.pending()) | Q(closed_at__gte=recent))
        .select_related("made_by", "delivery_owner", "contact")
        .order_by("due_at", "pk")[: SECTION_LIMIT + 1]
    )
    for promise in promises:
        promise.flags = flag(promise, today)
        promise.labels = {f: _labels(f).get(getattr(promise, f), getattr(promise, f)) for f in LABELLED}
    direction = Direction.TO_US if account.kind == AccountKind.SUPPLIER else Direction.FROM_US
    measures = promise_measures(today, [account.pk], direction=direction).get(account.pk)
    return {
        "account": account,
        "promises": promises[:SECTION_LIMIT],
        "more": len(promises) > SECTION_LIMIT,
        "measures": measures,
        "direction": direction,
        "today": today,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def percent(rate: float | None) -> str:
    """0.8333 -> "83%"; no rate -> an en dash."""
    return "–" if rate is None else f"{round(rate * 100)}%"


@register.filter
def rate_band(rate: float | None) -> str:
    """The health band colour of an on-time rate (empty when there is none)."""
    if rate is None:
        return ""
    if rate >= 0.9:
        return "band-healthy"
    if rate >= 0.7:
        return "band-watch"
    return "band-at_risk"


@register.filter
def days_before(day: Any, today: Any) -> int:
    """Whole days from ``day`` to ``today`` (0 when not before): "overdue 3 days" in any language."""
    if day is None or today is None:
        return 0
    return max(0, (today - day).days)
