"""Work logs, cost-to-serve in the account's currency, on-site face time, target performance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings

from aftersale.commerce.models import ExchangeRate
from aftersale.core.enums import Department
from aftersale.service.actions import do_log_work, do_open_case, do_record_first_response, do_resolve
from aftersale.service.business_hours import WorkCalendar
from aftersale.service.costs import cost_to_serve
from aftersale.service.measures import onsite_minutes_by_department, target_performance
from aftersale.service.models import CaseKind, WorkLog
from aftersale.service.targets import service_calendar
from tests.service.conftest import at

NOW = at(2026, 3, 20, 12)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(account, owner, asset):
    return do_open_case(account=account, kind=CaseKind.REPAIR, title="Noise", by=owner,
                        opened_at=at(2026, 3, 2, 9), asset=asset)


def test_it_prices_hours_at_the_labour_rate_and_flags_warranty_work(account, colleague, case):
    log = do_log_work(account=account, case=case, user=colleague, worked_on=date(2026, 3, 3),
                      hours=Decimal("2.5"), parts_cost=Decimal("150000"), on_site=True)
    assert log.labour_cost == Decimal("1000000")  # 2.5 h at 400,000 VND
    assert log.department == Department.PRODUCTION
    assert log.currency == "VND" and log.is_warranty  # warranty until 1 June 2026
    assert log.asset == case.asset


@pytest.mark.parametrize("field", ["hours", "labour_cost", "parts_cost", "travel_cost"])
def test_it_refuses_negative_hours_and_costs(account, colleague, case, field):
    values = {"hours": Decimal("1"), "labour_cost": Decimal("1"), "parts_cost": Decimal("0"),
              "travel_cost": Decimal("0")}
    values[field] = Decimal("-1")
    with pytest.raises(ValidationError) as error:
        do_log_work(account=account, case=case, user=colleague, worked_on=date(2026, 3, 3), **values)
    assert field in error.value.message_dict
    assert not WorkLog.objects.exists()


def test_it_refuses_work_before_the_case_or_on_another_accounts_asset(account, colleague, case,
                                                                     other_asset):
    with pytest.raises(ValidationError) as error:
        do_log_work(account=account, case=case, user=colleague, worked_on=date(2026, 3, 1),
                    hours=Decimal("1"))
    assert "worked_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        do_log_work(account=account, asset=other_asset, user=colleague, worked_on=date(2026, 3, 3),
                    hours=Decimal("1"))
    assert "asset" in error.value.message_dict
    assert not WorkLog.objects.exists()


def test_it_counts_cost_to_serve_per_case_and_asset_in_the_accounts_currency(account, colleague, case):
    do_log_work(account=account, case=case, user=colleague, worked_on=date(2026, 3, 3),
                hours=Decimal("1"), labour_cost=Decimal("500000"), travel_cost=Decimal("100000"))
    WorkLog.objects.create(account=account, case=case, asset=case.asset, user=colleague,
                           department=Department.ENGINEERING, worked_on=date(2026, 3, 4),
                           hours=Decimal("1"), labour_cost=Decimal("20"), currency="USD")
    ExchangeRate.objects.create(currency="USD", base_currency="VND", valid_from=date(2026, 1, 1),
                                rate=Decimal("25000"))
    by_case = cost_to_serve(end=date(2026, 3, 31), group_by="case", keys=[case.pk])
    in_vnd = by_case[case.pk].in_currency("VND", date(2026, 3, 20))
    assert in_vnd.total == Decimal("1100000")
    assert in_vnd.labour == Decimal("1000000") and in_vnd.travel == Decimal("100000")
    by_asset = cost_to_serve(end=date(2026, 3, 31), group_by="asset")
    assert by_asset[case.asset_id].hours == Decimal("2")


def test_it_counts_onsite_minutes_by_department_from_onsite_work_up_to_as_of_only(account, other_account,
                                                                         colleague, owner, case):
    do_log_work(account=account, case=case, user=colleague, worked_on=date(2026, 3, 3),
                hours=Decimal("1.5"), on_site=True)
    do_log_work(account=account, case=case, user=colleague, worked_on=date(2026, 3, 4),
                hours=Decimal("3"), on_site=False)
    do_log_work(account=account, case=case, user=owner, worked_on=date(2026, 3, 10),
                hours=Decimal("1"), on_site=True, department=Department.ENGINEERING)
    result = onsite_minutes_by_department(at(2026, 3, 5), since=date(2026, 3, 1))
    assert result == {account.pk: {Department.PRODUCTION: 90}}
    later = onsite_minutes_by_department(at(2026, 3, 20), account_ids=[account.pk, other_account.pk])
    assert later == {account.pk: {Department.PRODUCTION: 90, Department.ENGINEERING: 60}}


def test_it_counts_breached_cases_per_account_in_target_performance(account, owner, other_account):
    late = do_open_case(account=account, kind=CaseKind.REPAIR, title="Late", by=owner,
                        opened_at=at(2026, 3, 2, 9), is_complaint=True)
    on_time = do_open_case(account=account, kind=CaseKind.REPAIR, title="Fine", by=owner,
                           opened_at=at(2026, 3, 2, 9))
    do_record_first_response(on_time, at=at(2026, 3, 2, 10), by=owner)
    do_resolve(on_time, at=at(2026, 3, 3, 10), by=owner)
    perf = target_performance(at(2026, 3, 20), since=at(2026, 3, 1))
    assert perf[account.pk].cases == 2
    assert perf[account.pk].breached == 1
    assert perf[account.pk].response_breached == 1
    assert perf[account.pk].open == 1 and perf[account.pk].complaints == 1
    assert late.pk  # the late one is still open
    assert other_account.pk not in perf


def test_it_reads_the_vietnamese_holidays_into_the_configured_calendar(db):
    with override_settings(AFTERSALE={"CURRENCY": "VND", "SERVICE": {"HOLIDAYS": "vn"}}):
        cal = service_calendar()
    assert isinstance(cal, WorkCalendar)
    assert {date(2026, 2, 17), date(2026, 4, 30), date(2026, 9, 2), date(2026, 1, 1)} <= cal.holidays
    assert str(cal.tz) == "Asia/Ho_Chi_Minh"
    assert service_calendar().holidays == frozenset()  # the default: no holidays


def test_it_names_a_bad_calendar_setting_in_a_clear_configuration_error(db):
    from django.core.exceptions import ImproperlyConfigured

    bad = {"CURRENCY": "VND", "SERVICE": {"WORKING_HOURS": ["8h", "17:00"]}}
    with override_settings(AFTERSALE=bad), pytest.raises(ImproperlyConfigured, match="WORKING_HOURS"):
        service_calendar()


def test_it_reloads_the_shipped_holiday_set_without_duplicates(db):
    from django.core.management import call_command

    from aftersale.service.models import Holiday

    Holiday.objects.filter(calendar="vn", date=date(2026, 9, 2)).delete()
    call_command("load_holidays", "vn")
    assert Holiday.objects.filter(calendar="vn", date=date(2026, 9, 2)).count() == 1
    assert Holiday.objects.filter(calendar="vn").count() == 237


def test_it_flags_cases_and_raises_alerts_from_the_refresh_command(account, owner, plan):
    from io import StringIO

    from django.core.management import call_command

    from aftersale.alerts.models import Alert

    do_open_case(account=account, kind=CaseKind.REPAIR, title="Late", by=owner, opened_at=at(2026, 3, 2, 9))
    out = StringIO()
    call_command("refresh_service", stdout=out)
    assert set(Alert.objects.open().values_list("kind", flat=True)) == {"sla_breach", "maintenance_overdue"}
    assert "sla_breach: 1 opened" in out.getvalue()


def test_it_agrees_on_target_performance_between_stored_flags_and_the_clock(account, owner):
    from aftersale.service.models import ServiceCase

    late = do_open_case(account=account, kind=CaseKind.REPAIR, title="Late", by=owner,
                        opened_at=at(2026, 3, 2, 9))
    do_record_first_response(late, at=at(2026, 3, 2, 10), by=owner)
    do_resolve(late, at=at(2026, 3, 12, 9), by=owner)  # resolution was due 9 March
    stored = target_performance(at(2026, 3, 20))[account.pk]
    ServiceCase.objects.update(response_due_at=None, resolution_due_at=None)  # force the clock
    measured = target_performance(at(2026, 3, 20))[account.pk]
    assert stored == measured
    assert (measured.cases, measured.breached, measured.resolution_breached, measured.open) == (1, 1, 1, 0)
    # As of before it was resolved, it was open and already late.
    before = target_performance(at(2026, 3, 10, 12))[account.pk]
    assert (before.open, before.breached) == (1, 1)
