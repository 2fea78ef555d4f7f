"""Trust and partnership measures (P9, P15 to P17, P19), as of any date.

Every function takes ``as_of`` and an optional list of account ids and answers
for all of those accounts at once: one aggregate query per measure (two where
it reads two tables), never a query per account. They return plain
dataclasses keyed by account id, so the health engine, the reports and the
portal can share them. The arithmetic is in pure functions below each query.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from aftersale.core.asof import as_date, day_after, start_of_day, year_before
from aftersale.core.enums import Department, Direction
from aftersale.engagement.models import (
    Idea,
    IdeaStatus,
    InfoShare,
    TopicClass,
    Touchpoint,
    TouchpointParticipant,
)
from aftersale.reviews.models import (
    Attribute,
    CompetitorRating,
    RelationshipReview,
    ReviewStatus,
    TrustRating,
)
from aftersale.service.models import WorkLog

AccountIds = Iterable[int] | None


def _scoped(queryset: QuerySet, account_ids: AccountIds, field_name: str = "account_id") -> QuerySet:
    if account_ids is None:
        return queryset
    return queryset.filter(**{f"{field_name}__in": list(account_ids)})


# Quarters -------------------------------------------------------------------------------

def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarters_ending(day: date, count: int) -> list[date]:
    """The first days of the ``count`` calendar quarters up to the one holding ``day``, oldest first."""
    start = quarter_start(day)
    index = start.year * 4 + (start.month - 1) // 3
    return [
        date((i // 4), 3 * (i % 4) + 1, 1) for i in range(index - count + 1, index + 1)
    ]


def quarter_label(start: date) -> str:
    return f"{start.year} Q{(start.month - 1) // 3 + 1}"


def next_quarter(start: date) -> date:
    month = start.month + 3
    return date(start.year + (month > 12), (month - 1) % 12 + 1, 1)


def quarter_buckets(field: str, starts: list[date], *, is_datetime: bool) -> list[tuple[date, Q]]:
    """One filter per calendar quarter. Aggregating with these filters is much faster than
    truncating every row to its quarter (SQLite runs date truncation row by row in Python)."""
    buckets = []
    for begin in starts:
        after = next_quarter(begin)
        if is_datetime:
            q = Q(**{f"{field}__gte": start_of_day(begin), f"{field}__lt": start_of_day(after)})
        else:
            q = Q(**{f"{field}__gte": begin, f"{field}__lt": after})
        buckets.append((begin, q))
    return buckets


def quarters_between(first: date, last: date) -> list[date]:
    """The first days of the quarters from the one holding ``first`` to the one holding ``last``."""
    count = (quarter_start(last).year - quarter_start(first).year) * 4 + (
        quarter_start(last).month - quarter_start(first).month) // 3 + 1
    return quarters_ending(last, max(count, 1))


def _day(value: date | datetime) -> date:
    return as_date(value) if isinstance(value, datetime) else value


# The last review and the competitor gap (P9) -------------------------------------------

@dataclass(frozen=True)
class GapRow:
    """One attribute: our rating, each competitor's, and how far we lead the best (negative: trail)."""

    attribute: str
    us: int | None
    competitors: dict[int, int]
    gap: int | None
    best_competitor_id: int | None


def competitor_gaps(ratings: Iterable[tuple[int | None, str, int]]) -> list[GapRow]:
    """(competitor id or None for us, attribute, score) -> one row per attribute, in the
    standard attribute order. The gap is ours minus the best competitor's score."""
    ours: dict[str, int] = {}
    theirs: dict[str, dict[int, int]] = defaultdict(dict)
    for competitor_id, attribute, score in ratings:
        if competitor_id is None:
            ours[attribute] = score
        else:
            theirs[attribute][competitor_id] = score
    rows = []
    for attribute in Attribute.values:
        competitors = theirs.get(attribute, {})
        us = ours.get(attribute)
        best_id = max(competitors, key=lambda c: (competitors[c], -c)) if competitors else None
        gap = us - competitors[best_id] if us is not None and best_id is not None else None
        if us is None and not competitors:
            continue
        rows.append(GapRow(attribute, us, dict(competitors), gap, best_id))
    return rows


def mean_gap(rows: Sequence[GapRow]) -> float | None:
    gaps = [row.gap for row in rows if row.gap is not None]
    return sum(gaps) / len(gaps) if gaps else None


@dataclass(frozen=True)
class ReviewSummary:
    review_id: int
    held_at: date
    outcome: str
    promises_kept: bool | None
    neglect_found: bool | None
    gaps: list[GapRow]

    @property
    def mean_gap(self) -> float | None:
        return mean_gap(self.gaps)

    @property
    def gap_by_attribute(self) -> dict[str, int | None]:
        return {row.attribute: row.gap for row in self.gaps}


def ratings_by_review(review_ids: Iterable[int] | QuerySet) -> dict[int, list[GapRow]]:
    """The competitor gap table of each review (one query); ``review_ids`` may be a subquery."""
    grouped: dict[int, list[tuple[int | None, str, int]]] = defaultdict(list)
    ids = review_ids if isinstance(review_ids, QuerySet) else list(review_ids)
    rows = CompetitorRating.objects.filter(review_id__in=ids).values_list(
        "review_id", "competitor_id", "attribute", "score"
    )
    for review_id, competitor_id, attribute, score in rows:
        grouped[review_id].append((competitor_id, attribute, score))
    return {review_id: competitor_gaps(items) for review_id, items in grouped.items()}


def last_reviews(as_of: date | datetime, account_ids: AccountIds = None) -> dict[int, ReviewSummary]:
    """Each account's last completed review held on or before ``as_of`` (two queries)."""
    day = _day(as_of)
    ranked = _scoped(
        RelationshipReview.objects.filter(status=ReviewStatus.COMPLETED, held_at__lte=day),
        account_ids,
    ).annotate(
        rank=Window(RowNumber(), partition_by=[F("account_id")],
                    order_by=[F("held_at").desc(), F("pk").desc()])
    ).filter(rank=1)
    latest = list(ranked.values_list(
        "pk", "account_id", "held_at", "outcome", "promises_kept", "neglect_found"
    ))
    # A subquery rather than a list of ids: a portfolio has one last review per account.
    gaps = ratings_by_review(ranked.values("pk")) if latest else {}
    return {
        account_id: ReviewSummary(pk, held_at, outcome, promises_kept, neglect_found, gaps.get(pk, []))
        for pk, account_id, held_at, outcome, promises_kept, neglect_found in latest
    }


# Face time (P15, P17) --------------------------------------------------------------------

@dataclass
class FaceTime:
    """Minutes of face time by topic class. ``share`` is the transactional part of the
    classified time (topics classed "other" say nothing either way and are left out)."""

    transactional: int = 0
    collaborative: int = 0
    other: int = 0
    touchpoints: int = 0

    @property
    def classified(self) -> int:
        return self.transactional + self.collaborative

    @property
    def total(self) -> int:
        return self.classified + self.other

    @property
    def share(self) -> float | None:
        return self.transactional / self.classified if self.classified else None

    def add(self, topic_class: str, minutes: int, count: int = 0) -> None:
        if topic_class == TopicClass.TRANSACTIONAL:
            self.transactional += minutes
        elif topic_class == TopicClass.COLLABORATIVE:
            self.collaborative += minutes
        else:
            self.other += minutes
        self.touchpoints += count


def _touchpoints(as_of: date | datetime, account_ids: AccountIds, since: date | None) -> QuerySet:
    day = _day(as_of)
    start = since if since is not None else year_before(day) + timedelta(days=1)
    return _scoped(
        Touchpoint.objects.filter(
            occurred_at__lt=day_after(day), occurred_at__gte=start_of_day(start)
        ),
        account_ids,
    ).order_by()


def face_time(
    as_of: date | datetime, account_ids: AccountIds = None, *, since: date | None = None,
) -> dict[int, FaceTime]:
    """Face time per account from ``since`` (default: the 12 months up to ``as_of``), one query."""
    result: dict[int, FaceTime] = defaultdict(FaceTime)
    rows = _touchpoints(as_of, account_ids, since).values("account_id", "topic_class").annotate(
        minutes=Sum("minutes"), n=Count("pk")
    )
    for row in rows:
        result[row["account_id"]].add(row["topic_class"], row["minutes"] or 0, row["n"])
    return dict(result)


def face_time_by_quarter(
    as_of: date | datetime, account_ids: AccountIds = None, *, quarters: int = 8, pooled: bool = False,
) -> dict[int | None, dict[date, FaceTime]]:
    """Face time per account and calendar quarter, for the ``quarters`` up to ``as_of`` (one query).
    ``pooled`` adds the accounts up into one line, keyed None (a portfolio)."""
    day = _day(as_of)
    starts = quarters_ending(day, quarters)
    buckets = quarter_buckets("occurred_at", starts, is_datetime=True)
    sums = {f"m{i}": Sum("minutes", filter=q) for i, (_start, q) in enumerate(buckets)}
    counts = {f"n{i}": Count("pk", filter=q) for i, (_start, q) in enumerate(buckets)}
    keys = ["topic_class"] if pooled else ["account_id", "topic_class"]
    rows = _touchpoints(day, account_ids, starts[0]).values(*keys).annotate(**sums, **counts)
    result: dict[int | None, dict[date, FaceTime]] = defaultdict(lambda: defaultdict(FaceTime))
    for row in rows:
        key = None if pooled else row["account_id"]
        for i, (start, _q) in enumerate(buckets):
            if row[f"n{i}"]:
                result[key][start].add(row["topic_class"], row[f"m{i}"] or 0, row[f"n{i}"])
    return {account_id: dict(by_quarter) for account_id, by_quarter in result.items()}


@dataclass
class StaffTime:
    """Our people's minutes with the account by department: each participant of a
    touchpoint counts its full length, and on-site work logs count their hours."""

    by_department: dict[str, int] = field(default_factory=dict)

    def add(self, department: str, minutes: int) -> None:
        self.by_department[department] = self.by_department.get(department, 0) + minutes

    @property
    def total(self) -> int:
        return sum(self.by_department.values())

    @property
    def technical(self) -> int:
        return sum(self.by_department.get(d, 0) for d in Department.technical())

    @property
    def technical_share(self) -> float | None:
        return self.technical / self.total if self.total else None


def staff_time(
    as_of: date | datetime, account_ids: AccountIds = None, *, since: date | None = None,
    by_quarter: bool = False, pooled: bool = False,
) -> dict[int | None, dict[date | None, StaffTime]]:
    """Our staff's minutes per account (and calendar quarter if ``by_quarter``; else the key
    is None) and department, from touchpoint participants and on-site work logs (two queries).
    ``pooled`` adds the accounts up, keyed None."""
    day = _day(as_of)
    start = since if since is not None else year_before(day) + timedelta(days=1)
    starts: list[date | None] = list(quarters_between(start, day)) if by_quarter else [None]
    result: dict[int | None, dict[date | None, StaffTime]] = defaultdict(lambda: defaultdict(StaffTime))

    def spans(field: str, is_datetime: bool) -> list[tuple[date | None, Q]]:
        if not by_quarter:
            return [(None, Q())]
        return list(quarter_buckets(field, [s for s in starts if s], is_datetime=is_datetime))

    participants = _scoped(
        TouchpointParticipant.objects.filter(
            touchpoint__occurred_at__lt=day_after(day),
            touchpoint__occurred_at__gte=start_of_day(start),
        ),
        account_ids, "touchpoint__account_id",
    ).order_by()
    buckets = spans("touchpoint__occurred_at", True)
    keys = ["department"] if pooled else ["touchpoint__account_id", "department"]
    sums = {f"m{i}": Sum("touchpoint__minutes", filter=q) for i, (_s, q) in enumerate(buckets)}
    for row in participants.values(*keys).annotate(**sums):
        key = None if pooled else row["touchpoint__account_id"]
        for i, (quarter, _q) in enumerate(buckets):
            if row[f"m{i}"]:
                result[key][quarter].add(row["department"], row[f"m{i}"])
    logs = _scoped(WorkLog.objects.filter(on_site=True, worked_on__lte=day, worked_on__gte=start),
                   account_ids).order_by()
    buckets = spans("worked_on", False)
    keys = ["department"] if pooled else ["account_id", "department"]
    sums = {f"h{i}": Sum("hours", filter=q) for i, (_s, q) in enumerate(buckets)}
    for row in logs.values(*keys).annotate(**sums):
        key = None if pooled else row["account_id"]
        for i, (quarter, _q) in enumerate(buckets):
            if row[f"h{i}"]:
                result[key][quarter].add(row["department"], int(round(row[f"h{i}"] * 60)))
    return {account_id: dict(by_key) for account_id, by_key in result.items()}


# Ideas and information (P19) -------------------------------------------------------------

@dataclass
class Exchange:
    """Ideas and information that flowed each way in the 12 months up to ``as_of``."""

    ideas_from_us: int = 0
    ideas_to_us: int = 0
    adopted_from_us: int = 0
    adopted_to_us: int = 0
    info_from_us: int = 0
    info_to_us: int = 0
    confidential_from_us: int = 0
    confidential_to_us: int = 0

    @property
    def total(self) -> int:
        return self.ideas_from_us + self.ideas_to_us + self.info_from_us + self.info_to_us


def exchange(
    as_of: date | datetime, account_ids: AccountIds = None, *, months: int = 12,
) -> dict[int, Exchange]:
    """Ideas proposed and information shared in each direction per account (two queries).

    An idea counts as adopted only if it was decided by ``as_of``.
    """
    day = _day(as_of)
    start = year_before(day) if months == 12 else day - timedelta(days=round(months * 30.44))
    result: dict[int, Exchange] = defaultdict(Exchange)
    adopted = Q(status=IdeaStatus.ADOPTED, decided_at__lte=day)
    ideas = _scoped(Idea.objects.filter(proposed_at__gt=start, proposed_at__lte=day), account_ids)
    for row in ideas.order_by().values("account_id", "direction").annotate(
        n=Count("pk"), adopted=Count("pk", filter=adopted)
    ):
        item = result[row["account_id"]]
        if row["direction"] == Direction.FROM_US:
            item.ideas_from_us, item.adopted_from_us = row["n"], row["adopted"]
        else:
            item.ideas_to_us, item.adopted_to_us = row["n"], row["adopted"]
    shares = _scoped(InfoShare.objects.filter(shared_at__gt=start, shared_at__lte=day), account_ids)
    for row in shares.order_by().values("account_id", "direction").annotate(
        n=Count("pk"), confidential=Count("pk", filter=Q(is_confidential=True))
    ):
        item = result[row["account_id"]]
        if row["direction"] == Direction.FROM_US:
            item.info_from_us, item.confidential_from_us = row["n"], row["confidential"]
        else:
            item.info_to_us, item.confidential_to_us = row["n"], row["confidential"]
    return dict(result)


# Trust ratings (P16) ---------------------------------------------------------------------

TRUST_HALF_LIFE_DAYS = 180
TRUST_HORIZON_DAYS = 730


def decayed_mean(points: Iterable[tuple[float, float]], half_life_days: float) -> float | None:
    """Mean of values weighted by 0.5 ** (age / half-life); points are (age in days, value)."""
    total = weight_sum = 0.0
    for age, value in points:
        weight = math.pow(0.5, max(age, 0.0) / half_life_days)
        total += weight * value
        weight_sum += weight
    return total / weight_sum if weight_sum else None


@dataclass
class TrustMeasure:
    """Decayed mean trust (1..5) in each direction: ``from_us`` is our owner's rating of
    the account, ``to_us`` the account's rating of us."""

    from_us: float | None = None
    to_us: float | None = None
    n_from_us: int = 0
    n_to_us: int = 0
    last_rated_at: date | None = None
    satisfaction: float | None = None

    @property
    def mean(self) -> float | None:
        """Both directions together, each weighing the same."""
        values = [v for v in (self.from_us, self.to_us) if v is not None]
        return sum(values) / len(values) if values else None


def trust_measures(
    as_of: date | datetime, account_ids: AccountIds = None, *,
    half_life_days: float = TRUST_HALF_LIFE_DAYS, horizon_days: int = TRUST_HORIZON_DAYS,
) -> dict[int, TrustMeasure]:
    """Decayed mean trust per account and direction, from ratings in the horizon (one query)."""
    day = _day(as_of)
    rows = _scoped(
        TrustRating.objects.filter(rated_at__lte=day, rated_at__gt=day - timedelta(days=horizon_days)),
        account_ids,
    ).order_by().values_list("account_id", "direction", "rated_at", "trust", "satisfaction")
    points: dict[tuple[int, str], list[tuple[float, float]]] = defaultdict(list)
    satisfaction: dict[int, list[tuple[float, float]]] = defaultdict(list)
    last: dict[int, date] = {}
    for account_id, direction, rated_at, trust, sat in rows:
        age = float((day - rated_at).days)
        points[(account_id, direction)].append((age, float(trust)))
        if sat is not None and direction == Direction.TO_US:
            satisfaction[account_id].append((age, float(sat)))
        last[account_id] = max(last.get(account_id, rated_at), rated_at)
    result: dict[int, TrustMeasure] = {}
    for account_id in last:
        ours = points.get((account_id, Direction.FROM_US), [])
        theirs = points.get((account_id, Direction.TO_US), [])
        result[account_id] = TrustMeasure(
            from_us=decayed_mean(ours, half_life_days), to_us=decayed_mean(theirs, half_life_days),
            n_from_us=len(ours), n_to_us=len(theirs), last_rated_at=last[account_id],
            satisfaction=decayed_mean(satisfaction.get(account_id, []), half_life_days),
        )
    return result


def trust_by_quarter(
    as_of: date | datetime, account_ids: AccountIds = None, *, quarters: int = 8, pooled: bool = False,
) -> dict[int | None, dict[date, dict[str, tuple[float, int]]]]:
    """Per account (or pooled, keyed None), quarter and direction: (mean trust, number of
    ratings) of the ratings dated in that quarter (one query)."""
    day = _day(as_of)
    starts = quarters_ending(day, quarters)
    buckets = quarter_buckets("rated_at", starts, is_datetime=False)
    rows = _scoped(TrustRating.objects.filter(rated_at__lte=day, rated_at__gte=starts[0]), account_ids)
    keys = ["direction"] if pooled else ["account_id", "direction"]
    sums = {f"t{i}": Sum("trust", filter=q) for i, (_s, q) in enumerate(buckets)}
    counts = {f"n{i}": Count("pk", filter=q) for i, (_s, q) in enumerate(buckets)}
    result: dict[int | None, dict[date, dict[str, tuple[float, int]]]]
    result = defaultdict(lambda: defaultdict(dict))
    for row in rows.order_by().values(*keys).annotate(**sums, **counts):
        key = None if pooled else row["account_id"]
        for i, (start, _q) in enumerate(buckets):
            if row[f"n{i}"]:
                result[key][start][row["direction"]] = (float(row[f"t{i}"]) / row[f"n{i}"], row[f"n{i}"])
    return {account_id: dict(by_quarter) for account_id, by_quarter in result.items()}
