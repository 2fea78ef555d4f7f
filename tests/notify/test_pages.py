"""The settings page (e-mail choices, calendar link) and the one-click unsubscribe."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from aftersale.alerts.models import AlertKind
from aftersale.notify.models import CalendarFeed, Delivery, NotificationPreference
from aftersale.notify.preferences import deliveries
from aftersale.notify.sending import send_immediate_alerts
from aftersale.notify.unsubscribe import make_token

from .conftest import NOW, open_alert

pytestmark = pytest.mark.django_db


def test_it_shows_and_saves_each_kinds_choice_on_the_settings_page(owner_client, owner):
    page = owner_client.get(reverse("notify_settings"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="immediate"' in html and "Service target breached" in html
    choices = {kind: Delivery.DIGEST for kind in AlertKind.values}
    choices[AlertKind.SILENCE] = Delivery.IMMEDIATE
    choices[AlertKind.REVIEW_DUE] = Delivery.OFF
    response = owner_client.post(reverse("notify_settings"), choices)
    assert response.status_code == 302
    saved = deliveries(owner.pk)
    assert saved[AlertKind.SILENCE] == Delivery.IMMEDIATE and saved[AlertKind.REVIEW_DUE] == Delivery.OFF
    assert saved[AlertKind.SLA_BREACH] == Delivery.DIGEST


def test_it_refuses_a_bad_choice_and_saves_nothing(owner_client, owner):
    response = owner_client.post(reverse("notify_settings"), {AlertKind.SILENCE: "sometimes"})
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_it_gives_portal_contacts_no_settings_page(client, contact):
    client.force_login(contact.user)
    assert client.get(reverse("notify_settings")).status_code == 403


def test_it_creates_renews_and_turns_off_the_calendar_link(owner_client, owner):
    owner_client.post(reverse("notify_calendar_link"), {"action": "create"})
    feed = CalendarFeed.objects.get(user=owner)
    page = owner_client.get(reverse("notify_settings")).content.decode()
    assert f"/calendar/{feed.key}.ics" in page
    assert owner_client.get(f"/calendar/{feed.key}.ics").status_code == 200
    old = feed.key
    owner_client.post(reverse("notify_calendar_link"), {"action": "renew"})
    assert owner_client.get(f"/calendar/{old}.ics").status_code == 404
    new = CalendarFeed.objects.get(user=owner).key
    assert new != old and owner_client.get(f"/calendar/{new}.ics").status_code == 200
    owner_client.post(reverse("notify_calendar_link"), {"action": "off"})
    assert not CalendarFeed.objects.exists()
    assert owner_client.get(f"/calendar/{new}.ics").status_code == 404


def test_it_honours_an_emails_unsubscribe_link_without_logging_in(client, account, owner, frozen):
    open_alert(account)
    send_immediate_alerts(NOW, worker_id="w1")
    found = re.search(r"http://127\.0\.0\.1:8000(/notifications/unsubscribe/\S+/)", mail.outbox[0].body)
    link = found.group(1)
    page = client.get(link)
    assert page.status_code == 200
    assert "Service target breached" in page.content.decode() and "<form" in page.content.decode()
    assert deliveries(owner.pk)[AlertKind.SLA_BREACH] == Delivery.IMMEDIATE  # GET changes nothing
    done = client.post(link)
    assert done.status_code == 200 and "Unsubscribed" in done.content.decode()
    assert deliveries(owner.pk)[AlertKind.SLA_BREACH] == Delivery.OFF
    assert deliveries(owner.pk)[AlertKind.PROMISE_NEW] == Delivery.IMMEDIATE


def test_it_unsubscribes_on_a_mail_clients_one_click_post(client, owner):
    token = make_token(owner, [AlertKind.SILENCE, AlertKind.QUIET_CUSTOMER])
    response = client.post(reverse("notify_unsubscribe", args=[token]), "List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    chosen = deliveries(owner.pk)
    assert chosen[AlertKind.SILENCE] == chosen[AlertKind.QUIET_CUSTOMER] == Delivery.OFF


def test_it_changes_nothing_for_a_forged_or_damaged_link(client, owner, colleague):
    token = make_token(owner, [AlertKind.SILENCE])
    forged = token.replace(token.split(":")[0], make_token(colleague, [AlertKind.SILENCE]).split(":")[0])
    for bad in (forged, token[:-2] + "xx", "nonsense"):
        assert client.post(reverse("notify_unsubscribe", args=[bad])).status_code == 404
    assert not NotificationPreference.objects.exists()
