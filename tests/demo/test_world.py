"""The generated world's causes act: a hidden relationship quality drives broken promises,
slow service, complaints, face time and defection, and the engine can see it coming."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import numpy as np
import pytest
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from aftersale.accounts.models import Account
from aftersale.commerce.models import Order, Quote
from aftersale.demo.clock import VIETNAM, day_number
from aftersale.demo.load import load_demo
from aftersale.demo.portfolio import World, declining, draw_chunk, thin
from aftersale.demo.purge import delete_demo
from aftersale.economics.quotes import quote_economics
from aftersale.engagement.models import Touchpoint
from aftersale.health.evaluate import evaluate, make_context
from aftersale.promises.models import Promise
from aftersale.reviews.alerts import review_due_dates
from aftersale.reviews.models import RelationshipReview
from aftersale.service.models import MaintenancePlan, ServiceCase, ServiceTarget
from aftersale.stats import roc_auc

AS_OF = date(2026, 3, 2)
ACCOUNTS = 400
# The backtest's question: as of this day, who will still order within the horizon?
PAST = AS_OF - timedelta(days=180)


class Keys:
    def __init__(self) -> None:
        self.next = 1

    def allocate(self, model, count: int) -> int:
        first, self.next = self.next, self.next + count
        return first


def traits(count: int, seed: int):
    cast = SimpleNamespace(competitor_ids=np.array([1, 2]), owners=np.array([1, 2, 3]))
    world = World(cast=cast, writer=Keys(), as_of=day_number(AS_OF), targets={}, calendar=VIETNAM)
    return draw_chunk(np.random.default_rng(seed), world, 1, count)


def test_it_makes_worse_relationships_defect_more():
    chunk = traits(20_000, seed=5)
    defected = chunk.end < day_number(AS_OF)
    assert 0.05 < defected.mean() < 0.2
    assert roc_auc(-chunk.quality, defected) >= 0.8


def test_it_declines_only_defecting_accounts_and_only_before_they_leave():
    chunk = traits(5_000, seed=6)
    defected = chunk.end < day_number(AS_OF)
    assert np.isinf(chunk.decline_from[~defected]).all()
    assert (chunk.decline_from[defected] < chunk.end[defected]).all()
    rows = np.arange(len(chunk))
    assert not declining(chunk, rows, chunk.start - 1)[~defected].any()


def test_it_thins_out_events_in_the_decline_only():
    chunk = traits(5_000, seed=8)
    rows = np.flatnonzero(np.isfinite(chunk.decline_from)).repeat(40)
    inside = chunk.decline_from[rows] + 1
    kept = thin(np.random.default_rng(1), chunk, rows, inside, 0.25)
    assert 0.2 < kept.mean() < 0.3
    assert thin(np.random.default_rng(1), chunk, rows, inside - 2, 0.25).all()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        targets_before = set(ServiceTarget.objects.values_list("pk", flat=True))
        result = load_demo(accounts=ACCOUNTS, seed=19, as_of=AS_OF)
        try:
            yield result
        finally:
            with transaction.atomic():
                delete_demo()
                ServiceTarget.objects.exclude(pk__in=targets_before).delete()


def end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def generated_buyers_before(moment: datetime) -> tuple[list[int], np.ndarray]:
    """Generated accounts that ordered on or before ``moment``, and whether each ordered after it."""
    ids = sorted(set(
        Order.objects.filter(placed_at__lte=moment, account__external_id__startswith="DEMO-A-")
        .values_list("account_id", flat=True)
    ))
    later = set(Order.objects.filter(placed_at__gt=moment).values_list("account_id", flat=True))
    return ids, np.array([pk in later for pk in ids])


@pytest.mark.django_db
def test_it_lets_the_engine_see_defection_coming_from_a_past_date(world):
    moment = end_of(PAST)
    ids, stayed = generated_buyers_before(moment)
    assert 20 <= (~stayed).sum() <= len(ids) // 2
    health = evaluate(make_context(moment), ids)
    aucs = {}
    for name in {n for h in health.values() for n in h.values}:
        values = np.array([
            np.nan if (v := health[pk].values.get(name)) is None or v.value is None else v.value
            for pk in ids
        ])
        known = ~np.isnan(values)
        if known.sum() >= 100 and (~stayed[known]).sum() >= 10:
            aucs[name] = roc_auc(values[known], stayed[known])
    # At least one single signal, as the scan computes it, ranks who leaves well ...
    assert max(aucs.values()) >= 0.7, aucs
    # ... and the relationship's own signals (the seed's causes) rank above chance.
    assert aucs["promises"] > 0.55, aucs


@pytest.mark.django_db
def test_it_grows_requests_with_the_installed_machines(world):
    accounts = Account.objects.filter(external_id__startswith="DEMO-A-")
    machines = {a.pk: a.assets.count() for a in accounts.prefetch_related("assets")}
    cases = dict.fromkeys(machines, 0)
    for pk in ServiceCase.objects.filter(account_id__in=machines).values_list("account_id", flat=True):
        cases[pk] += 1
    none = [cases[pk] for pk, n in machines.items() if n == 0]
    many = [cases[pk] for pk, n in machines.items() if n >= 3]
    assert np.mean(many) > 3 * np.mean(none)


@pytest.mark.django_db
def test_it_creates_rows_on_their_own_dates(world):
    """A scan as of a past date sees the world as it stood: nothing was created later."""
    assert not Order.objects.exclude(created_at=F("placed_at")).exists()
    assert not Touchpoint.objects.exclude(created_at=F("occurred_at")).exists()
    assert not ServiceCase.objects.exclude(created_at=F("opened_at")).exists()
    assert not Promise.objects.filter(created_at__date__gt=F("made_at")).exists()
    assert not RelationshipReview.objects.filter(created_at__date__gt=F("held_at")).exists()
    assert not MaintenancePlan.objects.filter(created_at__date__gt=F("asset__installed_at")).filter(
        asset__account__external_id__startswith="DEMO-A-"
    ).exists()
    # The maintenance plans are there a year back, as they were.
    assert MaintenancePlan.objects.filter(created_at__lt=end_of(AS_OF - timedelta(days=365))).count() > 50


@pytest.mark.django_db
def test_it_gives_reviews_their_evidence_and_answers_from_it(world):
    reviews = RelationshipReview.objects.filter(account__external_id__startswith="DEMO-A-")
    assert reviews.count() > ACCOUNTS
    for review in reviews.order_by("pk")[::37]:
        evidence = review.evidence
        assert evidence["as_of"] == review.held_at.isoformat()
        kept = evidence["promises"]["fully_kept"]
        assert review.promises_kept == (True if kept is None else kept)
        assert review.neglect_found == evidence["neglect"]["found"]
    assert reviews.filter(promises_kept=False).exists()
    assert reviews.filter(promises_kept=True).exists()


@pytest.mark.django_db
def test_it_makes_reviews_fall_due_within_the_demo_history(world):
    history_start = AS_OF - timedelta(days=3 * 365)
    customers = Account.objects.filter(external_id__startswith="DEMO-", kind="customer")
    due = review_due_dates(AS_OF, list(customers.values_list("pk", flat=True)))
    assert len(due) == customers.count()
    assert min(day for day, _last in due.values()) >= history_start


@pytest.mark.django_db
def test_it_shows_the_promise_broken_in_its_period_in_the_courted_customers_review(world):
    review = RelationshipReview.objects.filter(account__external_id="DEMO-COURTED").latest("held_at")
    promises = review.evidence["promises"]
    assert promises["counts"]["broken"] == 1
    broken = Promise.objects.get(account=review.account, status="broken")
    assert [i["id"] for i in promises["items"] if i["status"] == "broken"] == [broken.pk]
    assert review.promises_kept is False


@pytest.mark.django_db
def test_it_makes_the_competitors_offer_cheaper_to_buy_and_dearer_to_own(world):
    """The story's quote, through the economics app's own cost-of-ownership comparison (P13)."""
    quote = Quote.objects.get(account__external_id="DEMO-COURTED", competitor__name="Hwa Shin Machinery")
    comparison = quote_economics(quote, as_of=AS_OF).comparison
    assert comparison.price_gap > 0  # ours is dearer to buy
    assert comparison.saving > 0  # and cheaper to own over the horizon
    assert comparison.cheaper_from_year is not None
