"""Issue 7's "done when": after the demo and a scan, the customer that kept ordering but raised
nothing for a year is flagged quiet with a step-in action, and is not banded healthy."""

from __future__ import annotations

import pytest

from aftersale.accounts.models import Account
from aftersale.alerts.models import Alert, AlertKind
from aftersale.core.asof import end_of_day
from aftersale.health.models import Band
from aftersale.health.scan import run_scan
from tests.demo.conftest import AS_OF

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_it_flags_the_quiet_customer_with_a_step_in_and_does_not_band_it_healthy(demo):
    run_scan(end_of_day(AS_OF))
    quiet = Account.objects.get(external_id="DEMO-QUIET")
    alert = Alert.objects.open().get(account=quiet, kind=AlertKind.QUIET_CUSTOMER)
    assert alert.explanation.startswith("Raised 0 requests and complaints in the last 365 days")
    assert alert.action.startswith("Step in: the owner visits with a service engineer, checks the 2 machines")
    assert alert.needs_step_in
    snapshot = quiet.health_snapshots.get(as_of=AS_OF)
    assert snapshot.band != Band.HEALTHY
    assert snapshot.signals["quietness"][0] < 0.1
    # The trusted partner asks for little too, but not improbably little: it is not flagged.
    trusted = Account.objects.get(external_id="DEMO-TRUSTED")
    assert not Alert.objects.filter(account=trusted, kind=AlertKind.QUIET_CUSTOMER).exists()
