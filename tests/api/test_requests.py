"""API requests go through the site's ordinary middleware: a browser session is no API
credential and gets no cookies from it, messages follow the client's language, and
changes are recorded in the audit trail as the token holder's."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from aftersale.accounts.models import Account

pytestmark = pytest.mark.django_db


def test_it_sets_no_session_or_csrf_cookie_on_an_api_answer_even_for_a_signed_in_browser(client, owner, api):
    client.force_login(owner)
    response = api.get("/api/accounts")
    assert response.status_code == 200
    assert not response.cookies
    # The protections that apply to every answer still do.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_it_takes_no_browser_session_as_an_api_credential(client, owner):
    client.force_login(owner)
    response = client.get("/api/accounts")
    assert response.status_code == 401 and response.json()["code"] == "missing_token"


def test_it_writes_messages_in_the_accept_language(client):
    response = client.get("/api/accounts", headers={"Accept-Language": "vi"})
    assert response.status_code == 401
    assert response["Content-Language"] == "vi"
    assert "Accept-Language" in response["Vary"]
    english = client.get("/api/accounts", headers={"Accept-Language": "en"}).json()["detail"]
    assert response.json()["detail"] != english and response.json()["detail"]


def test_it_records_api_writes_in_the_audit_trail_as_the_token_holders(client, manager_api, owner):
    client.force_login(owner)  # someone else's browser session must not take the credit
    response = manager_api.post("/api/accounts", {"name": "Audited", "owner_email": owner.email})
    assert response.status_code == 201, response.content
    account = Account.objects.get(pk=response.json()["id"])
    entry = LogEntry.objects.get_for_object(account).get()
    assert entry.actor.email == "manager@vendor.test"
    assert entry.remote_addr == "127.0.0.1"
