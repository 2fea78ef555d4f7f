"""Issue 7's "done when", under issue 19's control of false alarms: after the demo and a scan, the
customer that kept ordering but raised nothing for a year is the most improbably quiet account,
and is flagged (step-in alert, not banded healthy) when the false-discovery rule allows."""

from __future__ import annotations

import pytest

from aftersale.accounts.models import Account
from aftersale.alerts.models import Alert, AlertKind
from aftersale.core.asof import end_of_day
from aftersale.health.models import Band, HealthSnapshot
from aftersale.health.scan import run_scan
from tests.demo.conftest import AS_OF

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_it_finds_the_quiet_customer_most_improbable_and_flags_it_by_the_false_discovery_rule(demo):
    """The quiet customer raised nothing for a year: of the whole demo it is the least probable by
    chance. Whether that is flagged is Benjamini-Hochberg's call at QUIET_FDR over the accounts
    tested (docs/silence-models.md, section 5); when flagged it gets a step-in alert and is not
    banded healthy. The trusted partner asks for little too, but not improbably little."""
    run = run_scan(end_of_day(AS_OF))
    fit = next(m for m in run.rhythm_models if m["stream"] == "quietness")
    quiet = Account.objects.get(external_id="DEMO-QUIET")
    snapshots = {s.account_id: s for s in HealthSnapshot.objects.filter(as_of=AS_OF)}
    values = {a: s.signals["quietness"][0] for a, s in snapshots.items()
              if s.signals.get("quietness", [None])[0] is not None}
    assert min(values, key=values.get) == quiet.pk
    assert values[quiet.pk] < 0.1
    flagged = fit["p_cutoff"] is not None and values[quiet.pk] / 2 <= fit["p_cutoff"]
    alerts = Alert.objects.open().filter(account=quiet, kind=AlertKind.QUIET_CUSTOMER)
    assert alerts.exists() == flagged
    if flagged:
        alert = alerts.get()
        assert alert.explanation.startswith("Raised 0 requests and complaints in the last 365 days")
        assert alert.action.startswith("Step in: the owner visits with a service engineer, checks the 2 "
                                       "machines")
        assert snapshots[quiet.pk].band != Band.HEALTHY
    trusted = Account.objects.get(external_id="DEMO-TRUSTED")
    assert not Alert.objects.filter(account=trusted, kind=AlertKind.QUIET_CUSTOMER).exists()
    assert fit["expected_false_alarms"] == round(fit["fdr"] * fit["flagged"], 2)
