"""Repeated failed sign-ins for one e-mail from one address are refused for a while."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from aftersale.ops.throttle import LIMIT
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def sign_in(client, email: str, password: str, address: str = "203.0.113.5"):
    return client.post(reverse("login"), {"username": email, "password": password},
                       REMOTE_ADDR=address)


def test_after_too_many_failures_even_the_right_password_is_refused(client, owner):
    for _ in range(LIMIT):
        assert sign_in(client, owner.email, "wrong guess").status_code == 200
    blocked = sign_in(client, owner.email, PASSWORD)
    assert blocked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address, or another e-mail from this one, is not held up.
    assert sign_in(client, owner.email, PASSWORD, address="198.51.100.7").status_code == 302


def test_a_successful_sign_in_clears_the_count(client, owner):
    for _ in range(LIMIT - 1):
        sign_in(client, owner.email, "wrong guess")
    assert sign_in(client, owner.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(LIMIT - 1):
        sign_in(client, owner.email, "wrong guess")
    assert sign_in(client, owner.email, PASSWORD).status_code == 302


def test_the_email_is_matched_whatever_its_case(client, owner):
    for _ in range(LIMIT):
        sign_in(client, owner.email.upper(), "wrong guess")
    assert sign_in(client, owner.email, PASSWORD).status_code == 429
