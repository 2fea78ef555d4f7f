"""Face time and trust (P15 to P17): trust ratings, the face-time report per account and
for the portfolio, and the managers' "does trust pay?" report."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.accounts.access import access_account
from aftersale.accounts.models import Account
from aftersale.core import charts
from aftersale.core.enums import Direction
from aftersale.core.filters import not_after
from aftersale.core.forms import apply_errors
from aftersale.reviews.actions import do_record_trust_rating
from aftersale.reviews.conf import LEAST_TRUSTED_SHARE, MOST_TRUSTED_SHARE
from aftersale.reviews.forms import ScopeFilters, TrustFilters, TrustRatingForm
from aftersale.reviews.measures import (
    exchange,
    face_time,
    face_time_by_quarter,
    quarter_label,
    quarters_ending,
    staff_time,
    trust_by_quarter,
    trust_measures,
)
from aftersale.reviews.queries import trust_ratings_for
from aftersale.reviews.stats import reading
from aftersale.reviews.trust_pays import REVENUE_UNITS, findings, trust_cost_rows
from aftersale.staff.access import manager_required, staff_required

QUARTERS = 8


def references() -> list[tuple[str, float, str]]:
    return [
        (_("Least-trusted automaker, about %(share)d%%") % {"share": round(LEAST_TRUSTED_SHARE * 100)},
         LEAST_TRUSTED_SHARE, "s-risk"),
        (_("Most trusted, about half that: %(share)d%%") % {"share": round(MOST_TRUSTED_SHARE * 100)},
         MOST_TRUSTED_SHARE, "s-healthy"),
    ]


def quarterly(as_of: date, account_ids: list[int] | None, key: int | None) -> dict[str, Any]:
    """The per-quarter table and charts for one account (key = its id) or pooled (key None)."""
    pooled = key is None
    quarters = quarters_ending(as_of, QUARTERS)
    face = face_time_by_quarter(as_of, account_ids, quarters=QUARTERS, pooled=pooled).get(key, {})
    staff = staff_time(as_of, account_ids, since=quarters[0], by_quarter=True, pooled=pooled).get(key, {})
    trust = trust_by_quarter(as_of, account_ids, quarters=QUARTERS, pooled=pooled).get(key, {})
    rows = []
    for start in quarters:
        f, s, t = face.get(start), staff.get(start), trust.get(start, {})
        rows.append({
            "quarter": quarter_label(start), "face": f, "staff": s,
            "to_us": t.get(Direction.TO_US), "from_us": t.get(Direction.FROM_US),
        })
    labels = [r["quarter"] for r in rows]
    shares = [r["face"].share if r["face"] else None for r in rows]
    technical = [r["staff"].technical_share if r["staff"] else None for r in rows]
    share_chart = charts.line_chart(
        _("Transactional share of face time by quarter"), labels,
        [charts.Series(_("Transactional share"), "s-risk", shares),
         charts.Series(_("Technical and production share of our time"), "s-brand", technical)],
        y_range=(0, 1), y_format=charts.percent(), references=references(),
    )
    theirs = [r["to_us"][0] if r["to_us"] else None for r in rows]
    ours = [r["from_us"][0] if r["from_us"] else None for r in rows]
    trust_chart = charts.line_chart(
        _("Trust ratings by quarter"), labels,
        [charts.Series(_("Their rating of us"), "s-accent", theirs),
         charts.Series(_("Our rating of them"), "s-watch", ours)],
        y_range=(1, 5), y_format=charts.ONE_PLACE,
    )
    return {"rows": rows, "share_chart": share_chart, "trust_chart": trust_chart}


@staff_required
def account_trust(request: HttpRequest, pk: int) -> HttpResponse:
    """One account's face time and trust over the last eight quarters."""
    account = access_account(request.user, pk)
    as_of = not_after(None, timezone.localdate())
    ids = [account.pk]
    context = quarterly(as_of, ids, account.pk)
    context.update({
        "account": account, "as_of": as_of, "references": references(),
        "face": face_time(as_of, ids).get(account.pk),
        "staff": staff_time(as_of, ids).get(account.pk, {}).get(None),
        "trust": trust_measures(as_of, ids).get(account.pk),
        "exchange": exchange(as_of, ids).get(account.pk),
        "ratings": list(trust_ratings_for(Account.objects.filter(pk=account.pk))[:20]),
    })
    return render(request, "reviews/account_trust.html", context)


@staff_required
def face_time_report(request: HttpRequest) -> HttpResponse:
    """The portfolio: pooled face time and trust by quarter, and each account's last 12 months,
    most transactional first (where trust is lowest by the P17 yardstick)."""
    filters = ScopeFilters(request.GET, user=request.user)
    as_of = filters.as_of_day
    by_id = {a.pk: a for a in filters.accounts().select_related("owner")}
    ids = list(by_id)
    context = quarterly(as_of, ids, None)
    face, staff = face_time(as_of, ids), staff_time(as_of, ids)
    trust, flows = trust_measures(as_of, ids), exchange(as_of, ids)
    table = [
        {"account": by_id[pk], "face": face.get(pk), "staff": staff.get(pk, {}).get(None),
         "trust": trust.get(pk), "exchange": flows.get(pk)}
        for pk in ids
    ]
    table.sort(key=lambda r: (r["face"] is None or r["face"].share is None,
                              -(r["face"].share or 0) if r["face"] else 0, r["account"].name))
    page = Paginator(table, 50).get_page(request.GET.get("page"))
    context.update({"page": page, "filters": filters, "as_of": as_of, "references": references()})
    return render(request, "reviews/face_time_report.html", context, status=filters.response_status)


@staff_required
def trust_list(request: HttpRequest) -> HttpResponse:
    """Trust ratings in scope, newest first; ``?account=`` goes to that account's report."""
    filters = TrustFilters(request.GET)
    if filters.values["account"]:
        return redirect("account_trust", access_account(request.user, filters.values["account"]).pk)
    ratings = trust_ratings_for(Account.objects.restrict(request.user))
    if filters.values["direction"]:
        ratings = ratings.filter(direction=filters.values["direction"])
    page = Paginator(ratings, 50).get_page(request.GET.get("page"))
    return render(request, "reviews/trust_list.html", {"page": page, "filters": filters},
                  status=filters.response_status)


@staff_required
def trust_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a trust survey answer in either direction."""
    account = access_account(request.user, pk)
    form = TrustRatingForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_record_trust_rating(
                account=account, by=request.user, direction=data["direction"], rated_at=data["rated_at"],
                answers=form.answers(), satisfaction=data.get("satisfaction"),
                contact=data.get("rated_by_contact"), comment=data.get("comment") or "",
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Trust rating recorded."))
            return redirect("account_trust", account.pk)
    return render(request, "reviews/trust_form.html", {"account": account, "form": form})


@manager_required
def trust_pays(request: HttpRequest) -> HttpResponse:
    """Trust (ratings, transactional share) against cost-to-serve and purchasing effort."""
    filters = ScopeFilters(request.GET, user=request.user)
    as_of = filters.as_of_day
    by_id = {a.pk: a for a in filters.accounts().customers()}
    rows, currency, missing = trust_cost_rows(as_of, list(by_id))
    unit = REVENUE_UNITS.get(currency, REVENUE_UNITS["USD"])
    x_labels = {"trust": _("trust"), "transactional_share": _("transactional share of face time")}
    y_labels = {"cost_ratio": _("cost-to-serve per unit of revenue"),
                "effort": _("transactional minutes per unit of revenue")}
    results = [
        {"x": x_labels[f.x], "y": y_labels[f.y], "result": f.result,
         "reading": reading(f.result, str(x_labels[f.x]), str(y_labels[f.y]))}
        for f in findings(rows, unit)
    ]
    named = [(row, by_id[row.account_id]) for row in rows]
    drawn = {
        "trust_cost": charts.scatter_chart(
            _("Trust and cost-to-serve"),
            [(r.trust, r.cost_ratio, a.name) for r, a in named
             if r.trust is not None and r.cost_ratio is not None],
            x_title=_("Trust (1-5)"), y_title=_("Cost-to-serve / revenue"), y_format=charts.percent(1),
        ),
        "share_effort": charts.scatter_chart(
            _("Transactional share and purchasing effort"),
            [(r.transactional_share, r.effort(unit), a.name) for r, a in named
             if r.transactional_share is not None and r.effort(unit) is not None],
            x_title=_("Transactional share"), y_title=_("Transactional minutes per unit"),
            x_format=charts.percent(), y_format=charts.WHOLE,
        ),
    }
    table = sorted(
        ({"row": r, "account": a, "effort": r.effort(unit)} for r, a in named
         if r.trust is not None or r.transactional_share is not None),
        key=lambda t: (t["row"].trust is None, -(t["row"].trust or 0), t["account"].name),
    )
    return render(request, "reviews/trust_pays.html", {
        "results": results, "charts": drawn, "table": table, "currency": currency, "unit": unit,
        "missing": sorted(missing), "as_of": as_of, "filters": filters,
    }, status=filters.response_status)
