"""The account list and an account's health, the two reads integrations poll, answer as
integrations rely on: the same items, order, cursors, formats and errors as before the
API's separate fast path for them was removed (its answers were compared with these)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime

import pytest
import time_machine

from aftersale.accounts.models import Account
from aftersale.health.models import HealthSnapshot
from aftersale.health.scan import refresh_account

pytestmark = pytest.mark.django_db

LIST_KEYS = ["id", "external_id", "name", "kind", "industry", "tier", "owner_email", "currency", "city",
             "country", "customer_since", "notes", "created_at", "updated_at"]
HEALTH_KEYS = ["account", "account_external_id", "as_of", "computed_at", "source", "score", "band",
               "coverage", "trend", "signals"]
SIGNAL_KEYS = ["name", "label", "value", "weight", "contribution", "explanation"]


def moment(value: datetime) -> str:
    """A time as the whole API writes it: UTC, ``Z``, milliseconds (cut, not rounded) when
    the time has a fraction of a second."""
    text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond // 1000:03d}"
    return text + "Z"


def cursor_after(account: Account) -> str:
    """The cursor format integrations store: base64url of ``["<updated_at ISO>", id]``."""
    key = json.dumps([account.updated_at.astimezone(UTC).isoformat(), account.pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def item(account: Account) -> dict:
    return {
        "id": account.pk, "external_id": account.external_id, "name": account.name, "kind": account.kind,
        "industry": account.industry, "tier": account.tier, "owner_email": account.owner.email,
        "currency": account.currency, "city": account.city, "country": account.country,
        "customer_since": account.customer_since.isoformat() if account.customer_since else None,
        "notes": account.notes, "created_at": moment(account.created_at),
        "updated_at": moment(account.updated_at),
    }


@pytest.fixture
def portfolio(owner, colleague):
    """Accounts with every kind of value the list writes: text with quotes, control
    characters and non-ASCII, empty and set dates, whole-second, sub-millisecond and
    end-of-second times, two owners."""
    accounts = []
    for i in range(7):
        accounts.append(Account.objects.create(
            external_id=f"HOT-{i}", name=f'Công ty "Hòa Bình" {i}\n', owner=owner if i % 2 else colleague,
            tier=("strategic", "key", "standard")[i % 3], city="Hà Nội" if i % 2 else "",
            customer_since=date(2020, 1, i + 1) if i % 3 else None, notes="\\ \t ✓" * (i % 2),
        ))
    stamps = [datetime(2026, 5, 1, 8, 0, 0, tzinfo=UTC), datetime(2026, 5, 1, 8, 0, 0, 999999, tzinfo=UTC),
              datetime(2026, 5, 1, 8, 0, 1, 500, tzinfo=UTC)]
    for i, account in enumerate(accounts):
        Account.objects.filter(pk=account.pk).update(updated_at=stamps[i % 3], created_at=stamps[(i + 1) % 3])
    return accounts


def expected_accounts(params: dict) -> list[Account]:
    accounts = Account.objects.select_related("owner").filter(
        **{k: v for k, v in params.items() if k in ("tier", "kind", "external_id", "industry")})
    if "updated_since" in params:
        accounts = accounts.filter(updated_at__gte=params["updated_since"].replace("Z", "+00:00"))
    if "owner_email" in params:
        accounts = accounts.filter(owner__email=params["owner_email"].lower())
    return list(accounts.order_by("updated_at", "pk"))


@pytest.mark.parametrize("params", [
    {}, {"limit": 2}, {"limit": 500}, {"tier": "key"}, {"kind": "customer", "limit": 3},
    {"external_id": "HOT-3"}, {"external_id": "nobody"}, {"updated_since": "2026-05-01T08:00:00.5Z"},
    {"industry": "other", "tier": "strategic"}, {"owner_email": "COLLEAGUE@vendor.test", "limit": 3},
])
def test_it_pages_the_list_in_update_order_with_the_documented_items_and_cursors(api, portfolio, params):
    expected = expected_accounts(params)
    limit = params.get("limit", 50)
    cursor, walked = None, 0
    while True:
        response = api.get("/api/accounts", {**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/json; charset=utf-8"
        body = response.json()
        assert list(body) == ["items", "next_cursor"]
        chunk = expected[walked:walked + limit]
        assert body["items"] == [item(a) for a in chunk]
        assert all(list(row) == LIST_KEYS for row in body["items"])
        walked += len(chunk)
        more = walked < len(expected)
        assert body["next_cursor"] == (cursor_after(chunk[-1]) if more else None)
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert walked == len(expected)


def test_it_writes_times_as_everywhere_in_the_api(api, portfolio):
    items = {a["external_id"]: a for a in api.get("/api/accounts").json()["items"]}
    assert items["HOT-0"]["updated_at"] == "2026-05-01T08:00:00Z"
    assert items["HOT-1"]["updated_at"] == "2026-05-01T08:00:00.999Z"
    assert items["HOT-2"]["updated_at"] == "2026-05-01T08:00:01.000Z"
    assert items["HOT-1"]["customer_since"] == "2020-01-02" and items["HOT-0"]["customer_since"] is None
    # Text goes out as it was stored.
    raw = api.get("/api/accounts", {"external_id": "HOT-1"}).content.decode()
    assert json.loads(raw)["items"][0]["name"] == 'Công ty "Hòa Bình" 1\n'
    assert json.loads(raw)["items"][0]["notes"] == "\\ \t ✓"


def test_it_lists_an_account_as_it_reads_it_on_its_own(api, portfolio):
    for row in api.get("/api/accounts").json()["items"]:
        assert api.get(f"/api/accounts/{row['id']}").json() == row


def test_it_lists_in_one_query_after_the_token_check(api, portfolio, django_assert_num_queries):
    api.get("/api/accounts")  # records the token's last use
    with django_assert_num_queries(2):
        assert api.get("/api/accounts", {"tier": "key"}).status_code == 200


@pytest.mark.parametrize(("params", "field", "message", "code"), [
    ({"limit": 0}, "limit", "Input should be greater than or equal to 1", "greater_than_equal"),
    ({"limit": 501}, "limit", "Input should be less than or equal to 500", "less_than_equal"),
    ({"limit": "many"}, "limit", "Input should be a valid integer, unable to parse string as an integer",
     "int_parsing"),
    ({"cursor": "not-a-cursor"}, "cursor",
     "This cursor is not valid: pass the next_cursor of a previous page.", "invalid_cursor"),
    ({"cursor": "WzFd"}, "cursor",  # a well-formed cursor of the wrong shape ([1])
     "This cursor is not valid: pass the next_cursor of a previous page.", "invalid_cursor"),
    ({"tier": "gold"}, "tier", "Input should be 'strategic', 'key' or 'standard'", "enum"),
    ({"owner_email": "x"}, "owner_email", "String should have at least 3 characters", "string_too_short"),
    # A date alone is that local day (its first moment); a date and time needs its zone.
    ({"updated_since": "2026-05-01T08:00:00"}, "updated_since", "Input should have timezone info",
     "timezone_aware"),
])
def test_it_answers_bad_list_parameters_with_a_422_naming_the_parameter(
    api, portfolio, params, field, message, code
):
    response = api.get("/api/accounts", params)
    assert response.status_code == 422
    assert response.json() == {
        "detail": f"The request has invalid values. {field}: {message}", "code": "invalid",
        "errors": [{"field": field, "message": message, "code": code}],
    }


@pytest.mark.parametrize(("header", "code"), [
    (None, "missing_token"), ("Token abc", "malformed_token"), ("Bearer aft_nonsense", "invalid_token"),
])
@pytest.mark.parametrize("path", ["/api/accounts", "/api/accounts/{account}/health"])
def test_it_refuses_both_reads_without_a_valid_token(client, account, header, code, path):
    headers = {"Authorization": header} if header else {}
    response = client.get(path.format(account=account.pk), {"limit": "many"}, headers=headers)
    assert response.status_code == 401  # before the parameters are looked at
    assert response.json()["code"] == code
    assert response["WWW-Authenticate"] == 'Bearer realm="aftersale"'


NOW = datetime(2026, 6, 15, 9, 30, 0, 123456, tzinfo=UTC)


@pytest.fixture
def scanned(account):
    with time_machine.travel(NOW, tick=False):
        refresh_account(account.pk)
    return HealthSnapshot.objects.get(account=account)


def test_it_answers_health_with_the_latest_snapshot_explained_then_kept(
    api, account, scanned, django_assert_num_queries
):
    path = f"/api/accounts/{account.pk}/health"
    first = api.get(path)
    assert first.status_code == 200, first.content
    assert first["Content-Type"] == "application/json; charset=utf-8"
    body = first.json()
    assert list(body) == HEALTH_KEYS
    assert body["account"] == account.pk and body["account_external_id"] == account.external_id
    assert body["as_of"] == "2026-06-15" and body["computed_at"] == "2026-06-15T09:30:00.123Z"
    assert body["source"] == "snapshot"
    assert (body["score"], body["band"], body["coverage"]) == (scanned.score, scanned.band, scanned.coverage)
    assert body["trend"] == (scanned.trend or None)
    assert [s["name"] for s in body["signals"]] == list(scanned.signals)
    assert all(list(s) == SIGNAL_KEYS and s["label"] and s["explanation"] for s in body["signals"])
    # Kept: the next read is the token check and one query, and answers the same.
    with django_assert_num_queries(2):
        again = api.get(path)
    assert again.content == first.content


def test_it_answers_health_in_the_callers_language_and_keeps_each_language(api, account, scanned):
    path = f"/api/accounts/{account.pk}/health"
    english = api.get(path)
    vietnamese = api.client.get(path, headers={**api._headers(), "Accept-Language": "vi"})
    assert vietnamese["Content-Language"] == "vi" and english["Content-Language"] == "en"
    labels = [s["label"] for s in vietnamese.json()["signals"]]
    assert labels != [s["label"] for s in english.json()["signals"]]
    again = api.client.get(path, headers={**api._headers(), "Accept-Language": "vi"})
    assert again.content == vietnamese.content


def test_it_names_the_account_in_health_by_its_current_external_id(api, account, scanned):
    path = f"/api/accounts/{account.pk}/health"
    api.get(path)  # worked out and kept under the old external ID
    Account.objects.filter(pk=account.pk).update(external_id="RENAMED-1")
    assert api.get(path).json()["account_external_id"] == "RENAMED-1"


def test_it_works_out_the_health_of_a_never_scanned_account_live(api, account):
    with time_machine.travel(NOW, tick=False):
        body = api.get(f"/api/accounts/{account.pk}/health").json()
    assert list(body) == HEALTH_KEYS and body["source"] == "live"
    assert body["as_of"] == "2026-06-15" and body["computed_at"] == "2026-06-15T09:30:00.123Z"
    assert body["signals"] and all(list(s) == SIGNAL_KEYS for s in body["signals"])
    assert not HealthSnapshot.objects.exists()


@pytest.mark.parametrize(("account_id", "status", "field_error"), [
    ("0", 422, ("Input should be greater than or equal to 1", "greater_than_equal")),
    ("-1", 422, ("Input should be greater than or equal to 1", "greater_than_equal")),
    ("1e3", 422, ("Input should be a valid integer, unable to parse string as an integer", "int_parsing")),
    ("99999999999999999999", 422, ("Input should be less than or equal to 9223372036854775807",
                                   "less_than_equal")),
    ("999999", 404, None),
    ("00999999", 404, None),
])
def test_it_answers_odd_and_unknown_account_ids_with_a_422_or_a_404(
    api, account, account_id, status, field_error
):
    response = api.get(f"/api/accounts/{account_id}/health")
    assert response.status_code == status
    if field_error is None:
        assert response.json() == {"detail": "No account with id 999999 (or you may not see it).",
                                   "code": "not_found"}
        return
    message, code = field_error
    assert response.json() == {
        "detail": f"The request has invalid values. account_id: {message}", "code": "invalid",
        "errors": [{"field": "account_id", "message": message, "code": code}],
    }


def test_it_writes_cursors_as_before():
    from aftersale.api.paging import decode_cursor, encode_cursor

    values = [datetime(2026, 5, 1, 8, 0, 1, 999999, tzinfo=UTC), 2**62]
    expected = base64.urlsafe_b64encode(json.dumps([values[0].isoformat(), values[1]],
                                                   separators=(",", ":")).encode()).decode().rstrip("=")
    assert encode_cursor(values) == expected
    assert decode_cursor(expected, (datetime, int)) == values
    day = base64.urlsafe_b64encode(b'["2026-05-01"]').decode().rstrip("=")
    assert encode_cursor([date(2026, 5, 1)]) == day
