"""One sign-in throttle on every door: staff, admin and portal sign-in, and both password resets.

Failures are counted per login and real client address, in the database (shared by every
process), the same limit and lockout on each door, a failure on one counting for all.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.handlers.proxy import AxesProxyHandler
from django.core.cache import caches
from django.test import Client, override_settings
from django.test.client import RequestFactory
from django.urls import reverse
from hypothesis import assume, given
from hypothesis import strategies as st

from aftersale.ops.throttle import client_address
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = 5  # the documented default (LOGIN_FAILURE_LIMIT)
ADDRESS = "203.0.113.5"
ELSEWHERE = "198.51.100.7"
PROXY = "10.0.0.1"
Door = Callable[..., object]


@pytest.fixture
def frozen():
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def staff_sign_in(client: Client, login: str, password: str, **meta):
    return client.post(reverse("login"), {"username": login, "password": password}, **meta)


def admin_sign_in(client: Client, login: str, password: str, **meta):
    return client.post("/admin/login/", {"username": login, "password": password, "next": "/admin/"},
                       **meta)


def portal_sign_in(client: Client, login: str, password: str, **meta):
    return client.post(reverse("portal:login"), {"username": login, "password": password}, **meta)


def staff_reset(client: Client, login: str, password: str = "", **meta):
    return client.post(reverse("password_reset"), {"email": login}, **meta)


def portal_reset(client: Client, login: str, password: str = "", **meta):
    return client.post(reverse("portal:password_reset"), {"email": login}, **meta)


SIGN_INS = {"staff": staff_sign_in, "admin": admin_sign_in, "portal": portal_sign_in}
RESETS = {"staff": staff_reset, "portal": portal_reset}


def at(address: str, forwarded: str | None = None) -> dict[str, str]:
    meta = {"REMOTE_ADDR": address}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return meta


@pytest.fixture
def people(owner, admin_user, contact):
    """Who may sign in on each door."""
    return {"staff": owner.email, "admin": admin_user.email, "portal": contact.email}


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("door", SIGN_INS)
def test_it_locks_each_sign_in_after_the_same_number_of_failures(frozen, client, people, door):
    sign_in = SIGN_INS[door]
    for _ in range(LIMIT - 1):
        assert sign_in(client, people[door], "wrong guess", **at(ADDRESS)).status_code == 200
    # The failure that reaches the limit is answered with the lockout already.
    assert sign_in(client, people[door], "wrong guess", **at(ADDRESS)).status_code == 429
    refused = sign_in(client, people[door], PASSWORD, **at(ADDRESS))  # even the right password
    assert refused.status_code == 429 and refused["Retry-After"] == "900"
    assert "Try again in 15 minutes" in refused.content.decode()
    assert not signed_in(client)


@pytest.mark.parametrize("door", RESETS)
def test_it_sends_as_many_resets_as_the_limit_and_then_refuses(frozen, client, people, door, mailoutbox):
    login = people[door]
    for _ in range(LIMIT):
        assert RESETS[door](client, login, **at(ADDRESS)).status_code == 302
    assert len(mailoutbox) == LIMIT
    refused = RESETS[door](client, login, **at(ADDRESS))
    assert refused.status_code == 429
    assert len(mailoutbox) == LIMIT
    # And the lockout holds on the sign-in as well.
    assert SIGN_INS[door](client, login, PASSWORD, **at(ADDRESS)).status_code == 429


def test_it_counts_a_failure_on_one_door_on_every_other(frozen, client, owner):
    doors = [staff_sign_in, admin_sign_in, portal_sign_in, staff_reset, portal_reset]
    assert len(doors) == LIMIT
    for door in doors:
        door(client, owner.email, "wrong guess", **at(ADDRESS))
    assert staff_sign_in(client, owner.email, PASSWORD, **at(ADDRESS)).status_code == 429
    assert not signed_in(client)


def test_it_counts_per_login_and_address(frozen, client, owner, colleague):
    for _ in range(LIMIT):
        staff_sign_in(client, owner.email, "wrong guess", **at(ADDRESS))
    # The same login from elsewhere, and another login from here, are not held up.
    assert staff_sign_in(client, owner.email, PASSWORD, **at(ELSEWHERE)).status_code == 302
    client.logout()
    assert staff_sign_in(client, colleague.email, PASSWORD, **at(ADDRESS)).status_code == 302


def test_it_matches_the_login_whatever_its_case(frozen, client, owner):
    for _ in range(LIMIT):
        staff_sign_in(client, owner.email.upper(), "wrong guess", **at(ADDRESS))
    assert staff_sign_in(client, owner.email, PASSWORD, **at(ADDRESS)).status_code == 429


def test_it_clears_the_count_on_a_successful_sign_in(frozen, client, owner):
    for _ in range(LIMIT - 1):
        staff_sign_in(client, owner.email, "wrong guess", **at(ADDRESS))
    assert staff_sign_in(client, owner.email, PASSWORD, **at(ADDRESS)).status_code == 302
    client.logout()
    for _ in range(LIMIT - 1):
        staff_sign_in(client, owner.email, "wrong guess", **at(ADDRESS))
    assert staff_sign_in(client, owner.email, PASSWORD, **at(ADDRESS)).status_code == 302


def test_it_ends_the_lockout_after_its_minutes(frozen, client, contact):
    for _ in range(LIMIT):
        portal_sign_in(client, contact.email, "wrong", **at(ADDRESS))
    frozen.shift(timedelta(minutes=14))
    assert portal_sign_in(client, contact.email, PASSWORD, **at(ADDRESS)).status_code == 429
    frozen.shift(timedelta(minutes=1, seconds=1))
    assert portal_sign_in(client, contact.email, PASSWORD, **at(ADDRESS)).status_code == 302


def test_it_takes_the_limit_and_the_lockout_from_settings(frozen, client, owner, settings):
    settings.AFTERSALE = {**settings.AFTERSALE, "LOGIN_FAILURE_LIMIT": 2, "LOGIN_LOCKOUT_MINUTES": 1}
    for _ in range(2):
        staff_sign_in(client, owner.email, "wrong guess", **at(ADDRESS))
    refused = staff_sign_in(client, owner.email, PASSWORD, **at(ADDRESS))
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    frozen.shift(timedelta(minutes=1, seconds=1))
    assert staff_sign_in(client, owner.email, PASSWORD, **at(ADDRESS)).status_code == 302


def test_it_shares_one_count_between_two_processes(frozen, owner):
    """Two clients (two browsers, or two web processes) with every cache emptied between
    them: the count is in the database, not in a process."""
    first, second = Client(), Client()
    for attempt in range(LIMIT):
        for cache in caches.all():
            cache.clear()
        AxesProxyHandler.get_implementation(force=True)  # as a process starting afresh
        (first if attempt % 2 else second).post(
            reverse("login"), {"username": owner.email, "password": "wrong guess"}, **at(ADDRESS))
    assert staff_sign_in(Client(), owner.email, PASSWORD, **at(ADDRESS)).status_code == 429


def test_it_keys_by_the_forwarded_address_behind_a_trusted_proxy(frozen, client, owner, settings):
    settings.AFTERSALE = {**settings.AFTERSALE, "TRUSTED_PROXIES": [PROXY]}
    for guess in range(LIMIT):
        # What the client wrote left of the proxy's entry changes nothing.
        staff_sign_in(client, owner.email, "wrong guess", **at(PROXY, f"192.0.2.{guess}, {ADDRESS}"))
    assert staff_sign_in(client, owner.email, PASSWORD, **at(PROXY, ADDRESS)).status_code == 429
    # Another client behind the same proxy is not locked out with them.
    assert staff_sign_in(client, owner.email, PASSWORD, **at(PROXY, ELSEWHERE)).status_code == 302


def test_it_lets_no_untrusted_peer_choose_its_address(frozen, client, owner, settings):
    settings.AFTERSALE = {**settings.AFTERSALE, "TRUSTED_PROXIES": [PROXY]}
    for guess in range(LIMIT):
        staff_sign_in(client, owner.email, "wrong guess", **at(ADDRESS, f"192.0.2.{guess}"))
    assert staff_sign_in(client, owner.email, PASSWORD, **at(ADDRESS, ELSEWHERE)).status_code == 429


def test_it_ignores_the_header_without_trusted_proxies(frozen, client, owner):
    for guess in range(LIMIT):
        staff_sign_in(client, owner.email, "wrong guess", **at(PROXY, f"192.0.2.{guess}"))
    assert staff_sign_in(client, owner.email, PASSWORD, **at(PROXY, ELSEWHERE)).status_code == 429


def test_it_translates_the_lockout_page(frozen, client, contact):
    for _ in range(LIMIT):
        portal_sign_in(client, contact.email, "wrong", **at(ADDRESS))
    refused = portal_sign_in(client, contact.email, PASSWORD, HTTP_ACCEPT_LANGUAGE="vi", **at(ADDRESS))
    assert refused.status_code == 429
    assert "Thử lại sau 15 phút" in refused.content.decode()


TRUSTED = ("10.0.0.0/8", "fd00::/8")
addresses = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str)


def same_client(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An address as the throttle keys it: an IPv4 client seen over IPv6 is that IPv4 client."""
    parsed = ipaddress.ip_address(address)
    return getattr(parsed, "ipv4_mapped", None) or parsed


def is_trusted(address: str) -> bool:
    return any(same_client(address) in ipaddress.ip_network(n) for n in TRUSTED
               if ipaddress.ip_network(n).version == same_client(address).version)


def address_of(peer: str, forwarded: str) -> str | None:
    with override_settings(AFTERSALE={"TRUSTED_PROXIES": list(TRUSTED)}):
        request = RequestFactory().post("/login/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
        return client_address(request)


@given(peer=addresses, forwarded=st.text(max_size=80))
def test_it_keys_an_untrusted_peer_on_its_own_address_whatever_it_forwards(peer, forwarded):
    assume(not is_trusted(peer))
    assert address_of(peer, forwarded) == str(same_client(peer))


@given(hops=st.lists(addresses, min_size=1, max_size=4))
def test_it_takes_the_last_address_no_trusted_proxy_wrote_behind_trusted_proxies(hops):
    # The first proxy appended the client's address; a second, trusted, appended the first's.
    found = address_of("10.0.0.1", ", ".join([*hops, "fd00::1"]))
    untrusted = [hop for hop in hops if not is_trusted(hop)]
    expected = untrusted[-1] if untrusted else hops[0]
    assert found == str(same_client(expected))
