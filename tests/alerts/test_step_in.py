"""Step-in alerts (silence, quiet customer): closed by a two-way contact, never dismissed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from aftersale.alerts.actions import Condition, reconcile_alerts
from aftersale.alerts.admin import AlertAdmin
from aftersale.alerts.models import Alert, AlertKind
from aftersale.alerts.step_in import StepInRequired, check_can_acknowledge
from aftersale.engagement.models import InitiatedBy, Topic, Touchpoint, TouchpointKind
from tests.alerts.examples import overdue, silent

pytestmark = pytest.mark.django_db

T1 = datetime(2026, 3, 1, 9, tzinfo=UTC)
T2 = T1 + timedelta(days=1)
T3 = T1 + timedelta(days=2)


def open_silence(account, at=T1):
    reconcile_alerts(kind=AlertKind.SILENCE, wanted={(account.pk, ""): Condition(silent())},
                     at=at, account_ids=[account.pk])
    return Alert.objects.open().get(account=account, kind=AlertKind.SILENCE)


def touch(account, when, kind, initiated_by=InitiatedBy.VENDOR):
    Touchpoint.objects.create(account=account, occurred_at=when, kind=kind, initiated_by=initiated_by,
                              minutes=20, topic=Topic.OTHER)


def test_it_stays_open_when_the_condition_stops_but_nobody_talked_with_the_customer(account):
    alert = open_silence(account)
    result = reconcile_alerts(kind=AlertKind.SILENCE, wanted={}, at=T2)
    assert result.resolved == 0
    alert.refresh_from_db()
    assert alert.resolved_at is None


def test_it_stays_open_after_a_one_way_email(account):
    open_silence(account)
    touch(account, T1 + timedelta(hours=2), TouchpointKind.EMAIL)
    reconcile_alerts(kind=AlertKind.SILENCE, wanted={}, at=T2)
    assert Alert.objects.open().filter(account=account).exists()


@pytest.mark.parametrize("kind", [TouchpointKind.VISIT, TouchpointKind.MEETING, TouchpointKind.CALL,
                                  TouchpointKind.VIDEO])
def test_it_closes_after_a_two_way_contact_after_it_opened_even_if_the_condition_still_holds(account, kind):
    alert = open_silence(account)
    touch(account, T1 + timedelta(hours=2), kind, initiated_by=InitiatedBy.CUSTOMER)
    wanted = {(account.pk, ""): Condition(silent())}
    result = reconcile_alerts(kind=AlertKind.SILENCE, wanted=wanted, at=T2)
    assert (result.resolved, result.opened) == (1, 0)
    alert.refresh_from_db()
    assert alert.resolved_at == T2


def test_it_stays_open_after_a_contact_before_it_opened_or_after_the_scan_moment(account, other_account):
    open_silence(account)
    touch(account, T1 - timedelta(days=3), TouchpointKind.VISIT)
    touch(account, T3, TouchpointKind.CALL)  # later than the scan's as-of
    touch(other_account, T1 + timedelta(hours=1), TouchpointKind.CALL)  # someone else's
    reconcile_alerts(kind=AlertKind.SILENCE, wanted={}, at=T2)
    assert Alert.objects.open().filter(account=account).exists()


def test_it_still_closes_other_kinds_when_their_condition_stops(account):
    wanted = {(account.pk, "promise:1"): Condition(overdue())}
    reconcile_alerts(kind=AlertKind.PROMISE_OVERDUE, wanted=wanted, at=T1)
    assert reconcile_alerts(kind=AlertKind.PROMISE_OVERDUE, wanted={}, at=T2).resolved == 1


def test_it_reconciles_in_a_bounded_number_of_queries(account, other_account, django_assert_max_num_queries):
    open_silence(account)
    open_silence(other_account)
    with django_assert_max_num_queries(3):
        reconcile_alerts(kind=AlertKind.SILENCE, wanted={}, at=T2)


def test_it_refuses_acknowledging_on_the_attention_list_with_a_clear_message(owner_client, account):
    alert = open_silence(account)
    page = owner_client.get(reverse("home")).content.decode()
    assert "Step in: the owner calls or visits them" in page
    assert "Closes when a visit, meeting or call is logged." in page
    assert reverse("alert_acknowledge", args=[alert.pk]) not in page  # not offered
    response = owner_client.post(reverse("alert_acknowledge", args=[alert.pk]), follow=True)
    assert "it closes by itself once a visit, meeting or call with the customer is logged" in (
        response.content.decode())
    alert.refresh_from_db()
    assert alert.acknowledged_at is None and alert.resolved_at is None


def test_it_refuses_acknowledging_in_the_service_layer_too(account):
    with pytest.raises(StepInRequired):
        check_can_acknowledge(open_silence(account))


def test_it_cannot_be_dismissed_or_deleted_in_the_admin_while_open(account, admin_user, rf):
    from django.contrib.admin.sites import site

    alert = open_silence(account)
    model_admin = AlertAdmin(Alert, site)
    request = rf.get("/")
    request.user = admin_user
    assert {"acknowledged_at", "acknowledged_by", "resolved_at"} <= set(
        model_admin.get_readonly_fields(request, alert))
    assert not model_admin.has_delete_permission(request, alert)
    Alert.objects.filter(pk=alert.pk).update(resolved_at=T2)
    alert.refresh_from_db()
    assert model_admin.has_delete_permission(request, alert)


def test_it_leaves_open_step_in_alerts_out_of_the_admin_bulk_delete(account, other_account, admin_user, rf):
    from django.contrib.admin.sites import site
    from django.contrib.messages.storage.fallback import FallbackStorage

    silence = open_silence(account)
    wanted = {(other_account.pk, "p:1"): Condition(overdue())}
    reconcile_alerts(kind=AlertKind.PROMISE_OVERDUE, wanted=wanted, at=T1)
    request = rf.post("/")
    request.user = admin_user
    request.session = {}
    request._messages = FallbackStorage(request)
    AlertAdmin(Alert, site).delete_queryset(request, Alert.objects.all())
    assert list(Alert.objects.values_list("pk", flat=True)) == [silence.pk]
