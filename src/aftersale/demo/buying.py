"""The buyer's-side records of the demo suppliers (P17, P18, P19): two years of goods
received and inspected, purchasing effort, orders with their bids and re-quotes, the
supplier's promises to us and its ideas, each supplier with its own story.

- DEMO-S-01, the trusted partner: we stopped inspecting its goods, buying from it takes
  few purchasing hours, we never re-quote, it keeps sending design ideas we adopt and
  keeps its delivery promises.
- DEMO-S-02, squeezed on price: every lot inspected and more and more rejected, many
  purchasing hours per unit bought, competing bids and re-quotes rising this half-year,
  its ideas stopped coming, its delivery promises slip.
- DEMO-S-03 and DEMO-S-04 sit in between.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from aftersale.core.enums import Currency, Direction
from aftersale.demo.storykit import StoryKit
from aftersale.promises.models import Promise, PromiseEvent, PromiseStatus, Stage
from aftersale.purchasing.models import IncomingInspection, Purchase, PurchasingEffort

HALF_YEAR = 182


@dataclass(frozen=True)
class Buying:
    """How we buy from one supplier: shares at the start of the two years and now."""

    inspected: tuple[float, float]  # share of lots inspected, two years ago -> now
    rejected: tuple[float, float]  # share of inspected lots rejected
    hours_per_million: float  # purchasing hours per million VND bought
    pressure: tuple[int, int]  # competing bids + re-quotes per order: earlier -> last half-year
    monthly_value: int  # VND bought a month
    ideas: tuple[int, int]  # ideas they sent us: the half-year before last, the last half-year
    promises_kept: float  # share of their delivery promises kept on time


BUYING = {
    "DEMO-S-01": Buying((0.5, 0.0), (0.02, 0.0), 0.4, (0, 0), 2_400_000_000, (2, 3), 0.95),
    "DEMO-S-02": Buying((1.0, 1.0), (0.03, 0.14), 2.4, (1, 4), 1_800_000_000, (3, 0), 0.5),
    "DEMO-S-03": Buying((0.8, 0.5), (0.04, 0.03), 1.0, (1, 1), 900_000_000, (1, 1), 0.8),
    "DEMO-S-04": Buying((0.9, 0.6), (0.03, 0.04), 1.1, (1, 2), 700_000_000, (1, 1), 0.75),
}

IDEAS = (
    ("design", "Thinner wall casting with the same strength"),
    ("manufacturing", "Machine both faces in one set-up"),
    ("process", "Kanban bins instead of weekly call-offs"),
    ("design", "Standard seal kit across three cylinder sizes"),
)


def _between(pair: tuple[float, float], share: float) -> float:
    """Linear from the first value (share 0, two years ago) to the second (share 1, now)."""
    return pair[0] + (pair[1] - pair[0]) * share


def build_buying(kit: StoryKit, account: int, ext: str) -> None:
    story = BUYING.get(ext)
    if story is None:
        return
    rng = kit.rng
    # Goods received about every three weeks.
    for ago in kit.series(21, 720, 5):
        share = 1 - ago / 720
        lots = rng.randint(6, 14)
        inspected = min(lots, round(lots * _between(story.inspected, share) + rng.uniform(-0.4, 0.4)))
        inspected = max(inspected, 0)
        rejected = min(inspected, round(inspected * _between(story.rejected, share) + rng.uniform(-0.3, 0.5)))
        kit.b.add(
            IncomingInspection, external_id=kit.next_id(f"{ext}-IN"), account_id=account,
            received_on=kit.day(ago), lots_received=lots, lots_inspected=inspected,
            lots_rejected=max(rejected, 0), inspected_by_id=kit.staff("production") if inspected else None,
            notes="",
        )
    # Purchasing effort per calendar quarter-long period, the latest ending before as_of.
    for n in range(8):
        end = kit.as_of - timedelta(days=1 + 91 * n)
        value = Decimal(round(story.monthly_value * 3 * rng.uniform(0.85, 1.15), -6))
        hours = float(value) / 1_000_000 * story.hours_per_million * rng.uniform(0.9, 1.1)
        hours = Decimal(str(round(hours, 1)))
        kit.b.add(
            PurchasingEffort, external_id=kit.next_id(f"{ext}-EF"), account_id=account,
            period_start=end - timedelta(days=90), period_end=end, staff_hours=hours,
            purchase_value=value, currency=Currency.VND,
        )
    # Orders about every five weeks; the pressure per order changes a half-year ago.
    for ago in kit.series(35, 720, 5):
        pressure = story.pressure[1] if ago < HALF_YEAR else story.pressure[0]
        pressure = max(0, pressure + rng.choice((-1, 0, 0, 1))) if pressure else 0
        bids = rng.randint(0, pressure)
        kit.b.add(
            Purchase, external_id=kit.next_id(f"{ext}-PO"), account_id=account,
            reference=f"PO-{ext[-2:]}-{ago:03d}", ordered_on=kit.day(ago),
            value=Decimal(round(story.monthly_value * rng.uniform(0.6, 1.4), -6)), currency=Currency.VND,
            competing_bids=bids, requotes=pressure - bids,
        )
    # Ideas the supplier sent us, in the half-year before last and the last one.
    earlier, recent = story.ideas
    for i in range(earlier + recent):
        before = i < earlier
        ago = rng.randint(HALF_YEAR + 10, 2 * HALF_YEAR - 10) if before else rng.randint(20, HALF_YEAR - 10)
        area, title = IDEAS[i % len(IDEAS)]
        adopted = ext != "DEMO-S-02" and ago > 40
        kit.idea(account, ext, ago, False, area, title, "adopted" if adopted else "proposed",
                 60_000_000 if adopted else None, decided_after=25)
    # The supplier's delivery promises to us, one a month.
    for ago in range(600, 20, -30):
        _promise_to_us(kit, account, ext, ago, rng.random() < story.promises_kept)


def _promise_to_us(kit: StoryKit, account: int, ext: str, due_ago: int, kept: bool) -> None:
    """A delivery date the supplier promised us; purchasing recorded it and chases it."""
    made, due = kit.day(due_ago + 45), kit.as_of - timedelta(days=due_ago)
    closed = kit.day(due_ago + 1) if kept else kit.day(max(due_ago - 12, 1))
    status = PromiseStatus.KEPT if kept else PromiseStatus.LATE
    buyer = kit.staff("purchasing")
    pk = kit.b.add(
        Promise, external_id=kit.next_id(f"{ext}-PT"), account_id=account, contact_id=None,
        direction=Direction.TO_US, description="Deliver the ordered lots on the agreed date",
        stage=Stage.DELIVERY, made_at=made, made_by_id=buyer, made_by_department="purchasing",
        due_at=due, original_due_at=None, delivery_owner_id=buyer, delivery_department="purchasing",
        status=status, delivered_at=closed, closed_at=closed, evidence="Goods received note",
        renegotiations=0, version=2,
    )
    kit.b.add(PromiseEvent, promise_id=pk, at=kit.calendar.moment(made, 11), by_id=buyer,
              action="recorded", changes="{}", note="", version=1)
    kit.b.add(PromiseEvent, promise_id=pk, at=kit.calendar.moment(closed, 11), by_id=buyer,
              action=str(status), changes=json.dumps({"status": ["open", str(status)]}), note="", version=2)
