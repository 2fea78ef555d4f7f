"""The backtest scores the health that ships: on a generated world, its health as of a date is
exactly what a scan as of that date stores, account by account."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from aftersale.core.asof import end_of_day
from aftersale.demo.load import load_demo
from aftersale.health.backtest import evaluate_history
from aftersale.health.models import HealthSnapshot
from aftersale.health.proof import fit_weights, run_backtest
from aftersale.health.scan import run_scan

AS_OF = date(2026, 6, 15)
BACK = AS_OF - timedelta(days=200)


@pytest.fixture
def world(db):
    load_demo(accounts=40, seed=7, as_of=AS_OF)


def test_it_scores_every_account_as_a_scan_as_of_that_date_does(world):
    moment = end_of_day(BACK)
    evaluated = evaluate_history(moment, 90)
    fits = evaluated.ctx.fits
    assert set(fits) == {"orders", "contacts", "quietness"}  # every fit the scan makes, not only orders
    run = run_scan(moment, part_size=7)  # in parts, as the worker runs it
    assert sorted(f["stream"] for f in run.rhythm_models) == sorted(fits)
    stored = {s.account_id: s for s in HealthSnapshot.objects.filter(as_of=BACK)}
    assert set(stored) == set(evaluated.health)
    for account_id, h in evaluated.health.items():
        snap = stored[account_id]
        assert (None if h.score is None else round(h.score, 2)) == snap.score, account_id
        assert h.band == snap.band, account_id
        assert h.snapshot_signals() == snap.signals, account_id
    # Some accounts are judged by every kind of evidence the scan reads, quietness included.
    assert any("quietness" in s.signals and s.signals["quietness"][0] is not None for s in stored.values())


def test_it_checks_fitted_weights_on_the_later_date_and_makes_them_add_up_to_100(world):
    later = end_of_day(AS_OF - timedelta(days=100))
    fitted = fit_weights(evaluate_history(later - timedelta(days=90), 90), evaluate_history(later, 90))
    assert sum(fitted["suggested"].values()) == 100
    assert all(w >= 0 for w in fitted["suggested"].values())
    assert fitted["fitted_on"] < fitted["checked_on"]
    best = fitted["best_part"]
    assert best["auc"] == max(p["auc"] for p in fitted["parts"].values() if p["auc"] is not None)
    assert fitted["beats_best"] == (fitted["auc_after"]["auc"] >= best["auc"])


def test_it_stores_a_run_with_its_calibration(world, admin_user):
    run = run_backtest(end_of_day(BACK), 90, user=admin_user)
    probability = run.report["probability"]
    assert probability["n"] > 0
    assert probability["y"] == sorted(probability["y"])
    assert run.created_by == admin_user


def test_it_shows_the_latest_run_on_the_proof_page_and_lets_only_an_admin_apply_its_weights(
    world, client, owner, admin_user
):
    from auditlog.models import LogEntry
    from django.test import Client
    from django.urls import reverse

    from aftersale.accounts.models import Account, AccountKind
    from aftersale.health.models import SignalWeight
    from aftersale.health.store import load_config

    page = reverse("health_proof")
    client.force_login(owner)
    assert "No backtest has been run yet" in client.get(page).content.decode()
    run = run_backtest(end_of_day(AS_OF - timedelta(days=100)), 90, fit=True)
    html = client.get(page).content.decode()
    assert "Does the score work?" in html and "<svg" in html
    assert f"{run.report['auc']['health']:.3f}" in html
    assert "Apply the suggested weights" not in html  # a member sees the suggestion, not the button
    apply = reverse("health_apply_weights", args=[run.pk])
    assert client.post(apply).status_code == 403

    admin = Client(enforce_csrf_checks=True)
    admin.force_login(admin_user)
    assert admin.post(apply).status_code == 403  # no CSRF token
    html = admin.get(page).content.decode()
    assert "Apply the suggested weights" in html
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = admin.post(apply, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    suggested = run.report["fitted"]["suggested"]
    assert {n: load_config().weight(n) for n in suggested} == suggested
    run.refresh_from_db()
    assert run.applied_by == admin_user
    changed = [n for n, w in suggested.items() if w != run.report["fitted"]["current"][n]]
    entries = LogEntry.objects.get_for_model(SignalWeight).filter(actor=admin_user)
    assert entries.count() == len(changed)
    # Applied once: a second post changes nothing and says so.
    response = admin.post(apply, {"csrfmiddlewaretoken": token}, follow=True)
    assert "applied already" in response.content.decode()
    assert entries.count() == len(changed)

    # The account page's score panel shows the calibrated chance with its basis.
    customer = Account.objects.filter(kind=AccountKind.CUSTOMER, health_score__isnull=True).first()
    customer.owner = owner
    customer.save()
    panel = client.get(reverse("account_health", args=[customer.pk])).content.decode()
    assert "Chance of ordering again within 90 days" in panel
    assert "backtest as of" in panel


def test_it_lets_an_admin_queue_a_backtest_that_the_worker_runs(world, client, owner, admin_user):
    from django.urls import reverse
    from django_tasks_db.models import DBTaskResult

    from aftersale.health.models import BacktestRun
    from aftersale.jobs import tasks

    start = reverse("health_start_backtest")
    client.force_login(owner)
    assert client.post(start, {"as_of": "2026-01-01", "horizon": 90}).status_code == 403
    client.force_login(admin_user)
    assert "Queue the backtest" in client.get(reverse("health_proof")).content.decode()
    # A horizon that has not ended yet is refused with the reason, nothing queued.
    response = client.post(start, {"as_of": "2026-01-01", "horizon": 3000})
    assert response.status_code == 400
    assert "must have ended by today" in response.content.decode()
    assert not DBTaskResult.objects.exists()
    response = client.post(start, {"as_of": BACK.isoformat(), "horizon": 90, "fit_weights": "on"})
    assert response.status_code == 302
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "aftersale.jobs.tasks.backtest"
    # What the worker does with it:
    run_id = tasks.backtest.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
    run = BacktestRun.objects.get(pk=run_id)
    assert run.created_by == admin_user
    assert run.as_of.date() == BACK and run.horizon_days == 90
    assert run.report["fitted"]["suggested"]
