"""Time frozen on a Monday morning in Hanoi, after the digest hour, and alert builders."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from aftersale.alerts.actions import raise_alert
from aftersale.alerts.models import Alert, AlertKind
from tests.alerts.examples import EXAMPLES

NOW = datetime(2026, 6, 15, 1, 30, tzinfo=UTC)  # 08:30 in Asia/Ho_Chi_Minh; digests go from 07:00


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def open_alert(account, kind: str = AlertKind.SLA_BREACH, subject: str = "case:1",
               params: dict | None = None, at: datetime = NOW) -> Alert:
    """An alert with realistic facts (``tests.alerts.examples``) unless ``params`` are given."""
    alert = raise_alert(kind=kind, account=account, subject=subject,
                        params=EXAMPLES[kind] if params is None else params, at=at)
    assert alert is not None
    return alert
