"""The scoring maths, without a database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersale.health import scoring

LIMITS = {"healthy_min": 70, "watch_min": 50, "min_coverage_healthy": 0.5}


def test_it_combines_every_weighted_signal_counting_one_without_data_at_its_neutral_value():
    result = scoring.combine({"a": 1.0, "b": 0.5, "c": None}, {"a": 30, "b": 10, "c": 60}, {"c": 0.75})
    assert result.score == pytest.approx(100 * (30 * 1.0 + 10 * 0.5 + 60 * 0.75) / 100)
    assert result.coverage == pytest.approx(0.4)
    assert result.contributions == {
        "a": pytest.approx(30.0), "b": pytest.approx(5.0), "c": pytest.approx(45.0)}


def test_it_counts_a_signal_without_data_or_a_neutral_value_at_the_middle():
    result = scoring.combine({"a": 1.0, "b": None}, {"a": 10, "b": 10})
    assert result.score == pytest.approx(75.0)


@given(st.dictionaries(st.sampled_from("abcdef"), st.one_of(st.none(), st.floats(0, 1)), min_size=1),
       st.dictionaries(st.sampled_from("abcdef"), st.integers(1, 100), min_size=1),
       st.sampled_from("abcdef"), st.floats(0, 1))
def test_it_never_raises_the_score_for_a_first_value_below_the_neutral_one(values, weights, name, value):
    neutral = dict.fromkeys("abcdef", 0.5)
    before = scoring.combine({**values, name: None}, weights, neutral)
    after = scoring.combine({**values, name: value}, weights, neutral)
    if before.score is None or after.score is None:
        return
    if value <= 0.5:
        assert after.score <= before.score + 1e-9
    else:
        assert after.score >= before.score - 1e-9


def test_it_has_no_score_without_data():
    result = scoring.combine({"a": None}, {"a": 10})
    assert (result.score, result.coverage) == (None, 0.0)


def test_it_counts_a_signal_switched_off_for_nothing():
    result = scoring.combine({"a": 0.0, "b": 1.0}, {"a": 0, "b": 10})
    assert (result.score, result.coverage, result.contributions["a"]) == (100.0, 1.0, None)


@given(st.dictionaries(st.sampled_from("abcdef"), st.one_of(st.none(), st.floats(0, 1)), min_size=1),
       st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 100), min_size=1))
def test_it_always_adds_contributions_up_to_a_score_between_0_and_100(values, weights):
    result = scoring.combine(values, weights)
    if result.score is None:
        return
    assert 0 <= result.score <= 100 + 1e-9
    assert sum(c for c in result.contributions.values() if c is not None) == pytest.approx(result.score)
    assert 0 < result.coverage <= 1


@pytest.mark.parametrize(("score", "coverage", "band"), [
    (85, 0.9, "healthy"), (70, 0.5, "healthy"), (85, 0.3, "watch"), (69.9, 1, "watch"),
    (50, 1, "watch"), (49.9, 1, "at_risk"), (None, 0, "watch"),
])
def test_it_bands_by_the_limits_and_never_calls_a_quiet_account_healthy(score, coverage, band):
    assert scoring.band(score, coverage, **LIMITS) == band


def test_it_fits_a_line_through_the_reference_scores():
    # 80 three months ago, 70 two months ago, 60 one month ago, 50 today: -30 over 90 days.
    change = scoring.trend_change([(0, 50), (30, 60), (60, 70), (90, 80)])
    assert change == pytest.approx(-30)
    assert scoring.trend(change, 5) == "deteriorating"
    assert scoring.trend(scoring.trend_change([(0, 62), (30, 60)]), 5) == "improving"
    assert scoring.trend(scoring.trend_change([(0, 61), (90, 60)]), 5) == "steady"


def test_it_needs_history_a_month_back_for_a_trend():
    assert scoring.trend_change([(0, 50)]) is None
    assert scoring.trend_change([(0, 50), (7, 90)]) is None
    assert scoring.trend(None, 5) == ""


def test_it_names_the_signals_that_moved_most():
    moved = scoring.moved(
        {"promises": 5.0, "trust": 20.0, "orders": 10.2, "new": 3.0},
        {"promises": 15.0, "trust": 18.0, "orders": 10.0, "gone": 1.0},
    )
    assert moved == [("promises", -10.0), ("new", 3.0), ("trust", 2.0)]


def test_it_puts_the_costliest_signals_first_in_the_reasons():
    values = {"promises": 0.0, "trust": 0.5, "orders": 1.0, "none": None}
    weights = {"promises": 10, "trust": 30, "orders": 60, "none": 50}
    assert scoring.reasons(values, weights) == ["trust", "promises"]
    assert scoring.reasons({"a": 1.0, "b": 1.0}, {"a": 10, "b": 20}) == ["b", "a"]


def test_it_gives_a_calibrated_chance_that_never_falls_as_the_score_rises():
    import numpy as np

    from aftersale.health.models import BacktestRun
    from aftersale.health.proof import calibrated_probability
    from aftersale.stats.proof import fit_isotonic

    rng = np.random.default_rng(2)
    score = rng.uniform(0, 100, 2000)
    ordered = rng.random(2000) < score / 120
    model = fit_isotonic(score, ordered)
    run = BacktestRun(horizon_days=180,
                      report={"probability": {"x": list(model.x), "y": list(model.y), "n": 2000}})
    chances = [calibrated_probability(run, s) for s in range(0, 101)]
    assert all(a <= b for a, b in zip(chances, chances[1:], strict=False))
    assert chances[0] < 0.2 < 0.6 < chances[-1]
    assert calibrated_probability(run, None) is None
    assert calibrated_probability(None, 50) is None
