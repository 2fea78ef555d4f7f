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
    bgnbd_p_alive,
    bgnbd_p_event_within,
    bgnbd_pmf,
    summarise,
)

BGNBD = RhythmModel(kind=ModelKind.BGNBD, params={"r": 0.8, "alpha": 30.0, "a": 0.6, "b": 3.0},
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
    outputs = (rhythm.p_alive, rhythm.p_return, rhythm.expected_next, rhythm.since_last,
               rhythm.usual_gap, rhythm.gap_ratio)
    for values in outputs:
        assert np.isnan(values[0])


def test_it_judges_established_accounts_on_their_own_rhythm(portfolio):
    rhythm = account_rhythm(portfolio, BGNBD)
    x, t_x, T = portfolio.x[3:], portfolio.t_x[3:], portfolio.T[3:]
    assert rhythm.p_alive[3:] == pytest.approx(bgnbd_p_alive(BGNBD, x, t_x, T))
    assert rhythm.p_return[3:] == pytest.approx(bgnbd_p_event_within(BGNBD, [7.0, 7.0, 30.0], x, t_x, T))
    assert rhythm.expected_next[3:] == pytest.approx(bgnbd_expected(BGNBD, 90.0, x, t_x, T))
    assert rhythm.usual_gap[3:].tolist() == [7.0, 7.0, 30.0]
    assert rhythm.since_last[3:].tolist() == [7.0, 140.0, 0.0]
    assert rhythm.gap_ratio[3:].tolist() == [1.0, 20.0, 0.0]
    # The weekly customer silent for twenty weeks is far less likely to be back within a week than
    # the one on rhythm.
    assert rhythm.p_alive[4] < 0.2 < 0.8 < rhythm.p_alive[3]
    assert rhythm.p_return[4] < 0.1 < 0.4 < rhythm.p_return[3]


def test_it_gives_accounts_with_one_event_the_population_gap(portfolio):
    rhythm = account_rhythm(portfolio, BGNBD)
    assert rhythm.population_gap == 7.0  # median of the established accounts' usual gaps (7, 7, 30)
    assert rhythm.usual_gap[1:3].tolist() == [7.0, 7.0]
    assert rhythm.gap_ratio[1:3].tolist() == [1 / 7, 365 / 7]


def test_it_judges_a_one_time_buyer_by_the_same_model_and_lets_its_silence_count(portfolio):
    """BG/NBD drops an account out only after a repeat event (P(alive) is 1 however long ago the one
    order was), yet the chance of an order within the usual gap falls with the silence."""
    rhythm = account_rhythm(portfolio, BGNBD)
    assert rhythm.p_alive[1:3].tolist() == [1.0, 1.0]
    assert rhythm.p_return[1:3] == pytest.approx(bgnbd_p_event_within(BGNBD, 7.0, 0, 0.0, [1.0, 365.0]))
    assert rhythm.p_return[2] < rhythm.p_return[1]
    assert rhythm.expected_next[1:3] == pytest.approx(bgnbd_expected(BGNBD, 90.0, 0, 0.0, [1.0, 365.0]))


def test_it_gives_the_chance_of_an_event_within_a_time_as_one_minus_no_event():
    """P(Y(t) > 0) agrees with the published P(X(t) = 0) of a new account, and falls with silence."""
    t = np.array([1.0, 30.0, 365.0])
    assert bgnbd_p_event_within(BGNBD, t, 0, 0.0, 0.0) == pytest.approx(1 - bgnbd_pmf(BGNBD, t, 0))
    p = bgnbd_p_event_within(BGNBD, 30.0, 3, 90.0, np.array([90.0, 150.0, 400.0]))
    assert (np.diff(p) < 0).all()


def test_it_does_not_call_a_new_account_lost(portfolio):
    rhythm = account_rhythm(portfolio, BGNBD)
    assert rhythm.status[1] == RhythmStatus.NEW
    assert rhythm.gap_ratio[1] < 1


def test_it_judges_a_part_by_the_portfolio_gap_when_given(portfolio):
    rhythm = account_rhythm(portfolio, BGNBD, population_gap=400.0)
    assert rhythm.status[1:3].tolist() == ["new", "new"]
    assert rhythm.usual_gap[1:3].tolist() == [400.0, 400.0]


def test_it_reads_the_horizon_in_the_summary_unit():
    summary = summarise([0, 0, 0], [0, 14, 28], 35, time_unit="week")
    weekly = RhythmModel(kind=ModelKind.BGNBD, params={**BGNBD.params, "alpha": 30.0 / 7},
                         log_likelihood=0.0, n=0, time_unit="week", converged=True)
    rhythm = account_rhythm(summary, weekly)
    assert rhythm.horizon == pytest.approx(90 / 7)
    assert rhythm.expected_next[0] == pytest.approx(float(bgnbd_expected(weekly, 90 / 7, 2, 4.0, 5.0)))


def test_it_calls_every_single_event_account_new_without_established_accounts():
    rhythm = account_rhythm(summarise([0, 1], [10, 500], 1000), BGNBD)
    assert np.isnan(rhythm.population_gap)
    assert rhythm.status.tolist() == ["new", "new"]


def test_it_refuses_models_in_another_time_unit_or_of_the_wrong_kind(portfolio):
    weekly = RhythmModel(kind=ModelKind.BGNBD, params=BGNBD.params, log_likelihood=0.0, n=0,
                         time_unit="week", converged=True)
    with pytest.raises(ValueError, match="model is in weeks but the summary in days"):
        account_rhythm(portfolio, weekly)
    with pytest.raises(ValueError, match="horizon"):
        account_rhythm(portfolio, BGNBD, horizon=-1.0)


def test_it_lowers_the_chance_of_return_of_cdnow_one_time_buyers_with_their_silence(cdnow_weeks, cdnow_bgnbd):
    """On real data: the 1,411 customers who never came back are not all 'safe': the longer since
    their one purchase, the lower their chance of a purchase within the usual gap."""
    rhythm = account_rhythm(cdnow_weeks, cdnow_bgnbd)
    single = cdnow_weeks.x == 0
    assert single.sum() == 1411
    assert (rhythm.p_alive[single] == 1.0).all()
    order = np.argsort(cdnow_weeks.T[single])
    assert (np.diff(rhythm.p_return[single][order]) <= 1e-12).all()
    assert rhythm.p_return[single].mean() < rhythm.p_return[~single].mean()
