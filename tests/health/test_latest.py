"""The account's copy of its latest snapshot stays in step with the snapshots."""

from __future__ import annotations

import pytest

from aftersale.accounts.models import Account
from aftersale.health import scan
from aftersale.health.latest import sync_latest_health
from aftersale.health.models import HealthSnapshot
from aftersale.health.scan import refresh_account, run_scan

from .conftest import NOW, TODAY, day, days_ago, trust_rating
from .test_scan import busy_account  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def copies() -> dict[int, tuple]:
    return {
        pk: (as_of, score, band, trend)
        for pk, as_of, score, band, trend in Account.objects.values_list(
            "pk", "health_as_of", "health_score", "health_band", "health_trend")
    }


def latest_snapshots() -> dict[int, tuple]:
    """What the copy must say, read straight from the snapshots."""
    never = (None, None, None, None)
    found: dict[int, tuple] = {pk: never for pk in Account.objects.values_list("pk", flat=True)}
    seen: set[int] = set()
    for account_id, as_of, score, band, trend in HealthSnapshot.objects.order_by(
            "account_id", "-as_of").values_list("account_id", "as_of", "score", "band", "trend"):
        if account_id not in seen:
            seen.add(account_id)
            found[account_id] = (as_of, score, band, trend)
    return found


def test_it_copies_each_accounts_latest_snapshot_in_a_scan(busy_account, other_account, account, frozen):  # noqa: F811
    assert set(copies().values()) == {(None, None, None, None)}
    run_scan(days_ago(40))
    run_scan(NOW)
    assert copies() == latest_snapshots()
    assert copies()[busy_account.pk][0] == TODAY
    assert copies()[busy_account.pk][1] is not None


def test_it_replaces_the_copy_with_the_new_snapshot_on_a_rescan_of_the_same_day(busy_account, frozen):  # noqa: F811
    run_scan(NOW)
    before = copies()[busy_account.pk]
    for n in range(2, 8):
        trust_rating(busy_account, day(n), "1.0")
    run_scan(NOW)
    after = copies()[busy_account.pk]
    assert HealthSnapshot.objects.filter(account=busy_account).count() == 1
    assert after != before
    assert copies() == latest_snapshots()


def test_it_keeps_the_latest_snapshot_when_replaying_an_earlier_date(busy_account, other_account, frozen):  # noqa: F811
    run_scan(NOW)
    today = copies()
    run_scan(days_ago(30))
    assert HealthSnapshot.objects.filter(as_of=day(30)).count() == 2
    assert copies() == today == latest_snapshots()


def test_it_updates_only_its_copy_when_refreshing_one_account(busy_account, other_account, frozen):  # noqa: F811
    run_scan(days_ago(3))
    for n in range(2, 8):
        trust_rating(busy_account, day(n), "1.0")
    refresh_account(busy_account.pk)
    found = copies()
    assert found[busy_account.pk][0] == TODAY
    assert found[other_account.pk][0] == day(3)
    assert found == latest_snapshots()


def test_it_writes_the_copy_in_the_snapshots_transaction(busy_account, frozen, monkeypatch):  # noqa: F811
    def fail(ctx, results):
        raise RuntimeError("alerts failed")

    monkeypatch.setattr(scan, "reconcile_engine_alerts", fail)
    with pytest.raises(RuntimeError):
        refresh_account(busy_account.pk)
    assert not HealthSnapshot.objects.exists()
    assert copies()[busy_account.pk] == (None, None, None, None)


def test_it_follows_deleted_snapshots_when_syncing(busy_account, other_account, frozen):  # noqa: F811
    run_scan(days_ago(10))
    run_scan(NOW)
    HealthSnapshot.objects.filter(as_of=TODAY).delete()
    HealthSnapshot.objects.filter(account=other_account).delete()
    assert sync_latest_health(None) == 2
    assert copies()[busy_account.pk][0] == day(10)
    assert copies()[other_account.pk] == (None, None, None, None)
    assert copies() == latest_snapshots()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_does_not_overwrite_a_refresh_committed_while_an_earlier_date_is_copied(account):
    """Today's refresh holds the account's row; an earlier date's copy waits for it and,
    once it goes on, must still find today's snapshot the latest."""
    import threading
    import time as clock

    from django.db import connections, transaction

    def store(day, score):
        HealthSnapshot.objects.create(account=account, as_of=day, computed_at=NOW, score=score,
                                      band="watch", coverage=1)
        sync_latest_health([account.pk])

    stored_today = threading.Event()
    release = threading.Event()

    def today():
        try:
            with transaction.atomic():
                store(TODAY, 60.0)
                stored_today.set()
                release.wait(10)
        finally:
            connections.close_all()

    first = threading.Thread(target=today)
    first.start()
    assert stored_today.wait(10)
    second = threading.Thread(target=lambda: (store(day(30), 40.0), connections.close_all()))
    second.start()
    clock.sleep(0.5)  # the earlier date is now waiting for the account's row
    release.set()
    first.join(10)
    second.join(10)
    assert copies()[account.pk] == (TODAY, 60.0, "watch", "")
