"""The audit trail records who created, changed and deleted what; managers search it."""

from __future__ import annotations

from datetime import date

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from aftersale.accounts.models import Account
from aftersale.core.enums import Department
from aftersale.promises.models import Promise, Stage
from aftersale.staff.models import Role

pytestmark = pytest.mark.django_db


def entries_for(obj) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(obj).order_by("timestamp", "pk"))


def test_it_records_a_promise_from_creation_to_deletion(account, owner, manager):
    with set_actor(owner):
        promise = Promise.objects.create(
            account=account, description="Deliver the press", stage=Stage.SALE,
            made_at=date(2026, 1, 10), made_by=owner, made_by_department=Department.SALES,
            due_at=date(2026, 3, 1), delivery_owner=owner, delivery_department=Department.SALES,
        )
    with set_actor(manager):
        promise.due_at = date(2026, 4, 1)
        promise.save()
        pk = promise.pk
        promise.delete()
    log = list(LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Promise), object_pk=str(pk)
    ).order_by("timestamp", "pk"))
    assert [e.action for e in log] == [
        LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE
    ]
    assert [e.actor for e in log] == [owner, manager, manager]
    assert log[1].changes_dict["due_at"] == ["2026-03-01", "2026-04-01"]


def test_it_records_a_role_change_without_the_password(colleague, manager):
    with set_actor(manager):
        colleague.role = Role.MANAGER
        colleague.set_password("another secret phrase")
        colleague.save()
    change = entries_for(colleague)[-1]
    assert change.actor == manager
    assert change.changes_dict["role"] == [Role.MEMBER.value, Role.MANAGER.value]
    assert "password" not in change.changes_dict


def test_it_lets_managers_search_the_trail_by_record_user_and_date(manager_client, account, owner, manager):
    with set_actor(owner):
        account.name = "Renamed by the owner"
        account.save()
    with set_actor(manager):
        account.tier = "strategic"
        account.save()
    url = reverse("audit_log")
    account_type = ContentType.objects.get_for_model(Account).pk

    page = manager_client.get(url, {"model": account_type, "user": owner.pk})
    assert page.status_code == 200
    assert "Renamed by the owner" in page.content.decode()
    assert [e.actor for e in page.context["page"]] == [owner]

    by_object = manager_client.get(url, {"model": account_type, "object": account.pk})
    # Newest first: both changes, then the creation (by the test set-up, so no one).
    assert [(e.action, e.actor) for e in by_object.context["page"]] == [
        (LogEntry.Action.UPDATE, manager), (LogEntry.Action.UPDATE, owner),
        (LogEntry.Action.CREATE, None),
    ]

    later = manager_client.get(url, {"since": "2999-01-01"})
    assert list(later.context["page"]) == []


def test_it_shows_the_trail_to_managers_only(owner_client, client):
    assert owner_client.get(reverse("audit_log")).status_code == 403
    client.logout()
    assert client.get(reverse("audit_log")).status_code == 302
