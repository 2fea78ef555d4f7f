"""CSV kinds for the buyer's-side records: incoming inspections, purchasing effort, purchases.

They follow the conventions of every other kind (see docs/import-export.md): one
file is one transaction, rows are keyed by ``external_id``, ``account`` holds the
supplier's external_id, and export writes the columns the import reads. The
account must be of kind supplier: a customer's key is reported, never written.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersale.accounts.models import Account
from aftersale.imports import parsing as p
from aftersale.imports.kinds.base import Column, Kind, Report, Resolver, Row
from aftersale.imports.kinds.people import EXTERNAL_ID
from aftersale.purchasing.models import IncomingInspection, Purchase, PurchasingEffort

LOTS = p.integer(0, 10_000_000)
MONEY = p.decimal(18, 2)
SUPPLIER = Column("account", p.text(100), field="account_id", ref="account", export="account__external_id")


def suppliers() -> Resolver:
    """external_id -> (pk, currency), suppliers only."""
    return Resolver(
        queryset=Account.objects.suppliers, key="external_id", extra=("currency",),
        missing=gettext_lazy(
            "There is no supplier with this external_id (import it with the accounts, kind supplier)."
        ),
    )


class SupplierKind(Kind):
    """Rows that belong to a supplier (the ``account`` column)."""
    account_field = "account_id"

    # Money on these rows is in the supplier's currency (set on creation; not a column).
    in_supplier_currency = False

    def resolvers(self) -> dict[str, Resolver]:
        return {"account": suppliers()}

    def on_create(self, row: Row) -> None:
        if self.in_supplier_currency:
            row.fields["currency"] = row.refs["account"][1]


class InspectionsKind(SupplierKind):
    name = "inspections"
    label = gettext_lazy("Incoming inspections")
    model = IncomingInspection
    columns = (
        EXTERNAL_ID, SUPPLIER,
        Column("received_on", p.date_value, field="received_on"),
        Column("lots_received", LOTS, field="lots_received"),
        Column("lots_inspected", LOTS, field="lots_inspected", required=False, empty_ok=False),
        Column("lots_rejected", LOTS, field="lots_rejected", required=False, empty_ok=False),
    )

    def check(self, row: Row, merged: dict[str, Any], report: Report) -> None:
        received = merged["lots_received"]
        inspected = merged.get("lots_inspected") or 0
        if inspected > received:
            report("lots_inspected", _("More lots inspected (%(inspected)d) than received (%(received)d).")
                   % {"inspected": inspected, "received": received})
        if (merged.get("lots_rejected") or 0) > inspected:
            report("lots_rejected", _("More lots rejected than inspected (%(inspected)d).")
                   % {"inspected": inspected})


class PurchasingEffortKind(SupplierKind):
    """Effort over a period; the purchase value is in the supplier's currency."""

    name = "purchasing_effort"
    label = gettext_lazy("Purchasing effort")
    model = PurchasingEffort
    in_supplier_currency = True
    columns = (
        EXTERNAL_ID, SUPPLIER,
        Column("period_start", p.date_value, field="period_start"),
        Column("period_end", p.date_value, field="period_end"),
        Column("staff_hours", p.decimal(9, 1), field="staff_hours"),
        Column("purchase_value", MONEY, field="purchase_value"),
    )

    def check(self, row: Row, merged: dict[str, Any], report: Report) -> None:
        if merged["period_end"] < merged["period_start"]:
            report("period_end", _("The period ends before it starts (%(start)s).")
                   % {"start": p.to_cell(merged["period_start"])})
        if not merged["staff_hours"]:
            report("staff_hours", _("Purchasing staff hours must be more than zero."))


class PurchasesKind(SupplierKind):
    """Orders we placed with suppliers; the value is in the supplier's currency."""

    name = "purchases"
    label = gettext_lazy("Purchases")
    model = Purchase
    in_supplier_currency = True
    columns = (
        EXTERNAL_ID, SUPPLIER,
        Column("ordered_on", p.date_value, field="ordered_on"),
        Column("value", MONEY, field="value"),
        Column("reference", p.text(100), field="reference", required=False, empty_ok=True),
        Column("competing_bids", p.integer(0, 1000), field="competing_bids", required=False, empty_ok=False),
        Column("requotes", p.integer(0, 1000), field="requotes", required=False, empty_ok=False),
    )

