"""Suppliers for the purchasing tests: ``supplier`` (owned by ``owner``) and a second one."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine

from aftersale.accounts.models import Account, AccountKind, Industry, Tier
from aftersale.core.enums import Department, Direction
from aftersale.engagement.models import Idea, IdeaStatus, InitiatedBy, Topic, Touchpoint, TouchpointKind
from aftersale.promises.models import Promise, PromiseStatus, Stage
from aftersale.purchasing.models import IncomingInspection, Purchase, PurchasingEffort


@pytest.fixture
def supplier(owner) -> Account:
    return Account.objects.create(
        external_id="SUP-1", name="Thủy lực Việt Nhật", kind=AccountKind.SUPPLIER,
        industry=Industry.OTHER, tier=Tier.KEY, owner=owner,
    )


@pytest.fixture
def other_supplier(colleague) -> Account:
    return Account.objects.create(
        external_id="SUP-2", name="Pacific Steel", kind=AccountKind.SUPPLIER,
        industry=Industry.OTHER, tier=Tier.KEY, owner=colleague,
    )


AS_OF = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 10, 0, tzinfo=UTC)  # 17:00 in Hanoi


def touch(account, day: date, topic: str, minutes: int) -> Touchpoint:
    return Touchpoint.objects.create(
        account=account, occurred_at=datetime.combine(day, time(3, 0), tzinfo=UTC),
        kind=TouchpointKind.MEETING, initiated_by=InitiatedBy.VENDOR, minutes=minutes, topic=topic,
    )


def idea(account, day: date, direction: str, status: str = IdeaStatus.PROPOSED,
         decided: date | None = None, title: str = "Lighter rod") -> Idea:
    return Idea.objects.create(account=account, direction=direction, area="design", title=title,
                               proposed_at=day, status=status, decided_at=decided)


def promise(account, user, due: date, direction: str, status: str = PromiseStatus.OPEN,
            closed: date | None = None) -> Promise:
    return Promise.objects.create(
        account=account, direction=direction, description="Deliver the castings", stage=Stage.DELIVERY,
        made_at=due - timedelta(days=60), made_by=user, made_by_department=Department.PURCHASING,
        due_at=due, delivery_owner=user, delivery_department=Department.PURCHASING, status=status,
        closed_at=closed, delivered_at=closed if status in (PromiseStatus.KEPT, PromiseStatus.LATE) else None,
    )


@pytest.fixture
def story(supplier, other_supplier, owner, account):
    """A year of buying from ``supplier`` up to AS_OF, with rows after AS_OF and rows
    pointing the other way that every measure must ignore."""
    with time_machine.travel(NOW, tick=False):
        inspect = IncomingInspection.objects.create
        inspect(account=supplier, received_on=date(2024, 12, 1), lots_received=10, lots_inspected=10)
        inspect(account=supplier, received_on=date(2025, 8, 10), lots_received=10, lots_inspected=10,
                lots_rejected=1)
        inspect(account=supplier, received_on=date(2026, 3, 1), lots_received=10, lots_inspected=4)
        inspect(account=supplier, received_on=date(2026, 7, 5), lots_received=5, lots_inspected=5,
                lots_rejected=5)
        effort = PurchasingEffort.objects.create
        effort(account=supplier, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31),
               staff_hours=Decimal(100), purchase_value=Decimal(500_000_000), currency="VND")
        effort(account=supplier, period_start=date(2026, 4, 1), period_end=date(2026, 6, 30),
               staff_hours=Decimal(60), purchase_value=Decimal(300_000_000), currency="VND")
        effort(account=supplier, period_start=date(2026, 7, 1), period_end=date(2026, 9, 30),
               staff_hours=Decimal(999), purchase_value=Decimal(1), currency="VND")
        effort(account=other_supplier, period_start=date(2026, 1, 1), period_end=date(2026, 6, 30),
               staff_hours=Decimal(200), purchase_value=Decimal(100_000_000), currency="VND")
        buy = Purchase.objects.create
        buy(account=supplier, ordered_on=date(2025, 9, 1), value=Decimal(1), competing_bids=2, requotes=1)
        buy(account=supplier, ordered_on=date(2026, 2, 1), value=Decimal(1), requotes=3)
        buy(account=supplier, ordered_on=date(2026, 5, 1), value=Decimal(1), competing_bids=1)
        buy(account=supplier, ordered_on=date(2026, 7, 1), value=Decimal(1), requotes=9)
        touch(supplier, date(2026, 1, 10), Topic.PRICE, 60)
        touch(supplier, date(2026, 2, 10), Topic.DESIGN_IDEA, 120)
        touch(supplier, date(2026, 3, 10), Topic.CONTRACT, 30)
        touch(supplier, date(2026, 7, 10), Topic.PRICE, 600)
        idea(supplier, date(2026, 2, 1), Direction.TO_US, IdeaStatus.ADOPTED, date(2026, 3, 1))
        idea(supplier, date(2026, 5, 1), Direction.TO_US, IdeaStatus.ADOPTED, date(2026, 7, 10))
        idea(supplier, date(2026, 2, 1), Direction.FROM_US, IdeaStatus.ADOPTED, date(2026, 3, 1))
        idea(account, date(2026, 2, 1), Direction.TO_US)
        promise(supplier, owner, date(2026, 3, 1), Direction.TO_US, PromiseStatus.KEPT, date(2026, 2, 28))
        promise(supplier, owner, date(2026, 4, 1), Direction.TO_US, PromiseStatus.BROKEN, date(2026, 4, 2))
        promise(supplier, owner, date(2026, 3, 1), Direction.FROM_US, PromiseStatus.KEPT, date(2026, 2, 28))
    return supplier
