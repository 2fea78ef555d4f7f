"""The staff sign-in and password reset (the throttle on them is tests/ops/test_login_throttle.py)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_it_signs_staff_in(client, owner):
    response = sign_in(client, "Owner@Vendor.test", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_it_says_when_the_password_is_wrong(client, owner):
    response = sign_in(client, owner.email, "wrong guess")
    assert response.status_code == 200
    assert "Your e-mail and password didn&#x27;t match" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_sends_a_portal_contact_to_the_portal(client, contact):
    response = sign_in(client, contact.email, PASSWORD)
    assert response.status_code == 200
    assert "This login is for the customer portal" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_mails_a_reset_link_made_from_the_site_url_in_the_persons_language(
    client, owner, mailoutbox, settings
):
    settings.AFTERSALE = {**settings.AFTERSALE, "SITE_URL": "https://aftersale.example.com/"}
    owner.language = "vi"
    owner.save()
    response = client.post(reverse("password_reset"), {"email": owner.email}, HTTP_HOST="localhost")
    assert response["Location"] == reverse("password_reset_done")
    (message,) = mailoutbox
    assert message.subject == "Đặt lại mật khẩu Aftersale"
    assert "localhost" not in message.body
    link = re.search(r"https://aftersale\.example\.com(/password-reset/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    new = "a brand new passphrase 9"
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response["Location"] == reverse("password_reset_complete")
    assert sign_in(client, owner.email, new).status_code == 302


@pytest.mark.parametrize("who", ["contact", "nobody"])
def test_it_sends_no_staff_reset_to_a_contact_or_an_unknown_address(client, contact, mailoutbox, who):
    email = contact.email if who == "contact" else "nobody@nowhere.test"
    response = client.post(reverse("password_reset"), {"email": email})
    assert response["Location"] == reverse("password_reset_done")  # says nothing either way
    assert not mailoutbox


def test_it_refuses_the_admin_sign_in_to_staff_who_are_not_admins(client, owner, admin_user):
    response = client.post("/admin/login/", {"username": owner.email, "password": PASSWORD,
                                             "next": "/admin/"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post("/admin/login/", {"username": admin_user.email, "password": PASSWORD,
                                             "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
