"""Template helpers for the review pages, and the section shown on the account page."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from aftersale.accounts.models import Account
from aftersale.alerts.models import AlertKind
from aftersale.alerts.texts import render
from aftersale.core.enums import Department, Direction
from aftersale.engagement.models import IdeaStatus
from aftersale.promises.models import PromiseStatus
from aftersale.reviews.alerts import due_date
from aftersale.reviews.conf import cadence_for
from aftersale.reviews.measures import face_time, mean_gap, ratings_by_review, trust_measures
from aftersale.reviews.models import (
    Attribute,
    Expectation,
    ItemStatus,
    JointPlanItem,
    Outcome,
    ReviewStatus,
    Side,
)
from aftersale.service.models import CaseKind, Severity

register = template.Library()


@register.filter
def alert_explanation(entry: dict[str, Any]) -> str:
    """An alert kept in a review's evidence, explained in the reader's language; evidence kept
    before alerts stored facts has only the words it was prepared with."""
    if "params" not in entry:
        return entry.get("explanation", "")
    return render(entry["kind"], entry["params"]).explanation

ENUMS: dict[str, Any] = {
    "promise_status": PromiseStatus, "department": Department, "case_kind": CaseKind,
    "severity": Severity, "alert_kind": AlertKind, "outcome": Outcome, "attribute": Attribute,
    "direction": Direction, "idea_status": IdeaStatus, "side": Side, "item_status": ItemStatus,
}


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    if not mapping:
        return None
    return mapping.get(key, mapping.get(str(key)))


@register.filter
def choice_label(value: Any, enum: str) -> str:
    """The translated label of an enum value kept as plain data (evidence JSON)."""
    choices = ENUMS.get(enum)
    if choices is None or value in (None, ""):
        return value or ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


@register.filter
def percent(value: float | None, digits: int = 0) -> str:
    if value is None or value == "":  # "" is what a template gives for a missing value
        return "–"
    return f"{value * 100:.{digits}f}%"


@register.filter
def signed(value: float | int | None) -> str:
    if value is None or value == "":
        return "–"
    text = f"{value:+.1f}" if isinstance(value, float) else f"{value:+d}"
    return text.replace("-", "−")


@register.filter
def gap_class(value: float | int | None) -> str:
    if value is None or value == "":
        return ""
    return "gap-ahead" if value > 0 else "gap-behind" if value < 0 else "gap-even"


@register.inclusion_tag("reviews/_account_section.html", takes_context=True)
def account_reviews_section(context: dict[str, Any], account: Account) -> dict[str, Any]:
    """Reviews, joint plans, expectations and trust on the account page (the page around
    it has already checked access). Six queries, however much history the account has."""
    today = timezone.localdate()
    reviews = list(
        account.reviews.filter(held_at__lte=today).order_by("-held_at", "-pk")
        .values("pk", "held_at", "status", "outcome", "next_due_at")
    )
    completed = [r for r in reviews if r["status"] == ReviewStatus.COMPLETED]
    last = completed[0] if completed else None
    gaps = ratings_by_review([last["pk"]]).get(last["pk"], []) if last else []
    started = account.customer_since or timezone.localdate(account.created_at)
    due = due_date(
        cadence=cadence_for(account.tier), last_held=last["held_at"] if last else None,
        next_due=last["next_due_at"] if last else None, started=started,
    )
    items = JointPlanItem.objects.filter(plan__account=account).aggregate(
        open=Count("pk", filter=Q(status=ItemStatus.OPEN)),
        overdue=Count("pk", filter=Q(status=ItemStatus.OPEN, due_at__lt=today)),
        ours=Count("pk", filter=Q(status=ItemStatus.OPEN, owner_side=Side.US)),
    )
    expectations = Expectation.objects.filter(account=account).aggregate(
        not_met=Count("pk", filter=Q(met=False)), unassessed=Count("pk", filter=Q(met__isnull=True)),
    )
    return {
        "request": context.get("request"),
        "account": account,
        "due": due,
        "overdue": due <= today,
        "last": last,
        "mean_gap": mean_gap(gaps),
        "draft": next((r for r in reviews if r["status"] == ReviewStatus.DRAFT), None),
        "items": items,
        "expectations": expectations,
        "trust": trust_measures(today, [account.pk]).get(account.pk),
        "face": face_time(today, [account.pk]).get(account.pk),
    }
