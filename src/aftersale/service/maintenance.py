"""Maintenance visits: which asset is due for which plan, as of a date.

A plan covers one asset, or every asset of a product. For each (plan, asset)
pair the next visit is due ``interval_days`` after the last completed one; a
completed visit is a maintenance case of that plan and asset that was
resolved, or (for a one-asset plan) the plan's recorded ``last_done_at``.
Before the first visit, the due date is the one set on the plan, else the
installation date plus the interval.

Everything is computed from history up to the date asked about, in a fixed
number of queries for any number of accounts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from aftersale.core.asof import end_of_day
from aftersale.service.models import Asset, AssetStatus, MaintenancePlan, ServiceCase

# Assets that are in the field and need their maintenance.
SERVICED = (AssetStatus.ACTIVE, AssetStatus.IN_REPAIR)


@dataclass(frozen=True)
class Visit:
    """The next visit of one plan at one asset (plain values: the scan builds one per asset)."""

    plan_id: int
    plan_name: str
    interval_days: int
    product_wide: bool
    asset_id: int
    asset_label: str  # "product #serial", as Asset.__str__
    account_id: int
    account_name: str
    due_on: date
    last_done_on: date | None
    as_of: date

    @property
    def overdue(self) -> bool:
        return self.due_on < self.as_of

    @property
    def days_overdue(self) -> int:
        return max((self.as_of - self.due_on).days, 0)

    @property
    def subject(self) -> str:
        """The alert subject: one open alert per plan (per asset, for product-wide plans)."""
        if not self.product_wide:
            return f"plan:{self.plan_id}"
        return f"plan:{self.plan_id}:asset:{self.asset_id}"


def due_date(
    *, interval_days: int, last_done: date | None, first_due: date | None, anchor: date,
) -> date:
    """When the next visit is due (pure: the rule the module docstring states)."""
    if last_done is not None:
        return last_done + timedelta(days=interval_days)
    if first_due is not None:
        return first_due
    return anchor + timedelta(days=interval_days)


def visits(
    as_of: date, account_ids: Iterable[int] | None = None, *, due_by: date | None = None,
) -> list[Visit]:
    """The next visit of every active (plan, asset) pair as of ``as_of``, earliest first.

    ``due_by`` keeps only visits due on or before that date. Three queries.
    """
    ids = list(account_ids) if account_ids is not None else None
    assets = Asset.objects.filter(status__in=SERVICED).filter(
        Q(installed_at__lte=as_of) | Q(installed_at__isnull=True, created_at__lte=end_of_day(as_of))
    )
    plans = MaintenancePlan.objects.filter(is_active=True).order_by()
    fields = ("pk", "asset_id", "product_id", "name", "interval_days", "last_done_at", "next_due_at")
    if ids is not None:
        assets = assets.filter(account_id__in=ids)
        # The accounts' own plans and the product-wide ones as two selects: one OR across the
        # join made PostgreSQL read every plan and asset, even for one account.
        plans = plans.filter(asset__account_id__in=ids).values(*fields).union(
            plans.filter(product__isnull=False).values(*fields)
        )
    else:
        plans = plans.values(*fields)
    plans = list(plans)
    if not plans:
        return []
    # A subquery rather than an id list (a portfolio may hold a plan for every asset),
    # and kept apart from the few product-wide plans so that each side uses an index.
    own_plan = MaintenancePlan.objects.filter(is_active=True, asset=OuterRef("pk"))
    products = {p["product_id"] for p in plans if p["product_id"] is not None}
    covered = {
        a["pk"]: a
        for a in assets.filter(Q(Exists(own_plan)) | Q(product_id__in=products)).order_by().values(
            "pk", "account_id", "product_id", "serial", "installed_at", "created_at",
            "account__name", "product__name",
        )
    }
    completions = ServiceCase.objects.filter(
        maintenance_plan__is_active=True, asset__isnull=False
    )
    if ids is not None:
        completions = completions.filter(account_id__in=ids)
    done = {
        (row["maintenance_plan_id"], row["asset_id"]): row
        for row in completions.order_by().values("maintenance_plan_id", "asset_id")
        .annotate(
            last=Max("resolved_at", filter=Q(resolved_at__lte=end_of_day(as_of))),
            n=Count("pk", filter=Q(resolved_at__isnull=False)),
        )
    }
    by_product: dict[int, list[dict]] = {}
    for asset in covered.values():
        by_product.setdefault(asset["product_id"], []).append(asset)

    result = []
    for plan in plans:
        if plan["asset_id"] is not None:
            targets = [covered[plan["asset_id"]]] if plan["asset_id"] in covered else []
        else:
            targets = by_product.get(plan["product_id"], [])
        for asset in targets:
            row = done.get((plan["pk"], asset["pk"]))
            last = timezone.localdate(row["last"]) if row and row["last"] else None
            first_due = None
            if plan["asset_id"] is not None:
                last_done = plan["last_done_at"]
                if last_done is not None and last_done <= as_of:
                    last = max(last, last_done) if last else last_done
                if last_done is None and not (row and row["n"]):
                    first_due = plan["next_due_at"]
            anchor = asset["installed_at"] or timezone.localdate(asset["created_at"])
            due = due_date(
                interval_days=plan["interval_days"], last_done=last, first_due=first_due, anchor=anchor
            )
            if due_by is None or due <= due_by:
                result.append(Visit(
                    plan_id=plan["pk"], plan_name=plan["name"], interval_days=plan["interval_days"],
                    product_wide=plan["asset_id"] is None, asset_id=asset["pk"],
                    asset_label=f"{asset['product__name']} #{asset['serial']}",
                    account_id=asset["account_id"], account_name=asset["account__name"],
                    due_on=due, last_done_on=last, as_of=as_of,
                ))
    result.sort(key=lambda v: (v.due_on, v.account_name, v.asset_label))
    return result
