"""The installed base (assets) and service cases."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersale.imports import parsing as p
from aftersale.imports.kinds import refs
from aftersale.imports.kinds.base import Column, Kind, Report, Resolver, Row
from aftersale.imports.kinds.people import EXTERNAL_ID
from aftersale.imports.parsing import to_cell
from aftersale.service.models import Asset, CaseKind, CaseStatus, ServiceCase, Severity


class AssetsKind(Kind):
    name = "assets"
    label = gettext_lazy("Assets")
    model = Asset
    account_field = "account_id"
    columns = (
        EXTERNAL_ID,
        Column("account", p.text(100), field="account_id", ref="account",
               export="account__external_id"),
        Column("product", p.text(100), field="product_id", ref="product",
               export="product__external_id"),
        Column("serial", p.text(100), field="serial"),
        # Assets recorded in the UI may lack an install date; they must round-trip.
        Column("installed_at", p.date_value, field="installed_at", empty_ok=True),
        Column("warranty_until", p.date_value, field="warranty_until", required=False),
    )

    def resolvers(self) -> dict[str, Resolver]:
        return {"account": refs.accounts(), "product": refs.products()}

    def check(self, row: Row, merged: dict[str, Any], report: Report) -> None:
        installed, warranty = merged["installed_at"], merged["warranty_until"]
        if installed and warranty and warranty < installed:
            report("warranty_until", _("The warranty cannot end before the asset was installed (%(day)s).")
                   % {"day": to_cell(installed)})

    def check_chunk(self, rows: Sequence[Row], reporter: Callable[[Row], Report]) -> None:
        """One serial per product: within the file and against the assets already stored."""
        owners: dict[tuple[int, str], str] = {}
        products = {r.fields["product_id"] for r in rows}
        serials = {r.fields["serial"] for r in rows}
        if rows:
            # A superset (any of these products with any of these serials), narrowed below.
            stored = Asset.objects.filter(product_id__in=products, serial__in=serials)
            for product, serial, key in stored.values_list("product_id", "serial", "external_id"):
                owners[(product, serial)] = key
        for row in rows:
            product, serial = row.fields["product_id"], row.fields["serial"]
            holder = owners.setdefault((product, serial), row.key)
            if holder != row.key:
                reporter(row)(
                    "serial",
                    _("Asset %(other)s of the same product already has this serial number.")
                    % {"other": holder},
                )


def case_status(existing: dict[str, Any] | None, responded: bool, resolved: bool) -> str:
    """The status the imported dates imply, keeping a finer status the case already has."""
    current = existing["status"] if existing else ""
    if resolved:
        return current if current in (CaseStatus.RESOLVED, CaseStatus.CLOSED) else CaseStatus.RESOLVED
    if current in CaseStatus.open():
        return CaseStatus.IN_PROGRESS if current == CaseStatus.NEW and responded else current
    return CaseStatus.IN_PROGRESS if responded else CaseStatus.NEW


class CasesKind(Kind):
    name = "cases"
    label = gettext_lazy("Service cases")
    model = ServiceCase
    account_field = "account_id"
    columns = (
        EXTERNAL_ID,
        Column("account", p.text(100), field="account_id", ref="account",
               export="account__external_id"),
        Column("opened_at", p.datetime_value, field="opened_at"),
        Column("kind", p.choice(CaseKind.values), field="kind"),
        Column("is_complaint", p.boolean, field="is_complaint", required=False),
        Column("severity", p.choice(Severity.values), field="severity", required=False),
        Column("asset", p.text(100), field="asset_id", ref="asset", required=False,
               export="asset__external_id"),
        Column("first_response_at", p.datetime_value, field="first_response_at", required=False),
        Column("resolved_at", p.datetime_value, field="resolved_at", required=False),
    )
    stored_extra = ("status", "closed_at")

    def resolvers(self) -> dict[str, Resolver]:
        return {"account": refs.accounts(), "asset": refs.assets()}

    def check(self, row: Row, merged: dict[str, Any], report: Report) -> None:
        opened = merged["opened_at"]
        for column in ("first_response_at", "resolved_at"):
            moment = merged[column]
            if moment is not None and moment < opened:
                report(column, _("This is before the case was opened (%(opened)s).")
                       % {"opened": to_cell(opened)})
        if merged["closed_at"] is not None and merged["closed_at"] < opened:
            report("opened_at", _("The case was closed before this (%(closed)s).")
                   % {"closed": to_cell(merged["closed_at"])})
        asset = row.refs.get("asset")
        if asset is not None and asset[1] != merged["account_id"]:
            report("asset", _("This asset belongs to another account."))

    def derive(self, merged: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
        responded = merged["first_response_at"] is not None
        return {"status": case_status(existing, responded, merged["resolved_at"] is not None)}

    def on_create(self, row: Row) -> None:
        # Files carry no title; the kind and key identify the case until someone names it.
        kind = CaseKind(row.fields["kind"]).label
        row.fields["title"] = f"{kind} {row.key}"[:200]
