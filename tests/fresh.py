"""What the "fresh after every change" tests of each interface share (issue 18).

The account is scanned two hours before ``NOW`` (its alerts open, its score stored);
the change is made at ``NOW`` through an interface, with the on-commit callbacks
run as a real commit would run them; then the alert is closed and the score stored
for the day is the one a fresh evaluation at ``NOW`` gives, without any scan.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from aftersale.accounts.models import Account
from aftersale.alerts.models import Alert
from aftersale.core.enums import Department
from aftersale.health.evaluate import evaluate, make_context
from aftersale.health.models import HealthSnapshot
from aftersale.health.scan import refresh_account
from aftersale.promises.actions import do_record_promise
from aftersale.promises.models import Promise, Stage

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 20, 14, 0, tzinfo=HCM)  # a Friday afternoon
BEFORE = NOW - timedelta(hours=2)


def scanned_before(*accounts: Account) -> None:
    """The accounts as a scan at ``BEFORE`` left them: scored, their alerts open."""
    with time_machine.travel(BEFORE, tick=False):
        for account in accounts:
            refresh_account(account.pk)


def open_subjects(account: Account, kind: str) -> list[str]:
    return sorted(Alert.objects.open().filter(account=account, kind=kind).values_list("subject", flat=True))


def resolved_now(account: Account, kind: str, subject: str) -> bool:
    alert = Alert.objects.get(account=account, kind=kind, subject=subject)
    return alert.resolved_at == NOW


def assert_rescored_now(account: Account) -> None:
    """The day's snapshot was written at ``NOW``, holds what an evaluation at ``NOW`` says,
    and the account carries it (the portfolio and the attention list read it there)."""
    snapshot = HealthSnapshot.objects.get(account=account, as_of=timezone.localdate(NOW))
    assert snapshot.computed_at == NOW
    fresh = evaluate(make_context(NOW), [account.pk])[account.pk]
    score = None if fresh.score is None else round(fresh.score, 2)
    assert (snapshot.score, snapshot.band) == (score, fresh.band)
    account.refresh_from_db()
    assert (account.health_as_of, account.health_score, account.health_band) == (
        snapshot.as_of, snapshot.score, snapshot.band)


def overdue_promise(account: Account, owner) -> Promise:
    """Promised on 5 January for 1 February, not delivered."""
    with time_machine.travel(BEFORE, tick=False):
        return do_record_promise(
            account=account, by=owner, description="Install the press line", stage=Stage.SALE,
            made_at=date(2026, 1, 5), made_by=owner, made_by_department=Department.SALES,
            due_at=date(2026, 2, 1), delivery_owner=owner, delivery_department=Department.PRODUCTION,
        )
