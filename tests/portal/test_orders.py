"""Ordering in the portal: the account's catalogue, parts for their equipment, review, reorder."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from aftersale.commerce.models import Channel, ExchangeRate, Order, Product, ProductKind
from aftersale.portal.actions import do_place_order
from aftersale.portal.catalogue import offers
from tests.portal.conftest import NOW


def qty(product: Product) -> str:
    return f"qty_{product.pk}"


def test_it_lists_parts_for_their_equipment_first(frozen, portal_client, world, catalogue):
    page = portal_client.get(reverse("portal:catalogue")).content.decode()
    names = [catalogue[k].name for k in ("seal", "oil", "press", "chuck", "training")]
    positions = [page.index(n) for n in names]
    assert positions[:2] == sorted(positions[:2]) and max(positions[:2]) < min(positions[2:])
    assert page.count("Fits your equipment") == 2
    assert catalogue["retired"].name not in page  # no longer sold


def test_it_filters_to_parts_for_their_equipment(frozen, portal_client, world, catalogue):
    page = portal_client.get(reverse("portal:catalogue"), {"fits": "1"}).content.decode()
    assert catalogue["seal"].name in page and catalogue["oil"].name in page
    assert catalogue["chuck"].name not in page  # fits a lathe they do not have
    assert catalogue["press"].name not in page


def test_it_names_a_kind_it_does_not_know(frozen, portal_client, world, catalogue):
    response = portal_client.get(reverse("portal:catalogue"), {"kind": "spaceship"})
    assert response.status_code == 400
    assert "Kind “spaceship”:" in response.content.decode()
    assert catalogue["seal"].name in response.content.decode()  # the catalogue, unfiltered


def test_it_reviews_before_placing(frozen, portal_client, world, catalogue):
    response = portal_client.post(reverse("portal:order_new"),
                                  {qty(catalogue["seal"]): "3", qty(catalogue["oil"]): ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Review your order" in body and "3,750,000 VND" in body
    assert Order.objects.filter(channel=Channel.PORTAL).count() == 0


def test_it_places_an_order_in_the_portal_channel(frozen, portal_client, world, catalogue, contact,
                                                  mailoutbox):
    response = portal_client.post(reverse("portal:order_new"), {
        qty(catalogue["seal"]): "2", qty(catalogue["oil"]): "1.5", "note": "PO 4711", "confirm": "1",
    })
    order = Order.objects.get(channel=Channel.PORTAL)
    assert response["Location"] == reverse("portal:order_detail", args=[order.pk])
    assert order.account == contact.account and order.placed_by == contact and order.taken_by is None
    assert order.placed_at == NOW and order.note == "PO 4711" and order.currency == "VND"
    assert order.total == Decimal("2500000") + Decimal("3150000")
    lines = {line.product.external_id: line for line in order.lines.all()}
    assert lines["P-SEAL"].quantity == 2 and lines["P-SEAL"].unit_price == Decimal("1250000")
    assert lines["P-SEAL"].unit_cost == Decimal("400000")
    assert lines["P-OIL"].quantity == Decimal("1.5")
    # The account's owner hears of it at once, and it is on the vendor's side at once.
    (message,) = mailoutbox
    assert message.to == ["owner@vendor.test"] and order.external_id in message.subject
    assert "5,650,000 VND" in message.body
    assert Order.objects.filter(account=contact.account).order_by("-placed_at").first() == order


def test_it_reorders_an_earlier_order_at_todays_prices(frozen, portal_client, world, catalogue):
    catalogue["seal"].list_price = Decimal("1300000")
    catalogue["seal"].save()
    response = portal_client.get(reverse("portal:order_reorder", args=[world.order.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'name="{qty(catalogue["seal"])}" id="id_{qty(catalogue["seal"])}" value="2"' in body
    assert "2,600,000 VND" in body and "4,700,000 VND" in body  # 2 x 1,300,000 + 2,100,000
    portal_client.post(reverse("portal:order_new"), {
        qty(catalogue["seal"]): "2", qty(catalogue["oil"]): "1", "confirm": "1"})
    order = Order.objects.get(channel=Channel.PORTAL)
    assert order.total == Decimal("4700000")


def test_it_leaves_out_products_no_longer_sold_on_reorder(frozen, portal_client, world, catalogue):
    catalogue["oil"].is_active = False
    catalogue["oil"].save()
    body = portal_client.get(reverse("portal:order_reorder", args=[world.order.pk])).content.decode()
    assert "Hydraulic oil 20 l is no longer sold and was left out." in body
    assert "2,500,000 VND" in body


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Choose at least one product and a quantity."),
    ({"seal": "-1"}, "greater than or equal to 0"),
    ({"seal": "abc"}, "Enter a number."),
    ({"seal": "1000001"}, "less than or equal to 100000"),
])
def test_it_explains_a_bad_order(frozen, portal_client, world, catalogue, data, message):
    post = {qty(catalogue[k]): v for k, v in data.items()}
    response = portal_client.post(reverse("portal:order_new"), {**post, "confirm": "1"}, follow=True)
    assert message in response.content.decode()
    assert not Order.objects.filter(channel=Channel.PORTAL).exists()


def test_it_refuses_a_product_no_longer_sold(frozen, portal_client, world, catalogue):
    response = portal_client.post(reverse("portal:order_new"),
                                  {qty(catalogue["retired"]): "1", qty(catalogue["seal"]): "1",
                                   "confirm": "1"}, follow=True)
    # The retired product is not in the form at all, so only the seal is ordered.
    order = Order.objects.get(channel=Channel.PORTAL)
    assert [line.product for line in order.lines.all()] == [catalogue["seal"]]
    assert response.status_code == 200
    with pytest.raises(ValidationError, match="cannot be ordered through the portal"):
        do_place_order(world.contact, {catalogue["retired"].pk: Decimal("1")})


def test_it_prices_foreign_products_in_the_accounts_currency(frozen, account, catalogue):
    part = Product.objects.create(external_id="P-EUR", name="Imported valve", kind=ProductKind.PART,
                                  list_price=Decimal("100.00"), currency="EUR")
    usd = Product.objects.create(external_id="P-USD", name="US sensor", kind=ProductKind.PART,
                                 list_price=Decimal("10.00"), currency="USD")
    ExchangeRate.objects.create(currency="EUR", base_currency="VND", rate=Decimal("27000"),
                                valid_from=date(2026, 1, 1))
    priced = {o.product.pk: o for o in offers(account, date(2026, 5, 12))}
    assert priced[part.pk].price == Decimal("2700000") and priced[part.pk].currency == "VND"
    assert usd.pk not in priced  # no rate: not offered rather than guessed


def test_it_lists_every_order_of_the_account(frozen, portal_client, world, other_world):
    body = portal_client.get(reverse("portal:order_list")).content.decode()
    assert "O-MINE" in body and "O-THEIRS" not in body
    assert "Sales rep" in body and "Order again" in body


def test_it_bounds_the_queries_of_the_catalogue(frozen, portal_client, world, catalogue,
                                                django_assert_max_num_queries):
    for i in range(40):
        Product.objects.create(external_id=f"P-X{i}", name=f"Extra {i}", kind=ProductKind.PART,
                               list_price=Decimal("1000"), currency="EUR" if i % 2 else "VND")
    ExchangeRate.objects.create(currency="EUR", base_currency="VND", rate=Decimal("27000"),
                                valid_from=date(2026, 1, 1))
    portal_client.get(reverse("portal:home"))  # today's visit is recorded once
    with django_assert_max_num_queries(9):
        response = portal_client.get(reverse("portal:catalogue"))
    assert response.content.decode().count('class="qty"') == 46
