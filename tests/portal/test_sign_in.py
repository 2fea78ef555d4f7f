"""Signing in to the portal: contacts in, staff refused, password reset (the sign-in throttle,
the same on every door, is tests/ops/test_login_throttle.py)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

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


def test_it_refuses_staff_credentials(frozen, client, owner):
    response = sign_in(client, owner.email, PASSWORD)
    assert response.status_code == 200
    assert "Staff sign in on the staff sign-in page" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_sends_staff_already_signed_in_back_to_their_side(frozen, owner_client):
    response = owner_client.get(LOGIN)
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


def test_it_resets_a_forgotten_password_in_the_contacts_language(frozen, client, contact, mailoutbox,
                                                                  settings):
    settings.AFTERSALE = {**settings.AFTERSALE, "SITE_URL": "https://aftersale.example.com"}
    contact.user.language = "vi"
    contact.user.save()
    # The link is made from SITE_URL, never from the Host header the client sent.
    response = client.post(reverse("portal:password_reset"), {"email": contact.email}, HTTP_HOST="localhost")
    assert response["Location"] == reverse("portal:password_reset_done")
    (message,) = mailoutbox
    assert message.subject == "Đặt lại mật khẩu cổng khách hàng"
    assert "localhost" not in message.body
    link = re.search(r"https://aftersale\.example\.com(/portal/password-reset/\S+/)", message.body).group(1)

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
