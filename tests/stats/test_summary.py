"""Flat event arrays -> per-account (x, t_x, T) as of a day."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersale.stats import summarise


def test_it_counts_several_events_on_one_day_once():
    summary = summarise([0, 0, 0, 0], [10, 10, 12, 12], as_of_day=20)
    assert summary.n_days.tolist() == [2]
    assert summary.x.tolist() == [1]
    assert summary.t_x.tolist() == [2.0]
    assert summary.T.tolist() == [10.0]
    assert summary.since_last.tolist() == [8.0]


def test_it_ignores_events_after_as_of_but_counts_the_as_of_day():
    summary = summarise([0, 0, 0, 1], [5, 9, 11, 12], as_of_day=9, n_accounts=2)
    assert summary.x.tolist() == [1, 0]
    assert summary.t_x[0] == 4.0 and summary.T[0] == 4.0 and summary.since_last[0] == 0.0
    assert not summary.has_history[1]


def test_it_reports_accounts_without_history_and_leaves_them_out_of_the_fit():
    summary = summarise([2, 2, 0], [1, 4, 3], as_of_day=10, n_accounts=4)
    assert summary.n_accounts == 4
    assert summary.has_history.tolist() == [True, False, True, False]
    assert summary.x.tolist() == [0, 0, 1, 0]
    assert np.isnan(summary.T[[1, 3]]).all() and np.isnan(summary.since_last[[1, 3]]).all()
    x, t_x, T = summary.calibration()
    assert x.tolist() == [0, 1] and t_x.tolist() == [0.0, 3.0] and T.tolist() == [7.0, 9.0]


def test_it_opens_the_window_at_first_day_per_account_or_for_all():
    events = ([0, 0, 1, 1], [1, 6, 2, 8])
    assert summarise(*events, as_of_day=10, first_day=5).n_days.tolist() == [1, 1]
    per_account = summarise(*events, as_of_day=10, first_day=np.array([0, 5]))
    assert per_account.n_days.tolist() == [2, 1]
    assert per_account.first_day.tolist() == [1.0, 8.0]


def test_it_takes_the_median_gap_of_each_account():
    # Account 0: gaps 1, 2, 10 -> 2. Account 1: gaps 3, 5 -> 4. Account 2: a single day.
    summary = summarise([0, 0, 0, 0, 1, 1, 1, 2], [0, 1, 3, 13, 0, 3, 8, 4], as_of_day=20)
    assert summary.median_gap[:2].tolist() == [2.0, 4.0]
    assert np.isnan(summary.median_gap[2])


def test_it_reports_durations_in_weeks_when_asked():
    summary = summarise([0, 0], [0, 14], as_of_day=21, time_unit="week")
    assert summary.time_unit == "week"
    assert summary.t_x.tolist() == [2.0] and summary.T.tolist() == [3.0]
    assert summary.median_gap.tolist() == [2.0]
    assert summary.first_day.tolist() == [0.0]  # day numbers stay days


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"account_idx": [0.0], "event_day": [1]}, "account_idx must hold integers"),
        ({"account_idx": [0], "event_day": [1.5]}, "event_day must hold integers"),
        ({"account_idx": [0, 1], "event_day": [1]}, "same length"),
        ({"account_idx": [0, 3], "event_day": [1, 1], "n_accounts": 2}, "must lie in 0..1"),
        ({"account_idx": [[0]], "event_day": [[1]]}, "one-dimensional"),
        ({"account_idx": [0], "event_day": [1], "time_unit": "month"}, "time_unit"),
        ({"account_idx": [0], "event_day": [1], "first_day": [1, 2]}, "first_day"),
    ],
)
def test_it_names_what_is_wrong_with_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        summarise(as_of_day=10, **kwargs)


def _reference(events: list[tuple[int, int]], as_of: int, n: int) -> list[tuple[int, float, float, float]]:
    """The obvious per-account loop, to check the vectorised version against."""
    rows = []
    for account in range(n):
        days = sorted({d for a, d in events if a == account and d <= as_of})
        if not days:
            rows.append((0, np.nan, np.nan, np.nan))
            continue
        gaps = np.diff(days)
        rows.append((len(days) - 1, days[-1] - days[0], as_of - days[0],
                     float(np.median(gaps)) if gaps.size else np.nan))
    return rows


@settings(max_examples=60, deadline=None)
@given(
    events=st.lists(st.tuples(st.integers(0, 5), st.integers(-20, 40)), max_size=60),
    as_of=st.integers(-10, 50),
)
def test_it_agrees_with_a_per_account_loop(events, as_of):
    n = 6
    account = np.array([a for a, _ in events], dtype=np.int64)
    day = np.array([d for _, d in events], dtype=np.int64)
    summary = summarise(account, day, as_of, n_accounts=n)
    expected = np.array(_reference(events, as_of, n), dtype=np.float64)
    assert summary.x.tolist() == expected[:, 0].astype(int).tolist()
    np.testing.assert_array_equal(summary.t_x, expected[:, 1])
    np.testing.assert_array_equal(summary.T, expected[:, 2])
    np.testing.assert_array_equal(summary.median_gap, expected[:, 3])
