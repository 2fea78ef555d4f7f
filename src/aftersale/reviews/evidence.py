"""The evidence that pre-fills a review's four questions (P9), as of the review date.

``gather_evidence`` answers for any number of accounts in a fixed number of
queries and returns plain, JSON-ready data (dates as ISO strings), which a
completed review stores as it was. The first question's health trend comes
from the health engine, which a domain app may not import: the review views
read it and hand it in as ``trend``.

The period under review runs from the last completed review before the
review date (or, for a first review, one review cycle of the account's tier
back) to the end of the review date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from aftersale.accounts.models import Account, Competitor
from aftersale.alerts.models import Alert, AlertKind
from aftersale.core.asof import day_after
from aftersale.core.enums import Direction
from aftersale.promises.measures import pending_q, status_as_of, with_due_as_of
from aftersale.promises.models import Promise, PromiseStatus
from aftersale.reviews.conf import cadence_for
from aftersale.reviews.measures import GapRow, mean_gap, ratings_by_review
from aftersale.reviews.models import Expectation, RelationshipReview, ReviewStatus, Side
from aftersale.service.conditions import open_cases_as_of
from aftersale.service.maintenance import visits

Evidence = dict[str, Any]

# A score move of at least this many points between the period's first and last
# snapshot suggests "improving" or "deteriorating"; the reviewer decides.
TREND_POINTS = 5.0
# Counted as "open" on the form: still to be delivered on the review date.
OPEN_STATUSES = (PromiseStatus.OPEN, PromiseStatus.RENEGOTIATED)
PROMISE_BUCKETS = ("kept", "late", "broken", "open", "cancelled")


def previous_reviews(
    held_at: date, account_ids: Sequence[int], *, exclude_id: int | None = None,
) -> dict[int, tuple[int, date]]:
    """Each account's last completed review held before ``held_at``: (id, held_at) (one query)."""
    reviews = RelationshipReview.objects.filter(
        account_id__in=list(account_ids), status=ReviewStatus.COMPLETED, held_at__lt=held_at
    )
    if exclude_id is not None:
        reviews = reviews.exclude(pk=exclude_id)
    latest: dict[int, tuple[int, date]] = {}
    for pk, account_id, day in reviews.order_by("account_id", "held_at", "pk").values_list(
        "pk", "account_id", "held_at"
    ):
        latest[account_id] = (pk, day)
    return latest


def suggest_outcome(change: float | None) -> str:
    """A suggestion for question 1 from the score change over the period."""
    if change is None:
        return ""
    if change >= TREND_POINTS:
        return "improving"
    if change <= -TREND_POINTS:
        return "deteriorating"
    return "steady"


def promise_bucket(status: str) -> str:
    if status in OPEN_STATUSES:
        return "open"
    return status


def _promises(accounts: Sequence[Account], held_at: date, since: Mapping[int, date]) -> dict[int, Evidence]:
    """Question 2: our promises that came due in the period, and older ones still open (one query)."""
    # One window for all accounts (from the earliest start); each account's own start
    # is applied below, so the query stays the same size however many accounts.
    earliest = min(since.values())
    promises = (
        with_due_as_of(
            Promise.objects.filter(
                account_id__in=[a.pk for a in accounts], direction=Direction.FROM_US,
                made_at__lte=held_at,
            ),
            held_at,
        )
        .filter(Q(due_as_of__lte=held_at) & (Q(due_as_of__gt=earliest) | pending_q(held_at)))
        .order_by("account_id", "due_as_of", "pk")
    )
    result: dict[int, Evidence] = {
        a.pk: {"counts": dict.fromkeys(PROMISE_BUCKETS, 0), "items": []} for a in accounts
    }
    for promise in promises:
        status = status_as_of(promise, held_at)
        carried = promise.due_as_of <= since[promise.account_id]
        if carried and status not in OPEN_STATUSES:
            continue
        entry = result[promise.account_id]
        entry["counts"][promise_bucket(status)] += 1
        entry["items"].append({
            "id": promise.pk, "description": promise.description, "due_at": promise.due_as_of.isoformat(),
            "status": status, "made_by_department": promise.made_by_department,
            "delivery_department": promise.delivery_department, "carried_over": carried,
        })
    for entry in result.values():
        counts = entry["counts"]
        entry["due"] = sum(counts.values()) - counts["cancelled"]
        # "Fully kept" only if everything due was kept on time and nothing is overdue.
        entry["fully_kept"] = (
            None if not entry["due"] else counts["late"] == counts["broken"] == counts["open"] == 0
        )
    return result


def _neglect(accounts: Sequence[Account], held_at: date) -> dict[int, Evidence]:
    """Question 3: open requests and complaints, unmet expectations, silence, overdue
    maintenance, as they stood at the end of the review date (four queries + maintenance)."""
    ids = [a.pk for a in accounts]
    moment = day_after(held_at)
    result: dict[int, Evidence] = {
        pk: {"cases": [], "requests": 0, "complaints": 0, "expectations": [], "unassessed": 0,
             "silence": [], "maintenance": []}
        for pk in ids
    }
    for case in sorted(open_cases_as_of(moment, ids), key=lambda c: (c.opened_at, c.pk)):
        entry = result[case.account_id]
        entry["complaints" if case.is_complaint else "requests"] += 1
        entry["cases"].append({
            "id": case.pk, "title": case.title, "kind": case.kind, "is_complaint": case.is_complaint,
            "severity": case.severity, "opened_at": timezone.localdate(case.opened_at).isoformat(),
            "age_days": (held_at - timezone.localdate(case.opened_at)).days,
        })
    expectations = Expectation.objects.filter(
        account_id__in=ids, held_by=Side.CUSTOMER, created_at__lt=moment
    ).order_by("created_at", "pk")
    for expectation in expectations:
        entry = result[expectation.account_id]
        assessed = expectation.assessed_at is not None and expectation.assessed_at <= held_at
        if assessed and expectation.met is False:
            entry["expectations"].append({
                "id": expectation.pk, "description": expectation.description,
                "assessed_at": expectation.assessed_at.isoformat(),
            })
        elif not assessed or expectation.met is None:
            entry["unassessed"] += 1
    silence = Alert.objects.filter(
        account_id__in=ids, kind__in=(AlertKind.SILENCE, AlertKind.QUIET_CUSTOMER), opened_at__lt=moment,
    ).filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=moment)).order_by("opened_at")
    for alert in silence:
        result[alert.account_id]["silence"].append({
            "kind": alert.kind, "opened_at": timezone.localdate(alert.opened_at).isoformat(),
            "params": alert.params,
        })
    for visit in visits(held_at, ids):
        if visit.overdue:
            result[visit.account_id]["maintenance"].append({
                "plan": visit.plan_name, "asset": visit.asset_label, "due_on": visit.due_on.isoformat(),
                "days_overdue": visit.days_overdue,
            })
    for entry in result.values():
        entry["found"] = bool(
            entry["cases"] or entry["expectations"] or entry["silence"] or entry["maintenance"]
        )
    return result


def gap_rows_data(rows: Sequence[GapRow]) -> list[Evidence]:
    return [
        {"attribute": r.attribute, "us": r.us, "competitors": {str(k): v for k, v in r.competitors.items()},
         "gap": r.gap, "best": r.best_competitor_id}
        for r in rows
    ]


def _competitors(
    accounts: Sequence[Account], previous: Mapping[int, tuple[int, date]],
) -> dict[int, Evidence]:
    """Question 4: the competitors present at each account and the last review's ratings (two queries)."""
    ids = [a.pk for a in accounts]
    present: dict[int, list[int]] = defaultdict(list)
    through = Account.competitors.through.objects.filter(account_id__in=ids)
    for account_id, competitor_id in through.values_list("account_id", "competitor_id"):
        present[account_id].append(competitor_id)
    gaps = ratings_by_review(pk for pk, _day in previous.values())
    mentioned = set().union(*present.values()) if present else set()
    for rows in gaps.values():
        for row in rows:
            mentioned.update(row.competitors)
    names = dict(Competitor.objects.filter(pk__in=mentioned).values_list("pk", "name")) if mentioned else {}
    result: dict[int, Evidence] = {}
    for pk in ids:
        prev = previous.get(pk)
        rows = gaps.get(prev[0], []) if prev else []
        rated = {c for row in rows for c in row.competitors}
        shown = sorted(set(present.get(pk, [])) | rated, key=lambda c: names.get(c, ""))
        result[pk] = {
            "competitors": [{"id": c, "name": names.get(c, ""), "present": c in present.get(pk, [])}
                            for c in shown],
            "rated_in": prev[1].isoformat() if prev and rows else None,
            "rows": gap_rows_data(rows),
            "mean_gap": mean_gap(rows),
        }
    return result


def period_starts(
    accounts: Sequence[Account], held_at: date, *, exclude_review_id: int | None = None,
) -> tuple[dict[int, date], dict[int, tuple[int, date]]]:
    """Where each account's period under review starts, and its previous review (one query)."""
    previous = previous_reviews(held_at, [a.pk for a in accounts], exclude_id=exclude_review_id)
    since = {
        a.pk: previous[a.pk][1] if a.pk in previous else held_at - timedelta(days=cadence_for(a.tier))
        for a in accounts
    }
    return since, previous


def gather_evidence(
    accounts: Sequence[Account], held_at: date, *, trend: Mapping[int, Evidence] | None = None,
    exclude_review_id: int | None = None,
) -> dict[int, Evidence]:
    """The evidence for each question, per account, as of the end of ``held_at``.

    ``trend`` (from the views, which may read the health engine) maps account id to
    question 1's data: ``points`` [[day, score, band]...], ``change``, ``reasons``.
    """
    since, previous = period_starts(accounts, held_at, exclude_review_id=exclude_review_id)
    promises = _promises(accounts, held_at, since)
    neglect = _neglect(accounts, held_at)
    competitors = _competitors(accounts, previous)
    result: dict[int, Evidence] = {}
    for account in accounts:
        pk = account.pk
        q1 = dict(trend.get(pk, {})) if trend else {}
        q1.setdefault("points", [])
        q1.setdefault("change", None)
        q1.setdefault("reasons", [])
        q1["suggested"] = suggest_outcome(q1["change"])
        result[pk] = {
            "as_of": held_at.isoformat(),
            "since": since[pk].isoformat(),
            "previous_review": previous[pk][0] if pk in previous else None,
            "trend": q1,
            "promises": promises[pk],
            "neglect": neglect[pk],
            "competitors": competitors[pk],
        }
    return result
