"""Alerts (list, acknowledge) and health (current score explained, history)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from aftersale.alerts.actions import raise_alert
from aftersale.alerts.models import Alert, AlertKind
from aftersale.health.models import HealthSnapshot
from aftersale.health.scan import refresh_account
from tests.alerts.examples import EXAMPLES

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def alert(account, subject="promise:1", at=NOW, kind=AlertKind.PROMISE_OVERDUE) -> Alert:
    return raise_alert(kind=kind, account=account, subject=subject, params=EXAMPLES[kind], at=at)


def test_it_lists_open_alerts_and_acknowledges_them_once(api, account, owner, manager):
    first = alert(account)
    response = api.post(f"/api/alerts/{first.pk}/acknowledge")
    assert response.status_code == 200
    assert response.json()["acknowledged_by_email"] == owner.email
    acknowledged_at = response.json()["acknowledged_at"]
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        again = api.post(f"/api/alerts/{first.pk}/acknowledge").json()
    assert again["acknowledged_at"] == acknowledged_at
    listed = api.get("/api/alerts").json()["items"]
    assert [(a["id"], a["kind"], a["owner_email"]) for a in listed] == [(first.pk, "promise_overdue",
                                                                         owner.email)]


def test_it_lists_resolved_alerts_on_request_and_refuses_to_acknowledge_them(api, account):
    done = alert(account)
    Alert.objects.filter(pk=done.pk).update(resolved_at=NOW)
    assert api.post(f"/api/alerts/{done.pk}/acknowledge").status_code == 404
    assert api.get("/api/alerts").json()["items"] == []
    assert [a["id"] for a in api.get("/api/alerts", {"state": "resolved"}).json()["items"]] == [done.pk]


def test_it_finds_alerts_opened_acknowledged_or_resolved_since_updated_since(api, account):
    old = alert(account, "promise:1", at=NOW - timedelta(days=5))
    acked = alert(account, "promise:2", at=NOW - timedelta(days=5))
    new = alert(account, "promise:3", at=NOW)
    Alert.objects.filter(pk=acked.pk).update(acknowledged_at=NOW)
    items = api.get("/api/alerts", {"state": "all", "updated_since": (NOW - timedelta(days=1)).isoformat()})
    assert {a["id"] for a in items.json()["items"]} == {acked.pk, new.pk}
    assert old.pk not in {a["id"] for a in items.json()["items"]}


def test_it_answers_health_with_the_latest_snapshot_and_each_signal_explained(api, account,
                                                                 django_assert_max_num_queries):
    refresh_account(account.pk, NOW - timedelta(days=1))
    refresh_account(account.pk, NOW)
    response = api.get(f"/api/accounts/{account.pk}/health")
    assert response.status_code == 200, response.content
    body = response.json()
    snapshot = HealthSnapshot.objects.get(account=account, as_of=date(2026, 6, 15))
    assert body["source"] == "snapshot" and body["as_of"] == "2026-06-15"
    assert body["band"] == snapshot.band and body["score"] == snapshot.score
    assert {s["name"] for s in body["signals"]} == set(snapshot.signals)
    assert all(s["explanation"] and s["label"] for s in body["signals"])
    # The explanations of a snapshot are worked out once: later reads are a few queries.
    with django_assert_max_num_queries(3):
        assert api.get(f"/api/accounts/{account.pk}/health").json() == body


def test_it_evaluates_the_health_of_a_never_scanned_account_live(api, account):
    body = api.get(f"/api/accounts/{account.pk}/health").json()
    assert body["source"] == "live" and body["signals"]
    assert not HealthSnapshot.objects.exists()


def test_it_pages_health_history_oldest_first(api, account):
    for days in (3, 2, 1, 0):
        refresh_account(account.pk, NOW - timedelta(days=days))
    first = api.get(f"/api/accounts/{account.pk}/health/history", {"limit": 3}).json()
    assert [s["as_of"] for s in first["items"]] == ["2026-06-12", "2026-06-13", "2026-06-14"]
    rest = api.get(f"/api/accounts/{account.pk}/health/history", {"cursor": first["next_cursor"]}).json()
    assert [s["as_of"] for s in rest["items"]] == ["2026-06-15"] and rest["next_cursor"] is None
    since = api.get(f"/api/accounts/{account.pk}/health/history", {"since": "2026-06-14"}).json()
    assert len(since["items"]) == 2
    assert api.get("/api/accounts/999999/health/history").status_code == 404


def test_it_refuses_to_acknowledge_a_step_in_alert(api, account):
    quiet = alert(account, subject="", kind=AlertKind.QUIET_CUSTOMER)
    response = api.post(f"/api/alerts/{quiet.pk}/acknowledge")
    assert response.status_code == 409
    assert response.json()["code"] == "step_in_required"
    assert "closes by itself once a visit, meeting or call" in response.json()["detail"]
    quiet.refresh_from_db()
    assert quiet.acknowledged_at is None and quiet.resolved_at is None
