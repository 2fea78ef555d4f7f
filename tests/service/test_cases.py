"""Opening, answering, pausing, resolving and closing cases; the stored due times and flags."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from aftersale.service.actions import (
    do_add_comment,
    do_change_status,
    do_close,
    do_edit_case,
    do_open_case,
    do_record_first_response,
    do_refresh_breach_flags,
    do_resolve,
)
from aftersale.service.models import (
    Asset,
    AssetStatus,
    CaseKind,
    CaseStatus,
    CaseStatusChange,
    ServiceCase,
    Severity,
)
from tests.service.conftest import at

NOW = at(2026, 3, 20, 12)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def open_repair(account, owner, **kwargs):
    kwargs.setdefault("opened_at", at(2026, 3, 2, 9))  # a Monday
    return do_open_case(account=account, kind=CaseKind.REPAIR, title="Spindle noise", by=owner, **kwargs)


def test_it_opens_a_case_with_its_targets_and_due_times(account, owner):
    case = open_repair(account, owner)
    assert (case.response_target_hours, case.resolution_target_hours) == (Decimal("8"), Decimal("40"))
    # 09:00-12:00 and 13:00-17:00 is 7 business hours; the 8th is Tuesday 08:00-09:00.
    assert case.response_due_at == at(2026, 3, 3, 9)
    assert case.resolution_due_at == at(2026, 3, 9, 9)
    change = CaseStatusChange.objects.get(case=case)
    assert (change.from_status, change.to_status, change.at) == ("", CaseStatus.NEW, at(2026, 3, 2, 9))


def test_it_takes_a_public_comment_as_the_first_response(account, owner):
    case = open_repair(account, owner, opened_at=at(2026, 3, 20, 9))
    do_add_comment(case, body="We are on it", by=owner)
    case.refresh_from_db()
    assert case.first_response_at == NOW
    assert case.status == CaseStatus.IN_PROGRESS
    assert not case.response_breached


def test_it_takes_no_internal_comment_as_a_response(account, owner):
    case = open_repair(account, owner, opened_at=at(2026, 3, 20, 9))
    do_add_comment(case, body="Check the bearing first", by=owner, is_internal=True)
    case.refresh_from_db()
    assert case.first_response_at is None


def test_it_pushes_the_resolution_due_time_while_waiting_on_the_customer(account, owner):
    case = open_repair(account, owner)
    do_record_first_response(case, at=at(2026, 3, 2, 9, 30), by=owner)
    do_change_status(case, CaseStatus.WAITING, at=at(2026, 3, 2, 10), by=owner)
    do_change_status(case, CaseStatus.IN_PROGRESS, at=at(2026, 3, 4, 10), by=owner)
    case.refresh_from_db()
    # Two business days (16 h) paused: due Monday 9 March 09:00 becomes Wednesday 11 March 09:00.
    assert case.resolution_due_at == at(2026, 3, 11, 9)
    assert [c.to_status for c in case.status_changes.all()] == [
        CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.WAITING, CaseStatus.IN_PROGRESS,
    ]


def test_it_sets_the_breach_flag_on_a_case_resolved_late(account, owner):
    case = open_repair(account, owner)
    do_record_first_response(case, at=at(2026, 3, 2, 10), by=owner)
    do_resolve(case, at=at(2026, 3, 10, 9), by=owner)
    case.refresh_from_db()
    assert case.resolved_at == at(2026, 3, 10, 9)
    assert case.resolution_breached and not case.response_breached


def test_it_refuses_to_resolve_before_the_case_was_opened_and_saves_nothing(account, owner):
    case = open_repair(account, owner)
    with pytest.raises(ValidationError) as error:
        do_resolve(case, at=at(2026, 3, 1, 9), by=owner)
    assert "at" in error.value.message_dict
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW and case.resolved_at is None
    assert case.status_changes.count() == 1


def test_it_refuses_moments_in_the_future(account, owner):
    with pytest.raises(ValidationError) as error:
        open_repair(account, owner, opened_at=NOW + timedelta(hours=2))
    assert "opened_at" in error.value.message_dict
    assert not ServiceCase.objects.exists()


def test_it_keeps_closed_final_and_lets_resolved_be_reopened(account, owner):
    case = open_repair(account, owner)
    do_resolve(case, at=at(2026, 3, 3, 9), by=owner)
    case = do_change_status(case, CaseStatus.IN_PROGRESS, at=at(2026, 3, 4, 9), by=owner)
    assert case.resolved_at is None
    # The resolved day did not count: resolution now due Tuesday 10 March 09:00.
    assert case.resolution_due_at == at(2026, 3, 10, 9)
    do_close(case, at=at(2026, 3, 5, 9), by=owner)
    with pytest.raises(ValidationError, match="cannot become"):
        do_change_status(case, CaseStatus.IN_PROGRESS, by=owner)


def test_it_refuses_an_asset_of_another_account(account, owner, other_asset):
    with pytest.raises(ValidationError) as error:
        open_repair(account, owner, asset=other_asset)
    assert "serial" in error.value.message_dict
    with pytest.raises(ValidationError, match="another account"):
        open_repair(account, owner, serial=other_asset.serial)
    assert not ServiceCase.objects.exists()


def test_it_refuses_an_unknown_serial(account, owner):
    with pytest.raises(ValidationError, match="No equipment with serial NOPE"):
        open_repair(account, owner, serial="NOPE")


def test_it_refuses_a_contact_of_another_account(account, owner, other_contact):
    with pytest.raises(ValidationError) as error:
        open_repair(account, owner, raised_by=other_contact)
    assert "raised_by" in error.value.message_dict


def test_it_creates_the_asset_of_an_installation_and_activates_it_on_resolving(account, owner, lathe):
    case = do_open_case(account=account, kind=CaseKind.INSTALLATION, title="Install lathe", by=owner,
                        opened_at=at(2026, 3, 2, 9), serial="SN-NEW", product=lathe, location="Hall 3")
    asset = Asset.objects.get(serial="SN-NEW")
    assert asset.status == AssetStatus.PENDING and asset.installed_at is None
    assert case.asset == asset
    do_resolve(case, at=at(2026, 3, 5, 15), by=owner)
    asset.refresh_from_db()
    assert asset.status == AssetStatus.ACTIVE
    assert asset.installed_at == date(2026, 3, 5)
    assert asset.warranty_until == date(2027, 3, 5)


def test_it_reactivates_a_retired_asset_of_the_account_on_installation(account, owner, asset):
    Asset.objects.filter(pk=asset.pk).update(status=AssetStatus.RETIRED)
    case = do_open_case(account=account, kind=CaseKind.INSTALLATION, title="Reinstall", by=owner,
                        opened_at=at(2026, 3, 2, 9), serial=asset.serial)
    do_resolve(case, at=at(2026, 3, 3, 9), by=owner)
    asset.refresh_from_db()
    assert asset.status == AssetStatus.ACTIVE
    assert asset.installed_at == date(2025, 6, 1)  # the original installation date stays


def test_it_needs_a_product_to_install_a_new_serial(account, owner):
    with pytest.raises(ValidationError) as error:
        do_open_case(account=account, kind=CaseKind.INSTALLATION, title="Install", by=owner,
                     serial="SN-X")
    assert "product" in error.value.message_dict
    assert not Asset.objects.exists()


def test_it_marks_equipment_that_is_down_in_repair_until_the_repair_is_resolved(account, owner, asset):
    case = open_repair(account, owner, asset=asset, asset_down=True)
    asset.refresh_from_db()
    assert asset.status == AssetStatus.IN_REPAIR
    do_resolve(case, at=at(2026, 3, 3, 9), by=owner)
    asset.refresh_from_db()
    assert asset.status == AssetStatus.ACTIVE


def test_it_gives_a_case_the_targets_of_its_new_severity(account, owner):
    case = open_repair(account, owner)
    case = do_edit_case(case, title=case.title, severity=Severity.CRITICAL, is_complaint=True,
                        assigned_to=owner)
    assert case.response_target_hours == Decimal("1")
    assert case.response_due_at == at(2026, 3, 2, 10)
    assert case.is_complaint and case.assigned_to == owner


def test_it_flags_running_cases_past_their_due_time_on_refreshing(account, owner):
    late = open_repair(account, owner)  # response due 3 March, nobody answered
    waiting = open_repair(account, owner)
    do_change_status(waiting, CaseStatus.WAITING, at=at(2026, 3, 2, 9, 30), by=owner)
    ServiceCase.objects.update(response_breached=False, resolution_breached=False)
    assert do_refresh_breach_flags(NOW) == 2
    late.refresh_from_db()
    waiting.refresh_from_db()
    assert late.response_breached and late.resolution_breached
    assert not waiting.response_breached and not waiting.resolution_breached


def test_it_fills_the_clocks_of_imported_cases(account):
    from aftersale.service.actions import do_store_clocks

    imported = ServiceCase.objects.create(account=account, kind=CaseKind.REPAIR, title="Imported",
                                          opened_at=at(2026, 3, 2, 9), severity=Severity.HIGH,
                                          status=CaseStatus.RESOLVED, resolved_at=at(2026, 3, 10, 9),
                                          first_response_at=at(2026, 3, 2, 10))
    assert do_store_clocks() == 1
    imported.refresh_from_db()
    assert (imported.response_target_hours, imported.resolution_target_hours) == (4, 24)
    assert imported.response_due_at == at(2026, 3, 2, 14)
    assert not imported.response_breached and imported.resolution_breached
    assert do_store_clocks() == 0
