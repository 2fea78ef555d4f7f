"""The sla_breach and maintenance_overdue alert conditions, as of a date, through the registry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from aftersale.alerts import registry
from aftersale.alerts.models import Alert
from aftersale.alerts.texts import render
from aftersale.service.actions import (
    do_change_status,
    do_complete_maintenance,
    do_open_case,
    do_record_first_response,
)
from aftersale.service.conditions import MAINTENANCE_OVERDUE, SLA_BREACH, maintenance_overdue, sla_breach
from aftersale.service.models import Asset, CaseKind, CaseStatus, MaintenancePlan
from tests.service.conftest import at

NOW = at(2026, 3, 20, 12)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_it_registers_both_kinds():
    assert registry.registered()["sla_breach"] is sla_breach
    assert registry.registered()["maintenance_overdue"] is maintenance_overdue


def test_it_counts_a_case_breached_when_the_due_time_passes_unanswered(account, owner):
    case = do_open_case(account=account, kind=CaseKind.REPAIR, title="Leak", by=owner,
                        opened_at=at(2026, 3, 2, 9))
    # Response due Tuesday 3 March 09:00.
    assert sla_breach(at(2026, 3, 3, 8, 59), [account.pk]) == {}
    wanted = sla_breach(at(2026, 3, 3, 9, 1), [account.pk])
    assert list(wanted) == [(account.pk, f"case:{case.pk}")]
    text = render(SLA_BREACH, wanted[(account.pk, f"case:{case.pk}")].params).explanation
    assert "first response was due 03/03/2026 9 a.m." in text


def test_it_is_as_of_correct_and_ignores_a_later_response(account, owner):
    case = do_open_case(account=account, kind=CaseKind.REPAIR, title="Leak", by=owner,
                        opened_at=at(2026, 3, 2, 9))
    do_record_first_response(case, at=at(2026, 3, 3, 8), by=owner)
    # Answered in time: as of any moment after the answer, no breach...
    assert sla_breach(at(2026, 3, 4, 9), [account.pk]) == {}
    # ...and as of before the answer it was simply not yet due.
    assert sla_breach(at(2026, 3, 2, 17), [account.pk]) == {}


def test_it_stops_the_clock_while_waiting_on_the_customer_as_of_any_date(account, owner):
    case = do_open_case(account=account, kind=CaseKind.REPAIR, title="Leak", by=owner,
                        opened_at=at(2026, 3, 2, 9))
    do_record_first_response(case, at=at(2026, 3, 2, 9, 30), by=owner)
    do_change_status(case, CaseStatus.WAITING, at=at(2026, 3, 2, 10), by=owner)
    # Resolution target 40 h; waiting since Monday 10:00, so only one hour has run.
    assert sla_breach(at(2026, 3, 19, 9), [account.pk]) == {}


def test_it_opens_one_alert_per_case_and_resolves_it_when_the_case_is_done(account, owner,
                                                                                other_account):
    case = do_open_case(account=account, kind=CaseKind.REPAIR, title="Leak", by=owner,
                        opened_at=at(2026, 3, 2, 9))
    registry.refresh(at(2026, 3, 4, 9))
    registry.refresh(at(2026, 3, 5, 9))
    alert = Alert.objects.get(kind="sla_breach")
    assert (alert.account, alert.subject, alert.owner) == (account, f"case:{case.pk}", owner)
    assert alert.opened_at == at(2026, 3, 4, 9)
    do_change_status(case, CaseStatus.RESOLVED, at=at(2026, 3, 18, 9), by=owner)
    registry.refresh(at(2026, 3, 19, 9))
    alert.refresh_from_db()
    assert alert.resolved_at == at(2026, 3, 19, 9)


def test_it_finds_breaches_in_a_query_count_that_does_not_grow_with_cases(account, owner, other_account,
                                                          django_assert_max_num_queries):
    for n in range(6):
        do_open_case(account=account if n % 2 else other_account, kind=CaseKind.REPAIR,
                     title=f"Case {n}", by=owner, opened_at=at(2026, 3, 2, 9))
    with django_assert_max_num_queries(4):
        assert len(sla_breach(NOW, None)) == 6


# --- maintenance ----------------------------------------------------------------------------

def test_it_counts_a_visit_overdue_the_day_after_it_was_due(account, plan):
    # Last done 1 December 2025, every 90 days: due 1 March 2026.
    assert maintenance_overdue(at(2026, 3, 1, 23), [account.pk]) == {}
    wanted = maintenance_overdue(at(2026, 3, 2, 8), [account.pk])
    assert list(wanted) == [(account.pk, f"plan:{plan.pk}")]
    text = render(MAINTENANCE_OVERDUE, wanted[(account.pk, f"plan:{plan.pk}")].params).explanation
    assert "03/01/2026 (1 days overdue)" in text


def test_it_moves_the_plan_on_when_maintenance_is_completed_as_of_any_date(account, owner, asset, plan):
    case = do_complete_maintenance(plan=plan, asset=asset, done_at=at(2026, 3, 5, 10), by=owner)
    plan.refresh_from_db()
    assert (plan.last_done_at, plan.next_due_at) == (date(2026, 3, 5), date(2026, 6, 3))
    assert case.kind == CaseKind.MAINTENANCE and case.status == CaseStatus.RESOLVED
    assert maintenance_overdue(at(2026, 3, 6), [account.pk]) == {}
    # As of before the visit, it was overdue.
    assert (account.pk, f"plan:{plan.pk}") in maintenance_overdue(at(2026, 3, 4), [account.pk])


def test_it_resolves_the_open_visit_case_when_maintenance_is_completed(account, owner, asset, plan):
    visit = do_open_case(account=account, kind=CaseKind.MAINTENANCE, title="Visit", by=owner,
                         opened_at=at(2026, 3, 2, 9), asset=asset, maintenance_plan=plan)
    case = do_complete_maintenance(plan=plan, asset=asset, done_at=at(2026, 3, 3, 15), by=owner)
    assert case.pk == visit.pk and case.status == CaseStatus.RESOLVED


def test_it_applies_a_product_wide_plan_to_each_asset_of_the_product(account, owner, asset, lathe):
    second = Asset.objects.create(account=account, product=lathe, serial="SN-101",
                                  installed_at=date(2026, 1, 10))
    plan = MaintenancePlan.objects.create(product=lathe, name="Lathe yearly check", interval_days=60)
    do_complete_maintenance(plan=plan, asset=asset, done_at=at(2026, 2, 20, 9), by=owner)
    wanted = maintenance_overdue(at(2026, 3, 20), [account.pk])
    # The first lathe was serviced on 20 February; the second is due 60 days after installation.
    assert list(wanted) == [(account.pk, f"plan:{plan.pk}:asset:{second.pk}")]
    plan.refresh_from_db()
    assert plan.last_done_at is None  # product-wide plans keep their dates per asset, in cases


def test_it_asks_no_maintenance_of_retired_and_not_yet_installed_assets(account, asset, plan):
    Asset.objects.filter(pk=asset.pk).update(status="retired")
    assert maintenance_overdue(at(2026, 3, 20), [account.pk]) == {}
    Asset.objects.filter(pk=asset.pk).update(status="active")
    assert maintenance_overdue(at(2025, 5, 1), [account.pk]) == {}  # before installation


def test_it_raises_and_resolves_maintenance_alerts_in_the_scan(account, owner, asset, plan):
    registry.refresh(at(2026, 3, 3))
    alert = Alert.objects.get(kind="maintenance_overdue")
    assert alert.subject == f"plan:{plan.pk}"
    do_complete_maintenance(plan=plan, asset=asset, done_at=at(2026, 3, 5, 10), by=owner)
    registry.refresh(at(2026, 3, 6))
    alert.refresh_from_db()
    assert alert.resolved_at == at(2026, 3, 6)


def test_it_finds_overdue_maintenance_in_a_query_count_that_does_not_grow_with_plans(
    account, other_account, lathe, django_assert_max_num_queries
):
    for n, acc in enumerate([account, other_account] * 3):
        a = Asset.objects.create(account=acc, product=lathe, serial=f"S{n}", installed_at=date(2025, 1, 1))
        MaintenancePlan.objects.create(asset=a, name=f"Plan {n}", interval_days=30)
    with django_assert_max_num_queries(3):
        assert len(maintenance_overdue(NOW, None)) == 6


def test_it_gets_the_same_answer_from_the_stored_clock_shortcut_as_from_the_clock(account, owner):
    from aftersale.service.models import ServiceCase

    # Opened over the past weeks at NOW - various ages; some answered, one paused, one resolved.
    ages = [1, 3, 9, 20, 45, 100, 200]
    for n, hours in enumerate(ages):
        case = do_open_case(account=account, kind=CaseKind.REPAIR, title=f"Case {n}", by=owner,
                            opened_at=NOW - timedelta(hours=hours), severity=["high", "normal", "low"][n % 3])
        if n % 2:
            do_record_first_response(case, at=NOW - timedelta(hours=hours) + timedelta(minutes=30), by=owner)
        if n == 5:
            do_change_status(case, CaseStatus.WAITING, at=NOW - timedelta(hours=2), by=owner)
    later = NOW + timedelta(days=1)
    quick = sla_breach(later, [account.pk])
    ServiceCase.objects.update(updated_at=later + timedelta(seconds=1))  # forces the full clock
    assert quick == sla_breach(later, [account.pk])
    assert len(quick) >= 3
