from datetime import UTC, date, datetime

import pytest
import time_machine
from django.utils import timezone

from aftersale.core.asof import months_before
from aftersale.core.enums import Department
from aftersale.promises.measures import PromiseMeasures, promise_measures

JUNE_30 = date(2026, 6, 30)


def test_it_counts_each_outcome_per_account_as_of_a_date(ledger, account, other_account):
    measures = promise_measures(JUNE_30)
    assert measures[account.pk] == PromiseMeasures(
        made=7, kept=1, late=1, broken=1, cancelled=1, open=3, overdue=3
    )
    assert measures[other_account.pk] == PromiseMeasures(made=1, open=1)
    # Kept 1 of 6 that came due (kept, late, broken and 3 overdue).
    assert measures[account.pk].on_time_rate == pytest.approx(1 / 6)
    assert measures[other_account.pk].on_time_rate is None


def test_it_ignores_everything_after_as_of(ledger, account):
    # A late delivery on 5 July and a renegotiation on 1 July both happened
    # after 30 June: then, both promises were open and past their due date.
    before = promise_measures(JUNE_30, [account.pk])[account.pk]
    after = promise_measures(date(2026, 7, 10), [account.pk])[account.pk]
    assert (before.late, before.open, before.overdue) == (1, 3, 3)
    assert (after.late, after.open, after.overdue) == (2, 2, 1)


def test_it_counts_nothing_before_the_promise_was_made(ledger, account):
    early = promise_measures(date(2026, 1, 31), [account.pk])[account.pk]
    # Three made on 5 January (one kept on the 30th, two still open and not yet
    # due) plus the one made and kept in spring 2025; the rest did not exist yet.
    assert early == PromiseMeasures(made=4, kept=2, open=2, overdue=0)


def test_it_leaves_out_promises_older_than_the_window(ledger, account):
    measures = promise_measures(date(2026, 4, 2), [account.pk])[account.pk]
    assert measures.kept == 1  # the April 2025 one fell out of the window


def test_it_groups_by_department_and_person(ledger, owner, colleague, manager):
    by_maker = promise_measures(JUNE_30, group_by="made_by_department")
    assert by_maker[Department.SALES].made == 7
    assert by_maker[Department.MARKETING] == PromiseMeasures(made=1, open=1)
    by_deliverer = promise_measures(JUNE_30, group_by="delivery_department")
    assert by_deliverer[Department.SERVICE] == PromiseMeasures(made=2, broken=1, open=1)
    by_person = promise_measures(JUNE_30, group_by="delivery_owner")
    assert by_person[colleague.pk] == PromiseMeasures(
        made=6, kept=1, late=1, cancelled=1, open=3, overdue=3
    )
    assert promise_measures(JUNE_30, group_by="made_by")[owner.pk].made == 7


def test_it_counts_supplier_promises_only_when_asked(ledger, account):
    to_us = promise_measures(JUNE_30, [account.pk], direction="to_us")[account.pk]
    assert to_us == PromiseMeasures(made=1, open=1, overdue=1)
    both = promise_measures(JUNE_30, [account.pk], direction=None)[account.pk]
    assert both.made == 8


def test_it_uses_one_query_per_grouping(ledger, django_assert_num_queries):
    with django_assert_num_queries(1):
        promise_measures(JUNE_30, group_by="departments")
    with django_assert_num_queries(1):
        promise_measures(JUNE_30, group_by="total")


def test_it_measures_as_of_now_with_time_frozen(ledger, account):
    # A moment counts as its local (Hanoi) day, measured at the end of that day.
    with time_machine.travel(datetime(2026, 6, 30, 16, 0, tzinfo=UTC), tick=False):
        # 23:00 on 30 June in Hanoi: the renegotiation of 1 July has not happened,
        # so the old due date (20 June) is in force and the promise is overdue.
        june = promise_measures(timezone.now(), [account.pk])[account.pk]
    with time_machine.travel(datetime(2026, 7, 1, 5, 0, tzinfo=UTC), tick=False):
        # Noon on 1 July in Hanoi: renegotiated to 1 August, no longer overdue.
        july = promise_measures(timezone.now(), [account.pk])[account.pk]
    assert (june.open, june.overdue) == (3, 3)
    assert (july.open, july.overdue) == (3, 2)


def test_it_rejects_unknown_groupings_and_directions():
    with pytest.raises(ValueError, match="cannot group"):
        promise_measures(JUNE_30, group_by="colour")
    with pytest.raises(ValueError, match="unknown direction"):
        promise_measures(JUNE_30, direction="sideways")


def test_it_counts_whole_calendar_months_back():
    assert months_before(date(2026, 6, 30)) == date(2025, 6, 30)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2024, 2, 29)) == date(2023, 2, 28)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)
