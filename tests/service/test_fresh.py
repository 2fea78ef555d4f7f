"""Fixing a service problem on the service pages or in the admin closes its alert and
rescores the account at once, without waiting for the daily scan (issue 18)."""

from __future__ import annotations

import logging
from datetime import date

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from aftersale.health import scan
from aftersale.health.models import HealthSnapshot
from aftersale.service.actions import do_change_status, do_open_case
from aftersale.service.models import AssetStatus, CaseKind, CaseStatus, ServiceCase, Severity
from tests.fresh import BEFORE, NOW, assert_rescored_now, open_subjects, resolved_now, scanned_before
from tests.service.conftest import at


@pytest.fixture
def breached(account, owner, asset) -> ServiceCase:
    """A critical repair with the machine down, opened on 2 March and never answered."""
    with time_machine.travel(BEFORE, tick=False):
        return do_open_case(account=account, kind=CaseKind.REPAIR, title="Press down", by=owner,
                            opened_at=at(2026, 3, 2, 9), severity=Severity.CRITICAL, asset=asset,
                            asset_down=True)


@pytest.fixture
def staff_client(client, owner):
    client.force_login(owner)
    return client


def test_it_closes_the_breach_when_the_case_is_resolved_on_its_page(
    staff_client, account, breached, django_capture_on_commit_callbacks
):
    scanned_before(account)
    assert open_subjects(account, "sla_breach") == [f"case:{breached.pk}"]
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("service:case_status", args=[breached.pk]),
                                     {"status": CaseStatus.RESOLVED, "at": "2026-03-20T13:30"})
        assert response.status_code == 302
        assert open_subjects(account, "sla_breach")  # not before the change commits
    assert open_subjects(account, "sla_breach") == []
    assert resolved_now(account, "sla_breach", f"case:{breached.pk}")
    breached.asset.refresh_from_db()
    assert breached.asset.status == AssetStatus.ACTIVE
    with time_machine.travel(NOW, tick=False):
        assert_rescored_now(account)


def test_it_closes_overdue_maintenance_when_the_visit_is_recorded(
    staff_client, account, asset, plan, django_capture_on_commit_callbacks
):
    scanned_before(account)
    assert open_subjects(account, "maintenance_overdue") == [f"plan:{plan.pk}"]
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("service:maintenance_complete", args=[plan.pk, asset.pk]),
            {"done_at": "2026-03-20T11:00", "hours": "2", "parts_cost": "0", "travel_cost": "0",
             "on_site": "on", "note": "Filters changed"},
        )
        assert response.status_code == 302, response.context["form"].errors
    assert open_subjects(account, "maintenance_overdue") == []
    assert resolved_now(account, "maintenance_overdue", f"plan:{plan.pk}")
    with time_machine.travel(NOW, tick=False):
        assert_rescored_now(account)


class Boom(Exception):
    pass


def test_it_refreshes_nothing_when_the_change_rolls_back(
    account, owner, breached, django_capture_on_commit_callbacks
):
    scanned_before(account)
    with (time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True) as callbacks,
          pytest.raises(Boom), transaction.atomic()):
        do_change_status(breached, CaseStatus.RESOLVED, at=at(2026, 3, 20, 13, 30), by=owner)
        raise Boom
    assert callbacks == []
    breached.refresh_from_db()
    assert breached.status == CaseStatus.NEW
    assert open_subjects(account, "sla_breach") == [f"case:{breached.pk}"]
    assert HealthSnapshot.objects.get(account=account).computed_at == BEFORE


def test_it_loses_nothing_of_the_change_when_the_refresh_fails(
    staff_client, account, breached, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    scanned_before(account)

    def down(*args, **kwargs):
        raise RuntimeError("evaluation failed")

    monkeypatch.setattr(scan, "evaluate", down)
    with (time_machine.travel(NOW, tick=False), caplog.at_level(logging.ERROR),
          django_capture_on_commit_callbacks(execute=True)):
        response = staff_client.post(reverse("service:case_status", args=[breached.pk]),
                                     {"status": CaseStatus.RESOLVED, "at": "2026-03-20T13:30"})
    assert response.status_code == 302
    breached.refresh_from_db()
    assert breached.status == CaseStatus.RESOLVED  # the user's change stands
    assert "evaluation failed" in caplog.text
    # The alert waits for the next scan, which finds the case resolved.
    assert open_subjects(account, "sla_breach") == [f"case:{breached.pk}"]


# --- the admin ------------------------------------------------------------------------------

@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)  # the admin role opens the Django admin
    return client


def test_it_closes_overdue_maintenance_when_the_plan_is_moved_on_in_the_admin(
    admin_client, account, asset, plan, django_capture_on_commit_callbacks
):
    scanned_before(account)
    assert open_subjects(account, "maintenance_overdue") == [f"plan:{plan.pk}"]
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:service_maintenanceplan_change", args=[plan.pk]), {
            "name": plan.name, "asset": asset.pk, "product": "", "interval_days": "90",
            "last_done_at": "2026-03-19", "next_due_at": str(date(2026, 6, 17)), "is_active": "on",
        })
        assert response.status_code == 302, response.context["adminform"].errors
    assert open_subjects(account, "maintenance_overdue") == []
    with time_machine.travel(NOW, tick=False):
        assert_rescored_now(account)


def test_it_closes_the_breach_when_the_case_is_deleted_in_the_admin(
    admin_client, account, breached, django_capture_on_commit_callbacks
):
    scanned_before(account)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:service_servicecase_delete", args=[breached.pk]),
                                     {"post": "yes"})
        assert response.status_code == 302
    assert open_subjects(account, "sla_breach") == []
    with time_machine.travel(NOW, tick=False):
        assert_rescored_now(account)


def test_it_closes_the_breach_when_cases_are_deleted_from_the_admin_list(
    admin_client, account, breached, django_capture_on_commit_callbacks
):
    scanned_before(account)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:service_servicecase_changelist"), {
            "action": "delete_selected", "_selected_action": [breached.pk], "post": "yes",
        })
        assert response.status_code == 302
    assert not ServiceCase.objects.exists()
    assert open_subjects(account, "sla_breach") == []
    with time_machine.travel(NOW, tick=False):
        assert_rescored_now(account)
