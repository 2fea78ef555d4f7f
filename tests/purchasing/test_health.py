"""Supplier health through the same engine: supplier signals, explained, and the squeeze alert."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from aftersale.alerts.models import Alert, AlertKind
from aftersale.core.enums import Direction
from aftersale.engagement.models import IdeaStatus, Topic
from aftersale.health.evaluate import evaluate, make_context
from aftersale.health.scan import refresh_account
from aftersale.health.signals import registry
from aftersale.health.signals.supplier_alerts import squeezed
from aftersale.promises.models import PromiseStatus
from aftersale.purchasing.models import IncomingInspection, Purchase
from tests.purchasing.conftest import NOW, idea, promise, touch

SUPPLIER_SIGNALS = {
    "supplier_inspection", "supplier_quality", "supplier_price_pressure", "supplier_purchasing_cost",
    "supplier_ideas", "supplier_promises",
}
CUSTOMER_ONLY = {"order_rhythm", "portal_share", "service_targets", "open_cases", "maintenance"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def health_of(*accounts):
    ctx = make_context(NOW, fits={})
    return evaluate(ctx, [a.pk for a in accounts])


def test_it_scores_suppliers_with_supplier_signals_and_customers_without(story, account, owner):
    promise(account, owner, date(2026, 3, 1), Direction.FROM_US, PromiseStatus.KEPT, date(2026, 2, 28))
    results = health_of(story, account)
    supplier, customer = results[story.pk], results[account.pk]
    assert set(supplier.values) >= SUPPLIER_SIGNALS
    assert not CUSTOMER_ONLY & set(supplier.values)  # a supplier places no orders with us
    assert not SUPPLIER_SIGNALS & set(customer.values)
    assert set(customer.values) >= CUSTOMER_ONLY
    # The customer's coverage is over customer signals only: supplier signals cost it nothing.
    customer_weight = sum(d.default_weight for d in registry.all() if d.applies_to("customer"))
    assert sum(customer.weights.values()) == customer_weight


def test_it_explains_each_supplier_signal(story):
    health = health_of(story)[story.pk]
    rows = {row["name"]: row for row in health.signal_rows(24)}
    assert rows["supplier_inspection"]["explanation"].startswith(
        "We inspected 24 of 30 lots received in the last 24 months"
    )
    assert rows["supplier_quality"]["explanation"].startswith("We rejected 1 of 24 lots inspected")
    pressure = rows["supplier_price_pressure"]["explanation"]
    assert "competing bids and re-quotes per order over 3 orders" in pressure
    assert rows["supplier_purchasing_cost"]["explanation"].startswith(
        "Buying from this supplier took 0.20 purchasing hours per million VND bought, 1.0 times"
    )
    assert rows["supplier_ideas"]["explanation"] == (
        "The supplier offered us 2 ideas in the last 24 months, 1 adopted; "
        "2 in the last six months, 0 in the six before."
    )
    assert rows["supplier_promises"]["explanation"] == (
        "Promises the supplier made to us: 1 of 2 promises due in the last 24 months kept on time; "
        "1 broken."
    )


def test_it_never_counts_our_promises_as_the_suppliers_or_the_reverse(story):
    values = health_of(story)[story.pk].values
    # Two promises to us are due (one kept, one broken); our one promise to them was kept.
    assert (values["supplier_promises"].facts["due"], values["supplier_promises"].facts["kept"]) == (2, 1)
    assert (values["promises"].facts["due"], values["promises"].facts["kept"]) == (1, 1)


def test_it_scores_a_supplier_that_stopped_offering_ideas_zero(other_supplier):
    with time_machine.travel(NOW, tick=False):
        Purchase.objects.create(account=other_supplier, ordered_on=date(2026, 5, 1), value=Decimal(1))
    values = health_of(other_supplier)[other_supplier.pk].values
    assert values["supplier_ideas"].value == 0
    assert values["supplier_ideas"].facts["received"] == 0


def test_it_rates_the_purchasing_cost_against_the_leanest_supplier(story, other_supplier):
    results = health_of(story, other_supplier)
    assert results[story.pk].values["supplier_purchasing_cost"].value == 1.0
    # Ten times the leanest supplier's hours per unit bought: beyond the limit, zero.
    assert results[other_supplier.pk].values["supplier_purchasing_cost"].value == 0.0
    # One supplier's refresh agrees with the scan of all.
    alone = health_of(other_supplier)[other_supplier.pk].values["supplier_purchasing_cost"]
    assert alone.value == 0.0 and alone.facts["ratio"] == 10.0


def test_it_lowers_the_score_as_inspection_and_rejections_rise(supplier):
    with time_machine.travel(NOW, tick=False):
        IncomingInspection.objects.create(account=supplier, received_on=date(2026, 6, 1), lots_received=10,
                                          lots_inspected=2)
    before = health_of(supplier)[supplier.pk].values
    with time_machine.travel(NOW, tick=False):
        IncomingInspection.objects.create(account=supplier, received_on=date(2026, 6, 20), lots_received=10,
                                          lots_inspected=10, lots_rejected=2)
    after = health_of(supplier)[supplier.pk].values
    assert after["supplier_inspection"].value < before["supplier_inspection"].value
    assert after["supplier_quality"].value < before["supplier_quality"].value == 1.0


def squeeze(supplier, owner) -> None:
    """Ideas came in the half-year before last and stopped; re-quotes rose meanwhile."""
    with time_machine.travel(NOW, tick=False):
        for n in range(3):
            idea(supplier, date(2025, 9, 1) + timedelta(days=20 * n), Direction.TO_US, title=f"Idea {n}")
            Purchase.objects.create(account=supplier, ordered_on=date(2025, 9, 1) + timedelta(days=20 * n),
                                    value=Decimal(1), requotes=0)
            Purchase.objects.create(account=supplier, ordered_on=date(2026, 4, 1) + timedelta(days=20 * n),
                                    value=Decimal(1), requotes=2, competing_bids=1)
        touch(supplier, date(2026, 5, 1), Topic.PRICE, 90)


def test_it_alerts_when_ideas_dry_up_while_price_pressure_rises(supplier, owner):
    squeeze(supplier, owner)
    with time_machine.travel(NOW, tick=False):
        refresh_account(supplier.pk, NOW)
    alert = Alert.objects.get(account=supplier, kind=AlertKind.SUPPLIER_SQUEEZED)
    assert alert.resolved_at is None and alert.owner == owner
    assert alert.explanation == (
        "Ideas from this supplier dried up (0 in the last six months against 3 in the six before) "
        "while our price pressure rose (3.0 competing bids and re-quotes per order, up from 0.0)."
    )


def test_it_raises_no_squeeze_alert_for_a_supplier_still_sending_ideas(supplier, owner):
    squeeze(supplier, owner)
    with time_machine.travel(NOW, tick=False):
        for n in range(2):
            idea(supplier, date(2026, 5, 1) + timedelta(days=n), Direction.TO_US, IdeaStatus.ADOPTED,
                 date(2026, 6, 1), title=f"Fresh {n}")
        refresh_account(supplier.pk, NOW)
    assert not Alert.objects.filter(kind=AlertKind.SUPPLIER_SQUEEZED).exists()


@pytest.mark.parametrize(("ideas", "pressure", "expected"), [
    ({"recent": 0, "earlier": 3}, {"recent": 2.0, "earlier": 1.0}, True),
    ({"recent": 2, "earlier": 3}, {"recent": 2.0, "earlier": 1.0}, False),  # still coming
    ({"recent": 0, "earlier": 1}, {"recent": 2.0, "earlier": 1.0}, False),  # never many
    ({"recent": 0, "earlier": 3}, {"recent": 1.2, "earlier": 1.0}, False),  # pressure flat
    ({"recent": 0, "earlier": 3}, {"recent": 2.0, "earlier": None}, False),  # nothing to compare
])
def test_it_calls_a_supplier_squeezed_only_when_both_moved(ideas, pressure, expected):
    assert squeezed(ideas, pressure) is expected


def test_it_keeps_customers_ideas_and_promises_out_of_supplier_signals(account, supplier, owner):
    """A customer's idea or promise to us (direction to us) is the customer's, never counted
    as a supplier's; a supplier's is never counted among a customer's."""
    with time_machine.travel(NOW, tick=False):
        idea(account, date(2026, 5, 1), Direction.TO_US, title="Customer's idea")
        promise(account, owner, date(2026, 5, 1), Direction.TO_US, PromiseStatus.KEPT, date(2026, 4, 30))
        idea(supplier, date(2026, 5, 1), Direction.TO_US, title="Supplier's idea")
    ctx = make_context(NOW, fits={})
    ideas = registry.get("supplier_ideas").compute(ctx, None)
    assert set(ideas) == {supplier.pk}
    promises = registry.get("supplier_promises").compute(ctx, [account.pk])
    health = evaluate(ctx, [account.pk])[account.pk]
    assert "supplier_promises" not in health.values and "supplier_ideas" not in health.values
    # Our own promises signal reads only what we promised: the customer's promise to us is not ours.
    assert health.values["promises"].value is None
    assert promises.get(account.pk) is not None  # the raw query sees it; the kinds keep it off the score
