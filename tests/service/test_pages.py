"""The staff pages: board, case, asset, maintenance, the account section; scoping and bad input."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from aftersale.service.actions import do_log_work, do_open_case, do_record_first_response
from aftersale.service.models import Asset, CaseKind, CaseStatus, ServiceCase, WorkLog
from tests.service.conftest import at

NOW = at(2026, 3, 20, 12)  # a Friday


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def make_case(account, owner, title, opened, **kwargs):
    return do_open_case(account=account, kind=kwargs.pop("kind", CaseKind.REPAIR), title=title,
                        by=owner, opened_at=opened, **kwargs)


def test_it_groups_open_cases_on_the_board_by_target_state(owner_client, account, owner):
    make_case(account, owner, "Long overdue", at(2026, 3, 2, 9))
    # Answered; 10 h 30 of business time have run since Thursday 09:30: 1 h 30 left of 12 h.
    at_risk = make_case(account, owner, "Almost due", at(2026, 3, 19, 9, 30))
    do_record_first_response(at_risk, at=at(2026, 3, 19, 10), by=owner)
    ServiceCase.objects.filter(pk=at_risk.pk).update(resolution_target_hours=12)
    make_case(account, owner, "Fresh", at(2026, 3, 20, 11))
    resolved = make_case(account, owner, "Done", at(2026, 3, 20, 9))
    ServiceCase.objects.filter(pk=resolved.pk).update(status=CaseStatus.RESOLVED)
    response = owner_client.get(reverse("service:board"))
    assert response.status_code == 200
    columns = {state.value: [i.case.title for i in items] for state, items in response.context["columns"]}
    assert columns == {"breached": ["Long overdue"], "at_risk": ["Almost due"], "on_track": ["Fresh"]}
    assert "Done" not in response.content.decode()


def test_it_shows_the_board_in_a_query_count_that_does_not_grow_with_cases(
    owner_client, account, other_account, owner, django_assert_max_num_queries
):
    for n in range(8):
        make_case(account if n % 2 else other_account, owner, f"Case {n}", at(2026, 3, 2 + n, 9))
    with django_assert_max_num_queries(6):  # session, user, cases, targets, status changes
        response = owner_client.get(reverse("service:board"))
    assert response.content.decode().count("case-row") == 8


def test_it_filters_the_board_to_my_assigned_cases(owner_client, account, owner, colleague):
    make_case(account, owner, "Mine", at(2026, 3, 20, 9), assigned_to=owner)
    make_case(account, owner, "Theirs", at(2026, 3, 20, 9), assigned_to=colleague)
    body = owner_client.get(reverse("service:board"), {"mine": "assigned"}).content.decode()
    assert "Mine" in body and "Theirs" not in body


def test_it_keeps_portal_contacts_and_anonymous_visitors_out(client, contact, account, owner):
    case = make_case(account, owner, "Leak", at(2026, 3, 20, 9))
    assert client.get(reverse("service:board")).status_code == 302
    client.force_login(contact.user)
    for url in (reverse("service:board"), case.get_absolute_url(), reverse("service:maintenance")):
        assert client.get(url).status_code == 403


def test_it_opens_a_case_from_the_form(owner_client, account, asset, contact):
    response = owner_client.post(reverse("service:case_new"), {
        "account": account.pk, "kind": CaseKind.REPAIR, "severity": "high", "channel": "phone",
        "title": "Spindle noise", "serial": asset.serial, "raised_by": contact.pk,
        "opened_at": "2026-03-20T09:00",
    })
    case = ServiceCase.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert (case.asset, case.raised_by, case.opened_at) == (asset, contact, at(2026, 3, 20, 9))


@pytest.mark.parametrize("serial, message", [
    ("SN-200", "belongs to another account"),
    ("NOPE", "No equipment with serial NOPE"),
])
def test_it_names_a_bad_serial_in_the_case_form(owner_client, account, other_asset, serial, message):
    response = owner_client.post(reverse("service:case_new"), {
        "account": account.pk, "kind": CaseKind.REPAIR, "severity": "normal", "channel": "phone",
        "title": "x", "serial": serial, "opened_at": "2026-03-20T09:00",
    })
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["serial"])
    assert not ServiceCase.objects.exists()


def test_it_refuses_resolving_before_opening_in_the_form(owner_client, account, owner):
    case = make_case(account, owner, "Leak", at(2026, 3, 20, 9))
    response = owner_client.post(reverse("service:case_status", args=[case.pk]),
                                 {"status": CaseStatus.RESOLVED, "at": "2026-03-19T09:00"})
    assert response.status_code == 200
    assert "cannot be before" in str(response.context["status_form"].errors["at"])
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_it_changes_status_and_logs_work_on_the_case_page(owner_client, account, owner, colleague):
    case = make_case(account, owner, "Leak", at(2026, 3, 20, 9))
    owner_client.post(reverse("service:case_status", args=[case.pk]),
                      {"status": CaseStatus.WAITING, "at": "2026-03-20T10:00"})
    owner_client.post(reverse("service:case_work", args=[case.pk]), {
        "user": colleague.pk, "worked_on": "2026-03-20", "hours": "2", "parts_cost": "50000",
        "travel_cost": "0", "on_site": "on",
    })
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING
    log = WorkLog.objects.get()
    assert (log.hours, log.labour_cost, log.on_site) == (2, 800000, True)
    body = owner_client.get(case.get_absolute_url()).content.decode()
    assert "850,000 VND" in body
    assert "Paused: waiting on customer" in body


def test_it_refuses_negative_hours_in_the_form_and_saves_nothing(owner_client, account, owner):
    case = make_case(account, owner, "Leak", at(2026, 3, 20, 9))
    response = owner_client.post(reverse("service:case_work", args=[case.pk]), {
        "user": owner.pk, "worked_on": "2026-03-20", "hours": "-1", "parts_cost": "-5",
        "travel_cost": "0",
    })
    form = response.context["work_form"]
    assert "hours" in form.errors and "parts_cost" in form.errors
    assert not WorkLog.objects.exists()


def test_it_answers_404_for_another_accounts_case_to_a_portal_user_even_by_id(client, other_contact,
                                                                       account, owner):
    case = make_case(account, owner, "Leak", at(2026, 3, 20, 9))
    client.force_login(other_contact.user)
    assert client.get(case.get_absolute_url()).status_code == 403


def test_it_shows_history_warranty_and_cost_on_the_asset_page(owner_client, account, owner, colleague, asset,
                                                        plan):
    case = make_case(account, owner, "Spindle noise", at(2026, 3, 2, 9), asset=asset)
    do_log_work(account=account, case=case, user=colleague, worked_on=date(2026, 3, 3),
                hours=1, labour_cost=300000)
    response = owner_client.get(asset.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Spindle noise" in body and "Quarterly service" in body
    assert response.context["warranty"] == "in_warranty"
    assert "300,000 VND" in body
    assert "19 days overdue" in body  # due 1 March


def test_it_records_maintenance_from_the_form(owner_client, asset, plan):
    url = reverse("service:maintenance_complete", args=[plan.pk, asset.pk])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(url, {"done_at": "2026-03-19T10:00", "hours": "3", "parts_cost": "0",
                                       "travel_cost": "200000", "on_site": "on", "note": "Oil changed"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.next_due_at == date(2026, 6, 17)
    assert WorkLog.objects.get().travel_cost == 200000


def test_it_refuses_maintenance_before_installation_in_the_form(owner_client, asset, plan):
    url = reverse("service:maintenance_complete", args=[plan.pk, asset.pk])
    response = owner_client.post(url, {"done_at": "2025-01-10T10:00", "hours": "0", "parts_cost": "0",
                                       "travel_cost": "0"})
    assert "before the equipment was installed" in str(response.context["form"].errors["done_at"])
    assert not ServiceCase.objects.exists()


def test_it_refuses_to_complete_a_plan_for_equipment_it_does_not_cover(owner_client, plan, other_asset):
    url = reverse("service:maintenance_complete", args=[plan.pk, other_asset.pk])
    assert owner_client.get(url).status_code == 404


def test_it_lists_due_and_overdue_maintenance_visits(owner_client, plan, account, lathe):
    Asset.objects.create(account=account, product=lathe, serial="SN-FAR", installed_at=date(2026, 3, 1))
    response = owner_client.get(reverse("service:maintenance"))
    assert [v.plan_id for v in response.context["visits"]] == [plan.pk]
    assert response.context["overdue"] == 1


def test_it_shows_the_service_section_on_the_account_page(
    owner_client, account, owner, colleague, asset, plan
):
    for n in range(4):
        case = make_case(account, owner, f"Case {n}", at(2026, 3, 2 + n, 9), asset=asset)
        do_log_work(account=account, case=case, user=colleague, worked_on=date(2026, 3, 10),
                    hours=1, labour_cost=100000)
    WorkLog.objects.create(account=account, user=colleague, department="service",
                           worked_on=date(2024, 1, 5), hours=1, labour_cost=1000000)
    response = owner_client.get(account.get_absolute_url())
    body = response.content.decode()
    assert "SN-100" in body and "Under warranty" in body
    assert "400,000 VND" in body  # last 12 months
    assert "1,400,000 VND" in body  # lifetime
    assert "Quarterly service" in body
    assert body.count("case-row") == 4


def test_it_shows_the_account_section_in_a_query_count_that_does_not_grow(
    account, owner, colleague, lathe, asset, plan, django_assert_num_queries
):
    from django.template.loader import render_to_string

    def add_case(n):
        extra = Asset.objects.create(account=account, product=lathe, serial=f"X-{n}",
                                     installed_at=date(2025, 1, 1))
        case = make_case(account, owner, f"Case {n}", at(2026, 3, 2 + n, 9), asset=extra)
        do_log_work(account=account, case=case, user=colleague, worked_on=date(2026, 3, 10), hours=1)

    add_case(0)
    # assets, open cases, targets, status changes, plans, covered assets, completions, cost
    with django_assert_num_queries(8):
        render_to_string("service/_account_section.html", {"account": account})
    for n in range(1, 6):
        add_case(n)
    with django_assert_num_queries(8):
        html = render_to_string("service/_account_section.html", {"account": account})
    assert html.count("case-row") == 6
