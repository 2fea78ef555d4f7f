"""The supplier pages: what they show, and who may see them."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from aftersale.core.enums import Direction
from aftersale.reviews.models import TrustRating
from tests.alerts.examples import EXAMPLES
from tests.purchasing.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_it_lists_suppliers_and_never_customers(owner_client, story, other_supplier, account):
    response = owner_client.get(reverse("purchasing:supplier_list"))
    assert response.status_code == 200
    names = [r.account.name for r in response.context["rows"]]
    assert names == sorted([story.name, other_supplier.name])
    assert account.name not in response.content.decode()
    assert 'href="/suppliers/"' in response.content.decode()  # the nav entry


def test_it_shows_the_supplier_page_with_both_directions_named(owner_client, story):
    response = owner_client.get(reverse("purchasing:supplier_detail", args=[story.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Promises made to us, kept on time" in page
    assert "Promises we made, kept on time" in page
    row = response.context["row"]
    assert (row.promises_to_us.kept, row.promises_to_us.due) == (1, 2)
    assert (row.promises_from_us.kept, row.promises_from_us.due) == (1, 1)
    names = {s["name"] for s in response.context["buyer_signals"]}
    assert {"supplier_inspection", "supplier_ideas", "supplier_promises"} <= names
    assert "We inspected 24 of 30 lots received" in page


def test_it_reads_the_page_as_of_an_earlier_day(owner_client, story):
    url = reverse("purchasing:supplier_detail", args=[story.pk])
    response = owner_client.get(url, {"as_of": "2025-12-31"})
    row = response.context["row"]
    assert (row.inspections.received, row.inspections.inspected) == (10, 10)
    assert (row.promises_to_us.made, row.promises_to_us.due) == (1, 0)  # made that day, not yet due


def test_it_is_a_404_for_a_customer_and_a_403_for_a_portal_contact(owner_client, client, account, story,
                                                                    other_contact):
    assert owner_client.get(reverse("purchasing:supplier_detail", args=[account.pk])).status_code == 404
    assert owner_client.get(reverse("purchasing:supplier_detail", args=[999999])).status_code == 404
    client.force_login(other_contact.user)
    for url in (reverse("purchasing:supplier_list"), reverse("purchasing:partnership_report"),
                reverse("purchasing:supplier_detail", args=[story.pk])):
        assert client.get(url).status_code == 403


def test_it_sends_anonymous_visitors_to_the_login_page(client, story):
    response = client.get(reverse("purchasing:supplier_detail", args=[story.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_it_groups_suppliers_by_trust_with_the_reference_levels(owner_client, story, other_supplier, owner):
    for account, trust in ((story, "4.5"), (other_supplier, "2.0")):
        for direction in (Direction.FROM_US, Direction.TO_US):
            TrustRating.objects.create(account=account, direction=direction, rated_at=date(2026, 5, 1),
                                       trust=trust, rated_by_user=owner)
    response = owner_client.get(reverse("purchasing:partnership_report"))
    assert response.status_code == 200
    groups = {g.key: g for g in response.context["groups"]}
    assert [r.account for r in groups["most"].rows] == [story]
    assert [r.account for r in groups["least"].rows] == [other_supplier]
    # 200 hours for 100 million against 160 hours for 800 million: ten times the purchasing cost.
    assert response.context["cost_gap"] == pytest.approx(10.0)
    page = response.content.decode()
    assert "47%" in page and "24%" in page


def test_it_reads_the_list_in_a_fixed_number_of_queries(owner_client, story, other_supplier,
                                                       django_assert_max_num_queries):
    with django_assert_max_num_queries(20) as first:
        owner_client.get(reverse("purchasing:supplier_list"))
    from aftersale.accounts.models import Account, AccountKind
    for n in range(5):
        Account.objects.create(external_id=f"SUP-X{n}", name=f"Extra {n}", kind=AccountKind.SUPPLIER,
                               owner=story.owner)
    with django_assert_max_num_queries(len(first.captured_queries)):
        owner_client.get(reverse("purchasing:supplier_list"))


def test_it_marks_suppliers_on_the_account_pages(owner_client, story, account):
    page = owner_client.get(reverse("account_detail", args=[story.pk])).content.decode()
    assert reverse("purchasing:supplier_detail", args=[story.pk]) in page
    customer_page = owner_client.get(reverse("account_detail", args=[account.pk])).content.decode()
    assert "/suppliers/" not in customer_page.replace('href="/suppliers/"', "")
    listing = owner_client.get(reverse("account_list")).content.decode()
    assert '<span class="tag">Supplier</span>' in listing


def test_it_marks_signals_by_kind_of_account_on_the_health_model_page(owner_client):
    response = owner_client.get(reverse("health_model"))
    rows = {row["definition"].name: row for row in response.context["signals"]}
    assert sum(r["share"] for r in rows.values() if r["definition"].applies_to("customer")) in range(98, 103)
    supplier_only = [r for r in rows.values() if not r["definition"].applies_to("customer")]
    assert supplier_only and all("supplier" in r["definition"].kinds for r in supplier_only)
    assert "suppliers only" in response.content.decode()


def test_it_shows_a_supplier_as_such_in_customer_side_lists(owner_client, supplier, account):
    """The attention list groups a squeezed supplier apart and tags it; the portfolio tags it."""
    from aftersale.alerts.actions import Condition, reconcile_alerts
    from aftersale.alerts.models import AlertKind

    wanted = {(supplier.pk, ""): Condition(EXAMPLES[AlertKind.SUPPLIER_SQUEEZED])}
    reconcile_alerts(kind=AlertKind.SUPPLIER_SQUEEZED, wanted=wanted, at=NOW, account_ids=[supplier.pk])
    response = owner_client.get(reverse("home"))
    groups = {g.reason.key: g for g in response.context["groups"]}
    assert [a.account for a in groups["suppliers"].alerts] == [supplier]
    page = response.content.decode()
    assert '<span class="tag">Supplier</span>' in page and "Suppliers squeezed" in page
    portfolio = owner_client.get(reverse("portfolio")).content.decode()
    assert portfolio.count('<span class="tag">Supplier</span>') == 1
