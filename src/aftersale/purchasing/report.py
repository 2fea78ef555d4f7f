"""The partnership report: every supplier's buyer-side measures side by side, and the
suppliers grouped by trust against inspection, purchasing effort and price pressure,
with the reference levels of P17.

``supplier_rows`` reads a fixed number of queries whatever the number of suppliers
(one per measure); the grouping is plain arithmetic over the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.functional import Promise as LazyText
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account
from aftersale.core.enums import Direction
from aftersale.promises.measures import PromiseMeasures, promise_measures
from aftersale.purchasing import measures
from aftersale.purchasing.measures import Effort, IdeasReceived, Inspections, PricePressure
from aftersale.reviews.conf import LEAST_TRUSTED_SHARE, MOST_TRUSTED_SHARE
from aftersale.reviews.measures import FaceTime, TrustMeasure, face_time, trust_measures

# Trust (mean of both directions, 1..5) that puts a supplier among the most / least trusted.
MOST_TRUSTED_MIN = 4.0
LEAST_TRUSTED_BELOW = 3.0
# P17: the least-trusted automaker's purchasing cost per unit bought was several times the
# most trusted's; shown beside our own ratio as a yardstick.
REFERENCE_COST_RATIO = "3+"


@dataclass
class SupplierRow:
    account: Account
    trust: TrustMeasure | None = None
    inspections: Inspections | None = None
    effort: Effort | None = None
    cost_ratio: float | None = None
    pressure: PricePressure | None = None
    face: FaceTime | None = None
    ideas: IdeasReceived | None = None
    promises_to_us: PromiseMeasures | None = None  # the supplier's promises to us
    promises_from_us: PromiseMeasures | None = None  # our promises to the supplier

    @property
    def trust_mean(self) -> float | None:
        return self.trust.mean if self.trust else None

    @property
    def transactional_share(self) -> float | None:
        return self.face.share if self.face else None


def supplier_rows(suppliers: list[Account], as_of: date) -> list[SupplierRow]:
    """One row per supplier (already scoped to the user), measured as of the day; a fixed
    number of queries (one per measure) whatever the number of suppliers."""
    ids = [a.pk for a in suppliers]
    if not ids:
        return []
    efforts = measures.purchasing_effort(as_of)  # every supplier: the leanest sets the yardstick
    ratios = measures.cost_ratios(efforts)
    trust = trust_measures(as_of, ids)
    inspected = measures.inspections(as_of, ids)
    pressure = measures.price_pressure(as_of, ids)
    faces = face_time(as_of, ids)
    ideas = measures.ideas_received(as_of, ids)
    to_us = measures.supplier_promises(as_of, ids)
    from_us = promise_measures(as_of, ids, direction=Direction.FROM_US)
    return [
        SupplierRow(
            account=a, trust=trust.get(a.pk), inspections=inspected.get(a.pk), effort=efforts.get(a.pk),
            cost_ratio=ratios.get(a.pk), pressure=pressure.get(a.pk), face=faces.get(a.pk),
            ideas=ideas.get(a.pk), promises_to_us=to_us.get(a.pk), promises_from_us=from_us.get(a.pk),
        )
        for a in suppliers
    ]


@dataclass
class TrustGroup:
    """Suppliers of one trust level, their figures pooled (sums, not means of rates)."""

    key: str
    label: str | LazyText
    rows: list[SupplierRow] = field(default_factory=list)

    def _sum(self, attr: str, part: str) -> float:
        return float(sum(getattr(getattr(r, attr), part) for r in self.rows if getattr(r, attr)))

    @property
    def transactional_share(self) -> float | None:
        face = FaceTime()
        for row in self.rows:
            if row.face:
                face.transactional += row.face.transactional
                face.collaborative += row.face.collaborative
        return face.share

    @property
    def inspection_rate(self) -> float | None:
        received = self._sum("inspections", "received")
        return self._sum("inspections", "inspected") / received if received else None

    @property
    def rejection_rate(self) -> float | None:
        inspected = self._sum("inspections", "inspected")
        return self._sum("inspections", "rejected") / inspected if inspected else None

    @property
    def hours_per_million(self) -> float | None:
        value = sum((r.effort.value for r in self.rows if r.effort), Decimal(0))
        hours = sum((r.effort.hours for r in self.rows if r.effort), Decimal(0))
        return float(hours) * 1_000_000 / float(value) if value else None

    @property
    def requotes_per_order(self) -> float | None:
        orders = self._sum("pressure", "orders")
        return (self._sum("pressure", "requotes") + self._sum("pressure", "competing_bids")) / orders \
            if orders else None

    @property
    def ideas(self) -> int:
        return int(self._sum("ideas", "received"))


def trust_groups(rows: list[SupplierRow]) -> list[TrustGroup]:
    """Most trusted, middle, least trusted, and not yet rated (only groups with suppliers)."""
    groups = {
        "most": TrustGroup("most", _("Most trusted (4 or more)")),
        "middle": TrustGroup("middle", _("In between")),
        "least": TrustGroup("least", _("Least trusted (below 3)")),
        "unrated": TrustGroup("unrated", _("No trust rating yet")),
    }
    for row in rows:
        trust = row.trust_mean
        if trust is None:
            key = "unrated"
        elif trust >= MOST_TRUSTED_MIN:
            key = "most"
        elif trust < LEAST_TRUSTED_BELOW:
            key = "least"
        else:
            key = "middle"
        groups[key].rows.append(row)
    return [g for g in groups.values() if g.rows]


def cost_gap(groups: list[TrustGroup]) -> float | None:
    """Purchasing hours per unit bought at the least trusted, as a multiple of the most trusted."""
    by_key = {g.key: g for g in groups}
    most, least = by_key.get("most"), by_key.get("least")
    if not most or not least or not most.hours_per_million or least.hours_per_million is None:
        return None
    return least.hours_per_million / most.hours_per_million


REFERENCES = {
    "least_share": LEAST_TRUSTED_SHARE, "most_share": MOST_TRUSTED_SHARE,
    "cost_ratio": REFERENCE_COST_RATIO,
}
