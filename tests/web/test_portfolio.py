import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersale.accounts.models import Account
from aftersale.engagement.actions import do_log_touchpoint
from aftersale.health.latest import sync_latest_health
from aftersale.health.models import HealthSnapshot
from aftersale.promises.actions import do_record_promise
from aftersale.service.models import ServiceCase, WorkLog
from aftersale.web.models import DepartmentFigures


def snapshot(account, score, band, days_ago=0, trend=""):
    """A snapshot as the engine stores it: the row, then the account's copy of its latest."""
    HealthSnapshot.objects.update_or_create(
        account=account, as_of=timezone.localdate() - timedelta(days=days_ago),
        defaults={"computed_at": timezone.now(), "score": score, "band": band, "coverage": 1,
                  "trend": trend})
    sync_latest_health([account.pk])


def many_accounts(owner, n, start=0):
    for i in range(start, start + n):
        a = Account.objects.create(name=f"Bulk {i:03}", external_id=f"BULK-{i}", owner=owner)
        snapshot(a, 30 + i % 60, "watch", 7)
        snapshot(a, 35 + i % 60, "watch")


def test_it_shows_the_latest_score_histogram_and_band_history_on_the_portfolio(
    owner_client, account, other_account
):
    snapshot(account, 40, "at_risk", days_ago=30)
    snapshot(account, 82, "healthy", trend="improving")
    snapshot(other_account, 45, "at_risk")
    response = owner_client.get(reverse("portfolio"))
    body = response.content.decode()
    assert response.status_code == 200
    rows = {a.pk: a for a in response.context["page"]}
    assert round(rows[account.pk].score) == 82 and rows[account.pk].band == "healthy"
    assert sum(response.context["counts"]) == 2
    assert len(response.context["history"]) == 2
    assert "<svg" in body


def test_it_sorts_and_filters_the_portfolio(owner_client, account, other_account):
    snapshot(account, 82, "healthy")
    snapshot(other_account, 45, "at_risk")
    low_first = owner_client.get(reverse("portfolio"), {"sort": "score"}).context["page"]
    assert [a.pk for a in low_first][:2] == [other_account.pk, account.pk]
    high_first = owner_client.get(reverse("portfolio"), {"sort": "-score"}).context["page"]
    assert [a.pk for a in high_first][0] == account.pk
    only_risk = owner_client.get(reverse("portfolio"), {"band": "at_risk"}).context["page"]
    assert [a.pk for a in only_risk] == [other_account.pk]


def test_it_downloads_the_portfolio_as_csv_with_the_same_filters(owner_client, account, other_account):
    snapshot(account, 82, "healthy")
    snapshot(other_account, 45, "at_risk")
    response = owner_client.get(reverse("portfolio"), {"band": "healthy", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    found = [(r["external_id"], r["score"], r["band"]) for r in rows]
    assert found == [(account.external_id, "82", "healthy")]


def test_it_shows_the_portfolio_in_a_query_count_that_does_not_grow(owner_client, owner):
    many_accounts(owner, 3)
    with CaptureQueriesContext(connection) as few:
        owner_client.get(reverse("portfolio"))
    many_accounts(owner, 60, start=3)
    with CaptureQueriesContext(connection) as many:
        owner_client.get(reverse("portfolio"))
    assert len(many) == len(few)


def test_it_keeps_portal_contacts_from_the_portfolio(client, contact):
    client.force_login(contact.user)
    assert client.get(reverse("portfolio")).status_code == 403
    assert client.get(reverse("departments")).status_code == 403


def make_department_data(account, owner, colleague, n):
    now = timezone.now()
    for i in range(n):
        do_record_promise(account=account, by=owner, description=f"P{i}", stage="after_sale",
                          made_at=now.date() - timedelta(days=40), made_by=colleague,
                          made_by_department="engineering", due_at=now.date() - timedelta(days=10),
                          delivery_owner=owner, delivery_department="service")
        do_log_touchpoint(account=account, by=owner, occurred_at=now - timedelta(days=i + 1),
                          kind="visit", initiated_by="vendor", minutes=30, topic="training",
                          summary="", participants=[colleague], contacts=[],
                          departments={colleague.pk: "engineering"})
        case = ServiceCase.objects.create(account=account, kind="repair", title=f"C{i}", opened_at=now)
        WorkLog.objects.create(account=account, case=case, user=owner, department="service",
                               worked_on=now.date(), hours=Decimal("1.5"), on_site=True)


def test_it_counts_promises_time_and_cases_per_department(owner_client, account, owner, colleague):
    make_department_data(account, owner, colleague, 2)
    rows = {r["code"]: r for r in owner_client.get(reverse("departments")).context["rows"]}
    assert rows["engineering"]["made"] == 2
    assert rows["service"]["to_deliver"] == 2 and rows["service"]["overdue"] == 2
    assert rows["engineering"]["meeting_hours"] == pytest.approx(1.0)
    assert rows["service"]["onsite_hours"] == pytest.approx(3.0)
    assert rows["service"]["cases"] == 2


def test_it_shows_departments_in_a_query_count_that_does_not_grow(owner_client, account, owner, colleague):
    make_department_data(account, owner, colleague, 1)
    owner_client.post(reverse("departments"))  # the day's figures exist from here on
    with CaptureQueriesContext(connection) as few:
        owner_client.post(reverse("departments"))
    make_department_data(account, owner, colleague, 10)
    with CaptureQueriesContext(connection) as many:
        owner_client.post(reverse("departments"))
    assert len(many) == len(few)


def test_it_stores_the_days_department_figures_and_recomputes_them_on_request(
    owner_client, account, owner, colleague, django_assert_max_num_queries
):
    make_department_data(account, owner, colleague, 1)
    first = owner_client.get(reverse("departments"))
    assert DepartmentFigures.objects.count() == 1
    make_department_data(account, owner, colleague, 2)
    # Later views of the day read the stored figures: no aggregate runs.
    with django_assert_max_num_queries(3):
        later = owner_client.get(reverse("departments"))
    assert later.context["rows"] == first.context["rows"]
    assert later.context["rows"][0]["label"] == "Marketing"
    made = {r["code"]: r["made"] for r in later.context["rows"]}
    assert made["engineering"] == 1
    # Recomputing (a form post) includes what was recorded since.
    response = owner_client.post(reverse("departments"))
    assert response.status_code == 302
    rows = {r["code"]: r for r in owner_client.get(reverse("departments")).context["rows"]}
    assert rows["engineering"]["made"] == 3
    assert DepartmentFigures.objects.count() == 1


def test_it_computes_department_figures_again_on_a_new_day(owner_client, account, owner, colleague):
    make_department_data(account, owner, colleague, 1)
    with time_machine.travel(timezone.now() - timedelta(days=1)):
        owner_client.get(reverse("departments"))
    make_department_data(account, owner, colleague, 1)
    rows = {r["code"]: r for r in owner_client.get(reverse("departments")).context["rows"]}
    assert rows["engineering"]["made"] == 2
    assert DepartmentFigures.objects.count() == 2


def test_it_needs_the_csrf_token_to_recompute_departments(owner, account):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(reverse("departments")).status_code == 403
    assert not DepartmentFigures.objects.exists()


def test_it_shows_labels_and_the_chosen_owner_in_portfolio_rows(owner_client, owner, account, other_account):
    Account.objects.filter(pk=account.pk).update(tier="key", industry="consulting", kind="supplier")
    snapshot(account, 82, "healthy", trend="deteriorating")
    body = owner_client.get(reverse("portfolio"), {"owner": owner.pk}).content.decode()
    row = body[body.index(f'href="/accounts/{account.pk}/"'):]
    row = row[:row.index("</tr>")]
    for label in ("Healthy", "Deteriorating", "Key", "Consulting", "Supplier"):
        assert label in row, label
    assert f'<option value="{owner.pk}" selected>{owner}</option>' in body
