"""Promise measures as of any date (P5, P6, P7): made, kept, late, broken, open, overdue.

Everything here is set-based: one aggregate query per grouping, whatever the
number of accounts. Everything takes ``as_of`` and reads the promise as it stood
at the end of that day:

- a promise counts only once it was made (``made_at <= as_of``);
- it is closed as of that day only if ``closed_at <= as_of``, so a promise kept
  after ``as_of`` counts as open (and overdue, if its due date had passed);
- its due date as of that day is the one in force then: a renegotiation
  recorded after ``as_of`` is undone by reading the old date from its history.

The window is the ``months`` (12) before ``as_of``: ``made`` counts promises
made in it; ``kept``, ``late``, ``broken`` and ``cancelled`` count promises
closed in it; ``open`` and ``overdue`` are the state on ``as_of`` itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    Expression,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from aftersale.core.asof import as_date, day_after, months_before
from aftersale.core.enums import Direction
from aftersale.promises.models import EventAction, Promise, PromiseEvent, PromiseStatus

# What a measure can be grouped by, and the key each result is indexed with.
GROUPINGS: dict[str, tuple[str, ...]] = {
    "account": ("account_id",),
    "made_by": ("made_by_id",),
    "delivery_owner": ("delivery_owner_id",),
    "made_by_department": ("made_by_department",),
    "delivery_department": ("delivery_department",),
    "departments": ("made_by_department", "delivery_department"),
    "total": (),
}

OUTCOMES = ("made", "kept", "late", "broken", "cancelled", "open", "overdue")


@dataclass(frozen=True)
class PromiseMeasures:
    """Counts for one group as of one day (see the module docstring for the window)."""

    made: int = 0
    kept: int = 0
    late: int = 0
    broken: int = 0
    cancelled: int = 0
    open: int = 0
    overdue: int = 0

    @property
    def delivered(self) -> int:
        return self.kept + self.late

    @property
    def due(self) -> int:
        """Promises that came due: closed with an outcome in the window, or overdue now."""
        return self.kept + self.late + self.broken + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        """Share kept on time of the promises that came due; None when none did.

        Overdue promises are in the denominator so that an account sitting on
        overdue promises does not look good merely because nothing closed.
        """
        return self.kept / self.due if self.due else None

    def __add__(self, other: PromiseMeasures) -> PromiseMeasures:
        # Every count is additive, so totals of a matrix need no extra query.
        return PromiseMeasures(**{name: getattr(self, name) + getattr(other, name) for name in OUTCOMES})

    def as_dict(self) -> dict[str, Any]:
        return {
            **{name: getattr(self, name) for name in OUTCOMES},
            "on_time_rate": self.on_time_rate,
        }


def due_as_of(as_of: date) -> Expression:
    """The due date in force at the end of ``as_of``.

    Each renegotiation's history row holds ``due_at: [old, new]``; the earliest
    renegotiation after ``as_of`` tells which date was in force then. Promises
    never renegotiated skip the subquery (the CASE short-circuits).
    """
    old_due = (
        PromiseEvent.objects.filter(
            promise=OuterRef("pk"), action=EventAction.RENEGOTIATED, at__gte=day_after(as_of)
        )
        .order_by("at", "pk")
        .annotate(old_due=Cast(KT("changes__due_at__0"), DateField()))
        .values("old_due")[:1]
    )
    return Case(
        When(renegotiations=0, then=F("due_at")),
        default=Coalesce(Subquery(old_due, output_field=DateField()), F("due_at")),
        output_field=DateField(),
    )


def with_due_as_of(promises: QuerySet[Promise], as_of: date) -> QuerySet[Promise]:
    return promises.annotate(due_as_of=due_as_of(as_of))


def made_q(as_of: date, months: int = 12) -> Q:
    return Q(made_at__gt=months_before(as_of, months), made_at__lte=as_of)


def pending_q(as_of: date) -> Q:
    """Made by ``as_of`` and not yet closed at the end of that day."""
    return Q(made_at__lte=as_of) & (Q(closed_at__isnull=True) | Q(closed_at__gt=as_of))


def closed_q(status: str, as_of: date, months: int = 12) -> Q:
    return Q(status=status, closed_at__gt=months_before(as_of, months), closed_at__lte=as_of)


def outcome_q(outcome: str, as_of: date, months: int = 12) -> Q:
    """The promises one measure counts. ``overdue`` needs the ``due_as_of`` annotation."""
    if outcome == "made":
        return made_q(as_of, months)
    if outcome == "open":
        return pending_q(as_of)
    if outcome == "overdue":
        return pending_q(as_of) & Q(due_as_of__lt=as_of)
    if outcome in ("kept", "late", "broken", "cancelled"):
        return closed_q(outcome, as_of, months)
    raise ValueError(f"unknown promise outcome {outcome!r} (use one of {', '.join(OUTCOMES)})")


def relevant_q(as_of: date, months: int = 12) -> Q:
    """Every promise that any measure counts: made or closed in the window, or pending."""
    start = months_before(as_of, months)
    return Q(made_at__lte=as_of) & (
        Q(made_at__gt=start) | Q(closed_at__isnull=True) | Q(closed_at__gt=start)
    )


def measured_promises(
    as_of: date | datetime, *, account_ids: Iterable[int] | None = None,
    direction: str | None = Direction.FROM_US, months: int = 12,
    base: QuerySet[Promise] | None = None,
) -> QuerySet[Promise]:
    """The promises the measures look at, annotated with ``due_as_of``."""
    day = as_date(as_of)
    promises = (base if base is not None else Promise.objects.all()).filter(relevant_q(day, months))
    if account_ids is not None:
        promises = promises.filter(account_id__in=list(account_ids))
    if direction is not None:
        if direction not in Direction.values:
            raise ValueError(f"unknown direction {direction!r} (use from_us, to_us or None)")
        promises = promises.filter(direction=direction)
    return with_due_as_of(promises, day)


def promise_measures(
    as_of: date | datetime, account_ids: Iterable[int] | None = None, group_by: str = "account",
    *, direction: str | None = Direction.FROM_US, months: int = 12, where: Q | None = None,
) -> dict[Any, PromiseMeasures]:
    """Counts per group as of ``as_of``, in one aggregate query.

    ``group_by`` is one of ``GROUPINGS``; keys are the account id, the user id
    (``made_by``, ``delivery_owner``), the department value, a
    ``(making, delivering)`` pair for ``departments``, or ``None`` for ``total``.
    ``direction`` is ``from_us`` (promises we made, the default), ``to_us``
    (promises suppliers made us) or ``None`` for both. ``where`` narrows the
    promises further (for example one department). Groups with nothing to
    count are absent.
    """
    if group_by not in GROUPINGS:
        raise ValueError(
            f"cannot group promise measures by {group_by!r} (use one of {', '.join(GROUPINGS)})"
        )
    day = as_date(as_of)
    keys = GROUPINGS[group_by]
    counts = {name: Count("pk", filter=outcome_q(name, day, months)) for name in OUTCOMES}
    promises = measured_promises(day, account_ids=account_ids, direction=direction, months=months)
    if where is not None:
        promises = promises.filter(where)
    if not keys:
        row = promises.aggregate(**counts)
        measures = PromiseMeasures(**{name: row[name] or 0 for name in OUTCOMES})
        return {None: measures} if any(row.values()) else {}
    result: dict[Any, PromiseMeasures] = {}
    for row in promises.values(*keys).annotate(**counts).order_by():
        key = row[keys[0]] if len(keys) == 1 else tuple(row[k] for k in keys)
        result[key] = PromiseMeasures(**{name: row[name] for name in OUTCOMES})
    return result


def status_as_of(promise: Promise, as_of: date) -> str:
    """The status a promise had at the end of ``as_of`` (for one row on a page)."""
    if promise.made_at > as_of:
        return ""
    if promise.closed_at is not None and promise.closed_at <= as_of:
        return promise.status
    # Closed only later: it was still pending then.
    return promise.status if promise.status in PromiseStatus.pending() else PromiseStatus.OPEN
