"""Trust ratings, the face-time and trust reports, and "does trust pay?"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from aftersale.accounts.models import Account
from aftersale.commerce.models import Order
from aftersale.core.enums import Department, Direction
from aftersale.engagement.models import Topic
from aftersale.reviews.actions import trust_from_answers
from aftersale.reviews.models import TrustRating
from aftersale.reviews.stats import correlate, reading
from aftersale.reviews.trust_pays import REVENUE_UNITS, trust_cost_rows
from aftersale.service.models import WorkLog
from tests.reviews.conftest import TODAY, at, rate, touch

pytestmark = pytest.mark.usefixtures("frozen")


def test_it_records_a_trust_rating_from_the_short_survey(owner_client, account, contact):
    response = owner_client.post(reverse("trust_new", args=[account.pk]), {
        "direction": "to_us", "rated_at": "2026-06-20", "rated_by_contact": contact.pk,
        "item_keeps_word": "5", "item_no_exploit": "4", "item_candid": "4", "satisfaction": "8",
        "comment": "Reliable."})
    assert response["Location"] == reverse("account_trust", args=[account.pk])
    rating = TrustRating.objects.get()
    assert rating.trust == Decimal("4.33") and rating.rated_by_contact == contact
    assert rating.answers == {"keeps_word": 5, "no_exploit": 4, "candid": 4}
    assert trust_from_answers({"keeps_word": 1, "no_exploit": 2, "candid": 2}) == Decimal("1.67")


def test_it_needs_the_contact_who_answered_for_their_rating(owner_client, account, other_contact):
    response = owner_client.post(reverse("trust_new", args=[account.pk]), {
        "direction": "to_us", "rated_at": "2026-06-20", "rated_by_contact": other_contact.pk,
        "item_keeps_word": "5", "item_no_exploit": "4", "item_candid": "4"})
    assert response.status_code == 200 and not TrustRating.objects.exists()


def test_it_reports_face_time_and_trust_for_an_account(owner_client, account, owner, colleague):
    touch(account, owner, at(2026, 5, 2), Topic.PRICE, 60)
    touch(account, colleague, at(2026, 5, 3), Topic.PLANNING, 180, Department.ENGINEERING)
    rate(account, Direction.TO_US, date(2026, 5, 1), "4.50")
    body = owner_client.get(reverse("account_trust", args=[account.pk])).content.decode()
    assert "25%" in body  # 60 of 240 classified minutes
    assert "75%" in body  # the engineer's 180 of 240 participant minutes
    assert "4.5" in body and "<svg" in body
    assert "47%" in body  # the least-trusted reference level


def test_it_ranks_the_portfolio_most_transactional_first(manager_client, account, other_account,
                                                          owner, colleague):
    touch(account, owner, at(2026, 5, 2), Topic.PRICE, 90)
    touch(account, owner, at(2026, 5, 3), Topic.PLANNING, 10)
    touch(other_account, colleague, at(2026, 5, 2), Topic.PRICE, 10)
    touch(other_account, colleague, at(2026, 5, 3), Topic.DESIGN_IDEA, 90)
    body = manager_client.get(reverse("face_time_report")).content.decode()
    assert body.index(account.name) < body.index(other_account.name)
    assert "band band-at_risk" in body and "band band-healthy" in body


def test_it_computes_pearson_and_spearman_on_a_known_sample():
    result = correlate([1, 2, 3, None], [1, 2, 4, 7])
    # By hand: r = 3 / sqrt(2 * 42/9) = 0.98198; the ranks agree perfectly.
    assert result.n == 3
    assert result.pearson == pytest.approx(0.981981, abs=1e-6)
    assert result.spearman == pytest.approx(1.0)
    assert correlate([1, 2], [3, 4]) is None
    assert correlate([1, 1, 1], [1, 2, 3]) is None
    with translation.override("en"):
        assert "no visible link" in reading(correlate([1, 2, 3, 4, 5], [2, 1, 3, 1, 2]), "trust", "cost")
        assert "Not enough accounts" in reading(None, "trust", "cost")


@pytest.fixture
def portfolio(owner, colleague):
    """Four customers: the more they trust, the less they cost to serve and to sell to."""
    accounts = []
    for i, (trust, cost, tx_minutes) in enumerate([("4.80", 1, 10), ("4.00", 2, 30), ("3.00", 4, 50),
                                                   ("2.00", 8, 200)]):
        acc = Account.objects.create(external_id=f"T-{i}", name=f"Trust {i}", owner=owner)
        rate(acc, Direction.TO_US, date(2026, 6, 1), trust)
        Order.objects.create(account=acc, placed_at=at(2026, 3, 1), total=Decimal(10_000_000_000),
                             currency="VND")
        WorkLog.objects.create(account=acc, user=colleague, department=Department.SERVICE,
                               worked_on=date(2026, 4, 1), hours=Decimal(1),
                               labour_cost=Decimal(cost * 100_000_000), currency="VND")
        touch(acc, owner, at(2026, 5, 1), Topic.PRICE, tx_minutes)
        touch(acc, owner, at(2026, 5, 2), Topic.PLANNING, 100)
        accounts.append(acc)
    return accounts


def test_it_measures_trust_against_cost_to_serve_and_effort(portfolio):
    rows, currency, missing = trust_cost_rows(TODAY, [a.pk for a in portfolio])
    assert (currency, missing) == ("VND", set())
    first = rows[0]
    assert first.trust == 4.8 and first.cost_ratio == pytest.approx(0.01)
    assert first.effort(REVENUE_UNITS["VND"]) == pytest.approx(1.0)  # 10 minutes per 10 billion, per billion
    assert rows[3].transactional_share == pytest.approx(200 / 300)


def test_it_shows_the_correlation_with_n_and_a_reading(manager_client, portfolio):
    with translation.override("en"):
        response = manager_client.get(reverse("trust_pays") + "?owner=all")
    results = {(str(r["x"]), str(r["y"])): r for r in response.context["results"]}
    trust_cost = results[("trust", "cost-to-serve per unit of revenue")]["result"]
    assert trust_cost.n == 4 and trust_cost.spearman == pytest.approx(-1.0)
    assert trust_cost.pearson < -0.9
    reading_text = results[("trust", "cost-to-serve per unit of revenue")]["reading"]
    assert "a strong link" in reading_text and "lower" in reading_text and "4 accounts" in reading_text
    share_effort = results[("transactional share of face time", "transactional minutes per unit of revenue")]
    assert share_effort["result"].spearman == pytest.approx(1.0)


def test_it_keeps_the_trust_report_for_managers(client, owner, manager):
    client.force_login(owner)
    assert client.get(reverse("trust_pays")).status_code == 403
    client.force_login(manager)
    assert client.get(reverse("trust_pays")).status_code == 200


def test_it_builds_the_reports_in_a_bounded_number_of_queries(manager_client, portfolio,
                                                                django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        manager_client.get(reverse("trust_pays"))
    with django_assert_max_num_queries(20):
        manager_client.get(reverse("face_time_report"))
