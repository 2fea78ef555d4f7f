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


def at(day: date) -> datetime:
    """Ten in the morning, Hanoi time, on ``day`` (03:00 UTC)."""
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)


@pytest.fixture
def ledger(account, other_account, owner, colleague, manager):
    """A known set of promises, measured as of 30 June 2026 in the tests.

    Sales -> production: kept, late, overdue (open), kept only after 30 June,
    renegotiated only after 30 June. Sales -> service: broken. Marketing ->
    service: open, not yet due (on other_account). Also a supplier's promise
    to us, a cancelled one, and one closed before the 12-month window.
    """
    from aftersale.promises.actions import do_change_status
    from aftersale.promises.models import PromiseStatus

    def close(p, status, when: date, **kw):
        return do_change_status(p, by=colleague, status=status, expected_version=p.version, at=at(when), **kw)

    d = date
    p = {}
    p["kept"] = record(account, owner, colleague, made_at=d(2026, 1, 5), due_at=d(2026, 2, 1))
    close(p["kept"], PromiseStatus.KEPT, d(2026, 1, 30), delivered_at=d(2026, 1, 30), evidence="ok")
    p["late"] = record(account, owner, colleague, made_at=d(2026, 1, 5), due_at=d(2026, 2, 1))
    close(p["late"], PromiseStatus.LATE, d(2026, 2, 10), delivered_at=d(2026, 2, 10), evidence="ok")
    p["broken"] = record(account, owner, manager, made_at=d(2026, 1, 5), due_at=d(2026, 3, 1),
                         delivery_department=Department.SERVICE)
    close(p["broken"], PromiseStatus.BROKEN, d(2026, 3, 5))
    p["overdue"] = record(account, owner, colleague, made_at=d(2026, 3, 1), due_at=d(2026, 4, 1))
    p["open"] = record(other_account, manager, manager, made_at=d(2026, 6, 1), due_at=d(2026, 8, 1),
                       made_by_department=Department.MARKETING, delivery_department=Department.SERVICE)
    p["kept_after"] = record(account, owner, colleague, made_at=d(2026, 5, 1), due_at=d(2026, 6, 15))
    close(p["kept_after"], PromiseStatus.LATE, d(2026, 7, 5), delivered_at=d(2026, 7, 5), evidence="ok")
    p["reneg_after"] = record(account, owner, colleague, made_at=d(2026, 5, 1), due_at=d(2026, 6, 20))
    close(p["reneg_after"], PromiseStatus.RENEGOTIATED, d(2026, 7, 1), new_due_at=d(2026, 8, 1))
    p["supplier"] = record(account, owner, owner, made_at=d(2026, 2, 1), due_at=d(2026, 3, 1),
                           direction=Direction.TO_US, made_by_department=Department.PURCHASING,
                           delivery_department=Department.PURCHASING)
    p["cancelled"] = record(account, owner, colleague, made_at=d(2026, 2, 1), due_at=d(2026, 3, 1))
    close(p["cancelled"], PromiseStatus.CANCELLED, d(2026, 2, 15))
    p["old"] = record(account, owner, colleague, made_at=d(2025, 3, 1), due_at=d(2025, 4, 1))
    close(p["old"], PromiseStatus.KEPT, d(2025, 4, 1), delivered_at=d(2025, 4, 1), evidence="ok")
    return p
