"""Inviting a contact: the e-mail, the single-use expiring link, re-sending, revoking, the command."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from aftersale.accounts.models import AccountKind, Contact
from aftersale.portal.invitations import (
    do_accept_invitation,
    do_invite_contact,
    do_revoke_access,
    notify_invitation,
)
from aftersale.portal.models import PortalInvitation
from aftersale.staff.models import User
from tests.conftest import make_user
from tests.portal.conftest import NOW

NEW_PASSWORD = "a long and new passphrase 42"


@pytest.fixture
def newcomer(account) -> Contact:
    """A contact with an address and no login yet."""
    return Contact.objects.create(external_id="C-NEW", account=account, name="Trần Văn Minh",
                                  email="Minh@Customer.test")


def invite_from_account_page(owner_client, contact):
    return owner_client.post(reverse("portal:staff_invite", args=[contact.pk]))


def link_in(message) -> str:
    return re.search(r"https?://\S+/portal/invitation/\S+/", message.body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_it_invites_a_contact_from_the_account_page(frozen, owner_client, newcomer, mailoutbox):
    response = invite_from_account_page(owner_client, newcomer)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_detail", args=[newcomer.account_id]) + "#contacts"
    newcomer.refresh_from_db()
    assert newcomer.portal_enabled
    user = newcomer.user
    assert user.email == "minh@customer.test" and not user.role and not user.department
    assert not user.has_usable_password()
    invitation = PortalInvitation.objects.get()
    assert invitation.expires_at == NOW + timedelta(days=7)
    assert invitation.created_by.email == "owner@vendor.test"
    (message,) = mailoutbox
    assert message.to == ["minh@customer.test"]
    # A Vietnamese company's contact gets Vietnamese by default.
    assert message.subject == "Cổng khách hàng của bạn tại Công ty Cơ khí Hà Nội"
    assert "Olivia Owner" in message.body
    assert link_in(message).split("/")[-2] not in invitation.token_hash  # only the hash is stored


def test_it_writes_to_a_contact_in_their_saved_language(frozen, owner_client, newcomer, mailoutbox):
    newcomer.user = make_user("minh@customer.test", "Minh")
    newcomer.save()
    invite_from_account_page(owner_client, newcomer)
    assert mailoutbox[0].subject == "Your customer portal for Công ty Cơ khí Hà Nội"


def test_it_lets_the_link_set_a_password_once(frozen, client, newcomer, mailoutbox):
    sent = do_invite_contact(newcomer, by=None, language="en")
    assert notify_invitation(sent)
    link = path_of(link_in(mailoutbox[-1]))

    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:invitation_accept")  # the token leaves the address bar
    response = client.post(reverse("portal:invitation_accept"),
                           {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:home")).status_code == 200
    newcomer.refresh_from_db()
    assert newcomer.user.check_password(NEW_PASSWORD)

    client.logout()
    again = client.get(link)
    assert again.status_code == 404
    assert "This link no longer works" in again.content.decode()


def test_it_refuses_an_expired_link(frozen, client, newcomer):
    sent = do_invite_contact(newcomer, by=None, language="en")
    frozen.shift(timedelta(days=7, seconds=1))
    assert client.get(path_of(sent.link)).status_code == 404


def test_it_accepts_a_link_until_it_expires(frozen, client, newcomer):
    sent = do_invite_contact(newcomer, by=None, language="en")
    frozen.shift(timedelta(days=6, hours=23))
    assert client.get(path_of(sent.link)).status_code == 302


def test_it_refuses_a_link_that_expired_between_opening_and_submitting(frozen, client, newcomer):
    sent = do_invite_contact(newcomer, by=None, language="en")
    client.get(path_of(sent.link))
    frozen.shift(timedelta(days=8))
    response = client.post(reverse("portal:invitation_accept"),
                           {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 404
    newcomer.refresh_from_db()
    assert not newcomer.user.has_usable_password()


def test_it_spends_the_link_even_when_submitted_twice(frozen, newcomer):
    sent = do_invite_contact(newcomer, by=None, language="en")
    do_accept_invitation(sent.invitation, password=NEW_PASSWORD)
    with pytest.raises(ValidationError, match="already been used"):
        do_accept_invitation(sent.invitation, password="another passphrase 99")
    newcomer.refresh_from_db()
    assert newcomer.user.check_password(NEW_PASSWORD)


def test_it_validates_the_new_password(frozen, client, newcomer):
    sent = do_invite_contact(newcomer, by=None, language="en")
    client.get(path_of(sent.link))
    response = client.post(reverse("portal:invitation_accept"),
                           {"new_password1": "1234", "new_password2": "1234"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert PortalInvitation.objects.get().used_at is None


def test_it_withdraws_the_earlier_link_when_inviting_again(frozen, client, newcomer):
    first = do_invite_contact(newcomer, by=None, language="en")
    second = do_invite_contact(newcomer, by=None, language="en")
    assert client.get(path_of(first.link)).status_code == 404
    assert client.get(path_of(second.link)).status_code == 302


def test_it_withdraws_links_and_access_on_revoke(frozen, client, owner_client, newcomer):
    sent = do_invite_contact(newcomer, by=None, language="en")
    response = owner_client.post(reverse("portal:staff_revoke", args=[newcomer.pk]))
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert not newcomer.portal_enabled
    assert client.get(path_of(sent.link)).status_code == 404


def test_it_refuses_a_link_opened_before_access_was_revoked(frozen, client, newcomer):
    sent = do_invite_contact(newcomer, by=None, language="en")
    client.get(path_of(sent.link))
    do_revoke_access(newcomer)
    response = client.post(reverse("portal:invitation_accept"),
                           {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 404


@pytest.mark.parametrize(("change", "message"), [
    ({"email": ""}, "has no e-mail address"),
    ({"email": "owner@vendor.test"}, "is a staff member's login"),
    ({"email": "snoop@other.test"}, "already signs in to the portal as Sam Snoop"),
    ({"is_active": False}, "is no longer an active contact"),
])
def test_it_explains_why_a_contact_cannot_be_invited(frozen, owner_client, newcomer, other_contact,
                                                     mailoutbox, change, message):
    Contact.objects.filter(pk=newcomer.pk).update(**change)
    response = invite_from_account_page(owner_client, newcomer)
    assert response.status_code == 302
    page = owner_client.get(response["Location"]).content.decode()
    assert message in page.replace("&#x27;", "'")
    assert not mailoutbox
    assert not PortalInvitation.objects.exists()


def test_it_keeps_the_portal_for_customers(frozen, owner_client, newcomer, mailoutbox):
    newcomer.account.kind = AccountKind.SUPPLIER
    newcomer.account.save()
    invite_from_account_page(owner_client, newcomer)
    assert not PortalInvitation.objects.exists()


def test_it_invites_from_the_command_line(frozen, newcomer, mailoutbox):
    out, err = StringIO(), StringIO()
    call_command("portal-invite", "C-NEW", "--language", "en", stdout=out, stderr=err)
    link = out.getvalue().strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/portal/invitation/[\w-]+/", link)
    assert "Invitation e-mailed to minh@customer.test" in err.getvalue()
    (message,) = mailoutbox
    assert link in message.body
    assert message.subject == "Your customer portal for Công ty Cơ khí Hà Nội"
    assert PortalInvitation.objects.get().created_by is None


def test_it_names_an_unknown_contact_on_the_command_line(db):
    with pytest.raises(CommandError, match="No contact with external ID 'C-404'"):
        call_command("portal-invite", "C-404")


def test_it_reports_an_uninvitable_contact_on_the_command_line(frozen, newcomer):
    Contact.objects.filter(pk=newcomer.pk).update(email="")
    with pytest.raises(CommandError, match="has no e-mail address"):
        call_command("portal-invite", "C-NEW")


def test_it_shows_each_contacts_access_on_the_account_page(frozen, owner_client, account, contact, newcomer):
    Contact.objects.create(account=account, name="Revoked Rita", email="rita@customer.test",
                           user=make_user("rita@customer.test", "Rita"))
    Contact.objects.create(account=account, name="Nobody Yet", email="nobody@customer.test")
    do_invite_contact(newcomer, by=None, language="en")
    page = owner_client.get(reverse("account_detail", args=[account.pk])).content.decode()
    assert page.count("Invite to portal") == 1  # Nobody Yet
    assert "Access revoked" in page  # Rita has a login but no access
    assert "Invited" in page and "until 2026-05-19" in page  # the newcomer
    assert "Active" in page  # contact
    assert page.count("Revoke access") == 2  # contact and newcomer


def test_it_reads_the_access_of_all_contacts_in_one_query(frozen, owner_client, account,
                                                          django_assert_num_queries):
    contacts = [Contact.objects.create(account=account, name=f"C{i}", email=f"c{i}@customer.test")
                for i in range(20)]
    for contact in contacts[:10]:
        do_invite_contact(contact, by=None, language="en")
    contacts = list(account.contacts.order_by("name"))
    template = Template("{% load portal_tags %}{% for c in contacts %}{% portal_access c %}{% endfor %}")
    request = RequestFactory().get("/")
    with django_assert_num_queries(1):
        html = template.render(Context({"contacts": contacts, "request": request}))
    assert html.count("Invited") == 10


def test_it_gives_the_user_no_staff_powers(frozen, newcomer):
    do_invite_contact(newcomer, by=None, language="en")
    user = User.objects.get(email="minh@customer.test")
    assert not user.is_vendor_staff and not user.is_staff and not user.is_superuser
