"""Suppliers for the purchasing tests: ``supplier`` (owned by ``owner``) and a second one."""

from __future__ import annotations

import pytest

from aftersale.accounts.models import Account, AccountKind, Industry, Tier


@pytest.fixture
def supplier(owner) -> Account:
    return Account.objects.create(
        external_id="SUP-1", name="Thủy lực Việt Nhật", kind=AccountKind.SUPPLIER,
        industry=Industry.OTHER, tier=Tier.KEY, owner=owner,
    )


@pytest.fixture
def other_supplier(colleague) -> Account:
    return Account.objects.create(
        external_id="SUP-2", name="Pacific Steel", kind=AccountKind.SUPPLIER,
        industry=Industry.OTHER, tier=Tier.KEY, owner=colleague,
    )
