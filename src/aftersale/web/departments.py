"""Departments (P7): what each department promised and kept, its time with customers,
and the cases it handled. Each measure is one aggregate query across all accounts."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from aftersale.core.enums import Department
from aftersale.engagement.models import TouchpointParticipant
from aftersale.promises.measures import promise_measures
from aftersale.service.measures import onsite_minutes_by_department
from aftersale.service.models import WorkLog
from aftersale.staff.access import staff_required

MONTHS = 12


def department_rows(as_of, months: int = MONTHS) -> list[dict]:
    since = timezone.localdate(as_of) - timedelta(days=round(months * 30.44))
    made = promise_measures(as_of, group_by="made_by_department", months=months)
    delivered = promise_measures(as_of, group_by="delivery_department", months=months)
    meeting = dict(
        TouchpointParticipant.objects.filter(
            touchpoint__occurred_at__date__gte=since, touchpoint__occurred_at__lte=as_of,
        ).values_list("department").annotate(m=Sum("touchpoint__minutes")).order_by()
    )
    onsite: dict[str, int] = {}
    for per_department in onsite_minutes_by_department(as_of, since=since).values():
        for department, minutes in per_department.items():
            onsite[department] = onsite.get(department, 0) + minutes
    cases = dict(
        WorkLog.objects.filter(case__isnull=False, worked_on__gte=since,
                               worked_on__lte=timezone.localdate(as_of))
        .values_list("department").annotate(n=Count("case", distinct=True)).order_by()
    )
    rows = []
    for code, label in Department.choices:
        m, d = made.get(code), delivered.get(code)
        face = (meeting.get(code) or 0) + onsite.get(code, 0)
        rows.append({
            "code": code, "label": label,
            "made": m.made if m else 0, "made_kept": m.kept if m else 0,
            "made_late": m.late if m else 0, "made_broken": m.broken if m else 0,
            "to_deliver": d.due if d else 0, "delivered_kept": d.kept if d else 0,
            "delivered_late": d.late if d else 0, "overdue": d.overdue if d else 0,
            "meeting_hours": (meeting.get(code) or 0) / 60, "onsite_hours": onsite.get(code, 0) / 60,
            "face_hours": face / 60, "cases": cases.get(code, 0),
        })
    return rows


@staff_required
def departments(request: HttpRequest) -> HttpResponse:
    as_of = timezone.now()
    return render(request, "web/departments.html",
                  {"rows": department_rows(as_of), "as_of": as_of, "months": MONTHS})
