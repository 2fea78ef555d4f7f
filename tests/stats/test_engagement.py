"""Per-account rhythm outputs, and the rules for accounts with no, one or few events."""

from __future__ import annotations

import numpy as np
import pytest

from aftersale.stats import (
    ModelKind,
    RhythmModel,
    RhythmStatus,
    account_rhythm,
    bgnbd_expected,
    bgnbd_expected_if_alive,
    bgnbd_p_alive,
    exposure_p_engaged,
    paretonbd_expected,
    paretonbd_p_alive,
    summarise,
)

BGNBD = RhythmModel(kind=ModelKind.BGNBD, params={"r": 0.8, "alpha": 30.0, "a": 0.6, "b": 3.0},
                    log_likelihood=0.0, n=0, time_unit="day", converged=True)
PARETO = RhythmModel(kind=ModelKind.PARETONBD, params={"r": 0.8, "alpha": 30.0, "s": 0.7, "beta": 200.0},
                     log_likelihood=0.0, n=0, time_unit="day", converged=True)
AS_OF = 1000


@pytest.fixture
def portfolio():
    """0: no events. 1: one order yesterday. 2: one order a year ago. 3: weekly until last week.
    4: weekly, silent for 20 weeks. 5: every 30 days, last one today."""
    events = [(1, AS_OF - 1), (2, AS_OF - 365)]
    events += [(3, day) for day in range(AS_OF - 7 * 30, AS_OF - 6, 7)]
    events += [(4, day) for day in range(AS_OF - 7 * 50, AS_OF - 7 * 20 + 1, 7)]
    events += [(5, day) for day in range(AS_OF - 300, AS_OF + 1, 30)]
    events += [(5, AS_OF + 5)]  # after the as-of date: ignored
    account, day = (np.array(v) for v in zip(*events, strict=True))
    return summarise(account, day, AS_OF, n_accounts=6)


def test_it_sorts_accounts_by_how_much_history_they_have(portfolio):
    rhythm = account_rhythm(portfolio, BGNBD)
    assert rhythm.status.tolist() == [
        "no_history", "new", "one_event", "established", "established", "established"
    ]
    assert rhythm.insufficient_history.tolist() == [True, True, True, False, False, False]
    assert rhythm.status[3] == RhythmStatus.ESTABLISHED


def test_it_leaves_accounts_without_history_unjudged(portfolio):
    rhythm = account_rhythm(portfolio, BGNBD)
    outputs = (rhythm.p_engaged, rhythm.expected_next, rhythm.since_last, rhythm.usual_gap, rhythm.gap_ratio)
    for values in outputs:
        assert np.isnan(values[0])


def test_it_judges_established_accounts_on_their_own_rhythm(portfolio):
    rhythm = account_rhythm(portfolio, BGNBD)
    x, t_x, T = portfolio.x[3:], portfolio.t_x[3:], portfolio.T[3:]
    assert rhythm.p_engaged[3:] == pytest.approx(bgnbd_p_alive(BGNBD, x, t_x, T))
    assert rhythm.expected_next[3:] == pytest.approx(bgnbd_expected(BGNBD, 90.0, x, t_x, T))
    assert rhythm.usual_gap[3:].tolist() == [7.0, 7.0, 30.0]
    assert rhythm.since_last[3:].tolist() == [7.0, 140.0, 0.0]
    assert rhythm.gap_ratio[3:].tolist() == [1.0, 20.0, 0.0]
    # The weekly customer silent for twenty weeks is far less likely to be engaged than the one on rhythm.
    assert rhythm.p_engaged[4] < 0.2 < 0.8 < rhythm.p_engaged[3]


def test_it_gives_accounts_with_one_event_the_population_gap(portfolio):
    rhythm = account_rhythm(portfolio, BGNBD)
    assert rhythm.population_gap == 7.0  # median of the established accounts' usual gaps (7, 7, 30)
    assert rhythm.usual_gap[1:3].tolist() == [7.0, 7.0]
    assert rhythm.gap_ratio[1:3].tolist() == [1 / 7, 365 / 7]


def test_it_does_not_rate_a_one_time_buyer_safe_just_because_bgnbd_does(portfolio):
    assert bgnbd_p_alive(BGNBD, 0, 0.0, 365.0) == 1.0  # the quirk being corrected
    rhythm = account_rhythm(portfolio, BGNBD)
    year_old = rhythm.p_engaged[2]
    assert year_old == pytest.approx(float(exposure_p_engaged(BGNBD, 365.0)))
    assert year_old < 0.5
    assert year_old < rhythm.p_engaged[1]
    if_alive = float(bgnbd_expected_if_alive(BGNBD, 90.0, 0, 0, 365.0))
    assert rhythm.expected_next[2] == pytest.approx(year_old * if_alive)


def test_it_uses_the_pareto_nbd_probability_for_one_time_buyers_when_given(portfolio):
    rhythm = account_rhythm(portfolio, BGNBD, zero_repeat_model=PARETO)
    assert rhythm.p_engaged[1:3] == pytest.approx(paretonbd_p_alive(PARETO, 0, 0.0, [1.0, 365.0]))
    assert rhythm.p_engaged[2] < 0.5 < rhythm.p_engaged[1]
    # Established accounts keep the BG/NBD answer.
    assert rhythm.p_engaged[3:] == pytest.approx(account_rhythm(portfolio, BGNBD).p_engaged[3:])


def test_a_new_account_is_not_lost(portfolio):
    for zero_repeat_model in (None, PARETO):
        rhythm = account_rhythm(portfolio, BGNBD, zero_repeat_model=zero_repeat_model)
        assert rhythm.status[1] == RhythmStatus.NEW
        assert rhythm.p_engaged[1] > 0.8
        assert rhythm.gap_ratio[1] < 1


def test_the_exposure_rule_treats_a_first_event_like_a_repeat_one():
    """At T = 0 a one-event account is as likely engaged as one that just made its first repeat event."""
    assert exposure_p_engaged(BGNBD, 0.0) == pytest.approx(float(bgnbd_p_alive(BGNBD, 1, 50.0, 50.0)))
    p = exposure_p_engaged(BGNBD, np.array([0.0, 30.0, 180.0, 720.0]))
    assert (np.diff(p) < 0).all()


def test_it_can_judge_everyone_by_pareto_nbd(portfolio):
    rhythm = account_rhythm(portfolio, PARETO)
    has = portfolio.has_history
    x, t_x, T = portfolio.x[has], portfolio.t_x[has], portfolio.T[has]
    assert rhythm.p_engaged[has] == pytest.approx(paretonbd_p_alive(PARETO, x, t_x, T))
    assert rhythm.expected_next[has] == pytest.approx(paretonbd_expected(PARETO, 90.0, x, t_x, T))


def test_it_reads_the_horizon_in_the_summary_unit():
    summary = summarise([0, 0, 0], [0, 14, 28], 35, time_unit="week")
    weekly = RhythmModel(kind=ModelKind.BGNBD, params={**BGNBD.params, "alpha": 30.0 / 7},
                         log_likelihood=0.0, n=0, time_unit="week", converged=True)
    rhythm = account_rhythm(summary, weekly)
    assert rhythm.horizon == pytest.approx(90 / 7)
    assert rhythm.expected_next[0] == pytest.approx(float(bgnbd_expected(weekly, 90 / 7, 2, 4.0, 5.0)))


def test_without_established_accounts_every_single_event_account_is_new():
    rhythm = account_rhythm(summarise([0, 1], [10, 500], 1000), BGNBD)
    assert np.isnan(rhythm.population_gap)
    assert rhythm.status.tolist() == ["new", "new"]


def test_it_refuses_models_in_another_time_unit_or_of_the_wrong_kind(portfolio):
    weekly = RhythmModel(kind=ModelKind.BGNBD, params=BGNBD.params, log_likelihood=0.0, n=0,
                         time_unit="week", converged=True)
    with pytest.raises(ValueError, match="model is in weeks but the summary in days"):
        account_rhythm(portfolio, weekly)
    with pytest.raises(ValueError, match="must be a Pareto/NBD fit"):
        account_rhythm(portfolio, BGNBD, zero_repeat_model=BGNBD)
    with pytest.raises(ValueError, match="horizon"):
        account_rhythm(portfolio, BGNBD, horizon=-1.0)


def test_it_corrects_the_quirk_on_cdnow(cdnow_weeks, cdnow_bgnbd, cdnow_pareto):
    """On real data: the 1,411 customers who never came back are not all 'alive'."""
    rhythm = account_rhythm(cdnow_weeks, cdnow_bgnbd, zero_repeat_model=cdnow_pareto)
    single = cdnow_weeks.x == 0
    assert single.sum() == 1411
    assert (bgnbd_p_alive(cdnow_bgnbd, *(v[single] for v in cdnow_weeks.calibration())) == 1.0).all()
    assert rhythm.p_engaged[single].max() < 0.5
    assert rhythm.p_engaged[single].mean() < rhythm.p_engaged[~single].mean()
