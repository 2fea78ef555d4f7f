"""Signing in to the portal: contacts in, staff to their side, throttling, password reset."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from aftersale.portal.models import LoginFailure
from tests.conftest import PASSWORD

LOGIN = "/portal/login/"


def sign_in(client: Client, email: str, password: str, ip: str = "10.0.0.1", **extra):
    return client.post(LOGIN, {"username": email, "password": password, **extra}, REMOTE_ADDR=ip)


def test_it_signs_a_contact_in_to_the_portal(frozen, client, contact):
    response = sign_in(client, "Buyer@Customer.test", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:home")).status_code == 200


def test_it_follows_next_only_within_the_portal(frozen, client, contact):
    response = sign_in(client, contact.email, PASSWORD, next="/portal/orders/")
    assert response["Location"] == "/portal/orders/"
    client.logout()
    response = sign_in(client, contact.email, PASSWORD, next="/accounts/")
    assert response["Location"] == reverse("portal:home")


def test_it_sends_staff_who_sign_in_here_to_the_staff_side(frozen, client, owner):
    response = sign_in(client, owner.email, PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_it_refuses_a_contact_without_portal_access(frozen, client, contact):
    contact.portal_enabled = False
    contact.save()
    response = sign_in(client, contact.email, PASSWORD)
    assert response.status_code == 200
    assert "This login has no portal access" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_signs_out_to_the_portal_sign_in(frozen, portal_client):
    response = portal_client.post(reverse("portal:logout"))
    assert response["Location"] == reverse("portal:login")
    assert portal_client.get(reverse("portal:home")).status_code == 302


def test_it_throttles_repeated_failures_for_one_address_from_one_place(frozen, client, contact):
    for _ in range(5):
        assert "Please enter a correct" in sign_in(client, contact.email, "wrong").content.decode()
    response = sign_in(client, contact.email, PASSWORD)  # even the right password now
    assert response.status_code == 200
    assert "Too many failed attempts. Wait 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_counts_failures_per_address_and_place(frozen, client, contact):
    for _ in range(5):
        sign_in(client, contact.email, "wrong", ip="10.0.0.1")
    assert sign_in(client, contact.email, PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    assert "Too many" in sign_in(client, contact.email, PASSWORD, ip="10.0.0.1").content.decode()
    for _ in range(5):
        sign_in(client, "someone@else.test", "wrong", ip="10.0.0.3")
    assert sign_in(client, contact.email, PASSWORD, ip="10.0.0.3").status_code == 302


def test_it_lets_them_try_again_after_the_window(frozen, client, contact):
    for _ in range(5):
        sign_in(client, contact.email, "wrong")
    frozen.shift(timedelta(minutes=15, seconds=1))
    assert sign_in(client, contact.email, PASSWORD).status_code == 302
    # Only the window's failures are kept.
    sign_in(Client(), "x@y.test", "wrong")
    assert LoginFailure.objects.count() == 1


def test_it_forgets_failures_after_a_successful_sign_in(frozen, client, contact):
    for _ in range(4):
        sign_in(client, contact.email, "wrong")
    assert sign_in(client, contact.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, contact.email, "wrong")
    assert sign_in(client, contact.email, PASSWORD).status_code == 302


def test_it_keeps_no_address_in_the_failure_log(frozen, client, contact):
    sign_in(client, contact.email, "wrong")
    (failure,) = LoginFailure.objects.all()
    assert contact.email not in failure.key and "10.0.0.1" not in failure.key


@pytest.mark.parametrize("limit", [2])
def test_it_reads_the_limit_from_settings(frozen, client, contact, settings, limit):
    settings.AFTERSALE = {**settings.AFTERSALE, "PORTAL": {"LOGIN_FAILURE_LIMIT": limit}}
    for _ in range(limit):
        sign_in(client, contact.email, "wrong")
    assert "Too many" in sign_in(client, contact.email, PASSWORD).content.decode()


def test_it_resets_a_forgotten_password_in_the_contacts_language(frozen, client, contact, mailoutbox):
    contact.user.language = "vi"
    contact.user.save()
    response = client.post(reverse("portal:password_reset"), {"email": contact.email})
    assert response["Location"] == reverse("portal:password_reset_done")
    (message,) = mailoutbox
    assert message.subject == "Đặt lại mật khẩu cổng khách hàng"
    link = re.search(r"http://testserver(/portal/password-reset/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new = "brand new passphrase 7"
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response["Location"] == reverse("portal:password_reset_complete")
    contact.user.refresh_from_db()
    assert contact.user.check_password("brand new passphrase 7")
    # The link is spent.
    assert "This link has expired or was already used" in client.get(link, follow=True).content.decode()


@pytest.mark.parametrize("who", ["staff", "revoked"])
def test_it_sends_no_reset_to_staff_or_revoked_contacts(frozen, client, contact, owner, mailoutbox, who):
    if who == "revoked":
        contact.portal_enabled = False
        contact.save()
    email = owner.email if who == "staff" else contact.email
    response = client.post(reverse("portal:password_reset"), {"email": email})
    assert response["Location"] == reverse("portal:password_reset_done")  # says nothing either way
    assert not mailoutbox
