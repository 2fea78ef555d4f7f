"""The Django admin pages of accounts: how an admin finds and edits a counterparty."""

from __future__ import annotations

from django.urls import reverse


def test_it_lets_an_admin_find_an_account_by_external_id_and_see_its_contacts(
    client, admin_user, account, other_account, contact
):
    client.force_login(admin_user)
    found = client.get(reverse("admin:accounts_account_changelist"), {"q": "ACC-1"})
    assert found.status_code == 200
    assert [a.pk for a in found.context["cl"].result_list] == [account.pk]
    page = client.get(reverse("admin:accounts_account_change", args=[account.pk])).content.decode()
    assert "Nguyễn Thị Lan" in page and "buyer@customer.test" in page


def test_it_keeps_everyone_but_admins_out_of_the_accounts_admin(client, manager, contact, account):
    for user in (manager, contact.user):
        client.force_login(user)
        response = client.get(reverse("admin:accounts_account_change", args=[account.pk]))
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
