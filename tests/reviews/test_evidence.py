"""The evidence that pre-fills each of the four questions, as of the review date."""

from __future__ import annotations

from datetime import date

import pytest

from aftersale.accounts.models import Account, Tier
from aftersale.alerts.models import Alert, AlertKind
from aftersale.commerce.models import Product, ProductKind
from aftersale.core.enums import Direction
from aftersale.health.models import HealthSnapshot
from aftersale.promises.models import PromiseStatus
from aftersale.reviews.evidence import gather_evidence, suggest_outcome
from aftersale.reviews.models import Expectation, Side
from aftersale.reviews.views import health_trend
from aftersale.service.models import Asset, MaintenancePlan, ServiceCase
from tests.alerts.examples import silent
from tests.reviews.conftest import TODAY, at, make_promise

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def promises(account, owner):
    make_promise(account, owner, "kept", made=date(2026, 1, 5), due=date(2026, 4, 15),
                 status=PromiseStatus.KEPT, closed=date(2026, 4, 14))
    make_promise(account, owner, "late", made=date(2026, 1, 5), due=date(2026, 5, 1),
                 status=PromiseStatus.LATE, closed=date(2026, 5, 10))
    make_promise(account, owner, "broken", made=date(2026, 1, 5), due=date(2026, 5, 20),
                 status=PromiseStatus.BROKEN, closed=date(2026, 5, 25))
    make_promise(account, owner, "open in period", made=date(2026, 1, 5), due=date(2026, 6, 10))
    make_promise(account, owner, "carried over", made=date(2026, 1, 5), due=date(2026, 3, 1))
    make_promise(account, owner, "kept before the period", made=date(2026, 1, 5),
                 due=date(2026, 3, 15), status=PromiseStatus.KEPT, closed=date(2026, 3, 14))
    make_promise(account, owner, "due later", made=date(2026, 1, 5), due=date(2026, 7, 15))
    make_promise(account, owner, "theirs", made=date(2026, 1, 5), due=date(2026, 5, 1),
                 direction=Direction.TO_US)


@pytest.fixture
def neglect(account, other_account):
    ServiceCase.objects.create(account=account, kind="repair", is_complaint=True, severity="high",
                               title="Spindle noise", opened_at=at(2026, 6, 1))
    ServiceCase.objects.create(account=account, kind="application_support", title="New program",
                               opened_at=at(2026, 6, 20))
    ServiceCase.objects.create(account=account, kind="repair", title="Fixed", opened_at=at(2026, 5, 1),
                               resolved_at=at(2026, 5, 5), closed_at=at(2026, 5, 6), status="closed")
    ServiceCase.objects.create(account=other_account, kind="repair", title="Not theirs",
                               opened_at=at(2026, 6, 1))
    Expectation.objects.create(account=account, held_by=Side.CUSTOMER, description="Spares in 48 h",
                               met=False, assessed_at=date(2026, 6, 1))
    Expectation.objects.create(account=account, held_by=Side.CUSTOMER, description="Monthly call",
                               met=True, assessed_at=date(2026, 6, 1))
    Expectation.objects.create(account=account, held_by=Side.CUSTOMER, description="Training")
    Expectation.objects.create(account=account, held_by=Side.US, description="Forecasts",
                               met=False, assessed_at=date(2026, 6, 1))
    Expectation.objects.update(created_at=at(2026, 4, 1))  # recorded well before the review
    Alert.objects.create(kind=AlertKind.SILENCE, account=account, owner=account.owner,
                         params=silent(120), opened_at=at(2026, 6, 10))
    Alert.objects.create(kind=AlertKind.QUIET_CUSTOMER, account=account, owner=account.owner,
                         params=silent(30), opened_at=at(2026, 4, 1), resolved_at=at(2026, 5, 1))
    lathe = Product.objects.create(external_id="P-LATHE", name="CNC lathe", kind=ProductKind.EQUIPMENT)
    asset = Asset.objects.create(external_id="A-1", account=account, product=lathe, serial="SN-100",
                                 installed_at=date(2025, 6, 1))
    MaintenancePlan.objects.create(asset=asset, name="Quarterly service", interval_days=90,
                                   last_done_at=date(2026, 1, 1))


def evidence_for(account, held_at=TODAY, **kwargs):
    return gather_evidence([account], held_at, **kwargs)[account.pk]


def test_it_counts_promises_due_since_the_last_review(account, last_review, promises):
    evidence = evidence_for(account)
    assert evidence["since"] == "2026-03-31"
    assert evidence["previous_review"] == last_review.pk
    q2 = evidence["promises"]
    assert q2["counts"] == {"kept": 1, "late": 1, "broken": 1, "open": 2, "cancelled": 0}
    assert [i["description"] for i in q2["items"]] == [
        "carried over", "kept", "late", "broken", "open in period"
    ]
    assert [i["description"] for i in q2["items"] if i["carried_over"]] == ["carried over"]
    assert q2["fully_kept"] is False


def test_it_reads_promises_as_they_stood_on_the_review_date(account, last_review, promises):
    q2 = evidence_for(account, date(2026, 5, 15))["promises"]
    # The broken promise was due after 15 May; the late one had been delivered by then.
    assert q2["counts"] == {"kept": 1, "late": 1, "broken": 0, "open": 1, "cancelled": 0}


def test_it_covers_one_cycle_of_the_tier_before_a_first_review(account, promises):
    evidence = evidence_for(account)
    assert evidence["previous_review"] is None
    assert evidence["since"] == "2026-03-31"  # key tier: 91 days
    account.tier = Tier.STANDARD
    assert evidence_for(account)["since"] == "2025-12-30"  # 182 days


def test_it_lists_what_may_have_been_neglected(account, last_review, neglect):
    q3 = evidence_for(account)["neglect"]
    assert (q3["requests"], q3["complaints"]) == (1, 1)
    assert [c["title"] for c in q3["cases"]] == ["Spindle noise", "New program"]
    assert q3["cases"][0]["age_days"] == 29
    assert [e["description"] for e in q3["expectations"]] == ["Spares in 48 h"]
    assert q3["unassessed"] == 1
    assert [(s["kind"], s["params"]) for s in q3["silence"]] == [("silence", silent(120))]
    [visit] = q3["maintenance"]
    assert (visit["plan"], visit["due_on"], visit["days_overdue"]) == ("Quarterly service", "2026-04-01", 90)
    assert "SN-100" in visit["asset"]
    assert q3["found"] is True


def test_it_ignores_what_happened_after_the_review_date(account, last_review, neglect):
    q3 = evidence_for(account, date(2026, 5, 31))["neglect"]
    assert q3["cases"] == []  # both open cases were opened in June
    assert q3["silence"] == []  # the silence alert opened on 10 June
    assert q3["expectations"] == []  # assessed on 1 June
    assert q3["unassessed"] == 3  # created before, not yet assessed on 31 May
    assert [m["days_overdue"] for m in q3["maintenance"]] == [60]


def test_it_compares_us_with_each_competitor_present(account, last_review, rivals):
    cheap, best = rivals
    q4 = evidence_for(account)["competitors"]
    assert [c["name"] for c in q4["competitors"]] == ["BestCo", "CheapCo"]
    assert q4["rated_in"] == "2026-03-31"
    rows = {r["attribute"]: r for r in q4["rows"]}
    assert rows["price"]["us"] == 3 and rows["price"]["gap"] == -2 and rows["price"]["best"] == cheap.pk
    assert rows["quality"]["gap"] == 1 and rows["quality"]["best"] == best.pk
    assert rows["service"]["gap"] == -1
    assert rows["price"]["competitors"] == {str(cheap.pk): 5, str(best.pk): 4}
    assert q4["mean_gap"] == pytest.approx(-2 / 3)


def test_it_suggests_the_first_answer_from_the_score_trend(account, last_review):
    assert evidence_for(account)["trend"] == {"points": [], "change": None, "reasons": [], "suggested": ""}
    trend = {account.pk: {"points": [["2026-04-01", 70.0, "healthy"], ["2026-06-30", 58.0, "watch"]],
                          "change": -12.0, "reasons": [{"signal": "promises", "change": -8.0}]}}
    q1 = evidence_for(account, trend=trend)["trend"]
    assert q1["suggested"] == "deteriorating"
    assert [suggest_outcome(c) for c in (5.0, 4.9, -4.9, -5.0)] == [
        "improving", "steady", "steady", "deteriorating"
    ]


def test_it_reads_the_trend_and_its_reasons_from_health_snapshots(account, last_review):
    def snapshot(day, score, signals):
        HealthSnapshot.objects.create(
            account=account, as_of=day, computed_at=at(day.year, day.month, day.day), score=score,
            band="healthy", coverage=1.0, signals=signals,
        )

    snapshot(date(2026, 3, 30), 72.0, {"promises": [0.9, 20.0], "trust": [0.8, 10.0]})
    snapshot(date(2026, 5, 1), 68.0, {"promises": [0.7, 15.0], "trust": [0.8, 10.0]})
    snapshot(date(2026, 6, 29), 60.0, {"promises": [0.4, 8.0], "trust": [0.9, 11.0]})
    snapshot(date(2026, 7, 1), 10.0, {})  # after the review date: ignored
    trend = health_trend([account], {account.pk: date(2026, 3, 31)}, TODAY)[account.pk]
    assert trend["start"] == 72.0 and trend["end"] == 60.0 and trend["change"] == -12.0
    assert [p[0] for p in trend["points"]] == ["2026-03-30", "2026-05-01", "2026-06-29"]
    assert trend["reasons"] == [{"signal": "promises", "change": -12.0}, {"signal": "trust", "change": 1.0}]


def test_it_gathers_evidence_for_many_accounts_in_a_fixed_number_of_queries(
    account, owner, last_review, promises, neglect, django_assert_max_num_queries,
):
    accounts = [account] + [
        Account.objects.create(external_id=f"X-{i}", name=f"X {i}", owner=owner, tier=Tier.KEY)
        for i in range(15)
    ]
    with django_assert_max_num_queries(14):
        evidence = gather_evidence(accounts, TODAY)
    assert len(evidence) == 16
    assert evidence[account.pk]["promises"]["counts"]["kept"] == 1
