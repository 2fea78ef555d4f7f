"""A date alone is that calendar day in the installation's zone, whatever the path it came by:
a CSV cell, an API field or a form. Read back by the engine (``core.sql`` day numbers, the
rhythm's event days), it is that same day: never the UTC day of its first moment."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from aftersale.api.tokens import do_issue_token
from aftersale.commerce.models import Order
from aftersale.core.asof import as_date, day_number, end_of_day
from aftersale.core.sql import day_number_sql, run, table
from aftersale.engagement.models import Touchpoint
from aftersale.health.rhythm.bgnbd import event_days
from aftersale.imports.engine import import_file
from aftersale.promises.models import Promise
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 14)  # local midnight is 17:00 UTC on 13 June in Ho Chi Minh City
HANOI = "Asia/Ho_Chi_Minh"
NOW = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def in_hanoi():
    with override_settings(TIME_ZONE=HANOI), time_machine.travel(NOW, tick=False):
        yield


def stored_days(model, column: str) -> set[int]:
    return {d for (d,) in run(f"SELECT {day_number_sql(column, is_datetime=True)} FROM {table(model)}")}  # noqa: S608


def assert_on_the_day(order: Order) -> None:
    assert as_date(order.placed_at) == DAY
    assert stored_days(Order, "placed_at") == {day_number(DAY)}
    # The rhythm reads it as an order on that day, as of the end of that day: offset 0.
    assert event_days("orders", end_of_day(DAY), [order.account_id]).days.tolist() == [0]


def test_it_reads_a_date_alone_in_a_csv_cell_as_that_local_day(account):
    header = "external_id,account,placed_at,total,channel\n"
    result = import_file("orders", io.BytesIO(f"{header}O-1,{account.external_id},{DAY},10,rep\n".encode()))
    assert not result.problems, result.problems
    assert_on_the_day(Order.objects.get())


def test_it_reads_a_date_alone_for_a_moment_in_the_api_as_that_local_day(client, owner, account):
    api = ApiClient(client, do_issue_token(owner, name="tests")[1])
    response = api.post("/api/orders", {"account": account.pk, "external_id": "SO-1", "placed_at": str(DAY),
                                        "total": "10", "channel": "edi", "lines": []})
    assert response.status_code == 201, response.content
    assert_on_the_day(Order.objects.get())


def test_it_reads_a_date_in_the_api_as_that_day(client, owner, account):
    api = ApiClient(client, do_issue_token(owner, name="tests")[1])
    response = api.post("/api/promises", {
        "account": account.pk, "description": "Spare kit", "stage": "sale", "due_at": str(DAY),
        "made_at": str(DAY), "delivery_owner_email": owner.email, "delivery_department": "service",
    })
    assert response.status_code == 201, response.content
    assert Promise.objects.get().due_at == DAY


def test_it_reads_a_date_alone_in_a_form_as_that_local_day(owner_client, account):
    response = owner_client.post(reverse("log_touchpoint", args=[account.pk]), {
        "occurred_at": str(DAY), "kind": "visit", "initiated_by": "customer", "minutes": "30",
        "topic": "planning"})
    assert response.status_code in (200, 302), response.content
    touchpoint = Touchpoint.objects.get()
    assert as_date(touchpoint.occurred_at) == DAY
    assert stored_days(Touchpoint, "occurred_at") == {day_number(DAY)}
    assert event_days("contacts", end_of_day(DAY), [account.pk]).days.tolist() == [0]


def test_it_puts_the_same_order_on_the_same_day_by_any_path(client, owner, account):
    """A CSV date, an API date and a moment late on that local day all fall on one day."""
    Order.objects.create(account=account, placed_at=timezone.make_aware(datetime(2026, 6, 14, 23, 30)),
                         total=Decimal("1"))
    header = "external_id,account,placed_at,total,channel\n"
    import_file("orders", io.BytesIO(f"{header}O-2,{account.external_id},{DAY},10,rep\n".encode()))
    assert stored_days(Order, "placed_at") == {day_number(DAY)}


def test_it_starts_a_date_alone_as_an_api_filter_at_that_local_day(client, owner, account):
    from aftersale.accounts.models import Account

    # 00:30 on 14 June in Ho Chi Minh City: still 13 June in UTC.
    Account.objects.filter(pk=account.pk).update(updated_at=timezone.make_aware(datetime(2026, 6, 14, 0, 30)))
    api = ApiClient(client, do_issue_token(owner, name="tests")[1])
    listed = api.get("/api/accounts", {"updated_since": str(DAY)})
    assert listed.status_code == 200, listed.content
    assert [row["id"] for row in listed.json()["items"]] == [account.pk]
    later = api.get("/api/accounts", {"updated_since": str(DAY + timedelta(days=1))}).json()["items"]
    assert later == []
