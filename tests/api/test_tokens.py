"""Tokens: issued to staff only, stored hashed, refused with a reason, revocable in the admin."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from aftersale.api.models import ApiToken, hash_token
from aftersale.api.tokens import LAST_USED_PRECISION, do_issue_token, do_revoke_tokens

from .conftest import ApiClient

pytestmark = pytest.mark.django_db


def run_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("api-token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_it_prints_a_new_token_for_a_staff_member_and_stores_only_its_hash(owner, client):
    secret, note = run_command("OWNER@vendor.test", "--name", "ERP connector")
    assert secret.startswith("aft_") and len(secret) == 47
    token = ApiToken.objects.get()
    assert token.user == owner and token.name == "ERP connector"
    assert token.key_hash == hash_token(secret) and secret not in token.key_hash
    assert token.prefix == secret[:12] and token.prefix in note
    assert ApiClient(client, secret).get("/api/me").json()["email"] == owner.email


def test_it_refuses_to_issue_a_token_to_portal_contacts_unknown_and_deactivated_users(contact, colleague):
    with pytest.raises(CommandError, match="not vendor staff"):
        run_command(contact.user.email)
    with pytest.raises(CommandError, match="No user"):
        run_command("nobody@vendor.test")
    colleague.is_active = False
    colleague.save()
    with pytest.raises(CommandError, match="deactivated"):
        run_command(colleague.email)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "missing_token"),
        ("Token abc", "malformed_token"),
        ("Bearer", "malformed_token"),
        ("Bearer aft_not-a-real-token", "invalid_token"),
    ],
)
def test_it_refuses_requests_without_a_valid_token_with_a_clear_body(client, owner, header, code):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/accounts", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_a_revoked_token_and_a_deactivated_users_token(client, owner, colleague):
    token, secret = do_issue_token(owner)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    response = ApiClient(client, secret).get("/api/me")
    assert response.status_code == 401 and response.json()["code"] == "revoked_token"
    assert "revoked" in response.json()["detail"]

    _token, theirs = do_issue_token(colleague)
    colleague.is_active = False
    colleague.save()
    response = ApiClient(client, theirs).get("/api/me")
    assert response.status_code == 401 and response.json()["code"] == "inactive_user"


def test_it_takes_api_access_from_a_staff_member_who_became_a_portal_user(client, owner):
    _token, secret = do_issue_token(owner)
    owner.role, owner.department = "", ""
    owner.save()
    assert ApiClient(client, secret).get("/api/me").status_code == 401


def test_it_records_last_use_but_writes_it_at_most_every_few_minutes(
    client, owner, django_assert_num_queries
):
    token, secret = do_issue_token(owner)
    api = ApiClient(client, secret)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api.get("/api/me")
        token.refresh_from_db()
        assert token.last_used_at == start
    # Checked again (one query), but not written: the recorded use is recent.
    with time_machine.travel(start + timedelta(minutes=1), tick=False), django_assert_num_queries(1):
        api.get("/api/me")
    token.refresh_from_db()
    assert token.last_used_at == start
    later = start + LAST_USED_PRECISION + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        api.get("/api/me")
    token.refresh_from_db()
    assert token.last_used_at == later


def test_it_refuses_a_token_revoked_or_disowned_elsewhere_on_the_very_next_request(client, owner):
    token, secret = do_issue_token(owner)
    api = ApiClient(client, secret)
    assert api.get("/api/me").status_code == 200
    # Revoked by another process (the admin on another server): no grace period here.
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert api.get("/api/me").json()["code"] == "revoked_token"

    _token, other = do_issue_token(owner)
    api = ApiClient(client, other)
    assert api.get("/api/accounts").status_code == 200
    type(owner).objects.filter(pk=owner.pk).update(is_active=False)
    assert api.get("/api/accounts").json()["code"] == "inactive_user"


def test_it_refuses_a_token_revoked_in_this_process_at_once(client, owner):
    token, secret = do_issue_token(owner)
    api = ApiClient(client, secret)
    assert api.get("/api/me").status_code == 200
    do_revoke_tokens(ApiToken.objects.filter(pk=token.pk))
    assert api.get("/api/me").status_code == 401


def test_it_lets_admins_list_and_revoke_tokens_in_the_admin(client, admin_user, owner):
    token, secret = do_issue_token(owner, name="CRM")
    client.force_login(admin_user)
    listing = client.get(reverse("admin:api_apitoken_changelist"))
    assert listing.status_code == 200
    assert token.prefix in listing.content.decode() and secret not in listing.content.decode()
    response = client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert "1 token revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(reverse("admin:api_apitoken_add")).status_code == 403


# The token is checked before anything else: before the parameters, and before any data.


@pytest.mark.parametrize("path", ["/api/accounts", "/api/accounts/{account}/health"])
def test_it_refuses_a_token_revoked_since_the_last_request_on_the_polled_reads(client, owner, account, path):
    token, secret = do_issue_token(owner)
    api = ApiClient(client, secret)
    url = path.format(account=account.pk)
    assert api.get(url).status_code == 200
    etag = api.get(url).get("ETag", "*")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    response = api.client.get(url, headers={**api._headers(), "If-None-Match": etag})
    assert response.status_code == 401 and response.json()["code"] == "revoked_token"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_a_revoked_token_before_looking_at_bad_parameters(client, owner, account):
    token, secret = do_issue_token(owner)
    api = ApiClient(client, secret)
    assert api.get("/api/accounts", {"cursor": "not-a-cursor"}).status_code == 422
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    response = api.get("/api/accounts", {"cursor": "not-a-cursor"})
    assert response.status_code == 401 and response.json()["code"] == "revoked_token"
    response = api.get("/api/accounts", {"limit": "many"})
    assert response.status_code == 401 and response.json()["code"] == "revoked_token"


def test_it_answers_as_the_token_holder_is_now_not_as_they_were(client, owner, account):
    owner.language = "en"
    owner.save()
    _token, secret = do_issue_token(owner)
    api = ApiClient(client, secret)
    assert api.get(f"/api/accounts/{account.pk}/health")["Content-Language"] == "en"
    type(owner).objects.filter(pk=owner.pk).update(language="vi")
    response = api.get(f"/api/accounts/{account.pk}/health")
    assert response.status_code == 200 and response["Content-Language"] == "vi"
    type(owner).objects.filter(pk=owner.pk).update(role="", department="")
    assert api.get("/api/accounts").json()["code"] == "inactive_user"
