"""Reading what the case clock needs from the database: the calendar, the targets, the history.

The arithmetic lives in ``business_hours`` and ``clock`` (no ORM); this module
gathers their inputs in a fixed number of queries for any number of cases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from aftersale.service.business_hours import WorkCalendar
from aftersale.service.clock import CaseClock, CaseFacts, case_clock
from aftersale.service.conf import decimal_setting, service_setting
from aftersale.service.models import CaseStatusChange, Holiday, ServiceCase, ServiceTarget


def service_calendar() -> WorkCalendar:
    """The calendar configured in ``AFTERSALE["SERVICE"]`` with its holidays (one query, or none)."""
    days = service_setting("WORKING_DAYS")
    start, end = service_setting("WORKING_HOURS")
    lunch = service_setting("LUNCH")
    name = service_setting("HOLIDAYS") or ""
    holidays = Holiday.objects.filter(calendar=name).values_list("date", flat=True) if name else []
    try:
        return WorkCalendar.from_hours(
            tz=timezone.get_default_timezone(), working_days=days, start=start, end=end,
            lunch=lunch, holidays=list(holidays),
        )
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f'AFTERSALE["SERVICE"] describes no usable calendar: {exc}') from None


def at_risk_share() -> Decimal:
    return decimal_setting("AT_RISK_SHARE")


def targets_by_severity() -> dict[str, tuple[Decimal, Decimal]]:
    """(response hours, resolution hours) per severity, from the ServiceTarget table."""
    return {
        t.severity: (t.response_hours, t.resolution_hours) for t in ServiceTarget.objects.all()
    }


def facts_of(
    case: ServiceCase, changes: Sequence[tuple[datetime, str]],
    targets: dict[str, tuple[Decimal, Decimal]],
) -> CaseFacts:
    """The clock's view of a case. Cases opened before targets were snapshotted use today's."""
    response, resolution = case.response_target_hours, case.resolution_target_hours
    current = targets.get(case.severity)
    if current is not None:
        response = response if response is not None else current[0]
        resolution = resolution if resolution is not None else current[1]
    return CaseFacts(
        opened_at=case.opened_at, first_response_at=case.first_response_at,
        resolved_at=case.resolved_at, closed_at=case.closed_at, changes=tuple(changes),
        response_hours=response, resolution_hours=resolution, status=case.status,
    )


CHUNK = 10_000


def status_changes(case_ids: Iterable[int], until: datetime) -> dict[int, list[tuple[datetime, str]]]:
    """Each case's status changes up to ``until``, in order (one query per ``CHUNK`` cases)."""
    result: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    ids = list(case_ids)
    # Batches keep each query under the databases' bound-parameter limits.
    for i in range(0, len(ids), CHUNK):
        rows = (
            CaseStatusChange.objects.filter(case_id__in=ids[i : i + CHUNK], at__lte=until)
            .order_by("case_id", "at", "pk")
            .values_list("case_id", "at", "to_status")
        )
        for case_id, at, status in rows:
            result[case_id].append((at, status))
    return result


def clocks_for(
    cases: Sequence[ServiceCase], as_of: datetime, *, calendar: WorkCalendar | None = None,
) -> dict[int, CaseClock]:
    """The clock of each case as of ``as_of``: three queries whatever the number of cases."""
    if not cases:
        return {}
    cal = calendar or service_calendar()
    targets = targets_by_severity()
    share = at_risk_share()
    changes = status_changes([c.pk for c in cases], as_of)
    return {
        c.pk: case_clock(cal, facts_of(c, changes.get(c.pk, []), targets), as_of, share)
        for c in cases
        if c.opened_at <= as_of
    }
