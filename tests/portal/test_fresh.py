"""What a customer does in the portal rescores their account at once, without a scan (issue 18)."""

from __future__ import annotations

import time_machine
from django.urls import reverse

from aftersale.commerce.models import Product, ProductKind
from aftersale.service.models import Asset, ServiceCase
from tests.fresh import BEFORE, NOW, assert_rescored_now, scanned_before


def test_it_rescores_the_account_at_once_when_a_request_is_raised_in_the_portal(
    client, contact, account, django_capture_on_commit_callbacks
):
    with time_machine.travel(BEFORE, tick=False):
        press = Product.objects.create(external_id="P-PRESS", name="Press", kind=ProductKind.EQUIPMENT)
        asset = Asset.objects.create(external_id="A-1", account=account, product=press, serial="SN-1")
    scanned_before(account)
    client.force_login(contact.user)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:request_new"), {
            "kind": "repair", "severity": "critical", "title": "Press stopped", "asset": asset.pk,
            "description": "The press stopped this morning.", "is_complaint": "on",
        })
        assert response.status_code == 302
    assert ServiceCase.objects.get(account=account).raised_by == contact
    with time_machine.travel(NOW, tick=False):
        assert_rescored_now(account)
