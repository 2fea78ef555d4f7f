"""Accounts and contacts: paging, incremental sync, lookups, and writes with the same rules as the UI."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from aftersale.accounts.models import Account, Contact

pytestmark = pytest.mark.django_db


def make_accounts(owner, n: int) -> list[Account]:
    return [Account.objects.create(external_id=f"BULK-{i:03}", name=f"Bulk {i}", owner=owner)
            for i in range(n)]


def walk(api, path: str, **params) -> list[dict]:
    """Every item of a list, following next_cursor."""
    items, cursor = [], None
    while True:
        response = api.get(path, {**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def test_it_pages_through_every_account_once_even_when_rows_change_meanwhile(api, owner):
    accounts = make_accounts(owner, 7)
    first = api.get("/api/accounts", {"limit": 3}).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    # An account already read changes: it moves behind the cursor and is seen again, none is skipped.
    Account.objects.filter(pk=accounts[0].pk).update(name="Renamed", updated_at=timezone.now())
    rest = walk(api, "/api/accounts", limit=3, cursor=first["next_cursor"])
    seen = [a["external_id"] for a in first["items"] + rest]
    assert set(seen) == {a.external_id for a in accounts}
    assert seen.count("BULK-000") == 2 and rest[-1]["name"] == "Renamed"


def test_it_pages_accounts_changed_at_the_same_moment_by_id_none_twice_none_skipped(api, owner):
    # An import stamps a whole batch with one updated_at: the id breaks the tie.
    accounts = make_accounts(owner, 7)
    Account.objects.update(updated_at=timezone.now())
    seen = [a["id"] for a in walk(api, "/api/accounts", limit=3)]
    assert seen == sorted(a.pk for a in accounts)
    Account.objects.filter(pk__in=[a.pk for a in accounts[::2]]).update(tier="key")
    keys = [a["id"] for a in walk(api, "/api/accounts", limit=2, tier="key")]
    assert keys == [a.pk for a in accounts[::2]]


def page_plan(api, params: dict) -> str:
    """The query plan of the statement that reads the list's page for ``params``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/accounts", params).status_code == 200
    sql = next(q["sql"] for q in queries.captured_queries
               if "ORDER BY" in q["sql"] and "accounts_account" in q["sql"])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # On a handful of rows the planner may prefer a sort (full, or incremental on the
            # single-column updated_at index); forbid both to see the composite index serves.
            cursor.execute("SET enable_sort = off")
            cursor.execute("SET enable_incremental_sort = off")
            cursor.execute("EXPLAIN " + sql)
            plan = " ".join(str(row[0]) for row in cursor.fetchall())
            cursor.execute("RESET enable_sort")
            cursor.execute("RESET enable_incremental_sort")
            return plan
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return " ".join(str(row[3]) for row in cursor.fetchall())


def test_it_walks_an_index_from_the_cursor_instead_of_sorting_the_portfolio(api, owner):
    make_accounts(owner, 5)
    first = api.get("/api/accounts", {"limit": 2}).json()
    for params in ({"limit": 2}, {"limit": 2, "cursor": first["next_cursor"]}):
        plan = page_plan(api, params)
        assert "account_updated_id" in plan, plan
        assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
        if "cursor" in params:  # the index is read from the cursor on, not from its start
            assert "Index Cond: (updated_at >=" in plan or "(updated_at>?)" in plan, plan


def test_it_returns_only_what_changed_since_updated_since(api, owner):
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=2)):
        old = make_accounts(owner, 2)
    with time_machine.travel(start):
        Account.objects.get(pk=old[1].pk).save()
        new = Account.objects.create(external_id="NEW", name="New", owner=owner)
    items = walk(api, "/api/accounts", updated_since=(start - timedelta(seconds=1)).isoformat())
    assert {a["external_id"] for a in items} == {old[1].external_id, new.external_id}


def test_it_finds_an_account_by_external_id_and_filters(api, account, other_account, owner):
    body = api.get("/api/accounts", {"external_id": "ACC-2"}).json()
    assert [a["id"] for a in body["items"]] == [other_account.pk]
    assert api.get("/api/accounts", {"external_id": "nope"}).json()["items"] == []
    mine = api.get("/api/accounts", {"owner_email": owner.email}).json()["items"]
    assert [a["external_id"] for a in mine] == ["ACC-1"]
    assert api.get("/api/accounts", {"tier": "key"}).json()["items"][0]["id"] == account.pk


def test_it_names_bad_query_values(api, account):
    response = api.get("/api/accounts",
                       {"limit": "many", "tier": "gold", "updated_since": "2026-01-01T00:00"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"limit", "tier", "updated_since"}
    bad_cursor = api.get("/api/accounts", {"cursor": "garbage"})
    assert bad_cursor.status_code == 422 and bad_cursor.json()["errors"][0]["field"] == "cursor"


def test_it_reads_one_account_and_404s_a_missing_one(api, account):
    body = api.get(f"/api/accounts/{account.pk}").json()
    assert body["external_id"] == "ACC-1" and body["owner_email"] == "owner@vendor.test"
    response = api.get("/api/accounts/999999")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api.get("/api/accounts/abc").status_code == 422


NEW_ACCOUNT = {"name": "Nhà máy Thép Miền Nam", "owner_email": "owner@vendor.test", "tier": "strategic",
               "industry": "capital_equipment", "external_id": "ERP-77"}


def test_it_lets_managers_create_accounts_with_defaults(manager_api, owner):
    response = manager_api.post("/api/accounts", NEW_ACCOUNT)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["external_id"] == "ERP-77" and body["kind"] == "customer" and body["currency"] == "VND"
    account = Account.objects.get(external_id="ERP-77")
    assert account.owner == owner and account.tier == "strategic"


def test_it_refuses_members_creating_or_changing_accounts(api, account):
    response = api.post("/api/accounts", NEW_ACCOUNT)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert api.patch(f"/api/accounts/{account.pk}", {"name": "X"}).status_code == 403
    assert not Account.objects.filter(external_id="ERP-77").exists()
    assert Account.objects.get(pk=account.pk).name != "X"


def test_it_patches_only_the_fields_sent(manager_api, account, colleague):
    response = manager_api.patch(f"/api/accounts/{account.pk}",
                                 {"owner_email": colleague.email, "city": "Hải Phòng"})
    assert response.status_code == 200, response.content
    account.refresh_from_db()
    assert (account.owner, account.city, account.tier) == (colleague, "Hải Phòng", "key")


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({**NEW_ACCOUNT, "colour": "blue"}, "colour", "extra_forbidden"),
        ({**NEW_ACCOUNT, "tier": "gold"}, "tier", "enum"),
        ({**NEW_ACCOUNT, "owner_email": "buyer@customer.test"}, "owner_email", "unknown_person"),
        ({**NEW_ACCOUNT, "external_id": "ACC-1"}, "external_id", "unique"),
        ({**NEW_ACCOUNT, "name": ""}, "name", "required"),
        ({**NEW_ACCOUNT, "customer_since": "yesterday"}, "customer_since", "date_from_datetime_parsing"),
        ({**NEW_ACCOUNT, "name": "a\u0000b"}, "name", "value_error"),
        ({k: v for k, v in NEW_ACCOUNT.items() if k != "owner_email"}, "owner_email", "missing"),
    ],
)
def test_it_refuses_invalid_accounts_naming_the_field(manager_api, account, contact, body, field, code):
    response = manager_api.post("/api/accounts", body)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(field, code)], errors
    assert field in response.json()["detail"]
    assert not Account.objects.filter(name=NEW_ACCOUNT["name"]).exists()


def test_it_answers_bad_json_with_a_400_that_says_so(manager_api):
    response = manager_api.post("/api/accounts", raw='{"name": "x",')
    assert response.status_code == 400
    assert response.json()["code"] == "bad_json" and "not valid JSON" in response.json()["detail"]
    assert manager_api.post("/api/accounts", raw="[1, 2]").status_code == 422
    assert manager_api.post("/api/accounts", raw='{"name": NaN}').status_code == 400


def test_it_refuses_null_for_required_fields_in_a_patch(manager_api, account):
    response = manager_api.patch(f"/api/accounts/{account.pk}", {"name": None, "customer_since": None})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["name"]


# --- contacts -----------------------------------------------------------------------------------


def test_it_lists_creates_and_changes_contacts(api, account, other_account):
    response = api.post("/api/contacts", {"account": account.pk, "name": "Trần Văn Bình",
                                          "email": "binh@customer.test", "external_id": "C-9"})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["account_external_id"] == "ACC-1" and created["portal_enabled"] is False
    changed = api.patch(f"/api/contacts/{created['id']}", {"role": "Chief engineer", "is_active": False})
    assert changed.status_code == 200 and changed.json()["role"] == "Chief engineer"
    Contact.objects.create(account=other_account, name="Elsewhere")
    listed = api.get("/api/contacts", {"account": account.pk}).json()["items"]
    assert [c["external_id"] for c in listed] == ["C-9"]


def test_it_refuses_a_contact_with_a_bad_email_or_account(api, account):
    response = api.post("/api/contacts", {"account": account.pk, "name": "X", "email": "not-an-address"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "email"
    response = api.post("/api/contacts", {"account": 987654, "name": "X"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "account"
    assert not Contact.objects.exists()
