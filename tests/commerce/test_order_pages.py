"""The staff order list and order page: scoping, filters, portal orders at once, lines."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersale.commerce.models import Channel, Order, OrderLine, Product, ProductKind


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))


def order(account, external_id, placed_at, total="1000000", *, channel=Channel.REP,
          currency="VND", **extra) -> Order:
    return Order.objects.create(account=account, external_id=external_id, placed_at=placed_at,
                                total=Decimal(total), currency=currency, channel=channel, **extra)


@pytest.fixture
def seal(db) -> Product:
    return Product.objects.create(external_id="P-SEAL", name="Hydraulic seal kit",
                                  kind=ProductKind.PART, list_price=Decimal("1250000"),
                                  unit_cost=Decimal("400000"), currency="VND")


@pytest.fixture
def orders(account, other_account, contact, owner, seal) -> dict[str, Order]:
    """``account`` (owned by ``owner``): a rep order with two lines, a portal order, a USD EDI
    order; ``other_account`` (owned by ``colleague``): one phone order."""
    rep = order(account, "SO-1", at(2026, 3, 2), "2600000", taken_by=owner, note="Rush")
    OrderLine.objects.create(order=rep, product=seal, quantity=2, unit_price=Decimal("1250000"))
    OrderLine.objects.create(order=rep, product=seal, quantity=Decimal("0.5"),
                             unit_price=Decimal("200000"))
    return {
        "rep": rep,
        "portal": order(account, "PO-7", at(2026, 4, 15), "3750000", channel=Channel.PORTAL,
                        placed_by=contact),
        "edi": order(account, "EDI-3", at(2026, 5, 20), "1000", channel=Channel.EDI,
                     currency="USD"),
        "theirs": order(other_account, "SO-99", at(2026, 4, 1), channel=Channel.PHONE),
    }


def listed(client, **params) -> list[str]:
    """External ids of the orders on the list page, in the order shown."""
    response = client.get(reverse("order_list"), params)
    assert response.status_code == 200
    return [o.external_id for o in response.context["page"]]


# --- who sees what -------------------------------------------------------------------


def test_it_starts_a_member_on_their_own_accounts_newest_first(owner_client, orders):
    assert listed(owner_client) == ["EDI-3", "PO-7", "SO-1"]


def test_it_lets_a_member_widen_the_list_to_the_portfolio(owner_client, orders):
    # Staff see the whole portfolio (Account.objects.restrict); "me" is only where they start.
    assert listed(owner_client, owner="") == ["EDI-3", "PO-7", "SO-99", "SO-1"]


def test_it_shows_managers_every_order(manager_client, orders):
    assert listed(manager_client) == ["EDI-3", "PO-7", "SO-99", "SO-1"]


def test_it_refuses_the_pages_to_portal_contacts_and_anonymous_visitors(client, contact, orders):
    pages = [reverse("order_list"), reverse("order_detail", args=[orders["rep"].account_id,
                                                                    orders["rep"].pk])]
    for url in pages:
        assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(contact.user)
    for url in pages:
        assert client.get(url).status_code == 403


def test_it_is_a_404_to_reach_an_order_through_another_account(owner_client, orders,
                                                               other_account):
    mine = orders["rep"]
    assert owner_client.get(reverse("order_detail", args=[other_account.pk, mine.pk])).status_code == 404
    assert owner_client.get(reverse("order_detail", args=[mine.account_id, 999_999])).status_code == 404
    assert owner_client.get(reverse("order_detail", args=[999_999, mine.pk])).status_code == 404


# --- what the list shows -------------------------------------------------------------


def test_it_shows_the_columns_and_marks_portal_orders(owner_client, orders):
    body = owner_client.get(reverse("order_list")).content.decode()
    portal = orders["portal"]
    assert reverse("order_detail", args=[portal.account_id, portal.pk]) in body
    assert '<span class="tag channel-portal"><strong>Customer portal</strong></span>' in body
    assert body.count("channel-portal") == 1  # rep and EDI orders are not marked
    assert "2026-04-15" in body and "Nguyễn Thị Lan" in body  # placed at, placed by
    assert "3,750,000 VND" in body and "1,000.00 USD" in body
    # Lines per order: two on SO-1, none on the others.
    counts = {o.external_id: o.n_lines for o in owner_client.get(reverse("order_list")).context["page"]}
    assert counts == {"SO-1": 2, "PO-7": 0, "EDI-3": 0}
    # Totals of the whole list, one per currency, never added across currencies.
    assert "3 orders: 1,000.00 USD + 6,350,000 VND" in body


def test_it_filters_by_channel_account_and_dates(manager_client, orders, account):
    assert listed(manager_client, channel="portal") == ["PO-7"]
    bogus = manager_client.get(reverse("order_list"), {"channel": "bogus"})
    assert bogus.status_code == 400 and "Channel “bogus”" in bogus.content.decode()
    assert [o.external_id for o in bogus.context["page"]] == ["EDI-3", "PO-7", "SO-99", "SO-1"]
    assert listed(manager_client, account=account.pk) == ["EDI-3", "PO-7", "SO-1"]
    assert listed(manager_client, since="2026-04-01", until="2026-04-15") == ["PO-7", "SO-99"]
    assert listed(manager_client, q="so-99") == ["SO-99"]
    assert listed(manager_client, q="Other Bank") == ["SO-99"]


def test_it_shows_one_accounts_orders_to_a_member_whoever_owns_it(owner_client, orders,
                                                                  other_account):
    # The link from an order page carries only the account: it must not be emptied by "me".
    assert listed(owner_client, account=other_account.pk) == ["SO-99"]
    body = owner_client.get(reverse("order_list"), {"account": other_account.pk}).content.decode()
    assert "Orders of Other Bank" in body


def test_it_names_a_bad_date_and_ignores_it(manager_client, orders):
    response = manager_client.get(reverse("order_list"), {"since": "15/04/2026"})
    assert response.status_code == 400
    assert [o.external_id for o in response.context["page"]] == ["EDI-3", "PO-7", "SO-99", "SO-1"]
    assert "From “15/04/2026”: This is not a date (use YYYY-MM-DD)." in response.content.decode()
    response = manager_client.get(reverse("order_list"), {"since": "2026-05-01",
                                                          "until": "2026-04-01"})
    assert response.status_code == 400
    assert "The first day comes after the last day (To)." in response.content.decode()
    assert len(response.context["page"]) == 4


def test_it_pages_the_list(manager_client, account):
    Order.objects.bulk_create(
        Order(account=account, external_id=f"B-{n:03}", placed_at=at(2026, 1, 1) + timedelta(hours=n),
              total=Decimal(1), currency="VND")
        for n in range(60)
    )
    assert listed(manager_client)[0] == "B-059"
    second = listed(manager_client, page=2)
    assert len(second) == 10 and second[-1] == "B-000"


def test_it_keeps_queries_bounded_however_many_orders(manager_client, account, other_account,
                                                       contact, seal,
                                                       django_assert_max_num_queries):
    for n in range(40):
        placed = order(account if n % 2 else other_account, f"N-{n}", at(2026, 2, 1, n % 20),
                       channel=Channel.PORTAL if n % 3 else Channel.REP,
                       placed_by=contact if n % 2 else None)
        OrderLine.objects.create(order=placed, product=seal, quantity=1, unit_price=Decimal(1))
    # session + user, page count, page rows, per-currency totals, owners: never one per order.
    with django_assert_max_num_queries(8):
        response = manager_client.get(reverse("order_list"))
    assert len(response.context["page"]) == 40


def test_it_links_to_the_orders_csv(owner_client, orders):
    body = owner_client.get(reverse("order_list")).content.decode()
    assert f'href="{reverse("imports:export", args=["orders"])}"' in body


# --- portal orders at once -----------------------------------------------------------


def test_it_lists_an_order_placed_in_the_portal_at_once(owner_client, contact, seal):
    portal = Client()
    portal.force_login(contact.user)
    portal.post(reverse("portal:order_new"), {f"qty_{seal.pk}": "3", "note": "PO 4711",
                                              "confirm": "1"})
    placed = Order.objects.get(channel=Channel.PORTAL)
    response = owner_client.get(reverse("order_list"))
    assert [o.pk for o in response.context["page"]] == [placed.pk]
    body = response.content.decode()
    assert "channel-portal" in body and "3,750,000 VND" in body
    detail = owner_client.get(reverse("order_detail", args=[placed.account_id, placed.pk]))
    assert "Hydraulic seal kit" in detail.content.decode() and "PO 4711" in detail.content.decode()


# --- the order page ------------------------------------------------------------------


def test_it_shows_an_order_with_its_lines(owner_client, orders):
    rep = orders["rep"]
    body = owner_client.get(reverse("order_detail", args=[rep.account_id, rep.pk])).content.decode()
    assert "Order SO-1" in body and "Hydraulic seal kit" in body and "P-SEAL" in body
    assert "2,500,000" in body and "100,000" in body  # 2 × 1,250,000 and 0.5 × 200,000
    assert "Sum of the lines" in body and "2,600,000" in body
    assert "differs from the sum of its lines" not in body
    assert "Rush" in body and "Olivia Owner" in body  # the note, taken by
    assert f"{reverse('order_list')}?account={rep.account_id}" in body


def test_it_says_when_the_total_differs_from_the_lines(owner_client, orders):
    rep = orders["rep"]
    Order.objects.filter(pk=rep.pk).update(total=Decimal("2700000"))
    body = owner_client.get(reverse("order_detail", args=[rep.account_id, rep.pk])).content.decode()
    assert "The order's recorded total is 2,700,000 VND" in body


def test_it_explains_an_order_without_lines(owner_client, orders):
    edi = orders["edi"]
    body = owner_client.get(reverse("order_detail", args=[edi.account_id, edi.pk])).content.decode()
    assert "recorded with its total only" in body and "1,000.00 USD" in body


def test_it_links_the_orders_page_in_the_navigation(owner_client, orders):
    body = owner_client.get(reverse("order_list")).content.decode()
    assert f'<a href="{reverse("order_list")}" aria-current="page">Orders</a>' in body


def test_it_shows_the_pages_in_vietnamese(owner_client, orders):
    owner_client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    body = owner_client.get(reverse("order_list")).content.decode()
    assert "Đơn hàng" in body and "Cổng khách hàng" in body and "Số đơn hàng" in body
    assert "Xem thêm" in body  # the navigation's "More"
    rep = orders["rep"]
    body = owner_client.get(reverse("order_detail", args=[rep.account_id, rep.pk])).content.decode()
    assert "Đơn hàng SO-1" in body and "Cộng các dòng" in body
