"""Helpers for promise tests: a promise factory that goes through the real actions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from aftersale.core.enums import Department, Direction
from aftersale.promises.actions import do_record_promise
from aftersale.promises.models import Promise, Stage

# Recording moments are fixed, so nothing depends on the day the tests run.
RECORDED_AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def record(
    account, made_by, delivery_owner, *, made_at: date = date(2026, 1, 5),
    due_at: date = date(2026, 2, 1), made_by_department: str = Department.SALES,
    delivery_department: str = Department.PRODUCTION, direction: str = Direction.FROM_US,
    description: str = "Install the press line", at: datetime | None = None, contact=None,
) -> Promise:
    return do_record_promise(
        account=account, by=made_by, description=description, stage=Stage.SALE, made_at=made_at,
        made_by=made_by, made_by_department=made_by_department, due_at=due_at,
        delivery_owner=delivery_owner, delivery_department=delivery_department,
        direction=direction, contact=contact,
        at=at or datetime.combine(made_at, datetime.min.time(), tzinfo=UTC).replace(hour=9),
    )


@pytest.fixture
def promise(account, owner, colleague) -> Promise:
    """Sales (owner) promised the account an installation by 1 Feb 2026; production delivers."""
    return record(account, owner, colleague)
