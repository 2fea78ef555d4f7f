"""One "as of" (issue 18): a moment, whose days are calendar days in the installation's zone.

With nothing recorded in between, an account scores the same at every hour of a day: on
its page at 09:00, at noon and at 23:59, in ``aftersale health`` and in the scan that
stored the day. The live evaluation takes the fitted models (rhythm and quietness) of the
latest scan of its day, whatever the hour; ages are whole calendar days."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersale.accounts.models import Account
from aftersale.commerce.models import Order
from aftersale.core.asof import end_of_day, start_of_day, zone
from aftersale.engagement.models import InitiatedBy
from aftersale.health.evaluate import evaluate, make_context
from aftersale.health.models import HealthSnapshot
from aftersale.health.scan import run_scan
from aftersale.service.models import ServiceCase

from .conftest import touchpoint
from .quiet_fixtures import build_portfolio

# The portfolio is built as of NOW (17:00 on 15 June in Ho Chi Minh City), with a few cases
# resolved up to a day later; the day looked at is the one after, on which nothing happens.
DAY = date(2026, 6, 17)
HOURS = (time(9, 0), time(12, 0), time(23, 59))


def at(hour: time, day: date = DAY) -> datetime:
    return datetime.combine(day, hour, tzinfo=zone())


@pytest.fixture(autouse=True)
def in_hanoi():
    with override_settings(TIME_ZONE="Asia/Ho_Chi_Minh"):
        yield


@pytest.fixture
def portfolio(owner, frozen):
    built = build_portfolio(owner)
    frozen.move_to(at(time(3, 0)))  # the worker's daily scan, early in the day
    run_scan()
    return built


def page_health(client, account: Account, moment: datetime) -> tuple[str, str]:
    """The score and band the account page shows at ``moment`` (as rendered, cached or not)."""
    with time_machine.travel(moment, tick=False):
        response = client.get(reverse("account_detail", args=[account.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    score = re.search(r'<span id="score-value">([^<]*)</span>', html)
    band = re.search(r'<span class="band band-([a-z_]+)">', html)
    assert score and band
    return score.group(1), band.group(1)


def as_stored(account: Account) -> tuple[str, str]:
    """The score and band the day's snapshot holds, as the page rounds them (the snapshot keeps
    two decimals, so it is checked against the evaluation rather than rounded again)."""
    snapshot = HealthSnapshot.objects.get(account=account, as_of=DAY)
    health = evaluate(make_context(snapshot.computed_at), [account.pk])[account.pk]
    assert snapshot.score == pytest.approx(health.score, abs=0.01) and snapshot.band == health.band
    return str(health.rounded_score), health.band


def judged(account: Account, moment: datetime) -> bool:
    """Whether quietness judged the account at ``moment`` (the peers' fit was found)."""
    return evaluate(make_context(moment), [account.pk])[account.pk].values["quietness"].value is not None


def test_it_shows_the_same_band_and_score_on_the_account_page_at_every_hour(owner_client, portfolio):
    for account in (portfolio.quiet, portfolio.normal, *portfolio.peers[:3]):
        seen = {page_health(owner_client, account, at(hour)) for hour in HOURS}
        assert len(seen) == 1, (account.external_id, seen)
        assert seen.pop() == as_stored(account)
        # Quietness is judged at 09:00 as at 23:59: the day's scan fitted the peers.
        assert all(judged(account, at(hour)) for hour in HOURS)
    assert page_health(owner_client, portfolio.quiet, at(time(12, 0)))[1] == "watch"  # held: quiet


def test_it_serves_every_hour_from_the_previous_days_models_before_the_days_scan(owner_client, portfolio):
    later = DAY + timedelta(days=1)
    seen = {page_health(owner_client, portfolio.quiet, at(hour, later)) for hour in HOURS}
    assert len(seen) == 1
    assert judged(portfolio.quiet, at(time(9, 0), later))


def test_it_serves_the_morning_too_from_a_scan_as_of_the_end_of_the_day(owner_client, owner, frozen):
    """``aftersale scan --as-of DAY`` (as the demo runs it) stores the end of the day; the page
    at 09:00 that day uses its models, not the gap ratio, and agrees with it."""
    built = build_portfolio(owner)
    run_scan(end_of_day(DAY))
    for account in (built.quiet, built.normal):
        stored = as_stored(account)
        for hour in HOURS:
            assert page_health(owner_client, account, at(hour)) == stored
            assert judged(account, at(hour))


def test_it_gives_the_same_score_from_the_health_command_at_noon_and_at_the_end_of_the_day(portfolio):
    def report(account: Account, as_of: str) -> dict:
        out = StringIO()
        call_command("health", account.external_id, "--as-of", as_of, "--json", stdout=out)
        found = json.loads(out.getvalue())
        return {"score": found["score"], "band": found["band"],
                "signals": [(s["name"], s["value"]) for s in found["signals"]]}

    for account in Account.objects.all():
        noon, end, start = (report(account, when) for when in (f"{DAY}T12:00:00+07:00", str(DAY),
                                                               f"{DAY}T00:00:01+07:00"))
        assert noon == end == start


def test_it_fits_at_noon_and_in_the_backtest_what_the_days_scan_fitted(portfolio):
    stored = HealthSnapshot.objects.filter(as_of=DAY).values_list("account_id", "score", "band")
    with time_machine.travel(at(time(12, 0)), tick=False):
        noon = run_scan()
    again = HealthSnapshot.objects.filter(as_of=DAY).values_list("account_id", "score", "band")
    assert set(again) == set(stored)
    out = StringIO()
    with time_machine.travel(at(time(12, 0), DAY + timedelta(days=40)), tick=False):
        call_command("backtest", "--as-of", f"{DAY}T12:00:00+07:00", "--horizon", "30", "--json", stdout=out)
    orders = next(m for m in noon.rhythm_models if m["stream"] == "orders")
    assert json.loads(out.getvalue())["model"]["params"] == orders["params"]


@pytest.mark.slow
def test_it_scores_a_moment_the_same_whatever_the_hour_it_is_computed(portfolio):
    """A property over generated evidence: whatever was recorded on earlier days, an account
    scores the same at any two moments of one day, computed at any time."""
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    seconds = st.integers(min_value=0, max_value=86_399)
    event = st.tuples(st.sampled_from(["order", "call", "case", "complaint"]), st.sampled_from(ids),
                      st.integers(min_value=1, max_value=700), seconds)

    @settings(max_examples=25, deadline=None)
    @given(st.lists(event, max_size=6), seconds, seconds, st.integers(min_value=0, max_value=400))
    def same_score(events, first, second, computed_later):
        with transaction.atomic():
            for kind, account_id, days_before, second_of_day in events:
                when = start_of_day(DAY - timedelta(days=days_before)) + timedelta(seconds=second_of_day)
                account = Account(pk=account_id)
                if kind == "order":
                    Order.objects.create(account=account, placed_at=when, total=Decimal("50"))
                elif kind == "call":
                    touchpoint(account, when, initiated_by=InitiatedBy.CUSTOMER)
                else:
                    ServiceCase.objects.create(account=account, opened_at=when, kind="repair", title="Noise",
                                               is_complaint=kind == "complaint")
            scores = []
            for moment, clock in ((first, computed_later), (second, 0)):
                as_of = start_of_day(DAY) + timedelta(seconds=moment)
                with time_machine.travel(end_of_day(DAY) + timedelta(days=clock), tick=False):
                    found = evaluate(make_context(as_of), ids)
                scores.append({a: (h.score, h.band, h.coverage) for a, h in found.items()})
            assert scores[0] == scores[1]
            transaction.set_rollback(True)

    same_score()
