"""The portfolio page: score distribution, band counts over time, a sortable list, CSV."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, F, QuerySet, Value
from django.db.models.functions import Coalesce, Floor
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from aftersale.accounts.models import Account, AccountKind, Industry, Tier
from aftersale.core import charts
from aftersale.core.charts import bin_of
from aftersale.core.filters import choice
from aftersale.core.sql import date_value, run, table
from aftersale.health.models import Band, HealthSnapshot, Trend
from aftersale.health.store import load_config
from aftersale.staff.access import staff_required
from aftersale.staff.models import User
from aftersale.web.filters import AccountFilters

# Accounts never scored sort as -1, below every score (0..100), as they did when they
# sorted NULLS FIRST; the expression is the one Account's "account_health_score" index
# holds, so PostgreSQL reads a page of the score sort straight from that index.
SCORE_KEY = Coalesce(F("health_score"), Value(-1.0))
SORTS = {
    "score": SCORE_KEY.asc(), "-score": SCORE_KEY.desc(),
    "name": F("name").asc(), "-name": F("name").desc(),
    "band": F("band").asc(nulls_last=True), "trend": F("trend").asc(nulls_last=True),
    "owner": F("owner__name").asc(nulls_last=True), "tier": F("tier").asc(),
    "industry": F("industry").asc(),
}
HISTORY_DAYS = 180
HISTORY_POINTS = 12
BINS = 10


def with_latest_health(accounts):
    """Each account's latest score, band and trend: the copy of its latest snapshot that
    the health engine keeps on the account (``aftersale.health.latest``); NULL if never scored."""
    return accounts.annotate(score=F("health_score"), band=F("health_band"), trend=F("health_trend"))


def score_bins(accounts) -> list[tuple[float | None, int]]:
    """(lowest score of the bin, accounts) for each non-empty bin of 100 / BINS points, and
    (None, accounts) for those never scored: one grouped query, read from the score index
    alone. Scores of 100 fall in the top bin (``bin_of`` caps them). The counts add up to
    the number of accounts in the list."""
    width = 100 / BINS
    return list(
        accounts.order_by().annotate(low=Floor(F("health_score") / width) * width)
        .values_list("low").annotate(n=Count("*")).order_by()
    )


def scan_days(since: date, until: date, limit: int) -> list[date]:
    """The latest ``limit`` days in [since, until] that have snapshots, newest first.

    One index probe per day found (a "loose index scan" on the snapshots' as_of index),
    so its cost grows neither with the number of accounts nor with how often scans run."""
    snapshots = table(HealthSnapshot)
    rows = run(
        f"WITH RECURSIVE days(day) AS ("  # noqa: S608 - the table name only
        f" SELECT MAX(as_of) FROM {snapshots} WHERE as_of >= :since AND as_of <= :until"
        f" UNION ALL SELECT (SELECT MAX(as_of) FROM {snapshots} WHERE as_of >= :since AND as_of < days.day)"
        f" FROM days WHERE days.day IS NOT NULL"
        f") SELECT day FROM days WHERE day IS NOT NULL LIMIT {int(limit)}",
        since=since, until=until,
    )
    return [date_value(day) for (day,) in rows]


def band_history(accounts, as_of: datetime) -> list[dict]:
    """Band counts on each of the last HISTORY_POINTS scan days of the HISTORY_DAYS before
    ``as_of``: one grouped query over those days' snapshots only."""
    until = timezone.localdate(as_of)
    days = scan_days(until - timedelta(days=HISTORY_DAYS), until, HISTORY_POINTS)
    snapshots = HealthSnapshot.objects.filter(as_of__in=days)
    if accounts.query.where:
        # A restricted view counts its own accounts only; staff see the whole portfolio,
        # and every snapshot belongs to an account, so they need no join.
        snapshots = snapshots.filter(account__in=accounts.values("pk"))
    rows = snapshots.order_by().values_list("as_of", "band").annotate(n=Count("*"))
    by_day: dict = {day: {b: 0 for b in Band.values} for day in days}
    for day, band, n in rows:
        by_day[date_value(day)][band] = n
    return [
        {"day": day, "total": sum(by_day[day].values()),
         "parts": [{"band": band, "label": band.label, "n": by_day[day][band]}
                   for band in (Band.AT_RISK, Band.WATCH, Band.HEALTHY)]}
        for day in sorted(days)
    ]


def day_month(day: date) -> str:
    return date_format(day, "d/m")


def portfolio_charts(counts: list[int], history: list[dict]) -> dict[str, charts.Chart]:
    """The score histogram (bars coloured by the band their lowest score would have) and the
    accounts per band at each scan, stacked at-risk first."""
    config = load_config()

    def band_css(score: float) -> str:
        band = Band.HEALTHY if score >= config.healthy_min else Band.WATCH if score >= config.watch_min \
            else Band.AT_RISK
        return f"bar-{band}"

    n = sum(counts)
    return {
        "histogram": charts.histogram(
            ngettext("Scores of %(n)s account", "Scores of %(n)s accounts", n) % {"n": n}, counts,
            css=band_css,
        ),
        "history_chart": charts.stacked_columns(
            _("Accounts per band at each scan"),
            [charts.Stack(charts.Text(col["day"], day_month),
                          [(f"bar-{p['band']}", p["n"], p["label"]) for p in col["parts"]])
             for col in history],
        ),
    }


class PortfolioFilters(AccountFilters):
    """The account filters without the search, and the latest band and trend; the list's
    order (``sort``) travels with them, set by the column headings."""

    band = choice(gettext_lazy("Band"), Band.choices)
    trend = choice(gettext_lazy("Trend"), Trend.choices)
    sort = choice(gettext_lazy("Sort"), [(key, key) for key in SORTS], blank=None, hidden=True)
    defaults = {"sort": "score"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, search=False, **kwargs)

    def apply(self, accounts: QuerySet[Account], user: User) -> QuerySet[Account]:
        accounts = super().apply(accounts, user)
        for name in ("band", "trend"):
            if self.values[name]:
                accounts = accounts.filter(**{name: self.values[name]})
        return accounts.order_by(SORTS[self.values["sort"] or "score"], "pk")


@staff_required
def portfolio(request: HttpRequest) -> HttpResponse:
    as_of = timezone.now()
    filters = PortfolioFilters(request.GET)
    accounts = filters.apply(
        with_latest_health(Account.objects.restrict(request.user).select_related("owner")), request.user)
    if request.GET.get("format") == "csv":
        return filters.bad_request() if filters.errors else portfolio_csv(accounts)
    # Binned in the database: fetching (and sorting) every score of a large portfolio to
    # count them in Python would cost more than the rest of the page.
    counts, unscored = [0] * BINS, 0
    for low, n in score_bins(accounts):
        if low is None:
            unscored = n
        else:
            counts[bin_of(low, BINS)] += n
    paginator = Paginator(accounts, 50)
    # The bins already counted the list: no second pass over every account to count it.
    paginator.count = sum(counts) + unscored
    page = paginator.get_page(request.GET.get("page"))
    label_rows(page)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    history = band_history(Account.objects.restrict(request.user), as_of)
    return render(request, "web/portfolio.html", {
        "page": page, "filters": filters, "counts": counts, "n_scored": sum(counts), "history": history,
        **portfolio_charts(counts, history), "query": query.urlencode(),
    }, status=filters.response_status)


def label_rows(page) -> None:
    """Give each row of the page its labels from dicts built once: each ``get_*_display``
    call (or a loop over the choices in the template) rebuilds them for every row."""
    labels = {name: dict(choices) for name, choices in (
        ("band", Band.choices), ("trend", Trend.choices), ("tier", Tier.choices),
        ("industry", Industry.choices), ("kind", AccountKind.choices))}
    for account in page:
        for name, by_code in labels.items():
            setattr(account, f"{name}_label", by_code.get(getattr(account, name) or "", ""))


def portfolio_csv(accounts) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="portfolio.csv"'
    writer = csv.writer(response)
    writer.writerow(["external_id", "name", "score", "band", "trend", "owner", "tier", "industry"])
    # Plain tuples, not model instances: building every account and its owner as objects
    # would be most of the download's time.
    rows = accounts.values_list(
        "external_id", "name", "score", "band", "trend", "owner__email", "tier", "industry"
    ).iterator(chunk_size=2000)
    writer.writerows(
        (external_id, name, "" if score is None else round(score), band or "", trend or "",
         email or "", tier, industry)
        for external_id, name, score, band, trend, email, tier, industry in rows
    )
    return response

