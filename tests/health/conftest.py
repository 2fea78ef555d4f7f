"""Small builders for the health engine's fixtures.

Every test freezes time at ``NOW`` (or travels explicitly) and builds only the
few rows its signal needs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from aftersale.accounts.models import Account
from aftersale.alerts import registry as alert_registry
from aftersale.commerce.models import Channel, Order, Product, ProductKind
from aftersale.core.enums import Department, Direction
from aftersale.engagement.models import (
    Idea,
    IdeaStatus,
    InfoKind,
    InfoShare,
    InitiatedBy,
    Topic,
    Touchpoint,
    TouchpointKind,
    TouchpointParticipant,
)
from aftersale.health import engine_alerts, rhythm
from aftersale.promises.models import Promise, PromiseStatus, Stage
from aftersale.reviews.models import (
    CompetitorRating,
    JointPlan,
    RelationshipReview,
    ReviewStatus,
    TrustRating,
)
from aftersale.service.models import Asset, MaintenancePlan, ServiceCase, WorkLog

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
TODAY = date(2026, 6, 15)


def days_ago(n: float, base: datetime = NOW) -> datetime:
    return base - timedelta(days=n)


def day(n: int, base: date = TODAY) -> date:
    """The date ``n`` days before ``base``."""
    return base - timedelta(days=n)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def english():
    """Explanations are compared word for word: in English, whatever an earlier test activated."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def clean_registries():
    """Tests may register fake alert conditions and rhythm models; put everything back."""
    conditions = alert_registry.registered()
    kinds = engine_alerts.registered()
    yield
    alert_registry._conditions.clear()
    alert_registry._conditions.update(conditions)
    engine_alerts._kinds.clear()
    engine_alerts._kinds.update(kinds)
    rhythm.reset_models()


def order(account: Account, when: datetime, channel: str = Channel.REP, total: str = "100") -> Order:
    return Order.objects.create(account=account, placed_at=when, total=Decimal(total), channel=channel)


def touchpoint(account: Account, when: datetime, *, minutes: int = 60, topic: str = Topic.PLANNING,
               departments: tuple[str, ...] = (), initiated_by: str = InitiatedBy.VENDOR,
               kind: str = TouchpointKind.MEETING) -> Touchpoint:
    tp = Touchpoint.objects.create(
        account=account, occurred_at=when, kind=kind, initiated_by=initiated_by,
        minutes=minutes, topic=topic,
    )
    for department in departments:
        TouchpointParticipant.objects.create(touchpoint=tp, department=department)
    return tp


def promise(account: Account, by, *, due: date, made: date | None = None,
            status: str = PromiseStatus.OPEN, closed: date | None = None) -> Promise:
    return Promise.objects.create(
        account=account, description="Deliver the spare kit", stage=Stage.SALE,
        made_at=made or due - timedelta(days=30), made_by=by, made_by_department=Department.SALES,
        due_at=due, delivery_owner=by, delivery_department=Department.SERVICE, status=status,
        closed_at=closed, delivered_at=closed if status in PromiseStatus.delivered() else None,
        direction=Direction.FROM_US,
    )


def case(account: Account, opened: datetime, **fields) -> ServiceCase:
    fields.setdefault("kind", "repair")
    fields.setdefault("title", "Spindle noise")
    return ServiceCase.objects.create(account=account, opened_at=opened, **fields)


def product(name: str = "Lathe L-200", kind: str = ProductKind.EQUIPMENT) -> Product:
    return Product.objects.create(name=name, kind=kind)


def asset(account: Account, prod: Product, serial: str, installed: date | None = None) -> Asset:
    return Asset.objects.create(account=account, product=prod, serial=serial, installed_at=installed)


def plan(*, asset: Asset | None = None, prod: Product | None = None, interval: int = 90,
         next_due: date | None = None, last_done: date | None = None) -> MaintenancePlan:
    p = MaintenancePlan.objects.create(
        asset=asset, product=prod, name="Quarterly service", interval_days=interval,
        next_due_at=next_due, last_done_at=last_done,
    )
    MaintenancePlan.objects.filter(pk=p.pk).update(created_at=days_ago(400))
    return p


def worklog(account: Account, user, when: date, *, hours: str = "2", department: str = Department.SERVICE,
            on_site: bool = True) -> WorkLog:
    return WorkLog.objects.create(
        account=account, user=user, department=department, worked_on=when, hours=Decimal(hours),
        on_site=on_site,
    )


def idea(account: Account, when: date, direction: str = Direction.FROM_US, status: str = IdeaStatus.PROPOSED,
         decided: date | None = None) -> Idea:
    return Idea.objects.create(
        account=account, direction=direction, title="Shorter changeover", proposed_at=when,
        status=status, decided_at=decided,
    )


def info(account: Account, when: date, direction: str = Direction.TO_US) -> InfoShare:
    return InfoShare.objects.create(
        account=account, direction=direction, kind=InfoKind.FORECAST, shared_at=when,
        description="Demand forecast for next year",
    )


def trust_rating(account: Account, when: date, value: str, direction: str = Direction.TO_US) -> TrustRating:
    return TrustRating.objects.create(
        account=account, direction=direction, rated_at=when, trust=Decimal(value)
    )


def review(account: Account, reviewer, held: date, **fields) -> RelationshipReview:
    fields.setdefault("status", ReviewStatus.COMPLETED)
    return RelationshipReview.objects.create(account=account, reviewer=reviewer, held_at=held, **fields)


def rating(rev: RelationshipReview, attribute: str, score: int, competitor=None) -> CompetitorRating:
    return CompetitorRating.objects.create(
        review=rev, attribute=attribute, score=score, competitor=competitor
    )


def joint_plan(account: Account, start: date, end: date, *, touched: datetime) -> JointPlan:
    jp = JointPlan.objects.create(account=account, title="2026 plan", period_start=start, period_end=end)
    JointPlan.objects.filter(pk=jp.pk).update(created_at=touched, updated_at=touched)
    return jp
