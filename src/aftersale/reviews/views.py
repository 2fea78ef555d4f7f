"""Review pages: the portfolio's due reviews, an account's review history, the review form
with its evidence, and the printable report.

Views are the interface layer: they may read the health engine's snapshots (for the
first question's trend), which the review's domain code may not.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from aftersale.accounts.access import access_account
from aftersale.accounts.models import Account, Competitor
from aftersale.core.forms import apply_errors
from aftersale.reviews.actions import access_review, do_save_review
from aftersale.reviews.alerts import review_due_dates
from aftersale.reviews.evidence import gather_evidence, period_starts
from aftersale.reviews.forms import ActionFormSet, ReviewFilters, ReviewForm
from aftersale.reviews.measures import competitor_gaps, mean_gap, ratings_by_review
from aftersale.reviews.models import Attribute, RelationshipReview, ReviewStatus
from aftersale.reviews.queries import reviews_for_account
from aftersale.staff.access import staff_required

# At most this many points of the health score are stored with a review's evidence.
TREND_POINTS_KEPT = 60
REASONS_KEPT = 4


def health_trend(accounts: list[Account], since: dict[int, date], as_of: date) -> dict[int, dict[str, Any]]:
    """Question 1's data from the health engine's snapshots, when the engine is installed:
    the score over the period, its change, and the signals whose contribution moved most."""
    if not apps.is_installed("aftersale.health"):
        return {}
    from aftersale.health.models import HealthSnapshot

    result: dict[int, dict[str, Any]] = {}
    for account in accounts:  # one account per page; two queries each
        start = since[account.pk]
        base = (
            HealthSnapshot.objects.filter(account=account, as_of__lte=start, score__isnull=False)
            .order_by("-as_of").first()
        )
        snapshots = list(
            HealthSnapshot.objects.filter(account=account, as_of__gt=start, as_of__lte=as_of,
                                          score__isnull=False).order_by("as_of")
        )
        series = ([base] if base else []) + snapshots
        if not series:
            continue
        step = max(1, len(series) // TREND_POINTS_KEPT)
        kept = series[::step]
        if kept[-1] is not series[-1]:
            kept.append(series[-1])
        first, last = series[0], series[-1]
        moves = []
        for name in set(first.signals) | set(last.signals):
            before = (first.signals.get(name) or [None, 0])[1] or 0
            after = (last.signals.get(name) or [None, 0])[1] or 0
            if round(after - before, 1):
                moves.append({"signal": name, "change": round(after - before, 1)})
        moves.sort(key=lambda m: -abs(m["change"]))
        result[account.pk] = {
            "points": [[s.as_of.isoformat(), round(s.score, 1), s.band] for s in kept],
            "start": round(first.score, 1), "end": round(last.score, 1),
            "change": round(last.score - first.score, 1) if len(series) > 1 else None,
            "trend": last.trend,
            "reasons": moves[:REASONS_KEPT],
        }
    return result


def signal_labels() -> dict[str, str]:
    if not apps.is_installed("aftersale.health"):
        return {}
    from aftersale.health.signals import registry

    return {d.name: str(d.label) for d in registry.all()}


@staff_required
def review_list(request: HttpRequest) -> HttpResponse:
    """Which accounts are due for a review; ``?account=`` goes to that account's history."""
    filters = ReviewFilters(request.GET, user=request.user)
    if filters.values["account"]:
        return redirect("account_reviews", access_account(request.user, filters.values["account"]).pk)
    today = timezone.localdate()
    accounts = list(filters.accounts().select_related("owner").order_by("name"))
    due = review_due_dates(today, [a.pk for a in accounts])
    rows = []
    for account in accounts:
        if account.pk not in due:
            continue
        due_on, last_held = due[account.pk]
        if filters.values["due"] and due_on > today:
            continue
        rows.append({"account": account, "due_on": due_on, "last_held": last_held,
                     "overdue": due_on <= today})
    rows.sort(key=lambda r: (r["due_on"], r["account"].name))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "reviews/review_list.html", {"page": page, "filters": filters, "today": today},
                  status=filters.response_status)


@staff_required
def account_reviews(request: HttpRequest, pk: int) -> HttpResponse:
    """An account's reviews over time: outcome, promises, neglect and the competitor gap."""
    account = access_account(request.user, pk)
    reviews = list(reviews_for_account(account))
    completed = [r for r in reviews if r.status == ReviewStatus.COMPLETED]
    gaps = ratings_by_review(r.pk for r in completed)
    history = []
    for review in sorted(completed, key=lambda r: (r.held_at, r.pk)):
        rows = gaps.get(review.pk, [])
        by_attribute = {row.attribute: row.gap for row in rows}
        counts = review.evidence.get("promises", {}).get("counts", {})
        history.append({
            "review": review, "counts": counts,
            "gaps": [by_attribute.get(a) for a in Attribute.values], "mean_gap": mean_gap(rows),
        })
    due = review_due_dates(timezone.localdate(), [account.pk]).get(account.pk)
    return render(request, "reviews/account_reviews.html", {
        "account": account, "history": history, "attributes": Attribute.choices,
        "drafts": [r for r in reviews if r.status == ReviewStatus.DRAFT],
        "due_on": due[0] if due else None,
    })


def _competitors_for(account: Account, evidence: dict[str, Any], review: RelationshipReview | None):
    ids = {c["id"] for c in evidence["competitors"]["competitors"]}
    if review is not None and review.pk:
        ids |= {r.competitor_id for r in review.ratings.all() if r.competitor_id}
    return list(Competitor.objects.filter(pk__in=ids).order_by("name"))


def _review_form(request: HttpRequest, account: Account, review: RelationshipReview | None) -> HttpResponse:
    today = timezone.localdate()
    raw = request.POST.get("held_at") or request.GET.get("held_at") or ""
    held_at = parse_date(raw) if raw else (review.held_at if review else today)
    held_at = min(held_at or today, today)
    since, _previous = period_starts([account], held_at, exclude_review_id=review.pk if review else None)
    trend = health_trend([account], since, held_at)
    evidence = gather_evidence(
        [account], held_at, trend=trend, exclude_review_id=review.pk if review else None
    )[account.pk]
    previous = {
        (None, row["attribute"]): row["us"] for row in evidence["competitors"]["rows"] if row["us"]
    } | {
        (int(cid), row["attribute"]): score
        for row in evidence["competitors"]["rows"] for cid, score in row["competitors"].items()
    }
    initial: dict[str, Any] = {"held_at": held_at}
    if review is None:
        initial["outcome"] = evidence["trend"]["suggested"]
        fully_kept = evidence["promises"]["fully_kept"]
        initial["promises_kept"] = {True: "true", False: "false"}.get(fully_kept, "")
        initial["neglect_found"] = "true" if evidence["neglect"]["found"] else "false"
    instance = review or RelationshipReview(account=account, reviewer=request.user)
    post = request.POST if request.method == "POST" and "save" in request.POST else None
    form = ReviewForm(post, instance=instance, initial=initial,
                      competitors=_competitors_for(account, evidence, review), previous=previous)
    formset = ActionFormSet(post, form_kwargs={"account": account}, prefix="actions")
    if post is not None and form.is_valid() and formset.is_valid():
        complete = request.POST.get("save") == "complete"
        try:
            saved = do_save_review(
                account=account, by=request.user, held_at=form.cleaned_data["held_at"],
                judgements=form.judgements(), ratings=form.ratings(), actions=formset.actions(),
                complete=complete, next_due_at=form.cleaned_data.get("next_due_at"),
                review=review, trend=trend,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if complete:
                messages.success(request, _("Review completed; the next is due on %(due)s.") % {
                    "due": saved.next_due_at.isoformat()})
                return redirect(saved)
            messages.success(request, _("Draft saved."))
            return redirect("review_edit", saved.pk)
    return render(request, "reviews/review_form.html", {
        "account": account, "review": review, "form": form, "formset": formset, "evidence": evidence,
        "labels": signal_labels(), "held_at": held_at,
    })


@staff_required
def review_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_form(request, access_account(request.user, pk), None)


@staff_required
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = access_review(request.user, pk)
    if review.is_completed:
        messages.info(request, _("This review is completed and can no longer be changed."))
        return redirect(review)
    return _review_form(request, review.account, review)


@staff_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The review report, printable, in English or Vietnamese (``?lang=``); ``?for=customer``
    leaves out what is internal (alert texts, departments, internal notes on silence)."""
    review = access_review(request.user, pk)
    lang = request.GET.get("lang", "")
    lang = lang if lang in {code for code, _name in settings.LANGUAGES} else translation.get_language()
    ratings = list(review.ratings.select_related("competitor"))
    rows = competitor_gaps((r.competitor_id, r.attribute, r.score) for r in ratings)
    competitors = sorted({r.competitor for r in ratings if r.competitor}, key=lambda c: c.name)
    context = {
        "review": review, "account": review.account, "evidence": review.evidence,
        "gap_rows": [
            {"attribute": Attribute(row.attribute).label, "us": row.us, "gap": row.gap,
             "scores": [row.competitors.get(c.pk) for c in competitors]}
            for row in rows
        ],
        "competitors": competitors, "mean_gap": mean_gap(rows),
        "promises": [
            link.promise for link in review.action_promises.select_related("promise__delivery_owner")
        ],
        "plan_items": list(review.plan_items.select_related("plan", "owner_user")),
        "for_customer": request.GET.get("for") == "customer", "lang": lang, "labels": signal_labels(),
        "request": request,
    }
    with translation.override(lang):
        body = render_to_string("reviews/review_report.html", context, request=request)
    return HttpResponse(body)
