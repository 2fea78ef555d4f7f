"""Changes made through the API close the alerts they settle and rescore the account at
once, without a scan (issue 18)."""

from __future__ import annotations

from decimal import Decimal

import time_machine

from aftersale.commerce.models import Product, ProductKind
from aftersale.service.actions import do_open_case
from aftersale.service.models import CaseKind, Severity
from tests.fresh import (
    BEFORE,
    HCM,
    NOW,
    assert_rescored_now,
    open_subjects,
    overdue_promise,
    resolved_now,
    scanned_before,
)


def test_it_closes_the_overdue_alert_when_the_promise_is_delivered_through_the_api(
    api, account, owner, django_capture_on_commit_callbacks
):
    promise = overdue_promise(account, owner)
    scanned_before(account)
    assert open_subjects(account, "promise_overdue") == [f"promise:{promise.pk}"]
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/promises/{promise.pk}/status", {
            "version": 1, "status": "late", "delivered_at": "2026-03-19", "evidence": "Signed",
        })
        assert response.status_code == 200, response.content
    assert open_subjects(account, "promise_overdue") == []
    assert resolved_now(account, "promise_overdue", f"promise:{promise.pk}")
    with time_machine.travel(NOW, tick=False):
        assert_rescored_now(account)


def test_it_closes_the_breach_when_the_case_is_resolved_through_the_api(
    api, account, owner, django_capture_on_commit_callbacks
):
    with time_machine.travel(BEFORE, tick=False):
        case = do_open_case(account=account, kind=CaseKind.REPAIR, title="Leak", by=owner,
                            opened_at=NOW.replace(day=2, hour=9), severity=Severity.HIGH)
    scanned_before(account)
    assert open_subjects(account, "sla_breach") == [f"case:{case.pk}"]
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/cases/{case.pk}/status", {"status": "resolved"})
        assert response.status_code == 200, response.content
    assert open_subjects(account, "sla_breach") == []
    with time_machine.travel(NOW, tick=False):
        assert_rescored_now(account)


def test_it_rescores_the_account_when_an_order_is_recorded_through_the_api(
    api, account, django_capture_on_commit_callbacks
):
    press = Product.objects.create(external_id="P-PRESS", name="Hydraulic press", kind=ProductKind.EQUIPMENT,
                                   unit_cost=Decimal("700000"))
    scanned_before(account)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/orders", {
            "account": account.pk, "external_id": "SO-1", "placed_at": NOW.astimezone(HCM).isoformat(),
            "total": "1500000", "channel": "edi",
            "lines": [{"product": press.pk, "quantity": "2", "unit_price": "750000"}],
        })
        assert response.status_code == 201, response.content
    with time_machine.travel(NOW, tick=False):
        assert_rescored_now(account)
