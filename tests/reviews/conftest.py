"""Review fixtures, all frozen at noon on 30 June 2026 in Ho Chi Minh City.

``account`` (tier key: reviewed every 91 days) had a completed review on
31 March 2026, so the period under review is 1 April to 30 June 2026.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from aftersale.accounts.models import Competitor
from aftersale.core.enums import Department, Direction
from aftersale.engagement.actions import do_log_touchpoint
from aftersale.promises.models import Promise, PromiseStatus, Stage
from aftersale.reviews.models import (
    Attribute,
    CompetitorRating,
    Outcome,
    RelationshipReview,
    ReviewStatus,
    TrustRating,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 6, 30)


def at(y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=HCM)


@pytest.fixture
def frozen():
    with time_machine.travel(at(2026, 6, 30), tick=False) as traveller:
        yield traveller


@pytest.fixture
def rivals(account) -> tuple[Competitor, Competitor]:
    cheap = Competitor.objects.create(external_id="C-CHEAP", name="CheapCo")
    best = Competitor.objects.create(external_id="C-BEST", name="BestCo")
    account.competitors.set([cheap, best])
    return cheap, best


@pytest.fixture
def last_review(account, owner, rivals) -> RelationshipReview:
    """The completed review of 31 March 2026, with ratings: us, CheapCo and BestCo."""
    cheap, best = rivals
    review = RelationshipReview.objects.create(
        account=account, reviewer=owner, held_at=date(2026, 3, 31), status=ReviewStatus.COMPLETED,
        outcome=Outcome.STEADY, promises_kept=True, neglect_found=False,
        next_due_at=date(2026, 6, 30),
    )
    scores = {
        None: {Attribute.PRICE: 3, Attribute.QUALITY: 5, Attribute.SERVICE: 4},
        cheap.pk: {Attribute.PRICE: 5, Attribute.QUALITY: 3},
        best.pk: {Attribute.PRICE: 4, Attribute.QUALITY: 4, Attribute.SERVICE: 5},
    }
    CompetitorRating.objects.bulk_create(
        CompetitorRating(review=review, competitor_id=who, attribute=attribute, score=score)
        for who, by_attribute in scores.items() for attribute, score in by_attribute.items()
    )
    return review


def make_promise(account, owner, description: str, *, made: date, due: date,
                 status: str = PromiseStatus.OPEN, closed: date | None = None,
                 direction: str = Direction.FROM_US) -> Promise:
    return Promise.objects.create(
        account=account, description=description, stage=Stage.AFTER_SALE, made_at=made,
        made_by=owner, made_by_department=Department.SALES, due_at=due, delivery_owner=owner,
        delivery_department=Department.SERVICE, status=status, closed_at=closed,
        delivered_at=closed if status in PromiseStatus.delivered() else None, direction=direction,
    )


def touch(account, user, when: datetime, topic: str, minutes: int, department: str | None = None):
    return do_log_touchpoint(
        account=account, by=user, occurred_at=when, kind="meeting", initiated_by="vendor",
        minutes=minutes, topic=topic, participants=[user],
        departments={user.pk: department} if department else None,
    )


def rate(account, direction: str, day: date, trust: str, **kwargs) -> TrustRating:
    return TrustRating.objects.create(
        account=account, direction=direction, rated_at=day, trust=Decimal(trust), **kwargs
    )
