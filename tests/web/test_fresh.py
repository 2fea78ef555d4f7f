"""Fixes recorded on the staff pages of an account (its quick dialogs, the touchpoint page)
close their alerts and rescore the account at once, without a scan (issue 18)."""

from __future__ import annotations

import time_machine
from django.urls import reverse

from aftersale.alerts.actions import Condition, reconcile_alerts
from aftersale.alerts.models import AlertKind
from aftersale.promises.models import PromiseStatus
from tests.alerts.examples import silent
from tests.fresh import (
    BEFORE,
    NOW,
    assert_rescored_now,
    open_subjects,
    overdue_promise,
    resolved_now,
    scanned_before,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_it_closes_the_overdue_alert_when_the_promise_is_kept_in_the_dialog(
    owner_client, account, owner, django_capture_on_commit_callbacks
):
    promise = overdue_promise(account, owner)
    scanned_before(account)
    assert open_subjects(account, "promise_overdue") == [f"promise:{promise.pk}"]
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("quick_keep", args=[promise.pk]), {
            "version": promise.version, "status": PromiseStatus.LATE, "delivered_at": "2026-03-19",
            "evidence": "Signed hand-over note",
        }, **HTMX)
        assert response.status_code == 204, response.context["form"].errors
    assert response["HX-Trigger"] == "accountChanged"  # the panel reloads the new score
    assert open_subjects(account, "promise_overdue") == []
    assert resolved_now(account, "promise_overdue", f"promise:{promise.pk}")
    with time_machine.travel(NOW, tick=False):
        assert_rescored_now(account)


def test_it_closes_the_silence_alert_when_a_call_is_logged_on_the_touchpoint_page(
    owner_client, account, owner, contact, django_capture_on_commit_callbacks
):
    scanned_before(account)
    reconcile_alerts(kind=AlertKind.SILENCE, wanted={(account.pk, ""): Condition(silent())},
                     at=BEFORE, account_ids=[account.pk])
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("log_touchpoint", args=[account.pk]), {
            "occurred_at": "2026-03-20T13:00", "kind": "call", "initiated_by": "vendor", "minutes": "20",
            "topic": "other", "participants": [owner.pk], "contacts": [contact.pk],
        })
        assert response.status_code == 302, response.context["form"].errors
    assert open_subjects(account, AlertKind.SILENCE) == []
    assert resolved_now(account, AlertKind.SILENCE, "")
    with time_machine.travel(NOW, tick=False):
        assert_rescored_now(account)
