"""Health beside money: the snapshot lookup, against a table shaped like the engine's.

The health engine is another app, looked up through the app registry; a stand-in model with
the fields the page relies on (account, as_of, score, band) is created for the test.
"""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.apps import apps
from django.db import connection, models

from aftersale.accounts.models import Account
from aftersale.commerce.health import health_by_account


class HealthSnapshot(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE)
    as_of = models.DateField()
    score = models.DecimalField(max_digits=5, decimal_places=1)
    band = models.CharField(max_length=10)

    class Meta:
        app_label = "health_standin"

    def __str__(self) -> str:
        return f"{self.account_id} {self.as_of} {self.band}"


def _health_only(real):
    def get_model(app_label, model_name=None, require_ready=True):
        label = app_label if model_name is None else f"{app_label}.{model_name}"
        if label.lower().startswith("health."):
            return HealthSnapshot
        return real(app_label, model_name, require_ready=require_ready)

    return get_model


@pytest.fixture
def snapshots(transactional_db):
    with connection.schema_editor() as editor:
        editor.create_model(HealthSnapshot)
    with (mock.patch.object(apps, "is_installed", return_value=True),
          # Only the health lookup is faked: other apps (the audit trail) still find their models.
          mock.patch.object(apps, "get_model", side_effect=_health_only(apps.get_model))):
        yield HealthSnapshot
    with connection.schema_editor() as editor:
        editor.delete_model(HealthSnapshot)


def test_it_reads_each_account_s_latest_snapshot_up_to_the_as_of_date(
        snapshots, account, other_account, django_assert_num_queries):
    snapshots.objects.create(account=account, as_of=date(2026, 5, 1), score=Decimal(80), band="healthy")
    snapshots.objects.create(account=account, as_of=date(2026, 6, 1), score=Decimal(35), band="at_risk")
    snapshots.objects.create(account=account, as_of=date(2026, 7, 1), score=Decimal(90), band="healthy")
    snapshots.objects.create(account=other_account, as_of=date(2026, 4, 1), score=Decimal(60),
                             band="watch")
    with django_assert_num_queries(1):
        health = health_by_account(date(2026, 6, 30))
    assert health == {account.pk: (Decimal(35), "at_risk"), other_account.pk: (Decimal(60), "watch")}


def test_it_shows_no_health_without_the_engine():
    with mock.patch.object(apps, "is_installed", return_value=False):
        assert health_by_account(date(2026, 6, 30)) is None
