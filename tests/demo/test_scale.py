"""The bulk path: generated accounts in several chunks, with the indexes rebuilt after the load."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.models import Count

from aftersale.accounts.models import Account
from aftersale.commerce.models import Order
from aftersale.core.progress import ProgressBar
from aftersale.demo import load as load_module
from aftersale.demo.load import EVENT_MODELS, load_demo
from aftersale.engagement.models import Touchpoint
from aftersale.promises.models import Promise

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def index_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        return {row[0] for row in cursor.fetchall()}


def test_it_loads_two_hundred_accounts_through_the_bulk_path(monkeypatch):
    # Small chunks and a low threshold, so a small run takes every branch of the big one.
    monkeypatch.setattr(load_module, "CHUNK_ACCOUNTS", 60)
    monkeypatch.setattr(load_module, "REBUILD_INDEXES_FROM", 100)
    indexes = index_names()
    stream = _Stream()
    result = load_demo(
        accounts=200, seed=3, as_of=date(2026, 1, 12),
        progress=ProgressBar(stream, 193, unit="accounts", counting="events"),
    )
    assert index_names() == indexes
    connection.check_constraints()
    customers = Account.objects.filter(external_id__startswith="DEMO-").customers()
    assert customers.count() == 200
    assert customers.filter(external_id__startswith="DEMO-A-").count() == 193
    per_account = result.dataset.events / 200
    assert 60 < per_account < 160
    assert result.dataset.events == sum(m.objects.count() for m in EVENT_MODELS)
    # Skewed: the busiest accounts have several times the median's events.
    orders = sorted(
        Order.objects.filter(account__in=customers).values("account").annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    assert orders[-1] > 4 * orders[len(orders) // 2]
    assert Touchpoint.objects.filter(participants__isnull=True).count() == 0
    assert Promise.objects.filter(events__isnull=True).count() == 0
    assert "193/193 accounts" in stream.text


class _Stream:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False
