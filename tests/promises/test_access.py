import pytest
from django.http import Http404
from django.urls import reverse

from aftersale.promises.actions import access_promise
from aftersale.promises.models import Promise


@pytest.fixture
def pages(promise, account):
    return [
        reverse("promise_list"),
        reverse("promise_create"),
        reverse("promise_create") + f"?account={account.pk}",
        reverse("promise_detail", args=[promise.pk]),
        reverse("promise_edit", args=[promise.pk]),
        reverse("promise_alignment"),
        reverse("promise_department", args=["sales"]),
    ]


def test_it_refuses_every_staff_promise_page_to_portal_contacts(client, contact, other_contact, pages):
    for who in (contact, other_contact):
        client.force_login(who.user)
        for url in pages:
            assert client.get(url).status_code == 403, url


def test_it_lets_no_portal_contact_change_a_promise(client, contact, promise, account, owner, colleague):
    client.force_login(contact.user)
    status = client.post(reverse("promise_status", args=[promise.pk]), {"version": 1, "status": "broken"})
    edit = client.post(reverse("promise_edit", args=[promise.pk]), {"version": 1, "description": "x"})
    create = client.post(reverse("promise_create"), {"account": account.pk, "description": "x"})
    assert (status.status_code, edit.status_code, create.status_code) == (403, 403, 403)
    promise.refresh_from_db()
    assert (promise.status, promise.description, promise.version) == ("open", "Install the press line", 1)
    assert Promise.objects.count() == 1


def test_it_hides_another_accounts_promises_from_a_portal_contact(contact, other_contact, promise):
    assert list(Promise.objects.restrict(contact.user)) == [promise]
    assert not Promise.objects.restrict(other_contact.user).exists()
    with pytest.raises(Http404):
        access_promise(other_contact.user, promise.pk)


def test_it_sends_anonymous_visitors_to_login(client, promise):
    response = client.get(reverse("promise_detail", args=[promise.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_returns_404_for_a_promise_that_does_not_exist(owner_client, promise):
    assert owner_client.get(reverse("promise_detail", args=[promise.pk + 1000])).status_code == 404


def test_it_refuses_a_portal_contacts_account_to_staff_forms_of_others(owner_client, promise):
    assert owner_client.get(reverse("promise_create"), {"account": 99999}).status_code == 404
