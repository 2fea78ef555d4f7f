"""The review_due alert: cadence per tier, as of a date, opened and resolved by the registry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from aftersale.alerts import registry
from aftersale.alerts.models import Alert, AlertKind
from aftersale.reviews.alerts import due_date, review_due, review_due_dates
from aftersale.reviews.models import RelationshipReview, ReviewStatus
from tests.reviews.conftest import at

pytestmark = pytest.mark.usefixtures("frozen")


def test_it_computes_the_due_date_from_the_cadence_or_the_chosen_date():
    start = date(2026, 1, 1)
    assert due_date(cadence=91, last_held=None, next_due=None, started=start) == date(2026, 4, 2)
    assert due_date(cadence=91, last_held=date(2026, 3, 1), next_due=None, started=start) == date(2026, 5, 31)
    # The reviewer may ask for the next review sooner, never later than the cadence.
    assert due_date(cadence=91, last_held=date(2026, 3, 1), next_due=date(2026, 4, 1),
                    started=start) == date(2026, 4, 1)
    assert due_date(cadence=91, last_held=date(2026, 3, 1), next_due=date(2026, 12, 1),
                    started=start) == date(2026, 5, 31)


def test_it_registers_the_condition():
    assert registry.registered()[AlertKind.REVIEW_DUE] is review_due


def test_it_flags_an_account_never_reviewed_one_cadence_after_it_began(account, other_account):
    account.customer_since = date(2026, 4, 1)  # key: 91 days -> due 1 July
    account.save()
    other_account.customer_since = date(2025, 12, 1)  # standard: 182 days -> due 1 June
    other_account.save()
    wanted = review_due(at(2026, 6, 30), None)
    assert set(wanted) == {(other_account.pk, "")}
    assert wanted[(other_account.pk, "")].params["due"] == "2026-06-01"
    assert set(review_due(at(2026, 7, 1), None)) == {(account.pk, ""), (other_account.pk, "")}


def test_it_ignores_accounts_that_did_not_exist_yet(account):
    account.customer_since = date(2026, 6, 1)
    account.save()
    assert review_due_dates(date(2026, 5, 1), [account.pk]) == {}


def test_it_opens_and_resolves_the_alert_through_the_registry(account, owner):
    account.customer_since = date(2025, 1, 1)
    account.save()
    registry.refresh(at(2026, 6, 30), [account.pk])
    alert = Alert.objects.open().get(account=account, kind=AlertKind.REVIEW_DUE)
    assert alert.subject == "" and alert.owner == owner
    RelationshipReview.objects.create(account=account, reviewer=owner, held_at=date(2026, 6, 30),
                                      status=ReviewStatus.COMPLETED, next_due_at=date(2026, 9, 29))
    result = registry.refresh(at(2026, 6, 30, 13), [account.pk])
    assert result[AlertKind.REVIEW_DUE].resolved == 1
    assert not Alert.objects.open().filter(account=account, kind=AlertKind.REVIEW_DUE).exists()
    # A draft does not count; the completed review's next due date does.
    assert (account.pk, "") not in review_due(at(2026, 9, 28), [account.pk])
    assert (account.pk, "") in review_due(at(2026, 9, 29), [account.pk])


def test_it_judges_as_of_the_date_asked(account, owner):
    account.customer_since = date(2025, 1, 1)
    account.save()
    RelationshipReview.objects.create(account=account, reviewer=owner, held_at=date(2026, 6, 1),
                                      status=ReviewStatus.COMPLETED)
    RelationshipReview.objects.create(account=account, reviewer=owner, held_at=date(2026, 6, 20),
                                      status=ReviewStatus.DRAFT)
    # On 1 May the June review had not happened: due since 2 April 2025 (1 January + 91 days).
    assert (account.pk, "") in review_due(at(2026, 5, 1), [account.pk])
    assert (account.pk, "") not in review_due(at(2026, 6, 30), [account.pk])
    assert review_due_dates(date(2026, 6, 30), [account.pk])[account.pk] == (
        date(2026, 6, 1) + timedelta(days=91), date(2026, 6, 1)
    )


def test_it_reads_the_cadence_from_settings(account, settings):
    account.customer_since = date(2026, 6, 1)
    account.save()
    settings.AFTERSALE = {**settings.AFTERSALE, "REVIEW_CADENCE_DAYS": {"key": 14}}
    assert (account.pk, "") in review_due(at(2026, 6, 30), [account.pk])


def test_it_evaluates_many_accounts_in_two_queries(account, owner, django_assert_num_queries):
    from aftersale.accounts.models import Account

    for i in range(20):
        Account.objects.create(external_id=f"N-{i}", name=f"N {i}", owner=owner,
                               customer_since=date(2025, 1, 1))
    with django_assert_num_queries(2):
        wanted = review_due(at(2026, 6, 30), None)
    assert len(wanted) == 20
