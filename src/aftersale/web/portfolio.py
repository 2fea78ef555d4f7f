"""The portfolio page: score distribution, band counts over time, a sortable list, CSV."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Floor
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from aftersale.accounts.models import Account
from aftersale.health.models import Band, HealthSnapshot, Trend
from aftersale.staff.access import staff_required
from aftersale.web.charts import bin_of, histogram_bars
from aftersale.web.views import filter_choices, portfolio_filters

SORTS = {
    "score": F("score").asc(nulls_first=True), "-score": F("score").desc(nulls_last=True),
    "name": F("name").asc(), "-name": F("name").desc(),
    "band": F("band").asc(nulls_last=True), "trend": F("trend").asc(nulls_last=True),
    "owner": F("owner__name").asc(nulls_last=True), "tier": F("tier").asc(),
    "industry": F("industry").asc(),
}
HISTORY_DAYS = 180
HISTORY_POINTS = 12
BINS = 10


def with_latest_health(accounts):
    """Annotate each account with its latest snapshot (one correlated subquery per column)."""
    latest = HealthSnapshot.objects.filter(account=OuterRef("pk")).order_by("-as_of")
    return accounts.annotate(
        score=Subquery(latest.values("score")[:1]),
        band=Subquery(latest.values("band")[:1]),
        trend=Subquery(latest.values("trend")[:1]),
    )


def score_bins(accounts) -> list[tuple[float, int]]:
    """(lowest score of the bin, accounts) for each non-empty bin of 100 / BINS points: one
    grouped query. Scores of 100 fall in the top bin (``bin_of`` caps them). Accounts without
    a score form a NULL group that is left out here (filtering them in SQL would look the
    latest snapshot up twice per account)."""
    width = 100 / BINS
    rows = (
        accounts.order_by().annotate(low=Floor(F("score") / width) * width)
        .values_list("low").annotate(n=Count("pk")).order_by()
    )
    return [(low, n) for low, n in rows if low is not None]


def band_history(accounts) -> list[dict]:
    """Band counts per scan date over the last months: one grouped query."""
    since = timezone.localdate() - timedelta(days=HISTORY_DAYS)
    rows = (
        HealthSnapshot.objects.filter(account__in=accounts.values("pk"), as_of__gte=since)
        .values("as_of", "band").annotate(n=Count("pk")).order_by("as_of")
    )
    by_day: dict = {}
    for row in rows:
        by_day.setdefault(row["as_of"], {b: 0 for b in Band.values})[row["band"]] = row["n"]
    days = sorted(by_day)[-HISTORY_POINTS:]
    top = max((sum(by_day[d].values()) for d in days), default=0) or 1
    columns = []
    for i, day in enumerate(days):
        y, parts = 100.0, []
        for band in (Band.AT_RISK, Band.WATCH, Band.HEALTHY):
            h = round(by_day[day][band] / top * 100, 1)
            y -= h
            parts.append({"band": band, "n": by_day[day][band], "y": round(y, 1), "h": h})
        columns.append({"day": day, "x": i * 34 + 4, "parts": parts, "total": sum(by_day[day].values())})
    return columns


def _filtered(request: HttpRequest):
    accounts, filters = portfolio_filters(
        request, with_latest_health(Account.objects.restrict(request.user).select_related("owner"))
    )
    filters["band"] = request.GET.get("band", "")
    filters["trend"] = request.GET.get("trend", "")
    if filters["band"] in Band.values:
        accounts = accounts.filter(band=filters["band"])
    if filters["trend"] in Trend.values:
        accounts = accounts.filter(trend=filters["trend"])
    sort = request.GET.get("sort", "score")
    filters["sort"] = sort if sort in SORTS else "score"
    return accounts.order_by(SORTS[filters["sort"]], "pk"), filters


@staff_required
def portfolio(request: HttpRequest) -> HttpResponse:
    accounts, filters = _filtered(request)
    if request.GET.get("format") == "csv":
        return portfolio_csv(accounts)
    # Binned in the database: over 100,000 accounts, fetching (and sorting) every score
    # to count them in Python took longer than the rest of the page.
    counts = [0] * BINS
    for low, n in score_bins(accounts):
        counts[bin_of(low, BINS)] += n
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    return render(request, "web/portfolio.html", {
        "page": page, "filters": filters, **filter_choices(),
        "bands": Band.choices, "trends": Trend.choices,
        "bars": histogram_bars(counts), "n_scored": sum(counts),
        "history": band_history(Account.objects.restrict(request.user)),
        "query": query.urlencode(),
    })


def portfolio_csv(accounts) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="portfolio.csv"'
    writer = csv.writer(response)
    writer.writerow(["external_id", "name", "score", "band", "trend", "owner", "tier", "industry"])
    for a in accounts.iterator(chunk_size=2000):
        writer.writerow([
            a.external_id, a.name, "" if a.score is None else round(a.score), a.band or "", a.trend or "",
            a.owner.email if a.owner else "", a.tier, a.industry,
        ])
    return response

