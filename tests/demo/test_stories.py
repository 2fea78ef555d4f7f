"""Each demo story is there and recognisable by the query a user (or the engine) would run."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F, Max, Q, Sum

from aftersale.accounts.models import Account
from aftersale.commerce.models import Order, OrderLine, Quote
from aftersale.demo.clock import VIETNAM
from aftersale.engagement.models import Idea, InfoShare, TopicClass, Touchpoint
from aftersale.promises.models import Promise, PromiseStatus
from aftersale.reviews.models import CompetitorRating, RelationshipReview, TrustRating
from aftersale.service.models import MaintenancePlan, ServiceCase
from tests.demo.conftest import AS_OF

pytestmark = pytest.mark.django_db
NOW = VIETNAM.moment(AS_OF, 0)


def days_ago(n: int):
    return NOW - timedelta(days=n)


def transactional_share(account: Account) -> float:
    minutes = Touchpoint.objects.filter(account=account).aggregate(
        all=Sum("minutes"), tx=Sum("minutes", filter=Q(topic_class=TopicClass.TRANSACTIONAL))
    )
    return minutes["tx"] / minutes["all"]


def latest_trust(account: Account, direction: str) -> Decimal:
    return TrustRating.objects.filter(account=account, direction=direction).latest("rated_at").trust


def test_it_has_a_quiet_customer_that_still_orders(demo):
    quiet = Account.objects.get(external_id="DEMO-QUIET")
    assert Order.objects.filter(account=quiet, placed_at__gte=days_ago(90)).count() >= 2
    assert not ServiceCase.objects.filter(account=quiet, opened_at__gte=days_ago(365)).exists()
    assert not Touchpoint.objects.filter(
        account=quiet, initiated_by="customer", occurred_at__gte=days_ago(365)
    ).exists()
    # Silence is a change, not its nature: it used to ask and call.
    assert ServiceCase.objects.filter(account=quiet, opened_at__lt=days_ago(365)).count() >= 3
    assert Touchpoint.objects.filter(account=quiet, initiated_by="customer").exists()
    assert "quiet customer" in quiet.notes


def test_it_has_a_sales_promise_that_production_kept_late(demo):
    promise = Promise.objects.get(
        account__external_id="DEMO-LATE-PROMISE", made_by_department="sales",
        delivery_department="production", status=PromiseStatus.LATE,
    )
    assert promise.delivered_at > promise.due_at
    assert (promise.delivered_at - promise.due_at).days >= 30
    assert promise.made_by.department == "sales"
    assert promise.delivery_owner.department == "production"
    assert list(promise.events.order_by("at").values_list("action", flat=True)) == ["recorded", "late"]


def test_it_has_a_high_trust_partner_with_ideas_both_ways(demo):
    partner = Account.objects.get(external_id="DEMO-TRUSTED")
    assert transactional_share(partner) < 0.2
    ideas = Idea.objects.filter(account=partner, status="adopted")
    assert ideas.filter(direction="from_us").count() >= 3
    assert ideas.filter(direction="to_us").count() >= 3
    assert latest_trust(partner, "to_us") >= Decimal("4.5")
    assert latest_trust(partner, "from_us") >= Decimal("4.5")
    confidential = InfoShare.objects.filter(account=partner, is_confidential=True)
    assert set(confidential.values_list("direction", flat=True)) == {"from_us", "to_us"}
    # Little face time: fewer touchpoints a month than the haggler.
    haggler = Account.objects.get(external_id="DEMO-HAGGLER")
    meetings = Touchpoint.objects.filter(account=partner).count()
    assert meetings < Touchpoint.objects.filter(account=haggler).count() / 2


def test_it_has_a_price_haggler_with_thin_margins_and_low_trust(demo):
    haggler = Account.objects.get(external_id="DEMO-HAGGLER")
    assert transactional_share(haggler) > 0.5
    lines = OrderLine.objects.filter(order__account=haggler).aggregate(
        revenue=Sum(F("unit_price") * F("quantity")), cost=Sum(F("unit_cost") * F("quantity"))
    )
    margin = (lines["revenue"] - lines["cost"]) / lines["revenue"]
    assert Decimal("0") < margin < Decimal("0.1")
    assert latest_trust(haggler, "to_us") <= Decimal("2.5")
    assert latest_trust(haggler, "from_us") <= Decimal("2.5")


def test_it_has_a_press_with_overdue_maintenance_and_a_breached_repair(demo):
    plan = MaintenancePlan.objects.get(asset__serial="HP400-DA-0117")
    assert plan.asset.account.external_id == "DEMO-OVERDUE-PRESS"
    assert plan.asset.product.kind == "equipment"
    assert plan.next_due_at < AS_OF - timedelta(days=60)
    repair = ServiceCase.objects.get(asset=plan.asset, kind="repair", resolved_at__isnull=True)
    assert repair.severity == "high"
    assert repair.is_open
    assert repair.response_breached and repair.resolution_breached
    assert repair.first_response_at > repair.response_due_at
    assert repair.resolution_due_at < NOW
    assert repair.work_logs.filter(on_site=True, parts_cost__gt=0).exists()


def test_it_has_a_customer_whose_contact_faded(demo):
    faded = Account.objects.get(external_id="DEMO-FADED")
    before = Touchpoint.objects.filter(
        account=faded, occurred_at__gte=days_ago(520), occurred_at__lt=days_ago(155)
    ).count()
    assert before >= 30  # about every nine days for a year
    assert not Touchpoint.objects.filter(account=faded, occurred_at__gte=days_ago(155)).exists()
    assert Order.objects.filter(account=faded, placed_at__gte=days_ago(155)).exists()


def test_it_has_a_customer_courted_by_a_competitor(demo):
    courted = Account.objects.get(external_id="DEMO-COURTED")
    assert courted.competitors.filter(name="Hwa Shin Machinery").exists()
    review = RelationshipReview.objects.filter(account=courted).latest("held_at")
    ratings = CompetitorRating.objects.filter(review=review)
    ours = dict(ratings.filter(competitor=None).values_list("attribute", "score"))
    theirs = dict(
        ratings.filter(competitor__name="Hwa Shin Machinery").values_list("attribute", "score")
    )
    better = {attribute for attribute, score in theirs.items() if score > ours[attribute]}
    assert {"price", "responsiveness"} <= better
    assert Promise.objects.filter(account=courted, status=PromiseStatus.BROKEN).exists()
    # Our quote against Hwa Shin's cheaper offer, for the cost-of-ownership comparison.
    quote = Quote.objects.get(account=courted, competitor__name="Hwa Shin Machinery")
    ours_price = sum(line.unit_price * line.quantity for line in quote.lines.all())
    assert quote.competitor_price < ours_price
    assert quote.competitor_service_cost_per_year and quote.competitor_downtime_hours_per_year


def test_it_documents_every_story_in_the_account_notes(demo):
    notes = dict(Account.objects.filter(external_id__in=[
        "DEMO-QUIET", "DEMO-LATE-PROMISE", "DEMO-TRUSTED", "DEMO-HAGGLER", "DEMO-OVERDUE-PRESS",
        "DEMO-FADED", "DEMO-COURTED",
    ]).values_list("external_id", "notes"))
    assert len(notes) == 7
    for number, note in enumerate(sorted(notes.values(), key=lambda n: n[:13]), start=1):
        assert note.startswith(f"Demo story {number}")


def test_it_keeps_the_stories_before_the_as_of_date(demo):
    latest = Touchpoint.objects.filter(account__external_id__startswith="DEMO-").aggregate(Max("occurred_at"))
    assert latest["occurred_at__max"] < NOW
