"""portal_usage: the portal's share of orders and its active contacts, as of a moment, set-based."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from aftersale.accounts.models import Account
from aftersale.commerce.models import Channel, Order
from aftersale.portal.models import PortalVisit
from aftersale.portal.usage import portal_usage
from tests.conftest import make_portal_contact
from tests.portal.conftest import at


def order(account: Account, when, channel: str = Channel.REP) -> Order:
    return Order.objects.create(account=account, placed_at=when, total=Decimal("100"), channel=channel)


def visit(contact, day: date) -> None:
    PortalVisit.objects.create(account=contact.account, contact=contact, day=day)


@pytest.fixture
def history(account, other_account, contact, other_contact):
    """``account``: 4 orders in the year to 1 June 2026 (1 through the portal), one portal order
    more than a year before and one after; visits by two contacts, one of them too long ago."""
    order(account, at(2025, 5, 1), Channel.PORTAL)  # over a year before 1 June 2026
    order(account, at(2025, 7, 1))
    order(account, at(2025, 12, 1), Channel.PHONE)
    order(account, at(2026, 3, 1), Channel.PORTAL)
    order(account, at(2026, 5, 30))
    order(account, at(2026, 6, 2), Channel.PORTAL)  # after as_of
    second = make_portal_contact(account, "second@customer.test", "Second")
    visit(contact, date(2026, 5, 20))
    visit(contact, date(2026, 5, 21))
    visit(second, date(2026, 2, 1))  # more than 90 days before
    visit(second, date(2026, 6, 5))  # after as_of
    order(other_account, at(2026, 4, 1), Channel.PORTAL)
    visit(other_contact, date(2026, 4, 1))


def test_it_measures_share_and_active_contacts_as_of_a_moment(history, account, other_account):
    usage = portal_usage(at(2026, 6, 1, 12), [account.pk, other_account.pk])
    assert usage == {account.pk: (0.25, 1), other_account.pk: (1.0, 1)}


def test_it_replays_history(history, account):
    assert portal_usage(at(2025, 5, 2), [account.pk]) == {account.pk: (1.0, 0)}
    assert portal_usage(at(2026, 6, 10), [account.pk])[account.pk] == (2 / 5, 2)


def test_it_answers_for_every_account_asked(history, owner):
    quiet = Account.objects.create(external_id="ACC-Q", name="Quiet", owner=owner)
    assert portal_usage(at(2026, 6, 1), [quiet.pk]) == {quiet.pk: (None, 0)}


def test_it_covers_the_whole_portfolio_in_two_queries(history, account, other_account,
                                                      django_assert_num_queries):
    with django_assert_num_queries(2):
        usage = portal_usage(at(2026, 6, 1, 12))
    assert set(usage) == {account.pk, other_account.pk}


def test_it_counts_a_contact_once_however_often_they_come(frozen, portal_client, contact, account):
    for _ in range(3):
        portal_client.get(reverse("portal:home"))
    portal_client.get(reverse("portal:order_list"))
    assert PortalVisit.objects.filter(contact=contact).count() == 1
    frozen.shift(timedelta(days=1))
    portal_client.get(reverse("portal:home"))
    assert PortalVisit.objects.filter(contact=contact).count() == 2
    assert portal_usage(at(2026, 5, 13, 18), [account.pk])[account.pk] == (None, 1)
