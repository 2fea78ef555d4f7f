from datetime import UTC, datetime

import pytest
from django.urls import reverse

from aftersale.alerts.actions import Condition, reconcile_alerts
from aftersale.alerts.models import Alert, AlertKind
from tests.alerts.examples import EXAMPLES, silent

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


def open_alert(account, kind, subject="", params=None):
    wanted = {(account.pk, subject): Condition(EXAMPLES[kind] if params is None else params)}
    reconcile_alerts(kind=kind, wanted=wanted, at=NOW, account_ids=[account.pk])
    return Alert.objects.open().get(account=account, kind=kind, subject=subject)


def test_it_groups_the_owners_open_alerts_by_reason(owner_client, account, other_account):
    open_alert(account, AlertKind.SILENCE, params=silent(120))
    open_alert(account, AlertKind.MAINTENANCE_OVERDUE, "plan:1",
               {**EXAMPLES[AlertKind.MAINTENANCE_OVERDUE], "plan": "Press service"})
    open_alert(other_account, AlertKind.SILENCE, params=silent(333))

    body = owner_client.get(reverse("home")).content.decode()

    assert "Gone quiet or silent" in body
    assert "Last contact 120 days ago" in body
    assert "Maintenance overdue" in body and "Press service" in body
    assert "333 days" not in body


def test_it_lists_nothing_when_nothing_needs_action(owner_client, account):
    alert = open_alert(account, AlertKind.SILENCE, params=silent(151))
    Alert.objects.filter(pk=alert.pk).update(resolved_at=NOW)
    body = owner_client.get(reverse("home")).content.decode()
    assert "151 days" not in body
    assert "Nothing needs your attention now." in body


def test_it_shows_managers_every_owner_and_filters_by_owner(manager_client, account, other_account,
                                                      colleague):
    open_alert(account, AlertKind.SILENCE, params=silent(121))
    open_alert(other_account, AlertKind.SILENCE, params=silent(122))
    body = manager_client.get(reverse("home")).content.decode()
    assert "121 days ago" in body and "122 days ago" in body
    body = manager_client.get(reverse("home"), {"owner": colleague.pk}).content.decode()
    assert "121 days ago" not in body and "122 days ago" in body


def test_it_moves_acknowledged_alerts_in_hand_without_resolving(owner_client, owner, account):
    # Not a step-in kind: silence and quiet-customer alerts cannot be acknowledged (tests/alerts).
    alert = open_alert(account, AlertKind.MAINTENANCE_OVERDUE, "plan:1")
    response = owner_client.post(reverse("alert_acknowledge", args=[alert.pk]))
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == owner
    assert alert.resolved_at is None
    assert "1 item in hand" in owner_client.get(reverse("home")).content.decode()


def test_it_refuses_to_acknowledge_by_get(owner_client, account):
    alert = open_alert(account, AlertKind.SILENCE)
    assert owner_client.get(reverse("alert_acknowledge", args=[alert.pk])).status_code == 405


def test_it_refuses_a_portal_contacts_acknowledgement(client, contact, account):
    alert = open_alert(account, AlertKind.SILENCE)
    client.force_login(contact.user)
    assert client.post(reverse("alert_acknowledge", args=[alert.pk])).status_code == 403
    assert Alert.objects.get(pk=alert.pk).acknowledged_at is None


def test_it_shows_the_attention_list_in_a_query_count_that_does_not_grow(owner_client, account, owner,
                                                      django_assert_max_num_queries):
    from aftersale.accounts.models import Account

    for i in range(15):
        extra = Account.objects.create(name=f"Extra {i}", owner=owner, external_id=f"X-{i}")
        open_alert(extra, AlertKind.SILENCE)
    with django_assert_max_num_queries(12):
        owner_client.get(reverse("home"))


def test_it_links_each_alert_to_what_it_is_about(owner_client, account):
    from aftersale.web.attention import subject_url

    def url(subject):
        return subject_url(Alert(subject=subject))

    assert url("promise:7") == reverse("promise_detail", args=[7])
    assert url("case:9") == reverse("service:case_detail", args=[9])
    assert url("plan:3:asset:5") == reverse("service:asset_detail", args=[5])
    assert url("plan:3") == reverse("service:maintenance")
    assert url("") is None


def test_it_shows_a_long_groups_oldest_alerts_and_the_total(owner_client, owner, monkeypatch):
    from datetime import timedelta

    from aftersale.accounts.models import Account
    from aftersale.web import views

    monkeypatch.setattr(views, "ATTENTION_LIMIT", 2)
    for i in range(3):
        extra = Account.objects.create(name=f"Quiet {i}", owner=owner, external_id=f"Q-{i}")
        alert = open_alert(extra, AlertKind.SILENCE, params=silent(140 + i))
        Alert.objects.filter(pk=alert.pk).update(opened_at=NOW + timedelta(days=i))
    held = [open_alert(Account.objects.create(name=f"Held {i}", owner=owner, external_id=f"H-{i}"),
                       AlertKind.REVIEW_DUE) for i in range(3)]
    Alert.objects.filter(pk__in=[a.pk for a in held]).update(acknowledged_at=NOW, acknowledged_by=owner)

    body = owner_client.get(reverse("home")).content.decode()

    assert "140 days ago" in body and "141 days ago" in body
    assert "142 days ago" not in body
    assert '<span class="tag">3</span>' in body
    assert "The 2 oldest of 3 are shown." in body
    assert "3 items in hand" in body
    assert body.count("Held ") == 2


@pytest.mark.parametrize("limit", [2, 3])  # 2: the oldest of each kind read apart; 3: all read at once
def test_it_cuts_the_list_to_the_oldest_of_the_whole_list(owner, limit):
    """Per reason (a reason of two kinds included) and in hand: the limited list is the
    head of the full list, with the full list's totals."""
    from datetime import timedelta

    from aftersale.accounts.models import Account
    from aftersale.alerts.attention import attention

    kinds = [AlertKind.SILENCE, AlertKind.QUIET_CUSTOMER, AlertKind.MAINTENANCE_OVERDUE,
             AlertKind.REVIEW_DUE]
    for i in range(12):
        extra = Account.objects.create(name=f"Mixed {i}", owner=owner, external_id=f"M-{i}")
        alert = open_alert(extra, kinds[i % 4])
        # Opened out of creation order, so that the oldest are not simply the first created.
        Alert.objects.filter(pk=alert.pk).update(opened_at=NOW - timedelta(days=(i * 7) % 12))
        if i % 4 >= 2 and i % 3 == 0:  # a maintenance and a review alert, not step-in kinds
            Alert.objects.filter(pk=alert.pk).update(acknowledged_at=NOW, acknowledged_by=owner)
    Alert.objects.filter(account__name="Mixed 11").update(resolved_at=NOW)

    full = attention(Alert.objects.open())
    cut = attention(Alert.objects.open(), limit=limit)

    assert [g.reason.key for g in cut.groups] == [g.reason.key for g in full.groups]
    for whole, part in zip(full.groups, cut.groups, strict=True):
        assert part.total == len(whole.alerts)
        assert [a.pk for a in part.alerts] == [a.pk for a in whole.alerts[:limit]]
    quiet = next(g for g in full.groups if g.reason.key == "quiet")
    assert {a.kind for a in quiet.alerts} == {AlertKind.SILENCE, AlertKind.QUIET_CUSTOMER}
    assert cut.in_hand_total == len(full.in_hand) == 2
    assert [a.pk for a in cut.in_hand] == [a.pk for a in full.in_hand[:limit]]
    assert "Mixed 11" not in [a.account.name for g in full.groups for a in g.alerts]


def test_it_links_pages_by_their_reversed_urls(account):
    from aftersale.alerts.attention import REASONS, Group
    from aftersale.web.attention import add_links

    alerts = [open_alert(account, AlertKind.MAINTENANCE_OVERDUE, subject)
              for subject in ("promise:7", "case:9", "plan:3:asset:5", "plan:3", "")]
    add_links([Group(REASONS[0], alerts)], [])
    assert [a.url for a in alerts] == [
        reverse("promise_detail", args=[7]), reverse("service:case_detail", args=[9]),
        reverse("service:asset_detail", args=[5]), reverse("service:maintenance"), None,
    ]
    for alert in alerts:
        assert alert.account_url == account.get_absolute_url()
        assert alert.acknowledge_url == reverse("alert_acknowledge", args=[alert.pk])
    assert alerts[-1].log_url == reverse("log_touchpoint", args=[account.pk])
    assert alerts[0].log_url == ""
