"""Service measures the health engine reads: set-based, as of a moment.

- ``onsite_minutes_by_department``: on-site work counts as face time with the
  customer (P15), next to the engagement app's touchpoints.
- ``target_performance``: how the account's cases did against their targets (P3).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q, Sum
from django.utils import timezone

from aftersale.service.models import CaseStatus, ServiceCase, WorkLog
from aftersale.service.targets import clocks_for


def onsite_minutes_by_department(
    as_of: datetime, account_ids: Iterable[int] | None = None, since: date | None = None,
) -> dict[int, dict[str, int]]:
    """Minutes of on-site work per account and department, dated in [since, as_of] (one query).

    Every department is reported; the engine decides which count as technical
    presence (``Department.technical()``: engineering, production, service).
    """
    logs = WorkLog.objects.filter(on_site=True, worked_on__lte=timezone.localdate(as_of))
    if since is not None:
        logs = logs.filter(worked_on__gte=since)
    if account_ids is not None:
        logs = logs.filter(account_id__in=list(account_ids))
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for row in logs.order_by().values("account_id", "department").annotate(hours=Sum("hours")):
        result[row["account_id"]][row["department"]] = int(round(row["hours"] * 60))
    return dict(result)


@dataclass
class TargetPerformance:
    cases: int = 0  # cases opened in the period
    response_breached: int = 0
    resolution_breached: int = 0
    breached: int = 0  # cases that missed either target
    open: int = 0  # of those, still open at as_of
    complaints: int = 0

    @property
    def breach_rate(self) -> float | None:
        return self.breached / self.cases if self.cases else None


def target_performance(
    as_of: datetime, account_ids: Iterable[int] | None = None, since: datetime | None = None,
) -> dict[int, TargetPerformance]:
    """Per account: cases opened in [since, as_of] and how many missed their targets as of ``as_of``.

    Cases already finished by ``as_of`` whose clock was stored when they were
    resolved are counted from their stored flags, in one aggregate query; the
    clock is run only for the rest (open at ``as_of``, or never measured, such
    as imported ones): a fixed number of queries for any number of accounts.
    """
    cases = ServiceCase.objects.filter(opened_at__lte=as_of)
    if since is not None:
        cases = cases.filter(opened_at__gte=since)
    if account_ids is not None:
        cases = cases.filter(account_id__in=list(account_ids))
    # Resolved by as_of and not reopened since (reopening clears resolved_at): the flags
    # written when it was resolved are the answer as of any later moment.
    final = Q(
        status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED], resolved_at__lte=as_of,
        response_due_at__isnull=False, resolution_due_at__isnull=False,
    )
    result: dict[int, TargetPerformance] = defaultdict(TargetPerformance)
    stored = cases.filter(final).order_by().values("account_id").annotate(
        n=Count("pk"),
        complaints=Count("pk", filter=Q(is_complaint=True)),
        response=Count("pk", filter=Q(response_breached=True)),
        resolution=Count("pk", filter=Q(resolution_breached=True)),
        either=Count("pk", filter=Q(response_breached=True) | Q(resolution_breached=True)),
    )
    for row in stored:
        perf = result[row["account_id"]]
        perf.cases += row["n"]
        perf.complaints += row["complaints"]
        perf.response_breached += row["response"]
        perf.resolution_breached += row["resolution"]
        perf.breached += row["either"]
    rest = list(cases.exclude(final).order_by().only(
        "pk", "account_id", "severity", "status", "is_complaint", "opened_at", "first_response_at",
        "resolved_at", "closed_at", "response_target_hours", "resolution_target_hours",
    ))
    clocks = clocks_for(rest, as_of)
    for case in rest:
        perf = result[case.account_id]
        clock = clocks[case.pk]
        perf.cases += 1
        perf.complaints += case.is_complaint
        perf.open += clock.is_open
        response = clock.response is not None and clock.response.breached
        resolution = clock.resolution is not None and clock.resolution.breached
        perf.response_breached += response
        perf.resolution_breached += resolution
        perf.breached += response or resolution
    return dict(result)
