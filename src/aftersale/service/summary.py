"""What the service pages show, gathered in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from aftersale.accounts.models import Account
from aftersale.service.actions import add_months
from aftersale.service.clock import AT_RISK, BREACHED, ON_TRACK, CaseClock, TargetClock
from aftersale.service.costs import CostBreakdown, convert_or_none, cost_to_serve_since
from aftersale.service.maintenance import Visit, visits
from aftersale.service.models import Asset, CaseStatus, ServiceCase, TargetState
from aftersale.service.targets import clocks_for


@dataclass(frozen=True)
class CaseItem:
    """A case with its clock, as the board and the account section show it."""

    case: ServiceCase
    clock: CaseClock

    @property
    def state(self) -> TargetState:
        return TargetState(self.clock.state)

    @property
    def next_target(self) -> TargetClock | None:
        """The target the team is working towards: the response until it is given, then resolution."""
        for target in (self.clock.response, self.clock.resolution):
            if target is not None and target.running:
                return target
        return None


def case_items(cases: Iterable[ServiceCase], as_of: datetime) -> list[CaseItem]:
    cases = list(cases)
    clocks = clocks_for(cases, as_of)
    return [CaseItem(c, clocks[c.pk]) for c in cases if c.pk in clocks]


def _urgency(item: CaseItem) -> tuple:
    target = item.next_target
    return (target.remaining if target else timedelta.max, item.case.opened_at)


def board(cases: QuerySet[ServiceCase], as_of: datetime) -> dict[str, list[CaseItem]]:
    """Open cases by target state, most urgent first (four queries)."""
    open_cases = cases.filter(status__in=CaseStatus.open()).select_related(
        "account", "asset__product", "assigned_to"
    )
    columns: dict[str, list[CaseItem]] = {BREACHED: [], AT_RISK: [], ON_TRACK: []}
    for item in case_items(open_cases, as_of):
        columns[item.clock.state].append(item)
    for items in columns.values():
        items.sort(key=_urgency)
    return columns


@dataclass
class AccountService:
    account: Account
    today: date
    assets: list[Asset] = field(default_factory=list)
    open_cases: list[CaseItem] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    cost_12_months: CostBreakdown | None = None
    cost_lifetime: CostBreakdown | None = None

    @property
    def currency(self) -> str:
        return self.account.currency

    @property
    def overdue_visits(self) -> int:
        return sum(v.overdue for v in self.visits)


def account_service(account: Account, now: datetime | None = None) -> AccountService:
    """The account's installed base, open cases, next visits and cost-to-serve.

    Cost-to-serve is in the account's currency, converted at today's rates
    (None when a rate is missing).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    summary = AccountService(account=account, today=today)
    summary.assets = list(account.assets.select_related("product").order_by("status", "serial"))
    summary.open_cases = sorted(
        case_items(
            account.cases.filter(status__in=CaseStatus.open()).select_related(
                "asset__product", "assigned_to"
            ),
            now,
        ),
        key=_urgency,
    )
    summary.visits = visits(today, [account.pk])
    # One query for both: the lifetime, split at the start of the last 12 months.
    lifetimes, recents = cost_to_serve_since(
        end=today, since=add_months(today, -12) + timedelta(days=1), account_ids=[account.pk]
    )
    recent, lifetime = recents.get(account.pk), lifetimes.get(account.pk)
    summary.cost_12_months = convert_or_none(recent, account.currency, today)
    summary.cost_lifetime = convert_or_none(lifetime, account.currency, today)
    return summary
