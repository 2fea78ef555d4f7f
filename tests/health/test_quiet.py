"""Quietness (P10): improbably few requests for what the account uses, against its peers."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from aftersale.health.evaluate import evaluate, make_context
from aftersale.health.models import Band
from aftersale.health.quietness.assess import fit_quietness, quiet_settings
from aftersale.health.quietness.signal import quietness
from aftersale.health.scan import run_scan
from aftersale.health.signals import registry

from .conftest import NOW, case, days_ago
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
    assert quiet.facts["p"] < 0.01
    assert quiet.facts["fdr"] == quiet_settings().fdr == 0.10
    assert quiet.facts["quiet"] is True
    assert quiet.value < 0.1


def test_it_does_not_flag_an_account_that_raises_what_its_peers_do(portfolio):
    normal = quiet_values()[portfolio.normal.pk]
    assert normal.facts["observed"] == 6
    assert normal.facts["quiet"] is False
    assert normal.value > 0.5


def test_it_does_not_judge_accounts_with_no_exposure_and_says_why(portfolio):
    values = quiet_values()
    signal = registry.get("quietness")
    new, idle = values[portfolio.new.pk], values[portfolio.idle.pk]
    assert new.value is None and new.facts["not_judged"] == "too_new"  # ordering for two months only
    assert idle.value is None and idle.facts["not_judged"] == "no_exposure"  # no machine, 2 orders
    assert signal.explanation(new, 24).startswith("Not judged: using us for 60 days of the last 365, "
                                                  "under the 180 needed.")
    assert signal.explanation(idle, 24) == (
        "Not judged: no machine installed and 2 orders in the last 365 days (fewer than 4), so nothing "
        "exposes it to needing us.")
    assert signal.explanation(registry.SignalValue(None), 24).startswith("Not judged")


def test_it_names_the_count_the_expectation_and_the_step_in_in_the_explanation(portfolio):
    words = registry.get("quietness").explanation(quiet_values()[portfolio.quiet.pk], 24)
    assert words.startswith("Raised 0 requests and complaints in the last 365 days, where accounts "
                            "with the same exposure (2 machines installed, their age, contract cover, "
                            "our outreach and the orders of the year before) raise about ")
    assert "flagged at a 10% false-discovery rate" in words
    assert "step in" in words


def test_it_ignores_requests_after_the_as_of_date(portfolio):
    raises(portfolio.quiet, 12, since_days=-5, until_days=-300)  # all of them in the future
    assert quiet_values()[portfolio.quiet.pk].facts["observed"] == 0
    assert quiet_values()[portfolio.quiet.pk].facts["quiet"] is True


def test_it_counts_a_request_raised_lately(portfolio):
    raises(portfolio.quiet, 6, since_days=365, until_days=0)
    quiet = quiet_values()[portfolio.quiet.pk]
    assert quiet.facts["observed"] == 6
    assert quiet.facts["quiet"] is False


def test_it_uses_the_scans_fit_for_a_part_of_the_portfolio_and_agrees_with_the_whole(portfolio):
    fit = fit_quietness(NOW)
    assert fit["n"] == 26 and fit["kind"] in ("zinb", "negbin") and fit["time_unit"] == "year"
    assert fit["converged"] and fit["tested"] == 26 and fit["flagged"] >= 1
    ctx = make_context(NOW, fits={"quietness": fit})
    one = quietness(ctx, [portfolio.quiet.pk])[portfolio.quiet.pk]
    whole = quiet_values()[portfolio.quiet.pk]
    assert {**one.facts, "p": None} == {**whole.facts, "p": None}
    assert one.facts["p"] == pytest.approx(whole.facts["p"], rel=1e-9)
    # Without a fit a part cannot be judged (its peers are not in it).
    assert quietness(make_context(NOW, fits={}), [portfolio.quiet.pk]) == {}


@override_settings(AFTERSALE={"QUIET_FDR": 1e-9})
def test_it_takes_the_false_discovery_rate_from_a_setting(portfolio):
    assert quiet_values()[portfolio.quiet.pk].facts["quiet"] is False


@override_settings(AFTERSALE={"QUIET_FDR": "often"})
def test_it_names_a_bad_setting():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=r'AFTERSALE\["QUIET_FDR"\]'):
        quiet_settings()


def test_it_never_bands_a_quiet_account_healthy_however_green_the_rest(portfolio):
    ctx = make_context(NOW, fits={})
    health = evaluate(ctx, None)[portfolio.quiet.pk]
    assert health.score >= ctx.config.healthy_min
    assert health.coverage >= ctx.config.min_coverage_healthy
    assert health.band == Band.WATCH
    assert health.capped_by == ("open_problems",)
    assert health.values["open_problems"].facts["rules"] == ["step_in"]
    assert health.reasons[0] == "open_problems" and "quietness" in health.reasons
    assert health.band_note.startswith(
        "Banded watch, not healthy, whatever the score: Open problems: Open now: "
        "the customer is improbably quiet. Never healthy while someone must step in.")


def test_it_stores_the_capped_band_and_the_fit_in_the_scan(portfolio):
    run = run_scan()
    fits = {m["stream"]: m for m in run.rhythm_models}
    assert set(fits["quietness"]["params"]) == {"intercept", "log_assets", "asset_age_years",
                                                "contract_coverage", "log_outreach_per_year",
                                                "log_prior_orders_per_year", "new_in_window"}
    assert fits["quietness"]["log_likelihood"] < 0
    assert portfolio.quiet.health_snapshots.get().band == Band.WATCH
    assert portfolio.normal.health_snapshots.get().band != Band.AT_RISK


def test_it_reads_the_signal_in_one_query_for_any_number_of_accounts(portfolio, django_assert_num_queries):
    fit = fit_quietness(NOW)
    ctx = make_context(NOW, fits={"quietness": fit})
    with django_assert_num_queries(1):
        everyone = quietness(ctx, None)
    with django_assert_num_queries(1):
        quietness(ctx, [portfolio.quiet.pk])
    assert len(everyone) == 28  # 26 judged, and the new and the idle one saying why not


def test_it_keeps_an_earlier_judgement_whatever_requests_come_later(portfolio):
    before = quiet_values()[portfolio.quiet.pk].facts
    raises(portfolio.quiet, 6, since_days=-1, until_days=-200)
    assert quiet_values(days_ago(0))[portfolio.quiet.pk].facts == before


def test_it_shows_the_fit_the_flags_and_the_expected_false_alarms_on_the_model_page(portfolio, owner_client):
    run = run_scan()
    fit = next(m for m in run.rhythm_models if m["stream"] == "quietness")
    body = owner_client.get(reverse("health_model")).content.decode()
    assert "Quiet customers: the model of the latest scan" in body
    assert fit["tested"] == 26 and fit["flagged"] >= 1 and fit["not_judged"] == 2
    assert fit["expected_false_alarms"] == pytest.approx(0.1 * fit["flagged"])
    for label, value in (("Accounts tested", "26"), ("Flagged quiet", str(fit["flagged"])),
                         ("False-discovery setting", "10%"),
                         ("Expected false alarms per scan", f"{fit['expected_false_alarms']:.1f}")):
        assert f'<th scope="row">{label}</th><td class="num">{value}</td>' in body
    assert "share of the machines a maintenance contract covers" in body


def test_it_counts_a_complaint_against_the_quiet_flag_without_ever_raising_the_score(portfolio):
    before = evaluate(make_context(NOW, fits={}), None)[portfolio.quiet.pk]
    for n in range(6):
        case(portfolio.quiet, days_ago(10 + n), is_complaint=True, kind="application_support",
             title="It keeps stopping")
    after = evaluate(make_context(NOW, fits={}), None)[portfolio.quiet.pk]
    assert after.values["quietness"].facts["observed"] == before.values["quietness"].facts["observed"] + 6
    assert after.values["quietness"].value <= before.values["quietness"].value + 1e-9
    assert after.score <= before.score


def test_it_does_not_use_a_stored_fit_with_other_covariates(portfolio):
    """A scan stored before an upgrade may carry another model: a part is then not judged, and the
    whole portfolio is fitted afresh, rather than failing."""
    fit = {**fit_quietness(NOW), "covariates": ["log_assets", "asset_age_years"]}
    ctx = make_context(NOW, fits={"quietness": fit})
    assert quietness(ctx, [portfolio.quiet.pk]) == {}
    assert quietness(ctx, None)[portfolio.quiet.pk].facts["quiet"] is True
