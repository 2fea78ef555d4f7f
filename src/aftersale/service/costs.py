"""Cost-to-serve (P14): what serving an account cost, from its work logs.

Set-based: one aggregate query for any number of accounts. Amounts are summed
per currency; converting to one reporting currency is the caller's choice
(``aftersale.commerce.money.convert``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import BooleanField, Case, DecimalField, F, Q, Sum, Value, When

from aftersale.commerce.money import NoExchangeRate, convert
from aftersale.service.models import WorkLog

ZERO = Decimal("0")


@dataclass
class CostLine:
    """The amounts of one currency inside a breakdown."""

    labour: Decimal = ZERO
    parts: Decimal = ZERO
    travel: Decimal = ZERO
    warranty: Decimal = ZERO


@dataclass
class CostBreakdown:
    hours: Decimal = ZERO
    labour: Decimal = ZERO
    parts: Decimal = ZERO
    travel: Decimal = ZERO
    warranty: Decimal = ZERO  # the part of the total spent on warranty work
    by_currency: dict[str, Decimal] = field(default_factory=dict)
    detail_by_currency: dict[str, CostLine] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return self.labour + self.parts + self.travel

    def in_currency(self, currency: str, on: date) -> CostBreakdown:
        """Every amount converted to ``currency`` at the rates valid ``on``.

        No query when everything is already in that currency; raises
        ``NoExchangeRate`` when a rate is missing.
        """
        result = CostBreakdown(hours=self.hours, by_currency={currency: ZERO})
        for cur, line in self.detail_by_currency.items():
            labour, parts, travel, warranty = (
                convert(amount, cur, currency, on)
                for amount in (line.labour, line.parts, line.travel, line.warranty)
            )
            result.labour += labour
            result.parts += parts
            result.travel += travel
            result.warranty += warranty
            result.by_currency[currency] += labour + parts + travel
        result.detail_by_currency = {
            currency: CostLine(result.labour, result.parts, result.travel, result.warranty)
        }
        return result


def convert_or_none(breakdown: CostBreakdown | None, currency: str, on: date) -> CostBreakdown | None:
    """``in_currency`` for display: an empty breakdown for no work, None when a rate is missing."""
    if breakdown is None:
        return CostBreakdown(by_currency={currency: ZERO})
    try:
        return breakdown.in_currency(currency, on)
    except NoExchangeRate:
        return None


def cost_to_serve(
    *, end: date, start: date | None = None, account_ids: Iterable[int] | None = None,
    group_by: str = "account", keys: Iterable[int] | None = None,
) -> dict[int, CostBreakdown]:
    """Sums of work logs dated in [start, end], keyed by account, case or asset id.

    ``keys`` limits the result to those case (or asset, or account) ids.
    Rows in several currencies are added up as they are and also reported per
    currency in ``by_currency`` (totals) and ``detail_by_currency``; callers
    that mix currencies convert from there (``CostBreakdown.in_currency``).
    """
    return cost_to_serve_since(end=end, start=start, account_ids=account_ids, group_by=group_by,
                               keys=keys)[0]


def cost_to_serve_since(
    *, end: date, since: date | None = None, start: date | None = None,
    account_ids: Iterable[int] | None = None, group_by: str = "account",
    keys: Iterable[int] | None = None,
) -> tuple[dict[int, CostBreakdown], dict[int, CostBreakdown]]:
    """``cost_to_serve`` over [start, end], and over [since, end] as well, from one query
    (the account page shows the last 12 months and the lifetime side by side).
    Without ``since`` the second result is empty."""
    if group_by not in {"account", "case", "asset"}:
        raise ValueError(f"cannot group cost-to-serve by {group_by!r}")
    logs = WorkLog.objects.filter(worked_on__lte=end)
    if start is not None:
        logs = logs.filter(worked_on__gte=start)
    if account_ids is not None:
        logs = logs.filter(account_id__in=list(account_ids))
    key = f"{group_by}_id"
    logs = logs.exclude(**{f"{key}__isnull": True})
    if keys is not None:
        logs = logs.filter(**{f"{key}__in": list(keys)})
    money = DecimalField(max_digits=20, decimal_places=2)
    group = [key, "currency"]
    if since is not None:
        # Split each group at ``since``: the whole range is both parts added up.
        logs = logs.annotate(recent=Case(When(worked_on__gte=since, then=Value(True)), default=Value(False),
                                         output_field=BooleanField()))
        group.append("recent")
    rows = logs.values(*group).annotate(
        hours=Sum("hours"),
        labour=Sum("labour_cost"),
        parts=Sum("parts_cost"),
        travel=Sum("travel_cost"),
        warranty=Sum(
            Case(
                When(Q(is_warranty=True), then=F("labour_cost") + F("parts_cost") + F("travel_cost")),
                default=Value(ZERO),
                output_field=money,
            )
        ),
    )
    result: dict[int, CostBreakdown] = defaultdict(CostBreakdown)
    recent: dict[int, CostBreakdown] = defaultdict(CostBreakdown)
    for row in rows:
        _add(result[row[key]], row)
        if row.get("recent"):
            _add(recent[row[key]], row)
    return dict(result), dict(recent)


def _add(item: CostBreakdown, row: dict) -> None:
    item.hours += row["hours"] or ZERO
    item.labour += row["labour"] or ZERO
    item.parts += row["parts"] or ZERO
    item.travel += row["travel"] or ZERO
    item.warranty += row["warranty"] or ZERO
    subtotal = (row["labour"] or ZERO) + (row["parts"] or ZERO) + (row["travel"] or ZERO)
    item.by_currency[row["currency"]] = item.by_currency.get(row["currency"], ZERO) + subtotal
    line = item.detail_by_currency.setdefault(row["currency"], CostLine())
    line.labour += row["labour"] or ZERO
    line.parts += row["parts"] or ZERO
    line.travel += row["travel"] or ZERO
    line.warranty += row["warranty"] or ZERO
