"""The counterparties themselves: accounts, their contacts and competitors."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.test import override_settings

from aftersale.accounts.models import Account, AccountKind, Competitor, Contact, Tier


def test_it_names_a_contact_with_its_company(contact):
    assert str(contact) == "Nguyễn Thị Lan (Công ty Cơ khí Hà Nội)"


def test_it_lists_accounts_contacts_and_competitors_by_name(owner, account, other_account, contact):
    Account.objects.create(name="An Phát", owner=owner)
    Contact.objects.create(account=account, name="Tran Bao")
    Contact.objects.create(account=account, name="Anh Le")
    for name in ("Zeta Presses", "Acme Machines"):
        Competitor.objects.create(name=name)
    assert [a.name for a in Account.objects.all()] == ["An Phát", "Công ty Cơ khí Hà Nội", "Other Bank"]
    assert [c.name for c in account.contacts.all()] == ["Anh Le", "Nguyễn Thị Lan", "Tran Bao"]
    assert [c.name for c in Competitor.objects.all()] == ["Acme Machines", "Zeta Presses"]


def test_it_gives_a_new_account_the_installations_currency_and_the_standard_tier(owner):
    with override_settings(AFTERSALE={"CURRENCY": "USD"}):
        account = Account.objects.create(name="Dollar Customer", owner=owner)
    account.refresh_from_db()
    assert (account.currency, account.tier, account.kind) == ("USD", Tier.STANDARD, AccountKind.CUSTOMER)
    assert account.health_score is None and account.health_band is None


def test_it_refuses_to_delete_an_owner_who_still_owns_accounts(owner, colleague, account):
    """Every account keeps one accountable owner: hand the account over first."""
    with pytest.raises(ProtectedError), transaction.atomic():
        owner.delete()
    assert Account.objects.get(pk=account.pk).owner == owner
    account.owner = colleague
    account.save()
    owner.delete()
    assert Account.objects.get(pk=account.pk).owner == colleague


def test_it_deletes_an_accounts_contacts_with_it_and_their_logins_then_see_nothing(account, contact):
    login = contact.user
    account.delete()
    assert not Contact.objects.exists()
    login.refresh_from_db()
    assert not Account.objects.restrict(login).exists()


def test_it_keeps_a_contact_whose_portal_login_is_deleted(contact):
    contact.user.delete()
    contact.refresh_from_db()
    assert contact.user is None and contact.account.name == "Công ty Cơ khí Hà Nội"


def test_it_keeps_competitor_names_unique_and_knows_where_each_is_present(account, other_account):
    rival = Competitor.objects.create(name="Acme Machines")
    with pytest.raises(IntegrityError), transaction.atomic():
        Competitor.objects.create(name="Acme Machines")
    account.competitors.add(rival)
    assert list(rival.accounts.all()) == [account]
    assert not other_account.competitors.exists()
