"""Every API query goes through the UI's scoping: what a user may not see is a 404 when
addressed and an invalid value when referenced.

Today every staff member sees the whole portfolio, so these tests narrow
``Account.objects.restrict`` for the owner to their own accounts: if any
endpoint bypassed the scoping, it would show.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersale.accounts.models import AccountQuerySet, Contact
from aftersale.alerts.actions import raise_alert
from aftersale.alerts.models import AlertKind
from aftersale.commerce.models import Order, Product
from aftersale.engagement.models import Touchpoint
from aftersale.promises.models import Promise
from aftersale.reviews.models import RelationshipReview
from aftersale.service.models import Asset, ServiceCase
from tests.alerts.examples import silent

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def narrowed(monkeypatch, owner):
    real = AccountQuerySet.restrict

    def restrict(self, user):
        found = real(self, user)
        return found.filter(owner=user) if getattr(user, "pk", None) == owner.pk else found

    monkeypatch.setattr(AccountQuerySet, "restrict", restrict)


@pytest.fixture
def theirs(other_account, colleague) -> dict[str, int]:
    product = Product.objects.create(name="Kit", kind="part")
    contact = Contact.objects.create(account=other_account, name="Theirs")
    return {
        "accounts": other_account.pk,
        "contacts": contact.pk,
        "orders": Order.objects.create(account=other_account, placed_at=NOW, total=1).pk,
        "assets": Asset.objects.create(account=other_account, product=product, serial="X").pk,
        "cases": ServiceCase.objects.create(account=other_account, kind="repair", title="t",
                                            opened_at=NOW).pk,
        "touchpoints": Touchpoint.objects.create(account=other_account, occurred_at=NOW, kind="call",
                                                 initiated_by="vendor", minutes=5, topic="price").pk,
        "promises": Promise.objects.create(
            account=other_account, description="d", stage="sale", made_at=NOW.date(), made_by=colleague,
            made_by_department="sales", due_at=NOW.date(), delivery_owner=colleague,
            delivery_department="sales").pk,
        "reviews": RelationshipReview.objects.create(account=other_account, reviewer=colleague,
                                                     held_at=NOW.date()).pk,
        "alerts": raise_alert(kind=AlertKind.SILENCE, account=other_account, params=silent(), at=NOW).pk,
    }


def test_it_answers_another_accounts_objects_with_404_and_leaves_them_out_of_lists(
    api, narrowed, theirs, account
):
    for resource, pk in theirs.items():
        response = api.get(f"/api/{resource}/{pk}")
        assert response.status_code == 404, resource
        assert response.json()["code"] == "not_found"
        listed = api.get(f"/api/{resource}", {"state": "all"} if resource == "alerts" else {}).json()["items"]
        assert pk not in {item["id"] for item in listed}, resource
    assert api.get(f"/api/accounts/{theirs['accounts']}/health").status_code == 404
    assert api.post(f"/api/alerts/{theirs['alerts']}/acknowledge").status_code == 404
    assert api.post(f"/api/cases/{theirs['cases']}/status", {"status": "closed"}).status_code == 404
    assert api.patch(f"/api/contacts/{theirs['contacts']}", {"name": "Mine now"}).status_code == 404
    response = api.patch(f"/api/promises/{theirs['promises']}", {"version": 1, "stage": "sale"})
    assert response.status_code == 404


def test_it_refuses_writes_naming_an_account_the_token_may_not_see(api, narrowed, theirs):
    bodies = {
        "contacts": {"account": theirs["accounts"], "name": "x"},
        "orders": {"account": theirs["accounts"], "placed_at": "2026-05-01T00:00:00Z", "total": "1"},
        "cases": {"account": theirs["accounts"], "kind": "repair", "title": "x"},
        "touchpoints": {"account": theirs["accounts"], "occurred_at": "2026-05-01T00:00:00Z", "kind": "call",
                        "initiated_by": "vendor", "minutes": 5, "topic": "price"},
        "promises": {"account": theirs["accounts"], "description": "x", "stage": "sale",
                     "due_at": "2026-07-01", "delivery_owner_email": "owner@vendor.test",
                     "delivery_department": "sales"},
    }
    for resource, body in bodies.items():
        response = api.post(f"/api/{resource}", body)
        assert response.status_code == 422, (resource, response.content)
        assert response.json()["errors"][0]["field"] == "account"


def test_it_refuses_a_reference_to_another_accounts_contact(api, account, theirs):
    response = api.post("/api/promises", {
        "account": account.pk, "description": "x", "stage": "sale", "due_at": "2026-07-01",
        "delivery_owner_email": "owner@vendor.test", "delivery_department": "sales",
        "contact": theirs["contacts"],
    })
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "contact"
    assert not Promise.objects.filter(account=account).exists()
