"""Orders and service cases: an integrator syncing an ERP and a support desk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from aftersale.accounts.models import Contact
from aftersale.commerce.models import Order, OrderLine, Product, ProductKind
from aftersale.service.models import Asset, AssetStatus, CaseStatus, ServiceCase, ServiceTarget

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)  # 10:00 in Hanoi, a Monday


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def press(db) -> Product:
    return Product.objects.create(external_id="P-PRESS", name="Hydraulic press", kind=ProductKind.EQUIPMENT,
                                  unit_cost=Decimal("700000"))


def order_body(account, press, **extra):
    return {"account": account.pk, "external_id": "SO-1001", "placed_at": "2026-06-14T09:30:00+07:00",
            "total": "1500000", "channel": "edi",
            "lines": [{"product": press.pk, "quantity": "2", "unit_price": "750000"}], **extra}


def test_it_records_an_order_with_its_lines_and_reads_it_back(api, account, press):
    response = api.post("/api/orders", order_body(account, press))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["external_id"] == "SO-1001" and body["currency"] == "VND" and body["channel"] == "edi"
    assert body["placed_at"] == "2026-06-14T02:30:00Z"
    assert body["lines"] == [{"product": press.pk, "product_external_id": "P-PRESS", "quantity": "2.000",
                              "unit_price": "750000.00", "unit_cost": "700000.00"}]
    listed = api.get("/api/orders", {"external_id": "SO-1001"}).json()["items"]
    assert listed[0]["lines"][0]["product_external_id"] == "P-PRESS"


def test_it_writes_nothing_for_a_bad_line_and_names_the_line(api, account, press):
    body = order_body(account, press, placed_by=424242)
    body["lines"].append({"product": 424242, "quantity": "1", "unit_price": "1"})
    response = api.post("/api/orders", body)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"placed_by", "lines.1.product"}
    body["lines"][1] = {"product": press.pk, "quantity": "0", "unit_price": "1"}
    response = api.post("/api/orders", body)
    assert [e["field"] for e in response.json()["errors"]] == ["lines.1.quantity"]
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_it_refuses_an_order_placed_by_another_accounts_contact_or_in_the_future(api, account, other_account,
                                                                                 press):
    stranger = Contact.objects.create(account=other_account, name="Not theirs")
    response = api.post("/api/orders", order_body(account, press, placed_by=stranger.pk,
                                                  placed_at="2026-07-01T00:00:00Z"))
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"placed_by", "placed_at"}


def test_it_syncs_orders_incrementally(api, account, press):
    api.post("/api/orders", order_body(account, press))
    first = api.get("/api/orders", {"updated_since": "2026-06-15T02:59:00Z"}).json()["items"]
    assert [o["external_id"] for o in first] == ["SO-1001"]
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        order = first[0]
        assert api.patch(f"/api/orders/{order['id']}", {"note": "paid"}).status_code == 200
    later = api.get("/api/orders", {"updated_since": "2026-06-15T03:30:00Z"}).json()["items"]
    assert [(o["external_id"], o["note"]) for o in later] == [("SO-1001", "paid")]
    assert api.get("/api/orders", {"updated_since": "2026-06-15T05:00:00Z"}).json()["items"] == []


# --- cases ------------------------------------------------------------------------------------


def test_it_opens_a_case_with_the_service_rules_and_moves_it_on(api, account, press, owner):
    # The target in force for its severity (a migration adds the defaults; a test that
    # flushed the database on this worker may have removed them).
    ServiceTarget.objects.update_or_create(
        severity="high", defaults={"response_hours": Decimal("4"), "resolution_hours": Decimal("24")})
    Asset.objects.create(account=account, product=press, serial="SN-1", external_id="A-1")
    response = api.post("/api/cases", {
        "account": account.pk, "external_id": "DESK-55", "kind": "repair", "title": "Press leaks oil",
        "serial": "SN-1", "asset_down": True, "severity": "high", "assigned_to_email": owner.email,
    })
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["status"] == "new" and case["external_id"] == "DESK-55"
    assert case["response_due_at"] and case["asset"] is not None
    assert Asset.objects.get(serial="SN-1").status == AssetStatus.IN_REPAIR

    comment = api.post(f"/api/cases/{case['id']}/comments", {"body": "Technician booked for tomorrow."})
    assert comment.status_code == 201
    assert api.get(f"/api/cases/{case['id']}").json()["status"] == "in_progress"

    resolved = api.post(f"/api/cases/{case['id']}/status", {"status": "resolved"})
    assert resolved.status_code == 200 and resolved.json()["resolved_at"]
    assert Asset.objects.get(serial="SN-1").status == AssetStatus.ACTIVE
    edited = api.patch(f"/api/cases/{case['id']}", {"is_complaint": True})
    assert edited.json()["is_complaint"] is True and edited.json()["title"] == "Press leaks oil"


def test_it_explains_a_broken_case_rule_naming_the_field(api, account, other_account, press):
    Asset.objects.create(account=other_account, product=press, serial="THEIRS")
    response = api.post("/api/cases",
                        {"account": account.pk, "kind": "repair", "title": "x", "serial": "THEIRS"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "serial"
    case = ServiceCase.objects.create(account=account, kind="repair", title="Closed one", opened_at=NOW,
                                      status=CaseStatus.CLOSED)
    response = api.post(f"/api/cases/{case.pk}/status", {"status": "in_progress"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "status"
    assert ServiceCase.objects.count() == 1


def test_it_filters_cases_by_state_and_refuses_a_duplicate_external_id(api, account):
    ServiceCase.objects.create(account=account, kind="repair", title="Open", opened_at=NOW, external_id="K-1")
    ServiceCase.objects.create(account=account, kind="repair", title="Done", opened_at=NOW,
                               status=CaseStatus.CLOSED)
    assert [c["title"] for c in api.get("/api/cases", {"open": "true"}).json()["items"]] == ["Open"]
    assert [c["title"] for c in api.get("/api/cases", {"status": "closed"}).json()["items"]] == ["Done"]
    response = api.post("/api/cases",
                        {"account": account.pk, "kind": "other", "title": "x", "external_id": "K-1"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "external_id"


def test_it_lists_assets_by_account(api, account, other_account, press):
    Asset.objects.create(account=account, product=press, serial="S1", external_id="A-1")
    Asset.objects.create(account=other_account, product=press, serial="S2")
    items = api.get("/api/assets", {"account": account.pk}).json()["items"]
    assert [(a["serial"], a["product_external_id"]) for a in items] == [("S1", "P-PRESS")]
    products = api.get("/api/products", {"kind": "equipment"}).json()["items"]
    assert [p["external_id"] for p in products] == ["P-PRESS"]
