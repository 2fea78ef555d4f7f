"""Removing the demo removes all of it, and nothing else."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from aftersale.accounts.models import Account
from aftersale.demo.load import load_demo
from aftersale.demo.models import DemoDataset
from aftersale.demo.purge import DemoInUse, delete_demo, demo_present
from aftersale.promises.models import Promise
from aftersale.staff.models import User

pytestmark = pytest.mark.django_db


def test_it_removes_the_demo_and_keeps_real_data(account, owner):
    real_promise = Promise.objects.create(
        account=account, description="Real", stage="sale", made_at=date(2026, 1, 5), made_by=owner,
        made_by_department="sales", due_at=date(2026, 2, 5), delivery_owner=owner,
        delivery_department="sales",
    )
    assert not demo_present()
    load_demo(accounts=8, seed=1, as_of=date(2026, 2, 2))
    assert demo_present()
    deleted = delete_demo()
    assert deleted["accounts_account"] == 12  # 8 customers and 4 suppliers
    assert not demo_present()
    assert not DemoDataset.objects.exists()
    assert not User.objects.filter(email__endswith="demo.aftersale").exists()
    assert list(Account.objects.all()) == [account]
    assert list(Promise.objects.all()) == [real_promise]
    connection.check_constraints()


def test_it_refuses_when_real_data_points_at_a_demo_login(account):
    load_demo(accounts=8, seed=1, as_of=date(2026, 2, 2))
    demo_user = User.objects.get(email="owner@demo.aftersale")
    Promise.objects.create(
        account=account, description="Made by a demo login", stage="sale", made_at=date(2026, 1, 5),
        made_by=demo_user, made_by_department="sales", due_at=date(2026, 2, 5),
        delivery_owner=demo_user, delivery_department="sales",
    )
    with pytest.raises(DemoInUse, match="promises outside the demo"):
        delete_demo()
