import pytest

pytestmark = pytest.mark.django_db


def test_it_lists_accounts(api, account, other_account):
    response = api.get("/api/accounts")
    assert response.status_code == 200, response.content
    print(response.json())
