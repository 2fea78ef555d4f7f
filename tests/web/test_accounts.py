from django.urls import reverse


def test_it_lists_accounts_with_owner_and_tier(owner_client, account, other_account):
    response = owner_client.get(reverse("account_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Công ty Cơ khí Hà Nội" in body
    assert "Olivia Owner" in body
    assert "Other Bank" in body


def test_it_filters_by_owner_me(owner_client, account, other_account):
    response = owner_client.get(reverse("account_list"), {"owner": "me"})
    body = response.content.decode()
    assert account.name in body
    assert other_account.name not in body


def test_it_sends_anonymous_visitors_to_login(client, account):
    response = client.get(reverse("account_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_staff_pages_to_portal_contacts(client, contact, account):
    client.force_login(contact.user)
    assert client.get(reverse("account_list")).status_code == 403
    assert client.get(reverse("account_detail", args=[account.pk])).status_code == 403


def test_it_logs_in_with_email(client, owner):
    from tests.conftest import PASSWORD

    response = client.post(reverse("login"), {"username": "OWNER@vendor.test", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("account_list")).status_code == 200


def test_it_switches_to_vietnamese(owner_client, account):
    owner_client.post(reverse("set_language"), {"language": "vi", "next": "/accounts/"})
    response = owner_client.get(reverse("account_list"))
    assert response.headers["Content-Language"] == "vi"


def test_it_remembers_the_chosen_language_on_the_user(owner_client, owner):
    owner_client.post(reverse("set_language"), {"language": "vi", "next": "/accounts/"})
    owner.refresh_from_db()
    assert owner.language == "vi"


def test_it_shows_a_user_their_saved_language_without_a_cookie(client, owner, account):
    owner.language = "vi"
    owner.save()
    client.force_login(owner)
    response = client.get(reverse("account_list"))
    assert response.headers["Content-Language"] == "vi"
