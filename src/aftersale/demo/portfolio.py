"""The generated part of the portfolio: any number of customer accounts, in chunks.

Each account gets hidden traits drawn once (how active it is, how good the
relationship is, whether it churned, went quiet or lost contact), and every
table is then drawn from those traits with whole-array numpy operations. A
chunk of accounts is generated and written at a time, so memory stays flat
whatever the portfolio size, and each chunk has its own random stream
(``default_rng([seed, chunk])``), so an account's history does not depend on
how many accounts come after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aftersale.accounts.models import Account, AccountKind, Contact, Industry, Tier
from aftersale.commerce.models import Channel, Order, OrderLine, ProductKind
from aftersale.core.enums import Currency
from aftersale.demo import names
from aftersale.demo.cast import Cast
from aftersale.demo.catalogue import PREFIX
from aftersale.demo.clock import Calendar
from aftersale.demo.sampling import choose, member, nullable, renewal, round_vnd, sigmoid
from aftersale.demo.writer import BatchRecorder, BulkWriter
from aftersale.service.models import Asset, AssetStatus, MaintenancePlan

YEAR = 365.0
HISTORY_DAYS = 3 * 365

# Plain strings (not the enum members): the database drivers take those fastest.
INDUSTRIES = np.array(
    [i.value for i in (Industry.CAPITAL_EQUIPMENT, Industry.FINANCIAL_SERVICES, Industry.CONSULTING)],
    dtype=object,
)
# Typical order value (VND) and how often each industry orders, relative.
ORDER_VALUE = np.array([45_000_000, 120_000_000, 180_000_000], dtype=float)
ORDER_RATE = np.array([1.0, 0.8, 0.7])

# Rates of events per account over the three years, before the per-account
# activity factor (mean 1, long right tail). Late starters and churned accounts
# have less time, so an account ends up with about a hundred events on average.
ORDERS_PER_ACCOUNT = 39.0
LINE_SHARE = 0.12


@dataclass
class World:
    """What every chunk needs to know about the demo being built."""

    cast: Cast
    writer: BulkWriter | BatchRecorder
    as_of: int  # day number; nothing happens on or after it
    targets: dict[str, tuple[float, float]]
    calendar: Calendar

    @property
    def start(self) -> int:
        return self.as_of - HISTORY_DAYS


@dataclass
class Chunk:
    """Per-account traits of one chunk of generated accounts (arrays of equal length)."""

    ids: np.ndarray
    number: np.ndarray
    industry: np.ndarray  # 0 capital equipment, 1 financial services, 2 consulting
    vietnamese: np.ndarray
    activity: np.ndarray
    quality: np.ndarray
    tier: np.ndarray
    owner: np.ndarray
    start: np.ndarray  # first day of activity in the window
    end: np.ndarray  # day after the last order (churned accounts stop early)
    contact_end: np.ndarray  # day after the last touchpoint (faded contact)
    quiet_from: np.ndarray  # from this day no requests and no contact from them
    decline_from: np.ndarray  # a defecting account declines from this day (inf: never)
    size: np.ndarray
    competitor: np.ndarray  # competitor id present at the account, -1 if none
    contact_first: np.ndarray | None = None
    contact_count: np.ndarray | None = None
    asset_first: np.ndarray | None = None
    asset_count: np.ndarray | None = None
    asset_warranty: np.ndarray | None = None  # per asset, day number
    asset_base: int = 0  # id of the chunk's first asset; its plan is plan_base + (asset - asset_base)
    plan_base: int = 0

    def __len__(self) -> int:
        return len(self.ids)


# The demo's assumptions: how the hidden relationship quality q (one draw per
# account, standard normal) acts on the account's history. docs/demo.md lists
# them in one table; activity.py and relations.py hold the per-event effects.
# Defection: everything stops on the churn day; log-odds over the three years.
DEFECT_LOGIT = (-3.2, -1.8)  # intercept, per unit of q
# The decline before a defection: its length in days (uniform), and the share of
# each kind of event that still happens during it (orders slow, the customer
# falls silent, contact thins out).
DECLINE_DAYS = (90.0, 240.0)
DECLINE_ORDERS = 0.4
DECLINE_REQUESTS = 0.25
DECLINE_CONTACT = 0.6
# How much worse the relationship behaves while declining (subtracted from q).
DECLINE_QUALITY = 2.0
# Lost contact (orders go on) and went quiet (no requests or customer-started
# contact), among those who stay; log-odds.
FADE_LOGIT = (-3.0, -0.6)
QUIET_LOGIT = (-3.0, -0.6)


def draw_chunk(rng: np.random.Generator, world: World, first_number: int, count: int) -> Chunk:
    n = count
    industry = rng.choice(3, size=n, p=[0.55, 0.25, 0.20])
    sigma = 0.9
    activity = rng.lognormal(-sigma * sigma / 2, sigma, size=n)
    tier = np.where(activity > 3.0, Tier.STRATEGIC, np.where(activity > 1.5, Tier.KEY, Tier.STANDARD))
    quality = rng.normal(0.0, 1.0, size=n)
    start_of_window = float(world.start)
    newcomer = rng.random(n) < 0.4
    start = np.where(
        newcomer, start_of_window + rng.random(n) * (HISTORY_DAYS - 150), start_of_window
    )
    as_of = float(world.as_of)
    churned = rng.random(n) < sigmoid(DEFECT_LOGIT[0] + DEFECT_LOGIT[1] * quality)
    churn_day = start + 120 + rng.random(n) * np.maximum(as_of - 30 - (start + 120), 0)
    churned &= churn_day < as_of - 30
    end = np.where(churned, churn_day, as_of)
    decline = DECLINE_DAYS[0] + rng.random(n) * (DECLINE_DAYS[1] - DECLINE_DAYS[0])
    decline_from = np.where(churned, np.maximum(churn_day - decline, start), np.inf)
    faded = ~churned & (rng.random(n) < sigmoid(FADE_LOGIT[0] + FADE_LOGIT[1] * quality))
    contact_end = np.where(faded, as_of - 100 - rng.random(n) * 200, end)
    contact_end = np.maximum(contact_end, start)
    quiet = ~churned & ~faded & (rng.random(n) < sigmoid(QUIET_LOGIT[0] + QUIET_LOGIT[1] * quality))
    quiet_from = np.where(quiet, as_of - 380 - rng.random(n) * 220, np.inf)
    has_competitor = rng.random(n) < 0.3
    competitors = world.cast.competitor_ids
    competitor = np.where(has_competitor, competitors[rng.integers(0, len(competitors), n)], -1)
    return Chunk(
        ids=np.arange(n, dtype=np.int64) + world.writer.allocate(Account, n),
        number=np.arange(first_number, first_number + n, dtype=np.int64),
        industry=industry,
        vietnamese=rng.random(n) < 0.65,
        activity=activity,
        quality=quality,
        tier=tier,
        owner=world.cast.owners[rng.integers(0, len(world.cast.owners), size=n)],
        start=start,
        end=end,
        contact_end=contact_end,
        quiet_from=quiet_from,
        decline_from=decline_from,
        size=ORDER_VALUE[industry] * rng.lognormal(0.0, 0.7, size=n) * activity**0.3,
        competitor=competitor,
    )


def declining(chunk: Chunk, row: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether each event (of account ``row`` on ``day``) falls in its account's decline."""
    return day >= chunk.decline_from[row]


def quality_on(chunk: Chunk, row: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The relationship quality behind each event: lower while the account declines."""
    return chunk.quality[row] - DECLINE_QUALITY * declining(chunk, row, day)


def thin(
    rng: np.random.Generator, chunk: Chunk, row: np.ndarray, day: np.ndarray, keep: float
) -> np.ndarray:
    """A mask keeping every event before the decline and a share ``keep`` of those in it."""
    return ~declining(chunk, row, day) | (rng.random(len(row)) < keep)


def write_accounts(rng: np.random.Generator, world: World, chunk: Chunk) -> None:
    n = len(chunk)
    industries = INDUSTRIES[chunk.industry]
    account_names = [
        names.company_name(ind, bool(vi), int(num))
        for ind, vi, num in zip(industries.tolist(), chunk.vietnamese.tolist(),
                                chunk.number.tolist(), strict=True)
    ]
    # Long-standing customers bought before the window opened.
    since = np.where(
        chunk.start > world.start, chunk.start, chunk.start - rng.random(n) * 8 * YEAR
    ).astype(np.int64)
    world.writer.insert(Account, {
        "id": chunk.ids,
        "external_id": [f"{PREFIX}A-{k:06d}" for k in chunk.number.tolist()],
        "name": account_names,
        "kind": AccountKind.CUSTOMER,
        "industry": industries,
        "tier": chunk.tier,
        "owner_id": chunk.owner,
        "currency": Currency.VND,
        "city": np.array(names.CITIES, dtype=object)[rng.integers(0, len(names.CITIES), n)],
        "country": "VN",
        "customer_since": since.astype("datetime64[D]"),
        "notes": "",
    })
    present = chunk.competitor >= 0
    if present.any():
        through = Account.competitors.through
        world.writer.insert(through, {
            "id": np.arange(present.sum()) + world.writer.allocate(through, int(present.sum())),
            "account_id": chunk.ids[present],
            "competitor_id": chunk.competitor[present],
        })


def write_contacts(rng: np.random.Generator, world: World, chunk: Chunk) -> None:
    count = np.minimum(1 + rng.poisson(1.2 * chunk.activity**0.3), 6)
    total = int(count.sum())
    first_id = world.writer.allocate(Contact, total)
    ids = np.arange(total, dtype=np.int64) + first_id
    row = np.repeat(np.arange(len(chunk)), count)
    vietnamese = chunk.vietnamese[row]
    people = [
        names.vi_person(k) if vi else names.en_person(k)
        for k, vi in zip(ids.tolist(), vietnamese.tolist(), strict=True)
    ]
    domains = [f"customer{k}.example" for k in chunk.number[row].tolist()]
    phones = rng.integers(900_000_000, 999_999_999, size=total)
    world.writer.insert(Contact, {
        "id": ids,
        "external_id": [f"{PREFIX}K-{k:07d}" for k in ids.tolist()],
        "account_id": chunk.ids[row],
        "name": people,
        "email": [f"{names.ascii_slug(p)}@{d}" for p, d in zip(people, domains, strict=True)],
        "phone": [f"+84 {p // 1_000_000} {p // 1000 % 1000:03d} {p % 1000:03d}" for p in phones.tolist()],
        "role": np.array(names.CONTACT_ROLES, dtype=object)[
            rng.integers(0, len(names.CONTACT_ROLES), total)
        ],
        "is_active": np.ones(total, dtype=bool),
        "user_id": None,
        "portal_enabled": np.zeros(total, dtype=bool),
    })
    chunk.contact_first = np.cumsum(count) - count + first_id
    chunk.contact_count = count


def write_assets(rng: np.random.Generator, world: World, chunk: Chunk) -> None:
    """Installed equipment (capital equipment and banks) and a maintenance plan each."""
    n = len(chunk)
    scale = chunk.activity**0.5
    count = np.select(
        [chunk.industry == 0, chunk.industry == 1],
        [1 + rng.poisson(1.3 * scale), rng.poisson(0.8 * scale)],
        0,
    )
    total = int(count.sum())
    first_id = world.writer.allocate(Asset, total) if total else 0
    chunk.asset_first = np.cumsum(count) - count + first_id
    chunk.asset_base = first_id
    chunk.asset_count = count
    chunk.asset_warranty = np.zeros(0, dtype=np.int64)
    if not total:
        return
    ids = np.arange(total, dtype=np.int64) + first_id
    row = np.repeat(np.arange(n), count)
    product_id = np.zeros(total, dtype=np.int64)
    interval = np.zeros(total, dtype=np.int64)
    codes = np.empty(total, dtype=object)
    for code, ind in ((0, Industry.CAPITAL_EQUIPMENT), (1, Industry.FINANCIAL_SERVICES)):
        mask = chunk.industry[row] == code
        table = world.cast.equipment[ind]
        pick = rng.integers(0, len(table.ids), int(mask.sum()))
        product_id[mask] = table.ids[pick]
        interval[mask] = table.maintenance_days[pick]
        codes[mask] = np.array(table.codes, dtype=object)[pick]
    existing = chunk.start[row] <= world.start
    installed = np.where(
        existing,
        chunk.start[row] - rng.random(total) * 4 * YEAR,
        chunk.start[row] + rng.random(total) * np.maximum(world.as_of - 30 - chunk.start[row], 1),
    ).astype(np.int64)
    latest = np.minimum(world.as_of - 30, np.floor(chunk.end[row]) - 1)
    installed = np.minimum(installed, latest).astype(np.int64)
    warranty = installed + np.where(rng.random(total) < 0.5, 365, 730)
    chunk.asset_warranty = warranty
    vietnamese = chunk.vietnamese[row]
    bank = chunk.industry[row] == 1
    site = rng.integers(1, 4, total)
    location = [
        (f"Chi nhánh {s}" if vi else f"Branch {s}") if b else (f"Xưởng {s}" if vi else f"Workshop {s}")
        for s, vi, b in zip(site.tolist(), vietnamese.tolist(), bank.tolist(), strict=True)
    ]
    world.writer.insert(Asset, {
        "id": ids,
        "external_id": [f"{PREFIX}E-{k:07d}" for k in ids.tolist()],
        "account_id": chunk.ids[row],
        "product_id": product_id,
        "serial": [f"{c}-{k:07d}" for c, k in zip(codes.tolist(), ids.tolist(), strict=True)],
        "location": location,
        "installed_at": installed.astype("datetime64[D]"),
        "warranty_until": warranty.astype("datetime64[D]"),
        "status": AssetStatus.ACTIVE,
    })
    # Most plans are on schedule; about one in ten visits is overdue.
    overdue = rng.random(total) < 0.1
    since_last = np.where(
        overdue, interval + 10 + rng.random(total) * 110, rng.random(total) * interval * 0.9
    ).astype(np.int64)
    # A defected customer's machines were last serviced before it left.
    gone = np.minimum(world.as_of, np.floor(chunk.end[row]).astype(np.int64))
    last_done = np.maximum(gone - 1 - since_last, installed)
    chunk.plan_base = world.writer.allocate(MaintenancePlan, total)
    world.writer.insert(MaintenancePlan, {
        "id": np.arange(total) + chunk.plan_base,
        "asset_id": ids,
        "product_id": None,
        "name": [
            f"Bảo trì định kỳ {c} ({d} ngày)" if vi else f"{c} service every {d} days"
            for c, d, vi in zip(codes.tolist(), interval.tolist(), vietnamese.tolist(), strict=True)
        ],
        "interval_days": interval,
        "last_done_at": last_done.astype("datetime64[D]"),
        "next_due_at": (last_done + interval).astype("datetime64[D]"),
        "is_active": np.ones(total, dtype=bool),
        # The plan came with the machine: a scan as of a past date sees it from then on.
        "created_at": installed.astype("datetime64[D]").astype("datetime64[s]"),
    })


def write_orders(rng: np.random.Generator, world: World, chunk: Chunk) -> int:
    rate = ORDERS_PER_ACCOUNT / HISTORY_DAYS * chunk.activity * ORDER_RATE[chunk.industry]
    row, day = renewal(rng, chunk.start, chunk.end, rate, shape=2.5)
    # Orders slow down before a defection.
    keep = thin(rng, chunk, row, day, DECLINE_ORDERS)
    row, day = row[keep], day[keep]
    total = len(row)
    if not total:
        return 0
    ids = np.arange(total, dtype=np.int64) + world.writer.allocate(Order, total)
    days = world.calendar.business_days(np.floor(day).astype(np.int64), world.as_of)
    placed = world.calendar.office_moments(rng, days)
    amount = round_vnd(chunk.size[row] * rng.lognormal(0.0, 0.6, total))
    portal_share = rng.beta(1.0, 4.0, len(chunk))
    channel = np.where(
        rng.random(total) < portal_share[row], Channel.PORTAL,
        choose(rng, [Channel.REP, Channel.PHONE, Channel.EDI], [0.55, 0.35, 0.10], total),
    )
    placed_by = member(rng, chunk.contact_first, chunk.contact_count, row)
    has_lines = rng.random(total) < LINE_SHARE
    if has_lines.any():
        amount[has_lines] = _write_lines(rng, world, chunk, row[has_lines], ids[has_lines])
    world.writer.insert(Order, {
        "id": ids,
        "external_id": [f"{PREFIX}O-{k:08d}" for k in ids.tolist()],
        "account_id": chunk.ids[row],
        "placed_at": placed,
        "total": amount,
        "currency": Currency.VND,
        "channel": channel,
        "placed_by_id": nullable(placed_by, rng.random(total) < 0.7),
        "taken_by_id": nullable(chunk.owner[row], channel == Channel.REP),
        "note": "",
    })
    return total


def _write_lines(
    rng: np.random.Generator, world: World, chunk: Chunk, row: np.ndarray, order_ids: np.ndarray
) -> np.ndarray:
    """One to three lines per order from the account's industry catalogue; returns totals."""
    per_order = 1 + (rng.random(len(row)) < 0.4) + (rng.random(len(row)) < 0.15)
    line_order = np.repeat(np.arange(len(row)), per_order)
    industry = chunk.industry[row][line_order]
    total = len(line_order)
    product = np.zeros(total, dtype=np.int64)
    price = np.zeros(total, dtype=np.int64)
    cost = np.zeros(total, dtype=np.int64)
    kind = np.empty(total, dtype=object)
    for code, ind in enumerate(INDUSTRIES.tolist()):
        mask = industry == code
        table = world.cast.supplies[ind]
        pick = rng.integers(0, len(table.ids), int(mask.sum()))
        product[mask] = table.ids[pick]
        price[mask] = table.list_price[pick]
        cost[mask] = table.unit_cost[pick]
        kind[mask] = table.kind[pick]
    quantity = np.where(
        kind == ProductKind.CONSUMABLE, rng.integers(1, 11, total),
        np.where(kind == ProductKind.PART, rng.integers(1, 4, total), rng.integers(1, 6, total)),
    )
    # Better relationships haggle less (P17): discounts of 0-15 %.
    discount = np.clip(0.06 - 0.03 * chunk.quality[row][line_order] + rng.normal(0, 0.03, total), 0, 0.15)
    unit_price = round_vnd(price * (1 - discount))
    world.writer.insert(OrderLine, {
        "id": np.arange(total) + world.writer.allocate(OrderLine, total),
        "order_id": order_ids[line_order],
        "product_id": product,
        "quantity": quantity,
        "unit_price": unit_price,
        "unit_cost": cost,
    })
    return np.bincount(line_order, weights=quantity * unit_price, minlength=len(row)).astype(np.int64)
