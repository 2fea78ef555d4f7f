"""The scan's guard: a statement over SCAN_STATEMENT_TIMEOUT_SECONDS fails its part with a message
naming what it computes, recorded on the part; slow statements are logged with what they compute."""

from __future__ import annotations

import dataclasses
import logging
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from aftersale.core.guard import StatementTimeout
from aftersale.core.sql import run
from aftersale.health.evaluate import make_context, signal_definitions
from aftersale.health.models import HealthSnapshot, ScanPart, ScanRun, ScanStatus
from aftersale.health.scan import run_scan, start_scan
from aftersale.health.signals import registry

from .conftest import NOW, days_ago, order

pytestmark = pytest.mark.django_db


@pytest.fixture
def ordering_account(account):
    for n in (90, 60, 30):
        order(account, days_ago(n))
    return account


@pytest.fixture
def sleepy_signal(monkeypatch):
    """One of the customer signals, its statement made to run for seconds."""
    definition = signal_definitions(make_context(NOW), {"customer"})[0]

    def compute(ctx, scope):
        run("SELECT pg_sleep(5)")
        return {}

    monkeypatch.setitem(registry._signals, definition.name, dataclasses.replace(definition, compute=compute))
    return definition.name


def limit(settings, seconds: float) -> None:
    settings.AFTERSALE = {**settings.AFTERSALE, "SCAN_STATEMENT_TIMEOUT_SECONDS": seconds}


@pytest.mark.postgres
def test_it_fails_the_part_whose_statement_runs_over_the_limit_and_records_why(
    ordering_account, sleepy_signal, settings, frozen,
):
    limit(settings, 0.3)
    with pytest.raises(StatementTimeout) as raised:
        run_scan(NOW)
    message = str(raised.value)
    assert f"the signal {sleepy_signal}" in message
    assert "SCAN_STATEMENT_TIMEOUT_SECONDS" in message and "pg_sleep" in message
    part = ScanPart.objects.get()
    assert (part.error, part.done_at) == (message, None)
    assert ScanRun.objects.get().status == ScanStatus.RUNNING
    assert not HealthSnapshot.objects.exists()  # the part's writes went with it


@pytest.mark.postgres
def test_it_stops_the_scan_command_with_the_message_and_clears_it_on_a_later_scan(
    ordering_account, sleepy_signal, settings, frozen, monkeypatch,
):
    limit(settings, 0.3)
    with pytest.raises(CommandError, match=f"the signal {sleepy_signal}"):
        call_command("scan", stdout=StringIO())
    monkeypatch.undo()  # the signal computes as usual again
    limit(settings, 600)
    run_scan(NOW)
    assert ScanRun.objects.filter(status=ScanStatus.DONE).exists()
    assert ScanPart.objects.filter(done_at__isnull=False, error="").exists()


@pytest.mark.postgres
def test_it_lets_a_long_statement_run_with_a_limit_of_zero(ordering_account, settings, frozen, monkeypatch):
    limit(settings, 0)
    definition = signal_definitions(make_context(NOW), {"customer"})[0]

    def compute(ctx, scope):
        run("SELECT pg_sleep(0.5)")
        return {}

    monkeypatch.setitem(registry._signals, definition.name, dataclasses.replace(definition, compute=compute))
    assert run_scan(NOW).status == ScanStatus.DONE


def test_it_logs_each_statement_of_a_scan_with_what_it_computes_when_the_threshold_is_zero(
    ordering_account, settings, frozen, caplog,
):
    settings.AFTERSALE = {**settings.AFTERSALE, "SLOW_STATEMENT_SECONDS": 0}
    caplog.set_level(logging.WARNING, logger="aftersale.statements")
    run_scan(NOW)
    lines = [r.getMessage() for r in caplog.records if r.name == "aftersale.statements"]
    kinds = {line.removeprefix("slow statement: ").split(" took ")[0] for line in lines}
    assert {"the rhythm and quietness fits", "the snapshots", "the domain alerts"} <= kinds
    assert any(kind.startswith("the signal ") for kind in kinds)
    assert all(re.search(r" took \d+\.\d{3} s( \(executemany\))?: \S", line) for line in lines)


def test_it_logs_nothing_of_a_scan_under_the_default_threshold(ordering_account, frozen, caplog):
    caplog.set_level(logging.WARNING, logger="aftersale.statements")
    run_scan(NOW)
    assert not [r for r in caplog.records if r.name == "aftersale.statements"]


def test_it_shows_why_a_part_failed_in_the_admin(client, admin_user, ordering_account, frozen):
    run = start_scan(NOW)
    ScanPart.objects.filter(run=run).update(error="The statement computing the snapshots ran longer")
    client.force_login(admin_user)
    page = client.get(reverse("admin:health_scanrun_change", args=[run.pk]))
    assert page.status_code == 200
    assert "The statement computing the snapshots ran longer" in page.content.decode()
