"""CSV import of the buyer's-side records: all or nothing, keyed by external_id, suppliers only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from aftersale.purchasing.models import IncomingInspection, Purchase, PurchasingEffort
from tests.imports.conftest import export_text, messages, run_import

pytestmark = pytest.mark.django_db

INSPECTIONS = (
    "external_id,account,received_on,lots_received,lots_inspected,lots_rejected\n"
    "INS-1,SUP-1,2026-03-01,10,4,1\n"
    "INS-2,SUP-1,2026-04-01,8,0,0\n"
)


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def test_it_imports_inspections_and_updates_them_by_external_id(supplier):
    result = run_import("inspections", INSPECTIONS)
    assert result.ok, messages(result)
    assert IncomingInspection.objects.filter(account=supplier).count() == 2
    changed = INSPECTIONS.replace("INS-2,SUP-1,2026-04-01,8,0,0", "INS-2,SUP-1,2026-04-01,8,2,0")
    again = run_import("inspections", changed)
    assert again.ok, messages(again)
    assert IncomingInspection.objects.count() == 2
    assert IncomingInspection.objects.get(external_id="INS-2").lots_inspected == 2


def test_it_writes_nothing_when_one_row_is_wrong(supplier, account):
    text = INSPECTIONS + "INS-3,SUP-1,2026-05-01,3,5,0\nINS-4,ACC-1,2026-05-01,3,1,0\n"
    result = run_import("inspections", text)
    assert not result.ok
    problems = messages(result)
    assert any("lots_inspected" in m and "More lots inspected (5) than received (3)" in m for m in problems)
    # A customer is not a supplier: its key is reported like an unknown one.
    assert any("ACC-1" in m and "no supplier with this external_id" in m for m in problems)
    assert not IncomingInspection.objects.exists()


def test_it_imports_effort_and_purchases_in_the_suppliers_currency(supplier):
    effort = run_import(
        "purchasing_effort",
        "external_id,account,period_start,period_end,staff_hours,purchase_value\n"
        "EFF-1,SUP-1,2026-01-01,2026-03-31,120.5,900000000\n",
    )
    assert effort.ok, messages(effort)
    row = PurchasingEffort.objects.get()
    assert (row.staff_hours, row.purchase_value, row.currency) == (Decimal("120.5"), Decimal(900_000_000),
                                                                   supplier.currency)
    purchases = run_import(
        "purchases",
        "external_id,account,ordered_on,value,reference,competing_bids,requotes\n"
        "PUR-1,SUP-1,2026-02-01,1000,PO-7,2,1\nPUR-2,SUP-1,2026-02-03,500,,0,0\n",
    )
    assert purchases.ok, messages(purchases)
    assert [(p.reference, p.competing_bids, p.requotes) for p in Purchase.objects.order_by("ordered_on")] == [
        ("PO-7", 2, 1), ("", 0, 0)]
    assert Purchase.objects.get(external_id="PUR-1").ordered_on == date(2026, 2, 1)


def test_it_refuses_a_period_that_ends_before_it_starts(supplier):
    result = run_import(
        "purchasing_effort",
        "external_id,account,period_start,period_end,staff_hours,purchase_value\n"
        "EFF-1,SUP-1,2026-03-01,2026-01-31,10,1000\nEFF-2,SUP-1,2026-01-01,2026-01-31,0,1000\n",
    )
    problems = messages(result)
    assert any("period_end" in m and "ends before it starts" in m for m in problems)
    assert any("staff_hours" in m for m in problems)
    assert not PurchasingEffort.objects.exists()


def test_it_exports_what_it_imports(supplier):
    assert run_import("inspections", INSPECTIONS).ok
    assert export_text("inspections").replace("\r\n", "\n") == INSPECTIONS
