"""The portfolio reads each account's copy of its latest snapshot; it must list, sort,
filter, bin and count exactly as looking the latest snapshot up did (the reference below
is that computation, as the page ran it before the copy existed)."""

import csv
import io
import random
from datetime import timedelta

import pytest
from django.db.models import Count, F, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from aftersale.accounts.models import Account, Industry, Tier
from aftersale.health.models import Band, HealthSnapshot, Trend
from aftersale.web.portfolio import BINS, HISTORY_DAYS, HISTORY_POINTS, SORTS

from .test_portfolio import snapshot

pytestmark = pytest.mark.django_db

REFERENCE_SORTS = {
    "score": F("score").asc(nulls_first=True), "-score": F("score").desc(nulls_last=True),
    "name": F("name").asc(), "-name": F("name").desc(),
    "band": F("band").asc(nulls_last=True), "trend": F("trend").asc(nulls_last=True),
    "owner": F("owner__name").asc(nulls_last=True), "tier": F("tier").asc(),
    "industry": F("industry").asc(),
}


def reference(band="", trend="", sort="score"):
    latest = HealthSnapshot.objects.filter(account=OuterRef("pk")).order_by("-as_of")
    accounts = Account.objects.annotate(
        score=Subquery(latest.values("score")[:1]), band=Subquery(latest.values("band")[:1]),
        trend=Subquery(latest.values("trend")[:1]),
    )
    if band:
        accounts = accounts.filter(band=band)
    if trend:
        accounts = accounts.filter(trend=trend)
    return [
        (a.external_id, "" if a.score is None else str(round(a.score)), a.band or "", a.trend or "")
        for a in accounts.order_by(REFERENCE_SORTS[sort], "pk")
    ]


def reference_history():
    since = timezone.localdate() - timedelta(days=HISTORY_DAYS)
    by_day: dict = {}
    rows = HealthSnapshot.objects.filter(as_of__gte=since).values("as_of", "band").annotate(n=Count("pk"))
    for row in rows:
        by_day.setdefault(row["as_of"], {b: 0 for b in Band.values})[row["band"]] = row["n"]
    return [(day, by_day[day]) for day in sorted(by_day)[-HISTORY_POINTS:]]


@pytest.fixture
def varied_portfolio(owner, colleague, manager):
    """Ties, accounts never scored, trends blank and set, several scan days (one written
    after a later one), a snapshot replaced, and old snapshots outside the history window."""
    rng = random.Random(8)
    owners = [owner, colleague, manager]
    trends = ["", *Trend.values]
    for i in range(60):
        account = Account.objects.create(
            name=f"Company {rng.randrange(20):02}", external_id=f"V-{i:03}", owner=owners[i % 3],
            tier=rng.choice(Tier.values), industry=rng.choice(Industry.values),
        )
        if i % 7 == 0:
            continue  # never scored
        days = sorted(rng.sample([0, 1, 7, 14, 30, 45, 60, 200], rng.randint(1, 4)), reverse=True)
        for days_ago in days:
            score = rng.choice([None, 0, 12.5, 50, 50, 69.99, 70, 88.25, 100, rng.uniform(0, 100)])
            band = rng.choice(Band.values)
            snapshot(account, None if score is None else round(score, 2), band, days_ago, rng.choice(trends))
        if i % 5 == 0:
            snapshot(account, rng.choice([40, 75]), Band.WATCH, days[-1], "steady")  # replaced
        if i % 11 == 0:
            snapshot(account, 33, Band.AT_RISK, 300)  # written last, older than the rest


def csv_rows(client, **params):
    response = client.get(reverse("portfolio"), {**params, "format": "csv"})
    return [(r["external_id"], r["score"], r["band"], r["trend"])
            for r in csv.DictReader(io.StringIO(response.content.decode()))]


def test_it_lists_the_same_accounts_in_the_same_order_for_every_sort_and_filter(
    owner_client, varied_portfolio
):
    assert set(SORTS) == set(REFERENCE_SORTS)
    for sort in SORTS:
        assert csv_rows(owner_client, sort=sort) == reference(sort=sort), sort
    for band in Band.values:
        assert csv_rows(owner_client, band=band, sort="-score") == reference(band=band, sort="-score")
    for trend in Trend.values:
        assert csv_rows(owner_client, trend=trend, sort="band") == reference(trend=trend, sort="band")


def test_it_pages_the_score_sort_in_the_same_order(owner_client, varied_portfolio):
    for sort in ("score", "-score"):
        expected = [external_id for external_id, *_ in reference(sort=sort)]
        shown = []
        for page in (1, 2):
            shown += [a.external_id for a in owner_client.get(
                reverse("portfolio"), {"sort": sort, "page": page}).context["page"]]
        assert shown == expected


def test_it_counts_the_histogram_and_band_history_as_before(owner_client, varied_portfolio):
    context = owner_client.get(reverse("portfolio")).context
    scores = [float(s) for _id, s, _b, _t in reference() if s != ""]
    latest = HealthSnapshot.objects.filter(account=OuterRef("pk")).order_by("-as_of")
    exact = [s for s in Account.objects.annotate(s=Subquery(latest.values("score")[:1]))
             .values_list("s", flat=True) if s is not None]
    assert len(exact) == len(scores)
    expected = [0] * BINS
    for s in exact:
        expected[min(int(s // (100 / BINS)), BINS - 1)] += 1
    assert context["counts"] == expected
    assert context["n_scored"] == len(exact)
    # The list's count comes from the bins (never-scored accounts included).
    assert context["page"].paginator.count == Account.objects.count() == 60
    banded = owner_client.get(reverse("portfolio"), {"band": "watch"}).context["page"].paginator.count
    assert banded == len(reference(band="watch"))
    history = [(col["day"], {p["band"]: p["n"] for p in col["parts"]}) for col in context["history"]]
    assert history == reference_history()
    assert len(history) == 7  # 0, 1, 7, 14, 30, 45, 60 days ago; 200 and 300 are too old


def test_it_counts_only_a_restricted_sets_accounts_in_its_band_history(varied_portfolio):
    from aftersale.web.portfolio import band_history

    some = Account.objects.filter(external_id__in=["V-001", "V-002", "V-003"])
    columns = band_history(some, timezone.now())
    expected = HealthSnapshot.objects.filter(account__in=some, as_of__in=[c["day"] for c in columns]).count()
    assert expected and sum(c["total"] for c in columns) == expected
    assert sum(c["total"] for c in band_history(Account.objects.all(), timezone.now())) > expected
