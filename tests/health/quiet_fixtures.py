"""A small portfolio with peers for quietness: 24 accounts that use us and raise requests
at a steady rate, one just like them that raised nothing for a year, one that raises as
much as its peers, one new and one that barely uses us."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from aftersale.accounts.models import Account, AccountKind, Industry, Tier
from aftersale.commerce.models import Channel, Order
from aftersale.core.enums import Department
from aftersale.engagement.models import Topic, Touchpoint, TouchpointKind, TouchpointParticipant
from aftersale.promises.models import PromiseStatus
from aftersale.service.models import Asset, ServiceCase

from .conftest import day, days_ago, product, promise, trust_rating

PEERS = 24


@dataclass
class Portfolio:
    quiet: Account
    normal: Account
    new: Account
    idle: Account
    peers: list[Account]


def _account(n: str, owner, tier: str = Tier.STANDARD) -> Account:
    return Account.objects.create(
        external_id=f"Q-{n}", name=f"Account {n}", kind=AccountKind.CUSTOMER,
        industry=Industry.CAPITAL_EQUIPMENT, tier=tier, owner=owner,
    )


def uses_us(accounts: list[Account], *, machines: int = 2, orders_every: int = 30) -> None:
    """Machines installed three years ago and an order a month for two years (bulk inserts)."""
    prod = product()
    Asset.objects.bulk_create([
        Asset(account=a, product=prod, serial=f"{a.external_id}-{m}", installed_at=day(1100))
        for a in accounts for m in range(machines)
    ])
    Order.objects.bulk_create([
        Order(account=a, placed_at=days_ago(d), total=Decimal("100"), channel=Channel.PORTAL)
        for a in accounts for d in range(5, 730, orders_every)
    ])


def raises(account: Account, per_year: int, *, since_days: int = 700, until_days: int = 0) -> None:
    """Service cases at an even pace between ``since_days`` and ``until_days`` ago."""
    step = 365 / per_year
    ages = []
    age = since_days - step / 2
    while age > until_days:
        ages.append(age)
        age -= step
    ServiceCase.objects.bulk_create([
        ServiceCase(account=account, opened_at=days_ago(a), kind="repair", title="Spindle noise",
                    resolved_at=days_ago(a - 1))
        for a in ages
    ])


def build_portfolio(owner) -> Portfolio:
    peers = [_account(f"P{i:02d}", owner) for i in range(PEERS)]
    quiet, normal = _account("QUIET", owner, Tier.KEY), _account("NORMAL", owner, Tier.KEY)
    uses_us([*peers, quiet, normal])
    for i, peer in enumerate(peers):
        raises(peer, 4 + i % 5)  # 4 to 8 a year
    # Our own outreach varies across the peers (0 to 4 e-mails in the year) as it does in life:
    # it is a covariate, and the quiet account's (3) is then no outlier.
    Touchpoint.objects.bulk_create([
        Touchpoint(account=peer, occurred_at=days_ago(20 + 70 * k), kind=TouchpointKind.EMAIL,
                   initiated_by="vendor", minutes=10, topic=Topic.PLANNING)
        for i, peer in enumerate(peers) for k in range(i % 5)
    ])
    raises(normal, 6)
    # Nothing from the quiet one, ever: still ordering, still green everywhere else.
    good_news(quiet, owner)
    new = _account("NEW", owner)
    Order.objects.create(account=new, placed_at=days_ago(60), total=Decimal("100"))
    Order.objects.create(account=new, placed_at=days_ago(20), total=Decimal("100"))
    idle = _account("IDLE", owner)
    Order.objects.create(account=idle, placed_at=days_ago(300), total=Decimal("100"))
    Order.objects.create(account=idle, placed_at=days_ago(100), total=Decimal("100"))
    return Portfolio(quiet=quiet, normal=normal, new=new, idle=idle, peers=peers)


def good_news(account: Account, owner) -> None:
    """Trust, promises kept, collaborative face time with a service engineer: a healthy score."""
    trust_rating(account, day(30), "5")
    for n in (400, 200, 60):
        promise(account, owner, due=day(n), status=PromiseStatus.KEPT, closed=day(n + 2))
    for n in (300, 150, 100):
        tp = Touchpoint.objects.create(account=account, occurred_at=days_ago(n), kind=TouchpointKind.EMAIL,
                                       initiated_by="vendor", minutes=60, topic=Topic.PLANNING)
        TouchpointParticipant.objects.create(touchpoint=tp, department=Department.SERVICE)
