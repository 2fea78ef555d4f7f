"""Promises and touchpoints through the API: the ledger's rules, versions and conflicts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from aftersale.alerts.models import Alert, AlertKind
from aftersale.engagement.models import Touchpoint
from aftersale.promises.models import Promise, PromiseEvent

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def recorded(api, account, colleague) -> dict:
    response = api.post("/api/promises", {
        "account": account.pk, "external_id": "CRM-P-1", "description": "Train two operators on site",
        "stage": "sale", "due_at": "2026-07-01", "delivery_owner_email": colleague.email,
        "delivery_department": "production",
    })
    assert response.status_code == 201, response.content
    return response.json()


def test_it_records_a_promise_with_the_uis_defaults_and_alerts_the_owner(recorded, owner, account):
    assert recorded["made_by_email"] == owner.email and recorded["made_by_department"] == "sales"
    assert recorded["made_at"] == "2026-06-15" and recorded["direction"] == "from_us"
    assert recorded["version"] == 1 and recorded["status"] == "open"
    assert Alert.objects.filter(account=account, kind=AlertKind.PROMISE_NEW).exists()


def test_it_applies_the_ledgers_date_rules(api, account, colleague):
    response = api.post("/api/promises", {
        "account": account.pk, "description": "x", "stage": "sale", "made_at": "2026-06-10",
        "due_at": "2026-06-01", "delivery_owner_email": colleague.email, "delivery_department": "service",
    })
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "due_at"
    assert not Promise.objects.exists()


def test_it_changes_status_along_the_lifecycle(api, recorded):
    url = f"/api/promises/{recorded['id']}/status"
    missing = api.post(url, {"version": 1, "status": "kept"})
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} == {"delivered_at", "evidence"}
    kept = api.post(url, {"version": 1, "status": "kept", "delivered_at": "2026-06-15",
                          "evidence": "Sign-off sheet"})
    assert kept.status_code == 200, kept.content
    assert kept.json()["status"] == "kept" and kept.json()["version"] == 2
    again = api.post(url, {"version": 2, "status": "broken"})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "status"


def test_it_answers_a_stale_version_with_a_409_that_says_what_changed(api, recorded, manager, colleague):
    promise = Promise.objects.get(pk=recorded["id"])
    from aftersale.promises.actions import do_edit_promise

    do_edit_promise(promise, by=manager, expected_version=1, values={"description": "Train three operators"})
    response = api.patch(f"/api/promises/{recorded['id']}", {"version": 1, "stage": "delivery"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "version_conflict" and body["current_version"] == 2
    assert body["changes"][0]["by_email"] == manager.email
    assert body["changes"][0]["changes"][0]["new"] == "Train three operators"
    assert Promise.objects.get(pk=recorded["id"]).stage == "sale"
    status = api.post(f"/api/promises/{recorded['id']}/status", {"version": 1, "status": "cancelled"})
    assert status.status_code == 409


def test_it_keeps_history_of_an_edit_and_refuses_the_due_date(api, recorded, colleague):
    url = f"/api/promises/{recorded['id']}"
    assert api.patch(url, {"version": 1, "due_at": "2026-08-01"}).json()["errors"][0]["code"] == (
        "extra_forbidden")
    response = api.patch(url, {"version": 1, "stage": "delivery", "note": "Moved to delivery"})
    assert response.status_code == 200 and response.json()["version"] == 2
    history = api.get(f"{url}/history").json()
    assert [e["action"] for e in history] == ["recorded", "edited"]
    assert history[1]["note"] == "Moved to delivery"
    assert PromiseEvent.objects.filter(promise_id=recorded["id"]).count() == 2


def test_it_lists_promises_by_delivery_owner(api, recorded, colleague, owner):
    mine = api.get("/api/promises", {"delivery_owner_email": colleague.email}).json()["items"]
    assert [p["external_id"] for p in mine] == ["CRM-P-1"]
    assert api.get("/api/promises", {"delivery_owner_email": owner.email}).json()["items"] == []


# --- touchpoints --------------------------------------------------------------------------------


def test_it_logs_a_touchpoint_with_participants_and_contacts(api, account, contact, colleague):
    response = api.post("/api/touchpoints", {
        "account": account.pk, "external_id": "CAL-9", "occurred_at": "2026-06-14T14:00:00+07:00",
        "kind": "visit", "initiated_by": "customer", "minutes": 90, "topic": "process_improvement",
        "participant_emails": [colleague.email], "contacts": [contact.pk],
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["external_id"] == "CAL-9" and body["topic_class"] == "collaborative"
    assert body["participants"] == [{"email": colleague.email, "department": "production"}]
    assert body["contacts"] == [contact.pk]


def test_it_refuses_a_touchpoint_with_a_stranger_or_from_the_future(api, account, other_contact):
    response = api.post("/api/touchpoints", {
        "account": account.pk, "occurred_at": "2026-06-20T10:00:00Z", "kind": "call",
        "initiated_by": "vendor", "minutes": 10, "topic": "price", "contacts": [other_contact.pk],
        "participant_emails": ["nobody@vendor.test"],
    })
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["participant_emails.0"]
    response = api.post("/api/touchpoints", {
        "account": account.pk, "occurred_at": "2026-06-20T10:00:00Z", "kind": "call",
        "initiated_by": "vendor", "minutes": 10, "topic": "price", "contacts": [other_contact.pk],
    })
    assert {e["field"] for e in response.json()["errors"]} == {"occurred_at", "contacts"}
    assert not Touchpoint.objects.exists()
