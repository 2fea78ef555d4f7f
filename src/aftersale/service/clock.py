"""Where a case stands against its targets as of a moment: plain data in, plain data out.

The clock of a case runs on the business-hours calendar from the moment it was
opened and stops while the case is *waiting on the customer*, *resolved* or
*closed* (a reopened case picks up where it stopped). Its status history is
read from the status changes recorded up to the moment asked about, so the
answer for a past moment ignores everything that happened later.

- The **response** target is met by the first response (resolving a case
  without one counts as the response).
- The **resolution** target is met when the case is resolved or closed.
- Due time = opened + target, in business time, not counting stopped time.
  While the clock runs, that is a projection; once the target is met, it is
  final.
- A target is **breached** if it was met after its due time, or if it is
  still unmet and the due time has passed.
- An unmet, unbreached target is **at risk** once less than ``at_risk_share``
  of it remains.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from aftersale.service.business_hours import (
    ZERO,
    Interval,
    WorkCalendar,
    add_business_time,
    business_time_between,
    hours,
)

# Plain values of CaseStatus and TargetState (models.py), so this module needs no Django.
NEW, IN_PROGRESS, WAITING, RESOLVED, CLOSED = "new", "in_progress", "waiting", "resolved", "closed"
OPEN_STATUSES = frozenset({NEW, IN_PROGRESS, WAITING})
STOPPED_STATUSES = frozenset({WAITING, RESOLVED, CLOSED})
ON_TRACK, AT_RISK, BREACHED = "on_track", "at_risk", "breached"


@dataclass(frozen=True)
class CaseFacts:
    """What the clock needs to know about a case."""

    opened_at: datetime
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    # (moment, new status) in order; may be empty for imported cases.
    changes: tuple[tuple[datetime, str], ...] = ()
    response_hours: Decimal | None = None
    resolution_hours: Decimal | None = None
    status: str = ""  # the status now; only read for cases without recorded changes


@dataclass(frozen=True)
class TargetClock:
    target: timedelta
    due_at: datetime
    met_at: datetime | None  # None while the target is still to be met
    breached: bool
    remaining: timedelta  # business time left before the due time (zero once breached)
    state: str  # ON_TRACK, AT_RISK or BREACHED

    @property
    def running(self) -> bool:
        return self.met_at is None


@dataclass(frozen=True)
class CaseClock:
    status: str  # the status as of the moment asked about
    paused: bool  # the clock is stopped because the case waits on the customer
    response: TargetClock | None  # None when the case has no response target
    resolution: TargetClock | None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def breached(self) -> bool:
        return any(t is not None and t.breached for t in (self.response, self.resolution))

    @property
    def state(self) -> str:
        """The worst of the two targets: a case that missed either target stays breached."""
        states = {t.state for t in (self.response, self.resolution) if t is not None}
        for state in (BREACHED, AT_RISK):
            if state in states:
                return state
        return ON_TRACK


def timeline(facts: CaseFacts, until: datetime) -> list[tuple[datetime, str]]:
    """The case's statuses up to ``until``, starting with "new" at opening.

    Cases without recorded changes (imported ones) get theirs from their
    resolved and closed times.
    """
    events: list[tuple[datetime, str]] = [(facts.opened_at, NEW)]
    changes = list(facts.changes)
    if not changes:
        if facts.resolved_at is not None:
            changes.append((facts.resolved_at, RESOLVED))
        if facts.closed_at is not None:
            changes.append((facts.closed_at, CLOSED))
        if not changes and facts.status in (RESOLVED, CLOSED):
            # Finished, but nobody recorded when: treat it as finished on opening
            # rather than as open for ever.
            changes.append((facts.opened_at, facts.status))
    # A stable sort on time only: changes recorded in the same instant keep their order.
    events.extend(sorted((c for c in changes if c[0] >= facts.opened_at), key=lambda c: c[0]))
    return [(at, status) for at, status in events if at <= until]


def stopped_intervals(events: Sequence[tuple[datetime, str]], until: datetime) -> list[Interval]:
    """The stretches in which the clock was stopped; one still going is cut at ``until``."""
    result: list[Interval] = []
    stopped_since: datetime | None = None
    for at, status in events:
        if status in STOPPED_STATUSES and stopped_since is None:
            stopped_since = at
        elif status not in STOPPED_STATUSES and stopped_since is not None:
            result.append((stopped_since, at))
            stopped_since = None
    if stopped_since is not None and until > stopped_since:
        result.append((stopped_since, until))
    return result


def _target_clock(
    cal: WorkCalendar, facts: CaseFacts, target_hours: Decimal, met_at: datetime | None,
    events: Sequence[tuple[datetime, str]], as_of: datetime, at_risk_share: Decimal,
) -> TargetClock:
    target = hours(target_hours)
    until = met_at if met_at is not None else as_of
    stops = stopped_intervals([e for e in events if e[0] <= until], until)
    due = add_business_time(cal, facts.opened_at, target, stops)
    breached = until > due
    remaining = ZERO
    if breached:
        state = BREACHED
    elif met_at is not None:
        state = ON_TRACK
    else:
        # What is left runs from now to the due time (the clock's additivity),
        # which only walks the days ahead rather than the whole life of the case.
        remaining = business_time_between(cal, as_of, due, stops)
        state = AT_RISK if remaining <= target * float(at_risk_share) else ON_TRACK
    return TargetClock(target, due, met_at, breached, remaining, state)


def case_clock(
    cal: WorkCalendar, facts: CaseFacts, as_of: datetime, at_risk_share: Decimal = Decimal("0.25"),
) -> CaseClock:
    """The case's targets as of ``as_of`` (which must not be before it was opened)."""
    if as_of < facts.opened_at:
        raise ValueError("cannot measure a case before it was opened")
    events = timeline(facts, as_of)
    status = events[-1][1]
    # When the case was last resolved (or closed straight away): the clock stopped for good.
    resolved_at: datetime | None = None
    for at, s in events:
        resolved_at = (resolved_at or at) if s in (RESOLVED, CLOSED) else None
    done = resolved_at is not None
    response = resolution = None
    if facts.response_hours is not None:
        responded = facts.first_response_at
        if responded is not None and responded > as_of:
            responded = None
        if responded is None and done:
            responded = resolved_at
        response = _target_clock(
            cal, facts, facts.response_hours, responded, events, as_of, at_risk_share
        )
    if facts.resolution_hours is not None:
        resolution = _target_clock(
            cal, facts, facts.resolution_hours, resolved_at, events, as_of, at_risk_share
        )
    return CaseClock(status=status, paused=status == WAITING, response=response, resolution=resolution)

