"""Scans: snapshots, idempotence, alerts opening and resolving, trend and why it moved."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from aftersale.alerts import registry as alert_registry
from aftersale.alerts.actions import Condition
from aftersale.alerts.models import Alert, AlertKind
from aftersale.engagement.models import InitiatedBy
from aftersale.health.evaluate import evaluate, make_context
from aftersale.health.models import HealthSnapshot, ScanPart, ScanRun, ScanStatus
from aftersale.health.report import moved_rows
from aftersale.health.scan import refresh_account, run_part, run_scan, start_scan
from aftersale.promises.models import Promise, PromiseStatus
from tests.alerts.examples import overdue

from .conftest import NOW, TODAY, day, days_ago, order, promise, touchpoint, trust_rating

pytestmark = pytest.mark.django_db


def overdue_promises(as_of, account_ids):
    """A stand-in for the promises app's condition: one alert per overdue promise."""
    promises = Promise.objects.filter(status=PromiseStatus.OPEN, due_at__lt=timezone.localdate(as_of))
    if account_ids is not None:
        promises = promises.filter(account_id__in=account_ids)
    return {(p.account_id, f"promise:{p.pk}"): Condition(overdue(f"Promise {p.pk}")) for p in promises}


@pytest.fixture
def busy_account(account, owner):
    for n in (120, 90, 60, 30, 3):
        order(account, days_ago(n))
        touchpoint(account, days_ago(n + 1), initiated_by=InitiatedBy.CUSTOMER)
    trust_rating(account, day(10), "4.5")
    return account


def snapshot_rows():
    return sorted(HealthSnapshot.objects.values_list(
        "account_id", "as_of", "computed_at", "score", "band", "coverage", "trend", "signals"
    ))


def test_it_stores_one_snapshot_per_account_and_summarises_the_bands(busy_account, other_account, frozen):
    run = run_scan()
    assert run.status == ScanStatus.DONE
    assert run.accounts == 2
    assert run.summary["bands"] == {"healthy": 1, "watch": 1, "at_risk": 0}
    snapshot = HealthSnapshot.objects.get(account=busy_account)
    assert snapshot.as_of == TODAY
    assert snapshot.band == "healthy"
    assert snapshot.signals["trust"][0] == pytest.approx(0.875, abs=1e-3)
    # The quiet account has no data at all: watch, never healthy.
    assert HealthSnapshot.objects.get(account=other_account).band == "watch"


def test_it_changes_nothing_when_a_scan_is_rerun_for_the_same_date(busy_account, owner, frozen):
    alert_registry.register(AlertKind.PROMISE_OVERDUE, overdue_promises)
    promise(busy_account, owner, due=day(5))
    run_scan(NOW)
    before = (snapshot_rows(), list(Alert.objects.values()))
    run_scan(NOW)
    assert (snapshot_rows(), list(Alert.objects.values())) == before
    assert Alert.objects.count() == 1


def test_it_opens_alerts_when_conditions_start_and_resolves_them_when_they_stop(busy_account, owner):
    alert_registry.register(AlertKind.PROMISE_OVERDUE, overdue_promises)
    kept_later = promise(busy_account, owner, due=day(5))
    with time_machine.travel(NOW, tick=False):
        run_scan()
    alert = Alert.objects.get()
    assert (alert.kind, alert.subject, alert.owner, alert.opened_at) == (
        AlertKind.PROMISE_OVERDUE, f"promise:{kept_later.pk}", owner, NOW)
    Promise.objects.filter(pk=kept_later.pk).update(status=PromiseStatus.KEPT, closed_at=TODAY)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        run_scan()
    alert.refresh_from_db()
    assert alert.resolved_at == NOW + timedelta(days=1)
    assert not Alert.objects.open().exists()


def test_it_ignores_events_after_a_scans_as_of_date(busy_account, frozen):
    run_scan(days_ago(20))
    before = snapshot_rows()
    order(busy_account, days_ago(10))
    trust_rating(busy_account, day(15), "1.0")
    HealthSnapshot.objects.all().delete()
    run_scan(days_ago(20))
    assert snapshot_rows() == before


def test_it_leaves_todays_alerts_alone_when_replaying_an_earlier_date(busy_account, owner, frozen):
    alert_registry.register(AlertKind.PROMISE_OVERDUE, overdue_promises)
    promise(busy_account, owner, due=day(5))
    run_scan(NOW)
    run = run_scan(days_ago(30))  # the promise was not due then
    assert run.reconciles_alerts is False
    assert Alert.objects.open().count() == 1
    assert HealthSnapshot.objects.filter(as_of=day(30)).count() == 1


def test_it_runs_domain_conditions_once_a_scan_over_the_whole_portfolio(busy_account, other_account, frozen):
    calls = []
    alert_registry.register(AlertKind.PROMISE_OVERDUE, lambda as_of, ids: calls.append(ids) or {})
    run_scan(NOW, part_size=1)
    assert calls == [None]


def test_it_closes_a_run_its_dead_worker_left_open_when_the_part_is_recovered(busy_account, frozen):
    run = start_scan(NOW)
    part = run.parts.get()
    run_part(part.pk)
    # As if the worker died after marking the part done, before closing the run.
    ScanRun.objects.filter(pk=run.pk).update(status=ScanStatus.RUNNING, finished_at=None)
    assert run_part(part.pk) is False
    assert ScanRun.objects.get(pk=run.pk).status == ScanStatus.DONE


def test_it_runs_each_part_once_and_finishes_the_run_once(busy_account, other_account, frozen):
    run = start_scan(NOW, part_size=1)
    parts = list(run.parts.order_by("first_id"))
    assert [(p.first_id, p.last_id) for p in parts] == [
        (busy_account.pk, busy_account.pk), (other_account.pk, other_account.pk)]
    assert run_part(parts[0].pk) is True
    assert ScanRun.objects.get(pk=run.pk).status == ScanStatus.RUNNING
    assert run_part(parts[0].pk) is False
    assert run_part(parts[1].pk) is True
    run.refresh_from_db()
    assert run.status == ScanStatus.DONE
    assert not ScanPart.objects.filter(done_at__isnull=True).exists()


def history(account, scores_by_days_ago, signals=None):
    """Finished scans in the past with the given scores for ``account``."""
    for n, score in scores_by_days_ago.items():
        moment = days_ago(n)
        ScanRun.objects.create(as_of=moment, as_of_date=timezone.localdate(moment), started_at=moment,
                               finished_at=moment, status=ScanStatus.DONE)
        HealthSnapshot.objects.create(
            account=account, as_of=timezone.localdate(moment), computed_at=moment, score=score,
            band="healthy", coverage=1.0, signals=signals or {},
        )


def test_it_reads_the_trend_from_the_snapshots_of_the_last_90_days(busy_account, frozen):
    ctx = make_context(NOW)
    today = evaluate(ctx, [busy_account.pk])[busy_account.pk].score
    history(busy_account, {92: today + 30, 61: today + 20, 33: today + 10})
    health = evaluate(make_context(NOW), [busy_account.pk])[busy_account.pk]
    assert health.trend == "deteriorating"
    assert health.trend_change == pytest.approx(-30, abs=3)


def test_it_says_why_the_score_moved_since_the_previous_scan(busy_account, frozen):
    now = evaluate(make_context(NOW), [busy_account.pk])[busy_account.pk]
    yesterday = {name: [None, points] for name, points in now.contributions.items()}
    yesterday["trust"][1] += 15.0
    history(busy_account, {1: 90.0}, signals=yesterday)
    health = evaluate(make_context(NOW), [busy_account.pk])[busy_account.pk]
    assert health.previous_date == day(1)
    assert health.moved == [("trust", pytest.approx(-15.0))]
    with translation.override("en"):
        rows = moved_rows(health)
    assert rows[0]["label"] == "Trust ratings"
    assert rows[0]["url"] == f"/accounts/{busy_account.pk}/trust/"


def test_it_gives_a_deteriorating_account_that_is_no_longer_healthy_one_alert(account, owner, frozen):
    promise(account, owner, due=day(40))  # overdue: the only evidence, worth zero
    history(account, {90: 80.0, 60: 70.0, 30: 50.0})
    run_scan()
    alert = Alert.objects.get(kind=AlertKind.HEALTH_DETERIORATING)
    assert alert.explanation.startswith("Health fell about")
    assert "Weakest signals: Promises kept" in alert.explanation
    run_scan()
    assert Alert.objects.filter(kind=AlertKind.HEALTH_DETERIORATING).count() == 1


def test_it_words_an_engine_alert_in_each_readers_language(account, owner, frozen):
    promise(account, owner, due=day(40))
    history(account, {90: 80.0, 60: 70.0, 30: 50.0})
    run_scan()
    alert = Alert.objects.get(kind=AlertKind.HEALTH_DETERIORATING)
    with translation.override("vi"):
        assert alert.explanation.startswith("Sức khỏe giảm khoảng")
        assert "Lời hứa" not in alert.explanation and "Promises" not in alert.explanation
    assert alert.explanation.startswith("Health fell about")


def test_it_refreshes_one_account_in_a_bounded_number_of_queries(
    busy_account, other_account, owner, frozen, django_assert_max_num_queries
):
    # The engine's own queries, plus one stand-in condition; each domain app's
    # conditions have their own query-count tests.
    alert_registry._conditions.clear()
    alert_registry.register(AlertKind.PROMISE_OVERDUE, overdue_promises)
    promise(busy_account, owner, due=day(5))
    history(busy_account, {1: 80.0, 31: 80.0, 62: 80.0, 91: 80.0})
    # 37: the last two lock the account and copy its latest snapshot onto it (health.latest).
    with django_assert_max_num_queries(37) as queries:
        health = refresh_account(busy_account.pk)
    # Twice the data does not take more queries.
    for n in range(1, 40):
        order(busy_account, days_ago(n))
        touchpoint(busy_account, days_ago(n))
    with django_assert_max_num_queries(len(queries.captured_queries)):
        refresh_account(busy_account.pk)
    assert health.band in {"healthy", "watch"}
    assert HealthSnapshot.objects.filter(account=busy_account, as_of=TODAY).count() == 1
    assert not HealthSnapshot.objects.filter(account=other_account).exists()
    assert Alert.objects.open().filter(kind=AlertKind.PROMISE_OVERDUE).count() == 1


def test_it_leaves_other_accounts_alerts_alone_when_refreshing_one_account(
    busy_account, other_account, owner, frozen
):
    alert_registry.register(AlertKind.PROMISE_OVERDUE, overdue_promises)
    promise(other_account, owner, due=day(5))
    run_scan()
    Promise.objects.update(status=PromiseStatus.KEPT, closed_at=TODAY)
    refresh_account(busy_account.pk)
    assert Alert.objects.open().count() == 1
    refresh_account(other_account.pk)
    assert Alert.objects.open().count() == 0


def test_it_leaves_alerts_to_the_next_scan_when_refreshing_without_them(busy_account, owner, frozen):
    alert_registry.register(AlertKind.PROMISE_OVERDUE, overdue_promises)
    promise(busy_account, owner, due=day(5))
    refresh_account(busy_account.pk, alerts=False)
    assert HealthSnapshot.objects.filter(account=busy_account).exists()
    assert not Alert.objects.exists()
    refresh_account(busy_account.pk)
    assert Alert.objects.count() == 1
