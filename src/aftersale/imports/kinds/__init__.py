"""Every kind of CSV file, in the order a portfolio is imported (references point backwards)."""

from __future__ import annotations

from aftersale.imports.kinds.base import Kind
from aftersale.imports.kinds.commerce import OrdersKind, ProductsKind
from aftersale.imports.kinds.engagement import TouchpointsKind
from aftersale.imports.kinds.people import AccountsKind, ContactsKind, StaffKind
from aftersale.imports.kinds.promises import PromisesKind
from aftersale.imports.kinds.purchasing import InspectionsKind, PurchasesKind, PurchasingEffortKind
from aftersale.imports.kinds.service import AssetsKind, CasesKind

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        StaffKind(), AccountsKind(), ContactsKind(), ProductsKind(), OrdersKind(),
        AssetsKind(), CasesKind(), TouchpointsKind(), PromisesKind(),
        InspectionsKind(), PurchasingEffortKind(), PurchasesKind(),
    )
}
