"""A promise kept through the account page's quick dialog closes its overdue alert and
rescores the account at once, without a scan (issue 18)."""

from __future__ import annotations

import time_machine
from django.urls import reverse

from aftersale.promises.models import PromiseStatus
from tests.fresh import NOW, assert_rescored_now, open_subjects, overdue_promise, resolved_now, scanned_before

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
