"""Department alignment (P7): which department's promises which department keeps or breaks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from aftersale.core.enums import Department, Direction
from aftersale.core.filters import FilterForm, choice, day, number
from aftersale.promises.measures import PromiseMeasures, promise_measures
from aftersale.staff.access import staff_required
from aftersale.staff.models import User

EMPTY = PromiseMeasures()


class ReportForm(FilterForm):
    as_of = day(gettext_lazy("As of"))
    months = number(gettext_lazy("Months back"), 1, 120)
    direction = choice(gettext_lazy("Direction"), [
        (Direction.FROM_US, gettext_lazy("Our promises")),
        (Direction.TO_US, gettext_lazy("Suppliers' promises to us")),
    ], blank=None)
    defaults = {"direction": Direction.FROM_US}
    submit_label = gettext_lazy("Show")


@dataclass
class ReportParams:
    as_of: date
    direction: str
    months: int
    form: ReportForm

    @classmethod
    def from_request(cls, request: HttpRequest) -> ReportParams:
        form = ReportForm(request.GET)
        values = form.values
        return cls(as_of=values["as_of"] or timezone.localdate(), form=form,
                   direction=values["direction"] or Direction.FROM_US, months=values["months"] or 12)

    def list_url(self, **filters: Any) -> str:
        """The promise list showing exactly the promises behind one number."""
        query = {
            "show": "all", "as_of": self.as_of.isoformat(), "direction": self.direction,
            "months": self.months, "outcome": "any", **filters,
        }
        return reverse("promise_list") + "?" + urlencode({k: v for k, v in query.items() if v})


@dataclass
class Cell:
    measures: PromiseMeasures
    url: str
    late_url: str
    broken_url: str
    overdue_url: str


def _cell(params: ReportParams, measures: PromiseMeasures, **filters: str) -> Cell:
    return Cell(
        measures=measures, url=params.list_url(**filters),
        late_url=params.list_url(outcome="late", **filters),
        broken_url=params.list_url(outcome="broken", **filters),
        overdue_url=params.list_url(outcome="overdue", **filters),
    )


def _total(items: Any) -> PromiseMeasures:
    total = EMPTY
    for item in items:
        total = total + item
    return total


@staff_required
def alignment(request: HttpRequest) -> HttpResponse:
    """Making department by delivering department, from one aggregate query."""
    params = ReportParams.from_request(request)
    matrix = promise_measures(
        params.as_of, group_by="departments", direction=params.direction, months=params.months
    )
    labels = dict(Department.choices)
    makers = [d for d in Department.values if any(key[0] == d for key in matrix)]
    deliverers = [d for d in Department.values if any(key[1] == d for key in matrix)]
    rows = []
    for maker in makers:
        cells = [
            _cell(params, matrix.get((maker, deliverer), EMPTY), made_dept=maker, delivery_dept=deliverer)
            for deliverer in deliverers
        ]
        total = _total(matrix.get((maker, d), EMPTY) for d in deliverers)
        rows.append((maker, labels[maker], cells, _cell(params, total, made_dept=maker)))
    column_totals = [
        _cell(params, _total(matrix.get((m, d), EMPTY) for m in makers), delivery_dept=d)
        for d in deliverers
    ]
    grand = _cell(params, _total(matrix.values()))
    return render(
        request, "promises/alignment.html",
        {"params": params, "rows": rows, "deliverers": [(d, labels[d]) for d in deliverers],
         "column_totals": column_totals, "grand": grand},
        status=params.form.response_status,
    )


@staff_required
def department(request: HttpRequest, department: str) -> HttpResponse:
    """One department's record: what it promised and others delivered, what it had to deliver."""
    if department not in Department.values:
        raise Http404
    params = ReportParams.from_request(request)
    labels = dict(Department.choices)
    common = {"direction": params.direction, "months": params.months}
    as_maker = promise_measures(
        params.as_of, group_by="delivery_department", where=Q(made_by_department=department), **common
    )
    as_deliverer = promise_measures(
        params.as_of, group_by="made_by_department", where=Q(delivery_department=department), **common
    )
    deliverers = promise_measures(
        params.as_of, group_by="delivery_owner", where=Q(delivery_department=department), **common
    )
    makers = promise_measures(
        params.as_of, group_by="made_by", where=Q(made_by_department=department), **common
    )
    people = User.objects.in_bulk(set(deliverers) | set(makers))
    made = [
        (labels.get(other, other), _cell(params, m, made_dept=department, delivery_dept=other))
        for other, m in sorted(as_maker.items(), key=lambda kv: Department.values.index(kv[0]))
    ]
    delivered = [
        (labels.get(other, other), _cell(params, m, made_dept=other, delivery_dept=department))
        for other, m in sorted(as_deliverer.items(), key=lambda kv: Department.values.index(kv[0]))
    ]
    made_by_others = _total(m for other, m in as_maker.items() if other != department)
    return render(
        request, "promises/department.html",
        {
            "params": params, "department": department, "label": labels[department],
            "made": made, "made_total": _cell(params, _total(as_maker.values()), made_dept=department),
            "made_by_others": made_by_others,
            "delivered": delivered,
            "delivered_total": _cell(params, _total(as_deliverer.values()), delivery_dept=department),
            "deliverers": _people(deliverers, people), "makers": _people(makers, people),
            "departments": Department.choices,
        },
        status=params.form.response_status,
    )


def _people(measures: dict[int, PromiseMeasures], people: dict[int, User]) -> list[tuple[User, Any]]:
    return sorted(
        ((people[pk], m) for pk, m in measures.items() if pk in people),
        key=lambda pair: pair[0].name,
    )
