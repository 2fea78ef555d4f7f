from datetime import date
from decimal import Decimal

from aftersale.service.costs import cost_to_serve, cost_to_serve_since
from aftersale.service.models import WorkLog


def log(account, user, day, hours, labour, parts="0", travel="0", warranty=False, currency="VND"):
    return WorkLog.objects.create(
        account=account, user=user, department=user.department, worked_on=day,
        hours=Decimal(hours), labour_cost=Decimal(labour), parts_cost=Decimal(parts),
        travel_cost=Decimal(travel), is_warranty=warranty, currency=currency,
    )


def test_it_sums_work_logs_per_account_within_the_period(account, other_account, colleague):
    log(account, colleague, date(2026, 1, 5), "2", "1000", parts="500", travel="100")
    log(account, colleague, date(2026, 2, 5), "3", "1500", warranty=True)
    log(account, colleague, date(2026, 6, 5), "9", "9000")  # after the end
    log(other_account, colleague, date(2026, 1, 6), "1", "700")

    costs = cost_to_serve(start=date(2026, 1, 1), end=date(2026, 3, 31))

    assert costs[account.pk].hours == Decimal("5")
    assert costs[account.pk].total == Decimal("3100")
    assert costs[account.pk].warranty == Decimal("1500")
    assert costs[other_account.pk].total == Decimal("700")


def test_it_keeps_currencies_apart(account, colleague):
    log(account, colleague, date(2026, 1, 5), "1", "100", currency="USD")
    log(account, colleague, date(2026, 1, 6), "1", "2500000", currency="VND")

    costs = cost_to_serve(end=date(2026, 12, 31), account_ids=[account.pk])

    assert costs[account.pk].by_currency == {"USD": Decimal("100"), "VND": Decimal("2500000")}


def test_it_is_one_query_for_any_number_of_accounts(account, other_account, colleague,
                                                    django_assert_num_queries):
    log(account, colleague, date(2026, 1, 5), "1", "100")
    log(other_account, colleague, date(2026, 1, 5), "1", "100")
    with django_assert_num_queries(1):
        cost_to_serve(end=date(2026, 12, 31))


def test_it_takes_the_recent_cost_from_the_same_query_and_it_equals_its_own_sum(
    account, other_account, colleague, django_assert_num_queries
):
    log(account, colleague, date(2025, 3, 5), "2", "1000", parts="500", travel="100", currency="USD")
    log(account, colleague, date(2026, 1, 5), "3", "1500", warranty=True)
    log(account, colleague, date(2026, 2, 5), "1", "250.50", travel="20", currency="USD")
    log(other_account, colleague, date(2024, 1, 6), "1", "700")
    log(account, colleague, date(2027, 1, 1), "9", "9000")  # after the end
    end, since = date(2026, 12, 31), date(2026, 1, 1)
    with django_assert_num_queries(1):
        lifetime, recent = cost_to_serve_since(end=end, since=since)
    assert lifetime == cost_to_serve(end=end)
    assert recent == cost_to_serve(end=end, start=since)
    assert other_account.pk not in recent and recent[account.pk].total == Decimal("1770.50")
