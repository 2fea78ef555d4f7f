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

from django.db.models import Case, DecimalField, F, Q, Sum, Value, When

from aftersale.service.models import WorkLog

ZERO = Decimal("0")


@dataclass
class CostBreakdown:
    hours: Decimal = ZERO
    labour: Decimal = ZERO
    parts: Decimal = ZERO
    travel: Decimal = ZERO
    warranty: Decimal = ZERO  # the part of the total spent on warranty work
    by_currency: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return self.labour + self.parts + self.travel


def cost_to_serve(
    *, end: date, start: date | None = None, account_ids: Iterable[int] | None = None,
    group_by: str = "account",
) -> dict[int, CostBreakdown]:
    """Sums of work logs dated in [start, end], keyed by account, case or asset id.

    Rows in several currencies are added up as they are and also reported per
    currency in ``by_currency``; callers that mix currencies convert from there.
    """
    if group_by not in {"account", "case", "asset"}:
        raise ValueError(f"cannot group cost-to-serve by {group_by!r}")
    logs = WorkLog.objects.filter(worked_on__lte=end)
    if start is not None:
        logs = logs.filter(worked_on__gte=start)
    if account_ids is not None:
        logs = logs.filter(account_id__in=list(account_ids))
    key = f"{group_by}_id"
    logs = logs.exclude(**{f"{key}__isnull": True})
    money = DecimalField(max_digits=20, decimal_places=2)
    rows = logs.values(key, "currency").annotate(
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
    for row in rows:
        item = result[row[key]]
        item.hours += row["hours"] or ZERO
        item.labour += row["labour"] or ZERO
        item.parts += row["parts"] or ZERO
        item.travel += row["travel"] or ZERO
        item.warranty += row["warranty"] or ZERO
        subtotal = (row["labour"] or ZERO) + (row["parts"] or ZERO) + (row["travel"] or ZERO)
        item.by_currency[row["currency"]] = item.by_currency.get(row["currency"], ZERO) + subtotal
    return dict(result)
