"""Each signal on a small fixture, time frozen: its value, its facts and its words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersale.commerce.models import Channel
from aftersale.core.enums import Department, Direction
from aftersale.engagement.models import IdeaStatus, Topic
from aftersale.health.evaluate import make_context
from aftersale.health.signals import registry
from aftersale.promises.models import Promise, PromiseStatus
from aftersale.reviews.models import Outcome
from aftersale.service.models import CaseStatus

from .conftest import (
    NOW,
    TODAY,
    asset,
    case,
    day,
    days_ago,
    idea,
    info,
    joint_plan,
    order,
    plan,
    product,
    promise,
    rating,
    review,
    touchpoint,
    trust_rating,
    worklog,
)

pytestmark = pytest.mark.django_db


def signal(name: str, account, as_of=NOW):
    definition = registry.get(name)
    ctx = make_context(as_of, fits={})
    value = definition.compute(ctx, [account.pk]).get(account.pk)
    return value, (definition.explanation(value, ctx.months) if value else None)


def test_it_values_order_rhythm_against_the_accounts_own_gap(account, frozen):
    for n in (100, 70, 40):
        order(account, days_ago(n))
    value, words = signal("order_rhythm", account)
    # Usual gap 30 days, silent 40 days: within one and a half gaps.
    assert value.value == 1.0
    assert value.facts["gap_days"] == 30
    assert words == "Last order 40 days ago (05/06/2026); usually one every 30 days."


def test_it_halves_the_rhythm_value_for_each_further_gap_of_silence(account, frozen):
    for n in (150, 120, 90):
        order(account, days_ago(n))
    value, _ = signal("order_rhythm", account)
    # Silent 90 days = 3 usual gaps: 1.5 gaps past the tolerance.
    assert value.value == pytest.approx(0.5 ** 1.5)


def test_it_needs_three_events_for_a_rhythm(account, frozen):
    touchpoint(account, days_ago(10))
    touchpoint(account, days_ago(5))
    assert signal("contact_rhythm", account)[0] is None


def test_it_counts_promises_kept_late_broken_and_overdue(account, owner, frozen):
    promise(account, owner, due=day(60), status=PromiseStatus.KEPT, closed=day(61))
    promise(account, owner, due=day(50), status=PromiseStatus.KEPT, closed=day(50))
    promise(account, owner, due=day(40), status=PromiseStatus.LATE, closed=day(30))
    promise(account, owner, due=day(20), status=PromiseStatus.OPEN)
    promise(account, owner, due=day(-5), status=PromiseStatus.OPEN)  # not due yet
    promise(account, owner, due=day(45), status=PromiseStatus.CANCELLED, closed=day(46))
    value, words = signal("promises", account)
    assert value.facts["due"] == 4
    assert words == (
        "2 of 4 promises due in the last 24 months kept on time; 1 kept late; "
        "1 overdue (due 2026-05-26)."
    )
    assert 0.4 < value.value < 0.75


def test_it_reads_a_promise_closed_after_as_of_as_overdue_then(account, owner, frozen):
    promise(account, owner, due=day(30), status=PromiseStatus.KEPT, closed=day(5))
    then, _ = signal("promises", account, as_of=days_ago(10))
    now, _ = signal("promises", account)
    assert (then.facts["overdue"], then.value) == (1, 0.0)
    assert (now.facts["kept"], now.value) == (1, 1.0)


def test_it_scores_service_targets_from_due_dates_as_of_the_day(account, frozen):
    case(account, days_ago(20), response_due_at=days_ago(19), first_response_at=days_ago(19.5),
         resolution_due_at=days_ago(15), resolved_at=days_ago(16), status=CaseStatus.RESOLVED)
    case(account, days_ago(10), response_due_at=days_ago(9), first_response_at=days_ago(8))
    case(account, days_ago(5))  # no targets: not judged
    value, words = signal("service_targets", account)
    assert value.facts == {"cases": 2, "missed": 1, "missed_open": 1, "missed_open_critical": 0, "months": 24}
    assert words == (
        "1 of 2 service cases in the last 24 months missed their response or resolution "
        "target; 1 of them is still open."
    )
    assert 0.3 < value.value < 0.5


def test_it_halves_open_case_value_every_thirty_days(account, frozen):
    case(account, days_ago(30), status=CaseStatus.IN_PROGRESS, is_complaint=True)
    case(account, days_ago(100), status=CaseStatus.CLOSED, resolved_at=days_ago(90))
    value, words = signal("open_cases", account)
    assert value.value == pytest.approx(0.5)
    assert words == "1 case open for 30 days (opened 2026-05-16); 1 is a complaint."


def test_it_counts_a_case_resolved_after_as_of_as_open_then(account, frozen):
    case(account, days_ago(40), status=CaseStatus.RESOLVED, resolved_at=days_ago(10))
    then, _ = signal("open_cases", account, as_of=days_ago(20))
    assert then.facts["open"] == 1
    assert signal("open_cases", account)[0].value == 1.0


def test_it_finds_overdue_maintenance_for_asset_and_product_plans(account, frozen):
    lathe, press = product("Lathe"), product("Press")
    mine = asset(account, lathe, "L-1", installed=day(400))
    plan(asset=mine, next_due=day(30), last_done=day(120))  # 30 days overdue
    asset(account, press, "P-1", installed=day(50))
    plan(prod=press, interval=90)  # installed 50 days ago: due in 40 days
    value, words = signal("maintenance", account)
    assert value.facts == {"plans": 2, "overdue": 1, "worst_days": 30}
    assert value.value == pytest.approx((0.5 + 1.0) / 2)
    assert words == "1 of 2 maintenance visits overdue, by up to 30 days."


def test_it_reads_maintenance_done_after_as_of_from_the_cases_resolved_by_then(account, frozen):
    mine = asset(account, product(), "L-1", installed=day(400))
    # Done 5 days ago; the visit before was 120 days ago, so 20 days ago the next (due 30 days ago) was late.
    visit = plan(asset=mine, interval=90, next_due=day(-85), last_done=day(5))
    case(account, days_ago(121), kind="maintenance", asset=mine, maintenance_plan=visit,
         status=CaseStatus.RESOLVED, resolved_at=days_ago(120))
    assert signal("maintenance", account)[0].facts["overdue"] == 0
    then, _ = signal("maintenance", account, as_of=days_ago(20))
    assert then.facts == {"plans": 1, "overdue": 1, "worst_days": 10}


def test_it_does_not_call_a_plan_on_time_then_because_of_a_visit_made_later(account, frozen):
    # The plan's dates moved on with a visit 5 days ago; no case says when the one before was.
    plan(asset=asset(account, product(), "L-1", installed=day(400)), interval=90, next_due=day(-85),
         last_done=day(5))
    assert signal("maintenance", account)[0] is not None
    assert signal("maintenance", account, as_of=days_ago(20))[0] is None


def test_it_still_counts_a_plan_switched_off_or_an_asset_retired_later_before_then(account, frozen):
    from aftersale.service.models import Asset, AssetStatus, MaintenancePlan

    mine = asset(account, product(), "L-1", installed=day(400))
    visit = plan(asset=mine, next_due=day(30), last_done=day(120))
    Asset.objects.filter(pk=mine.pk).update(status=AssetStatus.RETIRED, updated_at=days_ago(10))
    assert signal("maintenance", account)[0] is None  # retired now
    assert signal("maintenance", account, as_of=days_ago(20))[0].facts["overdue"] == 1
    Asset.objects.filter(pk=mine.pk).update(status=AssetStatus.ACTIVE, updated_at=days_ago(10))
    MaintenancePlan.objects.filter(pk=visit.pk).update(is_active=False, updated_at=days_ago(10))
    assert signal("maintenance", account)[0] is None
    assert signal("maintenance", account, as_of=days_ago(20))[0].facts["overdue"] == 1
    # Switched off before that moment (and untouched since): off then too.
    MaintenancePlan.objects.filter(pk=visit.pk).update(updated_at=days_ago(30))
    assert signal("maintenance", account, as_of=days_ago(20))[0] is None


def test_it_compares_transactional_face_time_with_the_reference_levels(account, frozen):
    touchpoint(account, days_ago(3), minutes=60, topic=Topic.PRICE)
    touchpoint(account, days_ago(3), minutes=140, topic=Topic.PLANNING)
    touchpoint(account, days_ago(3), minutes=500, topic=Topic.OTHER)  # not classed: left out
    value, words = signal("transactional_share", account)
    assert value.facts["share"] == 30
    assert value.value == pytest.approx((0.47 - 0.3) / (0.47 - 0.25), abs=0.01)
    assert words == (
        "30% of recent face time went on price, contracts, disputes or chasing "
        "(most trusted partners: about 25%; least trusted: 47%)."
    )


def test_it_counts_technical_people_and_on_site_work_as_technical_presence(account, owner, frozen):
    touchpoint(account, days_ago(2), minutes=60, departments=(Department.ENGINEERING, Department.SALES))
    touchpoint(account, days_ago(2), minutes=180, departments=(Department.SALES,))
    worklog(account, owner, day(2), hours="1", department=Department.SERVICE)
    worklog(account, owner, day(2), hours="5", department=Department.SERVICE, on_site=False)
    value, words = signal("technical_presence", account)
    assert value.facts["share"] == 40  # (60 + 60) of 300 minutes
    assert value.value == 1.0
    assert words == (
        "Engineering, production or service people were part of 40% of recent face time "
        "(1 of 2 touchpoints, 1 on-site visit); aim: 30%."
    )


def test_it_measures_direct_ordering_share(account, frozen):
    order(account, days_ago(1), Channel.PORTAL)
    order(account, days_ago(1), Channel.REP)
    order(account, days_ago(1), Channel.REP)
    order(account, days_ago(1), Channel.EDI)
    order(account, days_ago(800), Channel.REP)  # beyond the horizon
    value, words = signal("portal_share", account)
    assert value.facts["orders"] == 4
    assert value.value == pytest.approx(1.0)
    assert words.startswith("2 of 4 orders in the last 24 months came through the portal or EDI")


def test_it_rewards_a_current_and_recently_touched_joint_plan(account, frozen):
    joint_plan(account, day(100), day(-200), touched=days_ago(90))
    value, words = signal("shared_plans", account)
    assert value.value == pytest.approx(0.5)
    assert words == "A joint plan runs to 2027-01-01; last updated 90 days ago (2026-03-17); 0 items open."


def test_it_halves_the_value_of_an_expired_joint_plan(account, frozen):
    joint_plan(account, day(400), day(10), touched=days_ago(10))
    value, words = signal("shared_plans", account)
    assert value.value == pytest.approx(0.5 * 0.5 ** (10 / 90))
    assert words.startswith("No joint plan covers today (the last ended 2026-06-05)")


def test_it_needs_ideas_flowing_both_ways(account, frozen):
    idea(account, day(0), Direction.FROM_US, IdeaStatus.ADOPTED, decided=day(0))
    idea(account, day(0), Direction.FROM_US)
    info(account, day(0), Direction.FROM_US)
    value, words = signal("ideas_info", account)
    assert value.value == pytest.approx(0.5)  # full marks from us, nothing from them
    assert words == (
        "In the last 24 months we offered 3 ideas or pieces of information and they offered 0; "
        "1 idea adopted."
    )
    info(account, day(0), Direction.TO_US)
    info(account, day(0), Direction.TO_US)
    assert signal("ideas_info", account)[0].value == pytest.approx(1.0)


def test_it_weighs_the_customers_trust_rating_twice(account, frozen):
    trust_rating(account, day(0), "5.0", Direction.TO_US)
    trust_rating(account, day(0), "2.0", Direction.FROM_US)
    value, words = signal("trust", account)
    assert value.value == pytest.approx(((2 * 5 + 2) / 3 - 1) / 4)
    assert words == (
        "They rate our trustworthiness 5.0 of 5 (1 answer, 2026-06-15); "
        "we rate theirs 2.0 of 5 (1 answer, 2026-06-15)."
    )


def test_it_reads_the_last_completed_review_and_the_competitor_gap(account, owner, frozen):
    from aftersale.accounts.models import Competitor

    rival = Competitor.objects.create(name="Rival Machines")
    older = review(account, owner, day(200), outcome=Outcome.DETERIORATING)
    rating(older, "price", 1)
    last = review(account, owner, day(0), outcome=Outcome.IMPROVING, promises_kept=True,
                  neglect_found=False)
    review(account, owner, day(0) + timedelta(days=0), status="draft", outcome=Outcome.DETERIORATING)
    rating(last, "price", 3)
    rating(last, "price", 4, competitor=rival)
    rating(last, "service", 5)
    rating(last, "service", 2, competitor=rival)
    value, words = signal("review", account)
    assert value.facts["gap"] == 1.0
    assert value.value == pytest.approx((1 + 1 + 1 + 0.75) / 4)
    assert words == (
        "Last review (2026-06-15): judged improving; promises fully kept; nothing important "
        "neglected; rated 1.0 points above the best competitor on average."
    )


def test_it_ignores_events_after_as_of_in_every_signal(account, owner, frozen):
    later = NOW + timedelta(days=1)
    for n in range(3):
        order(account, later + timedelta(days=n), Channel.PORTAL)
        touchpoint(account, later + timedelta(days=n), departments=(Department.ENGINEERING,))
    promise(account, owner, due=day(-3), made=day(-2))
    case(account, later, status=CaseStatus.NEW)
    trust_rating(account, day(-1), "4")
    idea(account, day(-1))
    review(account, owner, day(-1), outcome=Outcome.STEADY)
    joint_plan(account, day(0), day(-100), touched=later)
    ctx = make_context(NOW, fits={})
    for definition in registry.all():
        if definition.compute is not None:  # a derived signal reads only the others
            assert definition.compute(ctx, [account.pk]) == {}, definition.name


def test_it_reads_every_signal_in_one_query_whatever_the_number_of_accounts(
    account, other_account, owner, frozen, django_assert_num_queries
):
    for acc in (account, other_account):
        for n in (1, 2, 3):
            order(acc, days_ago(n))
            touchpoint(acc, days_ago(n), departments=(Department.SERVICE,))
        promise(acc, owner, due=day(3))
        case(acc, days_ago(3), response_due_at=days_ago(2))
    ctx = make_context(NOW, fits={})
    for definition in registry.all():
        if definition.compute is None:  # a derived signal reads only the others
            continue
        with django_assert_num_queries(1):
            values = definition.compute(ctx, None)
        with django_assert_num_queries(1):
            definition.compute(ctx, range(account.pk, other_account.pk + 1))
        assert set(values) <= {account.pk, other_account.pk}


def test_it_explains_in_the_users_language(account, owner, frozen):
    from django.utils import translation

    promise(account, owner, due=day(20))
    with translation.override("vi"):
        _value, words = signal("promises", account)
        no_data = registry.get("trust").explanation(registry.SignalValue(None), 24)
    assert words == (
        "0 trên 1 lời hứa đến hạn trong 24 tháng qua được giữ đúng hạn; "
        "1 quá hạn (sớm nhất đến hạn ngày 2026-05-26)."
    )
    assert no_data == "Không có đánh giá niềm tin nào trong 24 tháng qua."


def test_it_leads_every_signal_to_the_records_behind_it_not_only_the_account_page(account):
    from django.urls import reverse

    plain = reverse("account_detail", args=[account.pk])
    for definition in registry.all():
        url = definition.events_url(account.pk)
        assert url and url != plain, definition.name
        assert str(account.pk) in url, definition.name


def test_it_shows_one_accounts_records_on_the_service_board_and_maintenance_list(
    manager_client, account, other_account, frozen
):
    case(account, days_ago(3), title="Spindle noise here")
    case(other_account, days_ago(3), title="Someone else's gearbox")
    page = manager_client.get(f"/service/?account={account.pk}").content.decode()
    assert "Spindle noise here" in page and "gearbox" not in page
    assert manager_client.get("/service/?account=x").status_code == 400


OUTCOMES = ["open", "kept", "late", "broken", "cancelled"]


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(-60, 900), st.sampled_from(OUTCOMES), st.integers(0, 40)), max_size=8))
def test_it_counts_in_the_promise_signal_what_the_promise_ledger_counts(account, owner, promises):
    from aftersale.promises.measures import promise_measures

    Promise.objects.filter(account=account).delete()
    for due_days_ago, status, closed_after in promises:
        made = day(due_days_ago + 30)
        closed = None if status == "open" else max(
            made, min(TODAY, day(due_days_ago) + timedelta(days=closed_after)))
        promise(account, owner, due=day(due_days_ago), made=min(made, TODAY), status=status, closed=closed)
    ctx = make_context(NOW, fits={})
    facts = registry.get("promises").compute(ctx, [account.pk]).get(account.pk)
    ledger = promise_measures(TODAY, [account.pk], months=ctx.months).get(account.pk)
    counted = {k: getattr(ledger, k) if ledger else 0 for k in ("kept", "late", "broken", "overdue")}
    if facts is None:
        assert not any(counted.values())
    else:
        assert {k: facts.facts[k] for k in counted} == counted
