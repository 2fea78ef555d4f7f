"""Who sees which account: ``Account.objects.restrict(user)`` and ``access_account()``.

The rule (``accounts/models.py``): any active staff member with a role sees the whole
portfolio; an active portal contact whose portal access is on sees their own company
only; everyone else (anonymous, deactivated, no role and no portal) sees nothing. An
account a user may not see is a 404 through ``access_account``, never a 403.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersale.accounts.access import access_account
from aftersale.accounts.models import Account, AccountKind
from aftersale.staff.models import Role
from tests.conftest import make_portal_contact, make_user


@pytest.fixture
def supplier(manager) -> Account:
    return Account.objects.create(external_id="SUP-1", name="Steel Supplier", kind=AccountKind.SUPPLIER,
                                  owner=manager)


def visible(user) -> set[int]:
    return set(Account.objects.restrict(user).values_list("pk", flat=True))


@pytest.mark.parametrize("role", list(Role))
def test_it_shows_every_active_staff_member_the_whole_portfolio(
    role, owner, account, other_account, supplier
):
    staff = make_user(f"staff-{role}@vendor.test", f"Staff {role}", owner.department, role)
    assert visible(staff) == {account.pk, other_account.pk, supplier.pk}


def test_it_shows_a_member_the_accounts_other_people_own(owner, colleague, account, other_account):
    """Members work their own accounts but see the portfolio: the owner sees the
    colleague's account, and reaches it through ``access_account``."""
    assert other_account.owner == colleague
    assert visible(owner) == {account.pk, other_account.pk}
    assert access_account(owner, other_account.pk) == other_account


def test_it_shows_a_portal_contact_only_its_own_account(contact, other_contact, account, other_account):
    assert list(Account.objects.restrict(contact.user)) == [account]
    assert list(Account.objects.restrict(other_contact.user)) == [other_account]


def test_it_hides_everything_from_revoked_contacts(contact):
    contact.portal_enabled = False
    contact.save()
    assert not Account.objects.restrict(contact.user).exists()


def test_it_hides_everything_from_anyone_without_a_role_or_a_portal(account, other_account, owner, contact):
    nobody = make_user("plain@vendor.test", "No Role")
    left = make_user("left@vendor.test", "Left", owner.department, Role.MANAGER)
    left.is_active = False
    left.save()
    contact.user.is_active = False
    contact.user.save()
    for user in (AnonymousUser(), nobody, left, contact.user):
        assert not Account.objects.restrict(user).exists()


def test_it_answers_404_for_another_accounts_object_through_access_account(
    contact, other_contact, account, other_account
):
    assert access_account(contact.user, account.pk) == account
    with pytest.raises(Http404):
        access_account(contact.user, other_account.pk)
    with pytest.raises(Http404):
        access_account(other_contact.user, account.pk)


def test_it_answers_404_to_those_who_see_nothing_and_for_a_missing_account(owner, contact, account):
    contact.portal_enabled = False
    contact.save()
    for user in (AnonymousUser(), make_user("plain@vendor.test", "No Role"), contact.user):
        with pytest.raises(Http404):
            access_account(user, account.pk)
    with pytest.raises(Http404):
        access_account(owner, account.pk + 1000)


def test_it_fetches_the_owner_with_the_account_in_one_query(owner, account, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert access_account(owner, account.pk).owner.name == "Olivia Owner"


def test_it_keeps_the_scope_when_narrowed_to_customers_or_suppliers(contact, owner, account, supplier):
    assert list(Account.objects.restrict(contact.user).suppliers()) == []
    assert list(Account.objects.restrict(contact.user).customers()) == [account]
    assert list(Account.objects.restrict(owner).suppliers()) == [supplier]


# One person of each kind the rule knows: (role, active, portal contact of account i or None,
# portal access on).
people = st.tuples(
    st.sampled_from(["", *Role.values]), st.booleans(), st.one_of(st.none(), st.integers(0, 2)), st.booleans()
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(people, min_size=1, max_size=5))
def test_it_never_shows_anyone_more_than_the_rule_allows(owner, who):
    """Whatever the mix of people: staff see all, a portal contact at most their own
    account, nobody else anything; and ``access_account`` agrees with ``restrict``."""
    with transaction.atomic():
        accounts = [Account.objects.create(name=f"Account {i}", owner=owner, external_id=f"P-{i}")
                    for i in range(3)]
        everyone = {a.pk for a in accounts} | set(Account.objects.values_list("pk", flat=True))
        for n, (role, active, of, portal) in enumerate(who):
            email = f"person{n}@example.test"
            if of is not None:
                user = make_portal_contact(accounts[of], email, f"Person {n}").user
                user.contact.portal_enabled = portal
                user.contact.save()
                user.role, user.department = role, ("sales" if role else "")
            else:
                user = make_user(email, f"Person {n}", "sales" if role else "", role)
            user.is_active = active
            user.save()
            user.refresh_from_db()
            seen = visible(user)
            if active and role:
                assert seen == everyone
            elif active and of is not None and portal:
                assert seen == {accounts[of].pk}
            else:
                assert seen == set()
            for pk in everyone:
                if pk in seen:
                    assert access_account(user, pk).pk == pk
                else:
                    with pytest.raises(Http404):
                        access_account(user, pk)
        transaction.set_rollback(True)
