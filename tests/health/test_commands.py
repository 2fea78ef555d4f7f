"""``aftersale scan`` and ``aftersale health``: their JSON, their errors, and health writing nothing."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersale.alerts import registry as alert_registry
from aftersale.alerts.models import AlertKind
from aftersale.health.models import HealthSnapshot
from aftersale.health.signals import registry

from .conftest import day, days_ago, order, promise
from .test_scan import overdue_promises

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_it_gives_scan_json_the_documented_shape(account, other_account, frozen):
    summary = json.loads(run("scan", "--json"))
    assert set(summary) == {"as_of", "accounts", "bands", "alerts", "seconds", "models"}
    assert summary["accounts"] == 2
    assert summary["bands"] == {"healthy": 0, "watch": 2, "at_risk": 0}
    assert summary["models"] == []
    assert summary["as_of"] == "2026-06-15T17:00:00+07:00"


def test_it_reads_scan_as_of_a_date_as_the_end_of_that_day(account, frozen):
    summary = json.loads(run("scan", "--as-of", "2026-05-01", "--json"))
    assert summary["as_of"] == "2026-05-01T23:59:59+07:00"
    assert HealthSnapshot.objects.get().as_of.isoformat() == "2026-05-01"


def test_it_gives_health_json_the_documented_shape_listing_the_conditions_that_hold(account, owner, frozen):
    alert_registry.register(AlertKind.PROMISE_OVERDUE, overdue_promises)
    overdue = promise(account, owner, due=day(5))
    for n in (30, 20, 10):
        order(account, days_ago(n))
    run("scan")
    report = json.loads(run("health", "ACC-1", "--json"))
    assert set(report) == {"account", "as_of", "score", "band", "coverage", "trend", "signals", "alerts"}
    assert report["account"] == "ACC-1"
    customer_signals = [d.name for d in registry.all() if d.applies_to("customer")]
    assert [s["name"] for s in report["signals"]] == customer_signals
    assert set(report["signals"][0]) == {"name", "value", "weight", "contribution", "explanation"}
    assert report["alerts"] == [{
        "kind": "promise_overdue", "opened_at": "2026-06-15T17:00:00+07:00",
        "explanation": f"“Promise {overdue.pk}” was due on 05/20/2026 (12 days ago); Linh Tran (Service) "
                       "must deliver it.",
    }]
    # As of a day before the promise fell due, the condition did not hold.
    earlier = json.loads(run("health", "ACC-1", "--as-of", "2026-06-01", "--json"))
    assert earlier["alerts"] == []


def test_it_writes_nothing_from_health(account, owner, frozen):
    promise(account, owner, due=day(5))
    with CaptureQueriesContext(connection) as queries:
        run("health", "ACC-1", "--as-of", "2026-06-10")
        run("health", "ACC-1", "--json")
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE", "REPLACE"}]
    assert writes == []


def test_it_prints_a_readable_report_from_health(account, frozen):
    out = run("health", "ACC-1")
    assert out.startswith("Công ty Cơ khí Hà Nội (ACC-1), as of 2026-06-15T17:00:00+07:00")
    assert "Score -, watch; coverage 0%; trend: not enough history" in out
    assert "No alert condition holds." in out


def test_it_names_what_is_wrong_with_bad_input(account):
    with pytest.raises(CommandError, match="no account with external ID 'NOPE'"):
        run("health", "NOPE")
    with pytest.raises(CommandError, match=r"--as-of: '2026-13-01' is not a date"):
        run("scan", "--as-of", "2026-13-01")
