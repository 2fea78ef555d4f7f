"""Quietness (P10): improbably few requests for what the account uses, against its peers."""

from __future__ import annotations

import pytest
from django.test import override_settings

from aftersale.health.evaluate import evaluate, make_context
from aftersale.health.models import Band
from aftersale.health.quietness.assess import fit_quietness, quiet_settings
from aftersale.health.quietness.signal import quietness
from aftersale.health.scan import run_scan
from aftersale.health.signals import registry

from .conftest import NOW, days_ago
from .quiet_fixtures import build_portfolio, raises

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(owner, frozen):
    return build_portfolio(owner)


def quiet_values(as_of=NOW):
    return quietness(make_context(as_of, fits={}), None)


def test_it_flags_the_account_that_raises_far_fewer_requests_than_its_peers(portfolio):
    values = quiet_values()
    quiet = values[portfolio.quiet.pk]
    assert quiet.facts["observed"] == 0
    assert quiet.facts["expected"] > 4  # its peers raise 4 to 8 a year
    assert quiet.facts["p"] < quiet_settings().p
    assert quiet.facts["quiet"] is True and quiet.facts["caps_band"] is True
    assert quiet.value < 0.1


def test_it_does_not_flag_an_account_that_raises_what_its_peers_do(portfolio):
    normal = quiet_values()[portfolio.normal.pk]
    assert normal.facts["observed"] == 6
    assert normal.facts["quiet"] is False
    assert normal.value > 0.5


def test_it_does_not_judge_accounts_with_too_little_use(portfolio):
    values = quiet_values()
    assert portfolio.new.pk not in values  # ordering for two months only
    assert portfolio.idle.pk not in values  # no equipment, two orders a year
    assert registry.get("quietness").explanation(registry.SignalValue(None), 24).startswith("Not judged")


def test_the_explanation_names_the_count_the_expectation_and_the_step_in(portfolio):
    words = registry.get("quietness").explanation(quiet_values()[portfolio.quiet.pk], 24)
    assert words.startswith("Raised 0 requests and complaints in the last 365 days, where accounts "
                            "with the same use (2 machines installed, 12 orders) raise about ")
    assert "step in" in words


def test_requests_after_the_as_of_date_are_ignored(portfolio):
    raises(portfolio.quiet, 12, since_days=-5, until_days=-300)  # all of them in the future
    assert quiet_values()[portfolio.quiet.pk].facts["observed"] == 0
    assert quiet_values()[portfolio.quiet.pk].facts["quiet"] is True


def test_a_request_raised_lately_counts(portfolio):
    raises(portfolio.quiet, 6, since_days=365, until_days=0)
    quiet = quiet_values()[portfolio.quiet.pk]
    assert quiet.facts["observed"] == 6
    assert quiet.facts["quiet"] is False


def test_a_part_of_the_portfolio_uses_the_scans_fit_and_agrees_with_the_whole(portfolio):
    fit = fit_quietness(NOW)
    assert fit["n"] == 26 and fit["kind"] == "poisson_glm" and fit["time_unit"] == "year"
    ctx = make_context(NOW, fits={"quietness": fit})
    one = quietness(ctx, [portfolio.quiet.pk])[portfolio.quiet.pk]
    whole = quiet_values()[portfolio.quiet.pk]
    assert {**one.facts, "p": None} == {**whole.facts, "p": None}
    assert one.facts["p"] == pytest.approx(whole.facts["p"], rel=1e-9)
    # Without a fit a part cannot be judged (its peers are not in it).
    assert quietness(make_context(NOW, fits={}), [portfolio.quiet.pk]) == {}


@override_settings(AFTERSALE={"QUIET_P": 0.000001})
def test_the_threshold_is_a_setting(portfolio):
    assert quiet_values()[portfolio.quiet.pk].facts["quiet"] is False


@override_settings(AFTERSALE={"QUIET_P": "often"})
def test_a_bad_setting_is_named():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=r'AFTERSALE\["QUIET_P"\]'):
        quiet_settings()


def test_a_quiet_account_is_never_banded_healthy_however_green_the_rest(portfolio):
    ctx = make_context(NOW, fits={})
    health = evaluate(ctx, None)[portfolio.quiet.pk]
    assert health.score >= ctx.config.healthy_min
    assert health.coverage >= ctx.config.min_coverage_healthy
    assert health.band == Band.WATCH
    assert health.capped_by == ("open_problems",)
    assert health.values["open_problems"].facts["rules"] == ["step_in"]
    assert health.reasons[0] == "open_problems" and "quietness" in health.reasons
    assert health.band_note.startswith("Banded watch, not healthy, whatever the score: Open problems: Open now: "
                                       "the customer is improbably quiet. Never healthy while someone must step in.")


def test_the_scan_stores_the_capped_band_and_the_fit(portfolio):
    run = run_scan()
    fits = {m["stream"]: m for m in run.rhythm_models}
    assert set(fits["quietness"]["params"]) == {"intercept", "log_assets", "asset_age_years",
                                                "log_orders_per_year"}
    assert fits["quietness"]["log_likelihood"] < 0
    assert portfolio.quiet.health_snapshots.get().band == Band.WATCH
    assert portfolio.normal.health_snapshots.get().band != Band.AT_RISK


def test_the_signal_is_one_query_whatever_the_number_of_accounts(portfolio, django_assert_num_queries):
    fit = fit_quietness(NOW)
    ctx = make_context(NOW, fits={"quietness": fit})
    with django_assert_num_queries(1):
        everyone = quietness(ctx, None)
    with django_assert_num_queries(1):
        quietness(ctx, [portfolio.quiet.pk])
    assert len(everyone) == 26


def test_later_requests_do_not_change_an_earlier_judgement(portfolio):
    before = quiet_values()[portfolio.quiet.pk].facts
    raises(portfolio.quiet, 6, since_days=-1, until_days=-200)
    assert quiet_values(days_ago(0))[portfolio.quiet.pk].facts == before
