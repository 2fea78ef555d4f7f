"""refresh_accounts, the one handler of core.changes: the scan's path over a list of ids."""

from __future__ import annotations

import time_machine

from aftersale.health import scan
from aftersale.health.models import HealthSnapshot
from tests.fresh import NOW, assert_rescored_now


def test_it_refreshes_many_accounts_a_list_at_a_time_and_skips_the_missing(
    account, other_account, monkeypatch
):
    lists: list[list[int]] = []
    evaluate = scan.evaluate

    def spy(ctx, scope):
        lists.append(sorted(scope))
        return evaluate(ctx, scope)

    monkeypatch.setattr(scan, "evaluate", spy)
    monkeypatch.setattr(scan, "REFRESH_BATCH", 2)
    gone = other_account.pk + 1000
    with time_machine.travel(NOW, tick=False):
        results = scan.refresh_accounts([other_account.pk, gone, account.pk, account.pk])
        assert set(results) == {account.pk, other_account.pk}
        assert lists == [sorted([account.pk, other_account.pk]), [gone]]
        for each in (account, other_account):
            assert_rescored_now(each)
    assert not HealthSnapshot.objects.filter(account_id=gone).exists()
    assert scan.refresh_accounts([]) == {}
