"""Departments (P7): what each department promised and kept, its time with customers,
and the cases it handled. Each measure is one aggregate query across all accounts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from aftersale.core.asof import start_of_day
from aftersale.core.enums import Department
from aftersale.core.sql import run, table
from aftersale.engagement.models import TouchpointParticipant
from aftersale.promises.measures import PromiseMeasures, promise_measures
from aftersale.service.models import WorkLog
from aftersale.staff.access import staff_required
from aftersale.web.models import DepartmentFigures

MONTHS = 12


def promises_by_department(as_of: datetime, months: int) -> tuple[dict[str, PromiseMeasures],
                                                                   dict[str, PromiseMeasures]]:
    """(by the department that made them, by the one that must deliver them): one query
    grouped by both departments, added up each way (every count is additive)."""
    made: dict[str, PromiseMeasures] = {}
    delivered: dict[str, PromiseMeasures] = {}
    for (making, delivering), measures in promise_measures(
            as_of, group_by="departments", months=months).items():
        made[making] = made.get(making, PromiseMeasures()) + measures
        delivered[delivering] = delivered.get(delivering, PromiseMeasures()) + measures
    return made, delivered


def meeting_minutes(as_of: datetime, since: date) -> dict[str, int]:
    """Touchpoint minutes per participant's department, touchpoints from ``since`` to ``as_of``.

    The window is bounded by moments, not by ``occurred_at``'s local date: a date taken of
    every row cannot use an index, a comparison with the first moment of ``since`` can."""
    start = start_of_day(since)
    return {
        department: minutes or 0
        for department, minutes in TouchpointParticipant.objects.filter(
            touchpoint__occurred_at__gte=start, touchpoint__occurred_at__lte=as_of,
        ).values_list("department").annotate(m=Sum("touchpoint__minutes")).order_by()
    }


def onsite_minutes(since: date, until: date) -> dict[str, int]:
    """On-site work minutes per department dated in [since, until], as
    ``service.measures.onsite_minutes_by_department`` counts them (hours summed per account
    and department, then rounded to minutes) but added up per department in the database.

    Hours have two decimals, so each account's minutes never end in exactly .5 and the
    database's rounding (half away from zero) agrees with Python's (half to even)."""
    logs = table(WorkLog)
    return {
        department: int(minutes)
        for department, minutes in run(
            f"SELECT department, SUM(minutes) FROM (SELECT department, ROUND(SUM(hours) * 60) AS minutes"  # noqa: S608
            f" FROM {logs} WHERE on_site = :yes AND worked_on >= :since AND worked_on <= :until"
            f" GROUP BY account_id, department) per_account GROUP BY department",
            yes=True, since=since, until=until,
        )
    }


def cases_handled(since: date, until: date) -> dict[str, int]:
    """Distinct cases each department logged work on, dated in [since, until]."""
    return dict(
        WorkLog.objects.filter(case__isnull=False, worked_on__gte=since, worked_on__lte=until)
        .values_list("department").annotate(n=Count("case", distinct=True)).order_by()
    )


def department_rows(as_of: datetime, months: int = MONTHS) -> list[dict]:
    until = timezone.localdate(as_of)
    since = until - timedelta(days=round(months * 30.44))
    made, delivered = promises_by_department(as_of, months)
    meeting = meeting_minutes(as_of, since)
    onsite = onsite_minutes(since, until)
    cases = cases_handled(since, until)
    rows = []
    for code, _label in Department.choices:
        m, d = made.get(code), delivered.get(code)
        face = meeting.get(code, 0) + onsite.get(code, 0)
        rows.append({
            "code": code,
            "made": m.made if m else 0, "made_kept": m.kept if m else 0,
            "made_late": m.late if m else 0, "made_broken": m.broken if m else 0,
            "to_deliver": d.due if d else 0, "delivered_kept": d.kept if d else 0,
            "delivered_late": d.late if d else 0, "overdue": d.overdue if d else 0,
            "meeting_hours": meeting.get(code, 0) / 60, "onsite_hours": onsite.get(code, 0) / 60,
            "face_hours": face / 60, "cases": cases.get(code, 0),
        })
    return rows


def stored_figures(now: datetime, *, recompute: bool = False) -> DepartmentFigures:
    """Today's stored figures; computed (as of ``now``) and stored when there are none
    yet, or when ``recompute``. Two first viewers at once both compute; one row is kept."""
    day = timezone.localdate(now)
    if not recompute:
        stored = DepartmentFigures.objects.filter(day=day, months=MONTHS).first()
        if stored is not None:
            return stored
    values = {"computed_at": now, "months": MONTHS, "rows": department_rows(now, MONTHS)}
    try:  # update_or_create runs in its own savepoint
        figures, _ = DepartmentFigures.objects.update_or_create(day=day, defaults=values)
    except IntegrityError:  # another request stored the day's figures meanwhile
        figures = DepartmentFigures.objects.get(day=day)
    return figures


@staff_required
@require_http_methods(["GET", "POST"])
def departments(request: HttpRequest) -> HttpResponse:
    """GET reads today's figures (the day's first view computes them); POST recomputes."""
    figures = stored_figures(timezone.now(), recompute=request.method == "POST")
    if request.method == "POST":
        return redirect("departments")
    labels = dict(Department.choices)
    rows = [{**row, "label": labels.get(row["code"], row["code"])} for row in figures.rows]
    return render(request, "web/departments.html", {
        "rows": rows, "as_of": figures.computed_at, "months": figures.months,
    })
