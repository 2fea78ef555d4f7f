"""``aftersale demo``: load once, never duplicate, print the logins, serve unless told not to."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aftersale.accounts.models import Account
from aftersale.commerce.models import Order
from aftersale.demo.catalogue import DEMO_PASSWORD
from aftersale.demo.management.commands import demo as demo_command
from aftersale.demo.management.commands.demo import history_dates
from aftersale.demo.models import DemoDataset
from aftersale.health.models import HealthSnapshot, ScanRun
from aftersale.staff.models import User

pytestmark = pytest.mark.django_db
AS_OF = "2026-05-04"


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", "--no-scan", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_loads_and_prints_the_logins():
    output = run("--as-of", AS_OF)
    assert Account.objects.filter(external_id__startswith="DEMO-").customers().count() == 40
    assert f"password for all: {DEMO_PASSWORD}" in output
    for login in ("admin@demo.aftersale", "manager@demo.aftersale", "owner@demo.aftersale",
                  "lan.nguyen@cokhidonga.demo.aftersale"):
        assert login in output
    assert "DEMO-QUIET" in output


def test_it_serves_the_loaded_demo_on_a_rerun_without_duplicating_it():
    run("--as-of", AS_OF)
    counts = (Account.objects.count(), Order.objects.count(), User.objects.count())
    output = run()
    assert "already loaded" in output
    assert (Account.objects.count(), Order.objects.count(), User.objects.count()) == counts
    # The same explicit parameters are the same demo, not a conflict.
    run("--as-of", AS_OF, "--accounts", "40")
    assert DemoDataset.objects.count() == 1


def test_it_needs_replace_for_other_parameters():
    run("--as-of", AS_OF)
    with pytest.raises(CommandError, match="--replace"):
        run("--as-of", AS_OF, "--seed", "99")
    output = run("--as-of", AS_OF, "--seed", "99", "--replace")
    assert "Removed the previous demo" in output
    assert DemoDataset.objects.get().seed == 99
    assert Account.objects.filter(external_id="DEMO-QUIET").count() == 1
    assert User.objects.filter(email="admin@demo.aftersale").count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--accounts", "3"), "at least 7"),
        (("--as-of", "15/06/2026"), "is not a date"),
        (("--seed", "-1"), "zero or positive"),
    ],
)
def test_it_rejects_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not DemoDataset.objects.exists()


def test_it_serves_on_the_port_without_the_autoreloader(monkeypatch):
    calls = []
    monkeypatch.setattr(demo_command, "call_command", lambda *a, **k: calls.append((a, k)))
    monkeypatch.setenv("PORT", "8123")
    call_command("demo", "--as-of", AS_OF, "--no-scan", stdout=StringIO(), stderr=StringIO())
    assert calls == [(("runserver", "127.0.0.1:8123"), {"use_reloader": False})]


def test_it_rejects_a_bad_port(monkeypatch):
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(CommandError, match="PORT"):
        call_command("demo", "--as-of", AS_OF, stdout=StringIO())


def test_it_scores_the_new_portfolio_when_the_health_engine_is_installed(monkeypatch):
    from django.core.management.base import BaseCommand

    class FakeScan(BaseCommand):
        def add_arguments(self, parser):
            parser.add_argument("--as-of", dest="as_of")

    calls = []
    monkeypatch.setattr(demo_command.apps, "is_installed", lambda name: name == "aftersale.health")
    monkeypatch.setattr(demo_command, "get_commands", lambda: {"scan": "aftersale.health"})
    monkeypatch.setattr(demo_command, "load_command_class", lambda app, name: FakeScan())
    monkeypatch.setattr(demo_command, "call_command", lambda *a, **k: calls.append(a))
    call_command("demo", "--no-serve", "--no-history", "--as-of", AS_OF, stdout=StringIO(),
                 stderr=StringIO())
    assert calls == [("scan", "--as-of", AS_OF)]
    # A second run finds the demo loaded and does not score it again.
    call_command("demo", "--no-serve", stdout=StringIO(), stderr=StringIO())
    assert len(calls) == 1
    # By default a small demo is scored every week for thirteen months, oldest first.
    call_command("demo", "--no-serve", "--replace", "--as-of", AS_OF, stdout=StringIO(), stderr=StringIO())
    weekly = [date.fromisoformat(a[2]) for a in calls[1:]]
    assert weekly[-1] == date.fromisoformat(AS_OF)
    assert weekly == sorted(weekly)
    assert {later - earlier for earlier, later in itertools.pairwise(weekly)} == {timedelta(days=7)}
    assert weekly[-1] - weekly[0] >= timedelta(days=396)


def test_it_scores_thirteen_months_of_weeks_through_the_ordinary_scan():
    call_command("demo", "--no-serve", "--accounts", "7", "--as-of", AS_OF, stdout=StringIO(),
                 stderr=StringIO())
    days = sorted(ScanRun.objects.values_list("as_of_date", flat=True))
    assert days[-1] == date.fromisoformat(AS_OF) and days == history_dates(days[-1])
    # Each week's scores are those the data of that week gives: bands over time and trends.
    quiet = Account.objects.get(external_id="DEMO-QUIET")
    snapshots = HealthSnapshot.objects.filter(account=quiet).order_by("as_of")
    assert [s.as_of for s in snapshots] == days
    assert len({s.score for s in snapshots}) > 5
    faded = HealthSnapshot.objects.filter(account__external_id="DEMO-FADED").order_by("as_of")
    assert faded.first().score > faded.last().score
