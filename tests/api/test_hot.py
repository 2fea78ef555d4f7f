"""The hot reads (aftersale.api.hot) answer exactly as the ninja views do, and only in the
common case; everything unusual is left to the views."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from aftersale.accounts.models import Account
from aftersale.api import hot
from aftersale.api.fast import EPOCH, key_moment, key_sql
from aftersale.api.models import ApiToken
from aftersale.health.models import HealthSnapshot
from aftersale.health.scan import refresh_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(monkeypatch):
    """Which requests the hot reads answered themselves (True) or left to the views (False)."""
    seen: list[bool] = []
    for name in ("hot_list", "hot_health"):
        real = getattr(hot, name)

        def spy(*args, _real=real):
            answer = _real(*args)
            seen.append(answer is not None)
            return answer

        monkeypatch.setattr(hot, name, spy)
    return seen


def by_view(monkeypatch, api, path, params=None):
    """The same request answered by the ninja view alone."""
    with monkeypatch.context() as patch:
        patch.setattr(hot, "hot_list", lambda request: None)
        patch.setattr(hot, "hot_health", lambda request, account_id: None)
        return api.get(path, params)


def same(one, other) -> None:
    assert one.status_code == other.status_code
    assert one.content == other.content
    assert {k: v for k, v in one.items()} == {k: v for k, v in other.items()}


@pytest.fixture
def portfolio(owner, colleague):
    """Accounts with every kind of value the list writes: text with quotes and non-ASCII,
    empty and set dates, whole-second and sub-millisecond times, two owners."""
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


@pytest.mark.parametrize("params", [
    {}, {"limit": 2}, {"limit": 500}, {"tier": "key"}, {"kind": "customer", "limit": 3},
    {"external_id": "HOT-3"}, {"external_id": "nobody"}, {"updated_since": "2026-05-01T08:00:00.5Z"},
    {"industry": "other", "tier": "strategic"},
])
def test_the_hot_list_answers_byte_for_byte_as_the_view(monkeypatch, api, owner, colleague, portfolio,
                                                         answered, params):
    assert api.get("/api/accounts").status_code == 200  # the token is now known to this process
    answered.clear()
    walked = 0
    cursor = None
    while True:
        page = {**params, **({"cursor": cursor} if cursor else {})}
        fast, slow = api.get("/api/accounts", page), by_view(monkeypatch, api, "/api/accounts", page)
        same(fast, slow)
        assert fast.status_code == 200
        walked += len(fast.json()["items"])
        cursor = fast.json()["next_cursor"]
        if cursor is None:
            break
    assert answered and all(answered)
    assert walked == Account.objects.filter(
        **{k: v for k, v in params.items() if k in ("tier", "kind", "external_id", "industry")}
    ).filter(updated_at__gte=params.get("updated_since", "2000-01-01T00:00Z")).count()


def test_the_hot_list_filters_by_owner_email_like_the_view(monkeypatch, api, colleague, portfolio, answered):
    api.get("/api/accounts")
    params = {"owner_email": colleague.email.upper()}
    fast = api.get("/api/accounts", params)
    same(fast, by_view(monkeypatch, api, "/api/accounts", params))
    assert len(fast.json()["items"]) == 4 and answered[-1]


def test_the_hot_list_is_one_query_on_top_of_the_token_check(api, portfolio, django_assert_num_queries):
    api.get("/api/accounts")
    # One statement on PostgreSQL; SQLite has no round trips to save and runs the two apart.
    from django.db import connection

    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        assert api.get("/api/accounts").status_code == 200


@pytest.mark.parametrize("params", [
    {"limit": 0}, {"limit": "many"}, {"cursor": "not-a-cursor"}, {"tier": "gold"}, {"owner_email": "x"},
    {"updated_since": "2026-05-01"},
])
def test_invalid_parameters_are_left_to_the_view(monkeypatch, api, portfolio, answered, params):
    api.get("/api/accounts")
    answered.clear()
    response = api.get("/api/accounts", params)
    assert response.status_code == 422
    same(response, by_view(monkeypatch, api, "/api/accounts", params))
    assert answered == [False]


def test_a_token_is_first_checked_by_the_view_then_answered_hot(client, owner, portfolio, answered):
    from aftersale.api.tokens import do_issue_token
    from tests.api.conftest import ApiClient

    api = ApiClient(client, do_issue_token(owner)[1])
    assert api.get("/api/accounts").status_code == 200
    assert api.get("/api/accounts").status_code == 200
    assert answered == [False, True]
    assert ApiClient(client, "nonsense").get("/api/accounts").status_code == 401
    assert ApiClient(client, None).get("/api/accounts").status_code == 401
    assert answered[2:] == [False, False]


def test_a_renamed_holder_is_answered_by_the_view_as_they_are_now(api, owner, portfolio, answered):
    api.get("/api/accounts")
    type(owner).objects.filter(pk=owner.pk).update(name="Someone else")
    answered.clear()
    assert api.get("/api/accounts").status_code == 200
    assert answered == [False]  # the token's row differs from the one accepted: the view decides
    assert api.get("/api/accounts").status_code == 200
    assert answered == [False, True]


def test_a_revoked_token_is_left_to_the_view_which_refuses_it(api, owner, portfolio, answered):
    api.get("/api/accounts")
    ApiToken.objects.update(revoked_at=timezone.now())
    answered.clear()
    response = api.get("/api/accounts")
    assert response.status_code == 401 and response.json()["code"] == "revoked_token"
    assert answered == [False]


def test_the_last_use_is_still_recorded_every_few_minutes(api, owner, portfolio):
    api.get("/api/accounts")
    stale = timezone.now() - timedelta(hours=1)
    ApiToken.objects.update(last_used_at=stale)
    api.get("/api/accounts")  # the row read differs from the one accepted: checked and recorded
    assert ApiToken.objects.get().last_used_at > stale


def test_the_hot_health_answers_byte_for_byte_as_the_view(monkeypatch, api, account, other_account, answered):
    refresh_account(account.pk)
    assert HealthSnapshot.objects.filter(account=account).exists()
    path = f"/api/accounts/{account.pk}/health"
    first = api.get(path)  # works out the answer and keeps it
    assert first.status_code == 200
    answered.clear()
    fast = api.get(path)
    assert answered == [True]
    same(fast, first)
    same(fast, by_view(monkeypatch, api, path))
    # Another language has its own answer, worked out by the view first.
    answered.clear()
    vietnamese = api.client.get(path, headers={**api._headers(), "Accept-Language": "vi"})
    again = api.client.get(path, headers={**api._headers(), "Accept-Language": "vi"})
    assert answered == [False, True]
    same(again, vietnamese)
    assert again["Content-Language"] == "vi"


@pytest.mark.parametrize("account_id", ["0", "00012", "-1", "1e3", "99999999999999999999", "١٢"])
def test_odd_account_ids_are_left_to_the_view(monkeypatch, api, account, answered, account_id):
    api.get("/api/accounts")
    answered.clear()
    path = f"/api/accounts/{account_id}/health"
    response = api.get(path)
    same(response, by_view(monkeypatch, api, path))
    assert response.status_code in (404, 422)
    assert answered == [False]


def test_missing_and_never_scanned_accounts_are_left_to_the_view(api, account, answered):
    api.get("/api/accounts")
    answered.clear()
    assert api.get("/api/accounts/999999/health").status_code == 404
    live = api.get(f"/api/accounts/{account.pk}/health")
    assert live.status_code == 200 and live.json()["source"] == "live"
    assert answered == [False, False]


def test_the_sort_key_reads_back_the_exact_moment(account):
    from django.db import connection

    moment = datetime(2026, 5, 1, 8, 0, 1, 999999, tzinfo=UTC)
    Account.objects.filter(pk=account.pk).update(updated_at=moment)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key_sql('updated_at')} FROM accounts_account WHERE id = %s",  # noqa: S608
                       [account.pk])
        assert key_moment(cursor.fetchone()[0]) == moment
    assert key_moment((moment - EPOCH) // timedelta(microseconds=1)) == moment


def test_cursors_are_written_as_before():
    import base64
    import json

    from aftersale.api.paging import decode_cursor, encode_cursor

    values = [datetime(2026, 5, 1, 8, 0, 1, 999999, tzinfo=UTC), 2**62]
    expected = base64.urlsafe_b64encode(json.dumps([values[0].isoformat(), values[1]],
                                                   separators=(",", ":")).encode()).decode().rstrip("=")
    assert encode_cursor(values) == expected
    assert decode_cursor(expected, (datetime, int)) == values
    day = base64.urlsafe_b64encode(b'["2026-05-01"]').decode().rstrip("=")
    assert encode_cursor([date(2026, 5, 1)]) == day
