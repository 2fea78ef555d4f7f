"""The score's invariants on generated accounts (hypothesis): a bad event never raises the
score, a good one never lowers it, the band is never healthier than the band rules allow,
and the score for a moment does not depend on the hour it is computed."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersale.accounts.models import Account, AccountKind
from aftersale.core.enums import Department
from aftersale.engagement.models import InitiatedBy, Topic, TouchpointKind
from aftersale.health.evaluate import evaluate, make_context
from aftersale.health.models import Band
from aftersale.promises.models import PromiseStatus
from aftersale.reviews.models import TrustRating
from aftersale.service.models import MaintenancePlan, ServiceCase, Severity

from .conftest import NOW, asset, case, day, days_ago, order, plan, product, promise, touchpoint, trust_rating

pytestmark = pytest.mark.slow
SETTINGS = settings(max_examples=12, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
_numbers = itertools.count(1)
PENDING = "Pending repair"

History = st.fixed_dictionaries({
    "orders": st.lists(st.integers(1, 700), max_size=6),
    "contacts": st.lists(st.integers(1, 700), max_size=5),
    "visits": st.lists(st.tuples(st.integers(1, 600), st.booleans()), max_size=4),
    "kept": st.integers(0, 2), "broken": st.integers(0, 1),
    "met": st.integers(0, 2), "missed": st.integers(0, 1),
    "trust": st.one_of(st.none(), st.integers(2, 5)),
    "plan_due": st.one_of(st.none(), st.integers(-60, 200)),  # days ago the visit was due
})


def generate(owner, history) -> Account:
    account = Account.objects.create(external_id=f"GEN-{next(_numbers)}", name="Generated",
                                     kind=AccountKind.CUSTOMER, owner=owner)
    for n in history["orders"]:
        order(account, days_ago(n))
    for n in history["contacts"]:
        touchpoint(account, days_ago(n), kind=TouchpointKind.CALL, initiated_by=InitiatedBy.CUSTOMER)
    for n, technical in history["visits"]:
        touchpoint(account, days_ago(n), departments=(Department.SERVICE,) if technical else ())
    for i in range(history["kept"]):
        promise(account, owner, due=day(40 + 30 * i), status=PromiseStatus.KEPT, closed=day(41 + 30 * i))
    for i in range(history["broken"]):
        promise(account, owner, due=day(100 + 30 * i), status=PromiseStatus.BROKEN, closed=day(90 + 30 * i))
    for i in range(history["met"]):
        case(account, days_ago(60 + 20 * i), resolution_due_at=days_ago(55 + 20 * i),
             resolved_at=days_ago(57 + 20 * i), status="resolved")
    for i in range(history["missed"]):
        case(account, days_ago(200 + 20 * i), resolution_due_at=days_ago(195 + 20 * i),
             resolved_at=days_ago(180 + 20 * i), status="resolved")
    if history["trust"] is not None:
        trust_rating(account, day(50), str(history["trust"]))
    if history["plan_due"] is not None:
        machine = asset(account, product(f"Press {account.pk}"), f"S-{account.pk}", installed=day(900))
        plan(asset=machine, next_due=day(history["plan_due"]), last_done=day(history["plan_due"] + 90))
    return account


def score(account: Account, moment=NOW) -> tuple[float, str]:
    health = evaluate(make_context(moment, fits={}), [account.pk])[account.pk]
    return health.score, health.band


def complaint(account, owner):
    case(account, days_ago(1), is_complaint=True, severity=Severity.CRITICAL, resolution_due_at=days_ago(-3))


def missed_target(account, owner):
    """An open case's target passes unmet."""
    ServiceCase.objects.filter(account=account, title=PENDING).update(resolution_due_at=days_ago(2))


def pending_case(account, owner):
    case(account, days_ago(6), resolution_due_at=days_ago(-2), severity=Severity.CRITICAL, title=PENDING)


missed_target.setup = pending_case  # type: ignore[attr-defined]


def overdue_promise(account, owner):
    promise(account, owner, due=day(5))


def broken_promise(account, owner):
    promise(account, owner, due=day(20), status=PromiseStatus.BROKEN, closed=day(15))


def overdue_visit(account, owner):
    """A planned visit falls due without being done."""
    MaintenancePlan.objects.filter(asset__serial=f"L-{account.pk}").update(
        next_due_at=day(45), last_done_at=day(135))


def planned_visit(account, owner):
    machine = asset(account, product(f"Lathe {account.pk}"), f"L-{account.pk}", installed=day(800))
    plan(asset=machine, next_due=day(-20), last_done=day(70))


overdue_visit.setup = planned_visit  # type: ignore[attr-defined]


def lower_trust(account, owner):
    rating = TrustRating.objects.filter(account=account).order_by("-rated_at").first()
    if rating is None:
        trust_rating(account, day(3), "1")
    else:
        TrustRating.objects.filter(pk=rating.pk).update(trust=max(1, rating.trust - 1))


def kept_promise(account, owner):
    promise(account, owner, due=day(10), status=PromiseStatus.KEPT, closed=day(11))


def met_target(account, owner):
    case(account, days_ago(12), resolution_due_at=days_ago(5), resolved_at=days_ago(8), status="resolved")


def customer_contact(account, owner):
    touchpoint(account, days_ago(1), kind=TouchpointKind.CALL, initiated_by=InitiatedBy.CUSTOMER,
               topic=Topic.TECHNICAL_SUPPORT, departments=(Department.SERVICE,))


def completed_visit(account, owner):
    for p in MaintenancePlan.objects.filter(asset__account=account):
        MaintenancePlan.objects.filter(pk=p.pk).update(
            last_done_at=day(1), next_due_at=day(1 - p.interval_days))


BAD: list[Callable] = [complaint, missed_target, overdue_promise, broken_promise, overdue_visit, lower_trust]
GOOD: list[Callable] = [kept_promise, met_target, customer_contact, completed_visit]


def before_and_after(owner, history, event) -> tuple[float | None, float | None]:
    """The generated account's score before and after ``event`` (after its setup, if any)."""
    account = generate(owner, history)
    if hasattr(event, "setup"):
        event.setup(account, owner)
    before, _ = score(account)
    event(account, owner)
    after, _ = score(account)
    return before, after


@pytest.mark.parametrize("event", BAD, ids=lambda f: f.__name__)
def test_it_never_raises_the_score_for_a_bad_event(owner, frozen, event):
    @SETTINGS
    @given(History)
    def check(history):
        before, after = before_and_after(owner, history, event)
        if before is not None:  # an account with no evidence at all has no score to raise
            assert after <= before + 1e-9, f"{history} {before} {after}"

    check()


@pytest.mark.parametrize("event", GOOD, ids=lambda f: f.__name__)
def test_it_never_lowers_the_score_for_a_good_event(owner, frozen, event):
    @SETTINGS
    @given(History)
    def check(history):
        before, after = before_and_after(owner, history, event)
        if before is not None:
            assert after is not None and after >= before - 1e-9, f"{history} {before} {after}"

    check()


@SETTINGS
@given(History, st.sampled_from([missed_target, overdue_promise]))
def test_it_never_bands_healthier_than_the_band_rules_allow(owner, frozen, history, event):
    account = generate(owner, history)
    if event is overdue_promise:
        promise(account, owner, due=day(45))  # overdue by more than the 30 days the rule allows
    else:
        event.setup(account, owner)
        event(account, owner)
    health = evaluate(make_context(NOW, fits={}), [account.pk])[account.pk]
    assert health.band != Band.HEALTHY
    assert health.values["open_problems"].facts["rules"]


@SETTINGS
@given(History, st.integers(0, 23), st.integers(0, 59))
def test_it_scores_a_moment_the_same_whenever_it_is_computed(owner, history, hour, minute):
    with time_machine.travel(NOW, tick=False):
        account = generate(owner, history)
    moment = NOW.replace(hour=hour, minute=minute)
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        later = score(account, moment)
    with time_machine.travel(moment + timedelta(minutes=1), tick=False):
        at_the_time = score(account, moment)
    assert later == at_the_time
