"""Service fixtures: a lathe installed at ``account`` and a pump at ``other_account``."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from aftersale.commerce.models import Product, ProductKind
from aftersale.service.models import Asset, MaintenancePlan

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, m, d, hh=0, mm=0) -> datetime:
    """A moment in Ho Chi Minh City (the default TIME_ZONE)."""
    return datetime(y, m, d, hh, mm, tzinfo=HCM)


@pytest.fixture
def lathe(db) -> Product:
    return Product.objects.create(external_id="P-LATHE", name="CNC lathe", kind=ProductKind.EQUIPMENT)


@pytest.fixture
def asset(account, lathe) -> Asset:
    return Asset.objects.create(
        external_id="A-1", account=account, product=lathe, serial="SN-100", location="Hall 2",
        installed_at=date(2025, 6, 1), warranty_until=date(2026, 6, 1),
    )


@pytest.fixture
def other_asset(other_account, lathe) -> Asset:
    return Asset.objects.create(
        external_id="A-2", account=other_account, product=lathe, serial="SN-200",
        installed_at=date(2025, 6, 1),
    )


@pytest.fixture
def plan(asset) -> MaintenancePlan:
    return MaintenancePlan.objects.create(asset=asset, name="Quarterly service", interval_days=90,
                                          last_done_at=date(2025, 12, 1), next_due_at=date(2026, 3, 1))
