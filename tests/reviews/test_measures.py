"""Face time, staff time, ideas and information, trust and the last review, as of a date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from aftersale.accounts.models import Account
from aftersale.core.enums import Department, Direction
from aftersale.engagement.models import Idea, IdeaStatus, InfoShare, Topic
from aftersale.reviews.measures import (
    competitor_gaps,
    decayed_mean,
    exchange,
    face_time,
    face_time_by_quarter,
    last_reviews,
    next_quarter,
    quarters_between,
    quarters_ending,
    staff_time,
    trust_by_quarter,
    trust_measures,
)
from aftersale.reviews.models import RelationshipReview, ReviewStatus
from aftersale.service.models import WorkLog
from tests.reviews.conftest import TODAY, at, rate, touch

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def meetings(account, other_account, owner, colleague):
    touch(account, owner, at(2026, 5, 2), Topic.PRICE, 60)
    touch(account, owner, at(2026, 5, 9), Topic.CONTRACT, 30)
    touch(account, colleague, at(2026, 6, 1), Topic.DESIGN_IDEA, 90)  # production
    touch(account, owner, at(2026, 6, 2), Topic.OTHER, 45)
    touch(account, owner, at(2026, 2, 10), Topic.DISPUTE, 120)  # Q1
    touch(account, owner, at(2025, 6, 1), Topic.PRICE, 500)  # more than 12 months ago
    touch(other_account, colleague, at(2026, 6, 3), Topic.TRAINING, 100)


def test_it_measures_the_transactional_share_of_classified_face_time(account, other_account, meetings):
    face = face_time(TODAY)
    mine = face[account.pk]
    assert (mine.transactional, mine.collaborative, mine.other) == (210, 90, 45)
    assert mine.share == pytest.approx(210 / 300)  # "other" says nothing either way
    assert face[other_account.pk].share == 0.0
    # As of 1 May nothing of May or June had happened.
    assert face_time(date(2026, 5, 1), [account.pk])[account.pk].share == 1.0


def test_it_splits_face_time_by_quarter(account, meetings):
    quarters = quarters_ending(TODAY, 2)
    assert quarters == [date(2026, 1, 1), date(2026, 4, 1)]
    by_quarter = face_time_by_quarter(TODAY, [account.pk], quarters=2)[account.pk]
    assert by_quarter[date(2026, 1, 1)].transactional == 120
    assert by_quarter[date(2026, 4, 1)].share == pytest.approx(90 / 180)
    pooled = face_time_by_quarter(TODAY, None, quarters=2, pooled=True)[None]
    assert pooled[date(2026, 4, 1)].collaborative == 190


def test_it_measures_the_technical_share_of_our_time(account, owner, colleague, meetings):
    WorkLog.objects.create(account=account, user=colleague, department=Department.SERVICE,
                           worked_on=date(2026, 6, 5), hours=Decimal("2.5"), on_site=True)
    WorkLog.objects.create(account=account, user=colleague, department=Department.SERVICE,
                           worked_on=date(2026, 6, 6), hours=Decimal("8"), on_site=False)
    time = staff_time(TODAY, [account.pk])[account.pk][None]
    assert time.by_department == {Department.SALES: 255, Department.PRODUCTION: 90, Department.SERVICE: 150}
    assert time.technical_share == pytest.approx(240 / 495)
    quarterly = staff_time(TODAY, [account.pk], since=date(2026, 4, 1), by_quarter=True)[account.pk]
    assert set(quarterly) == {date(2026, 4, 1)}


def test_it_counts_ideas_and_information_both_ways_in_the_last_12_months(account):
    def idea(direction, proposed, status=IdeaStatus.PROPOSED, decided=None):
        Idea.objects.create(account=account, direction=direction, title="x", proposed_at=proposed,
                            status=status, decided_at=decided)

    idea(Direction.FROM_US, date(2026, 1, 1), IdeaStatus.ADOPTED, date(2026, 2, 1))
    idea(Direction.TO_US, date(2026, 3, 1), IdeaStatus.ADOPTED, date(2026, 7, 1))  # decided later
    idea(Direction.TO_US, date(2026, 4, 1))
    idea(Direction.TO_US, date(2025, 6, 30))  # just outside the window
    InfoShare.objects.create(account=account, direction=Direction.TO_US, kind="forecast",
                             shared_at=date(2026, 5, 1), description="Forecast", is_confidential=True)
    InfoShare.objects.create(account=account, direction=Direction.FROM_US, kind="roadmap",
                             shared_at=date(2026, 5, 2), description="Roadmap")
    flows = exchange(TODAY, [account.pk])[account.pk]
    assert (flows.ideas_from_us, flows.ideas_to_us) == (1, 2)
    assert (flows.adopted_from_us, flows.adopted_to_us) == (1, 0)
    assert (flows.info_from_us, flows.info_to_us, flows.confidential_to_us) == (1, 1, 1)
    assert exchange(date(2026, 4, 30), [account.pk])[account.pk].info_to_us == 0


def test_it_decays_trust_ratings_with_age(account, other_account):
    assert decayed_mean([(0, 5.0), (180, 2.0)], 180) == pytest.approx((5 + 0.5 * 2) / 1.5)
    assert decayed_mean([], 180) is None
    rate(account, Direction.TO_US, date(2026, 6, 30), "5.00", satisfaction=9)
    rate(account, Direction.TO_US, date(2026, 1, 1), "2.00")
    rate(account, Direction.FROM_US, date(2026, 6, 1), "4.00")
    rate(account, Direction.TO_US, date(2026, 7, 1), "1.00")  # after as_of
    trust = trust_measures(TODAY)[account.pk]
    weight = 0.5 ** (180 / 180)
    assert trust.to_us == pytest.approx((5 + weight * 2) / (1 + weight))
    assert trust.from_us == 4.0 and (trust.n_to_us, trust.n_from_us) == (2, 1)
    assert trust.satisfaction == 9.0
    assert trust.mean == pytest.approx((trust.to_us + 4.0) / 2)
    assert other_account.pk not in trust_measures(TODAY)
    by_quarter = trust_by_quarter(TODAY, [account.pk], quarters=2)[account.pk]
    assert by_quarter[date(2026, 4, 1)] == {Direction.TO_US: (5.0, 1), Direction.FROM_US: (4.0, 1)}


def test_it_reports_the_last_completed_review_and_its_competitor_gap(account, owner, last_review, rivals):
    RelationshipReview.objects.create(account=account, reviewer=owner, held_at=date(2026, 6, 1),
                                      status=ReviewStatus.DRAFT, outcome="improving")
    summary = last_reviews(TODAY)[account.pk]
    assert summary.review_id == last_review.pk and summary.outcome == "steady"
    assert summary.gap_by_attribute == {"price": -2, "quality": 1, "service": -1}
    assert summary.mean_gap == pytest.approx(-2 / 3)
    assert last_reviews(date(2026, 3, 30)) == {}


def test_it_compares_with_the_best_competitor_per_attribute():
    rows = competitor_gaps([(None, "price", 3), (1, "price", 4), (2, "price", 2), (1, "delivery", 5)])
    by = {r.attribute: r for r in rows}
    assert (by["price"].gap, by["price"].best_competitor_id) == (-1, 1)
    assert by["delivery"].us is None and by["delivery"].gap is None


def test_it_measures_the_portfolio_in_a_fixed_number_of_queries(
    owner, colleague, django_assert_max_num_queries,
):
    for i in range(12):
        acc = Account.objects.create(external_id=f"M-{i}", name=f"M {i}", owner=owner)
        touch(acc, colleague, at(2026, 6, 1), Topic.PRICE, 30)
        rate(acc, Direction.TO_US, date(2026, 6, 1), "3.00")
    with django_assert_max_num_queries(9):
        face_time(TODAY)
        face_time_by_quarter(TODAY, pooled=True)
        staff_time(TODAY, by_quarter=True)
        exchange(TODAY)
        trust_measures(TODAY)
        trust_by_quarter(TODAY)
        last_reviews(TODAY)


def test_it_steps_through_calendar_quarters():
    assert next_quarter(date(2026, 10, 1)) == date(2027, 1, 1)
    assert next_quarter(date(2026, 1, 1)) == date(2026, 4, 1)
    assert quarters_between(date(2025, 12, 30), date(2026, 6, 30)) == [
        date(2025, 10, 1), date(2026, 1, 1), date(2026, 4, 1)
    ]
    assert quarters_ending(date(2026, 2, 1), 3) == [date(2025, 7, 1), date(2025, 10, 1), date(2026, 1, 1)]
