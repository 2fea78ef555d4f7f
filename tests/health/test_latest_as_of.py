"""Health as of a past day, for pages that show it beside other figures (the profitability portfolio)."""

from datetime import date

from aftersale.core.asof import end_of_day
from aftersale.health.latest import health_as_of
from aftersale.health.models import Band, HealthSnapshot


def snap(account, day: date, score: float, band: str) -> None:
    HealthSnapshot.objects.create(account=account, as_of=day, computed_at=end_of_day(day), score=score,
                                  band=band, coverage=1, signals={})


def test_it_reads_each_account_s_latest_snapshot_up_to_the_day(
        db, account, other_account, django_assert_num_queries):
    snap(account, date(2026, 5, 1), 80, Band.HEALTHY)
    snap(account, date(2026, 6, 1), 35, Band.AT_RISK)
    snap(account, date(2026, 7, 1), 90, Band.HEALTHY)
    snap(other_account, date(2026, 4, 1), 60, Band.WATCH)
    with django_assert_num_queries(1):
        found = health_as_of(date(2026, 6, 30))
    assert found == {account.pk: (35, Band.AT_RISK), other_account.pk: (60, Band.WATCH)}
    assert health_as_of(date(2026, 3, 31)) == {}
