from datetime import date
from decimal import Decimal

from aftersale.service.costs import cost_to_serve
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
