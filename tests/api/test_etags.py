"""Conditional GET on the account list and an account's health: an ETag that changes with
what the answer shows and with the caller, and 304 without a body while it holds."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from aftersale.accounts.models import Account
from aftersale.health.scan import refresh_account

from .conftest import ApiClient

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 9, 30, tzinfo=UTC)


def conditional(api: ApiClient, path: str, etag: str, params: dict | None = None,
                language: str | None = None):
    more = {"Accept-Language": language} if language else {}
    return api.client.get(path, params or {}, headers={**api._headers(), "If-None-Match": etag, **more})


@pytest.fixture
def accounts(owner, colleague) -> list[Account]:
    return [Account.objects.create(external_id=f"E-{i}", name=f"Etag {i}",
                                   owner=owner if i % 2 else colleague) for i in range(5)]


def test_it_gives_the_list_a_weak_etag_and_answers_304_without_a_body_while_it_holds(api, accounts,
                                                                                django_assert_num_queries):
    first = api.get("/api/accounts")
    etag = first["ETag"]
    assert re.fullmatch(r'W/"[0-9a-f]{32}"', etag)  # a digest: it shows nothing of the data
    assert set(first["Cache-Control"].split(", ")) == {"private", "no-cache"}
    with django_assert_num_queries(2):  # the token, the page: nothing more to tell it is unchanged
        again = conditional(api, "/api/accounts", etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # Without If-None-Match, or with another ETag, the whole answer comes back.
    assert api.get("/api/accounts").content == first.content
    assert conditional(api, "/api/accounts", 'W/"0123"').status_code == 200
    # Several ETags, or the ETag without its weak marker, are compared as RFC 9110 says.
    assert conditional(api, "/api/accounts", f'W/"0123", {etag}').status_code == 304
    assert conditional(api, "/api/accounts", etag.removeprefix("W/")).status_code == 304


@pytest.mark.parametrize("change", ["rename", "delete", "new owner email", "add"])
def test_it_changes_the_etag_when_what_the_page_shows_changes(api, accounts, owner, colleague, change):
    etag = api.get("/api/accounts")["ETag"]
    if change == "rename":
        accounts[2].name = "Renamed"
        accounts[2].save()
    elif change == "delete":
        accounts[3].delete()
    elif change == "new owner email":  # an owner's row, not the account's, changes
        type(owner).objects.filter(pk=owner.pk).update(email="olivia@vendor.test")
    else:
        Account.objects.create(external_id="E-NEW", name="New", owner=colleague)
    response = conditional(api, "/api/accounts", etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_it_gives_each_page_and_each_filter_its_own_etag(api, accounts):
    first = api.get("/api/accounts", {"limit": 2})
    second = api.get("/api/accounts", {"limit": 2, "cursor": first.json()["next_cursor"]})
    keys = api.get("/api/accounts", {"external_id": "E-1"})
    assert len({first["ETag"], second["ETag"], keys["ETag"]}) == 3
    assert conditional(api, "/api/accounts", first["ETag"], {"limit": 2}).status_code == 304
    assert conditional(api, "/api/accounts", first["ETag"],
                       {"limit": 2, "cursor": first.json()["next_cursor"]}).status_code == 200


def test_it_gives_another_caller_another_etag_for_the_same_page(api, manager_api, accounts):
    mine, theirs = api.get("/api/accounts"), manager_api.get("/api/accounts")
    assert mine.json() == theirs.json()
    assert mine["ETag"] != theirs["ETag"]
    # One caller's ETag never earns another a 304.
    assert conditional(manager_api, "/api/accounts", mine["ETag"]).status_code == 200


def test_it_refuses_a_bad_token_whatever_etag_it_sends(client, api, accounts):
    etag = api.get("/api/accounts")["ETag"]
    response = conditional(ApiClient(client, "aft_nonsense"), "/api/accounts", etag)
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"


def test_it_answers_if_match_with_a_412_in_the_usual_error_shape(api, accounts):
    etag = api.get("/api/accounts")["ETag"]
    response = api.client.get("/api/accounts", headers={**api._headers(), "If-Match": etag})
    assert response.status_code == 412
    assert response.json()["code"] == "precondition_failed" and "If-Match" in response.json()["detail"]
    vietnamese = api.client.get("/api/accounts", headers={**api._headers(), "If-Match": etag,
                                                          "Accept-Language": "vi"})
    assert vietnamese.status_code == 412 and vietnamese.json()["detail"].startswith("Điều kiện If-Match")


@pytest.fixture
def scanned(account):
    with time_machine.travel(NOW, tick=False):
        refresh_account(account.pk)
    return account


def test_it_answers_health_with_304_without_a_body_while_the_snapshot_holds(
    api, scanned, django_assert_num_queries
):
    path = f"/api/accounts/{scanned.pk}/health"
    first = api.get(path)
    etag = first["ETag"]
    assert re.fullmatch(r'W/"[0-9a-f]{32}"', etag)
    with django_assert_num_queries(2):
        again = conditional(api, path, etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert api.get(path).content == first.content


def test_it_changes_the_health_etag_with_a_new_snapshot(api, scanned):
    path = f"/api/accounts/{scanned.pk}/health"
    etag = api.get(path)["ETag"]
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        refresh_account(scanned.pk)
    response = conditional(api, path, etag)
    assert response.status_code == 200 and response["ETag"] != etag
    assert response.json()["as_of"] == "2026-06-16"


def test_it_varies_the_health_etag_by_language_external_id_and_caller(api, manager_api, scanned):
    path = f"/api/accounts/{scanned.pk}/health"
    english = api.get(path)["ETag"]
    vietnamese = api.client.get(path, headers={**api._headers(), "Accept-Language": "vi"})
    assert vietnamese["ETag"] != english
    assert conditional(api, path, english, language="vi").status_code == 200
    assert manager_api.get(path)["ETag"] != english
    assert conditional(manager_api, path, english).status_code == 200
    Account.objects.filter(pk=scanned.pk).update(external_id="RENAMED-1")
    assert conditional(api, path, english).status_code == 200


def test_it_never_lets_an_etag_stand_in_for_an_account_the_caller_cannot_reach(api, scanned):
    etag = api.get(f"/api/accounts/{scanned.pk}/health")["ETag"]
    response = conditional(api, "/api/accounts/999999/health", etag)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert conditional(api, "/api/accounts/999999/health", "*").status_code == 404


def test_it_gives_a_never_scanned_account_no_health_etag(api, account):
    response = api.get(f"/api/accounts/{account.pk}/health")
    assert response.json()["source"] == "live"
    assert "ETag" not in response
    assert conditional(api, f"/api/accounts/{account.pk}/health", "*").status_code == 200
