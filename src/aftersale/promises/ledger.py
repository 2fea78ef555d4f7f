"""The owner's promise list: which promises need attention, and the filters behind every link.

The list reads GET parameters into ``LedgerFilters`` and turns them into one
queryset, so the alignment matrix can link to exactly the promises behind a
number by passing the same parameters the measures used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from aftersale.core.enums import Department, Direction
from aftersale.core.filters import FilterForm, IdField, OwnerField, choice, day, number, search
from aftersale.promises.measures import OUTCOMES, outcome_q, relevant_q, with_due_as_of
from aftersale.promises.models import Promise, PromiseStatus
from aftersale.staff.models import User

DUE_SOON_DAYS = 7
RECENT_DAYS = 90

# The four things an owner must see (issue: accountability), in display order.
BUCKETS: dict[str, Any] = {
    "overdue": _("Overdue"),
    "due_week": _("Due this week"),
    "broken": _("Broken in the last 90 days"),
    "renegotiated": _("Renegotiated more than once"),
}
VIEWS: dict[str, Any] = {
    "attention": _("Needs attention"),
    **BUCKETS,
    "open": _("All open"),
    "all": _("All"),
}
OUTCOME_LABELS: dict[str, Any] = {
    "any": _("all promises counted"),
    "made": _("made"),
    "kept": _("kept on time"),
    "late": _("kept late"),
    "broken": _("broken"),
    "cancelled": _("cancelled"),
    "open": _("open"),
    "overdue": _("overdue"),
}
SHOWS: dict[str, Any] = {
    "mine": _("On my accounts"),
    "made": _("Made by me"),
    "deliver": _("To be delivered by me"),
    "all": _("Everyone's"),
}


def bucket_q(bucket: str, today: date) -> Q:
    """Today's state (current status and due date: nothing later than today exists)."""
    pending = Q(status__in=PromiseStatus.pending())
    recent = today - timedelta(days=RECENT_DAYS)
    if bucket == "overdue":
        return pending & Q(due_at__lt=today)
    if bucket == "due_week":
        return pending & Q(due_at__gte=today, due_at__lt=today + timedelta(days=DUE_SOON_DAYS))
    if bucket == "broken":
        return Q(status=PromiseStatus.BROKEN, closed_at__gte=recent)
    if bucket == "renegotiated":
        return Q(renegotiations__gt=1) & (pending | Q(closed_at__gte=recent))
    raise ValueError(f"unknown promise bucket {bucket!r}")


def attention_q(today: date) -> Q:
    result = Q(pk__in=[])
    for bucket in BUCKETS:
        result |= bucket_q(bucket, today)
    return result


def account_owners() -> QuerySet[User]:
    return User.objects.staff().filter(owned_accounts__isnull=False).distinct()


class LedgerForm(FilterForm):
    """The list's query string: the filters people pick, and those a measure's link sets."""

    q = search(placeholder=_("What, account or external ID"))
    show = choice(_("Whose"), SHOWS.items(), blank=None)
    owner = OwnerField(account_owners, label=_("Account owner"), me=None)
    direction = choice(_("Direction"), Direction.choices, blank=_("Both"))
    status = choice(_("Status"), PromiseStatus.choices, blank=_("Any"))
    made_dept = choice(_("Made by department"), Department.choices, blank=_("Any"))
    delivery_dept = choice(_("Delivering department"), Department.choices, blank=_("Any"))
    view = choice(_("View"), VIEWS.items(), blank=None, hidden=True)
    outcome = choice(_("Outcome"), [(name, name) for name in (*OUTCOMES, "any")], hidden=True)
    account = IdField(label=_("Account"))
    as_of = day(_("As of"), hidden=True)
    months = number(_("Months back"), 1, 120, hidden=True)
    defaults = {"view": "attention"}


@dataclass
class LedgerFilters:
    """What the list shows; every field comes from (and goes back to) the query string."""

    today: date
    show: str = "mine"
    view: str = "attention"
    owner: int | None = None
    account: int | None = None
    direction: str = ""
    status: str = ""
    made_dept: str = ""
    delivery_dept: str = ""
    q: str = ""
    # Set when the list explains a measure: the promises behind one number.
    outcome: str = ""
    as_of: date | None = None
    months: int = 12
    form: LedgerForm | None = None

    @classmethod
    def from_query(cls, params: QueryDict, *, user: User, today: date) -> LedgerFilters:
        show = "all" if user.is_manager else "mine"
        form = LedgerForm(params, defaults={"show": show})
        v = form.values
        f = cls(
            today=today, show=v["show"] or show, view=v["view"] or "attention",
            owner=int(v["owner"]) if v["owner"] else None, account=v["account"],
            direction=v["direction"], status=v["status"], made_dept=v["made_dept"],
            delivery_dept=v["delivery_dept"], q=v["q"], outcome=v["outcome"], as_of=v["as_of"],
            months=v["months"] or 12, form=form,
        )
        if f.outcome:
            f.view = "all"
        if f.owner is not None or f.account is not None:
            f.show = "all"
        return f

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS.get(self.outcome, ""))

    @property
    def day(self) -> date:
        """The day statuses and due dates are read as of."""
        return self.as_of or self.today

    def base(self, promises: QuerySet[Promise], user: User) -> QuerySet[Promise]:
        """Every filter except the view, so the tabs can count their own rows."""
        if self.show == "mine":
            promises = promises.filter(account__owner=user)
        elif self.show == "made":
            promises = promises.filter(made_by=user)
        elif self.show == "deliver":
            promises = promises.filter(delivery_owner=user)
        if self.owner is not None:
            promises = promises.filter(account__owner_id=self.owner)
        if self.account is not None:
            promises = promises.filter(account_id=self.account)
        if self.direction:
            promises = promises.filter(direction=self.direction)
        if self.status:
            promises = promises.filter(status=self.status)
        if self.made_dept:
            promises = promises.filter(made_by_department=self.made_dept)
        if self.delivery_dept:
            promises = promises.filter(delivery_department=self.delivery_dept)
        if self.q:
            promises = promises.filter(
                Q(description__icontains=self.q) | Q(account__name__icontains=self.q)
                | Q(external_id__iexact=self.q)
            )
        promises = with_due_as_of(promises, self.day)
        if self.outcome == "any":
            promises = promises.filter(relevant_q(self.day, self.months))
        elif self.outcome:
            promises = promises.filter(outcome_q(self.outcome, self.day, self.months))
        return promises

    def apply_view(self, promises: QuerySet[Promise]) -> QuerySet[Promise]:
        if self.view == "attention":
            return promises.filter(attention_q(self.today))
        if self.view in BUCKETS:
            return promises.filter(bucket_q(self.view, self.today))
        if self.view == "open":
            return promises.filter(status__in=PromiseStatus.pending())
        return promises

    def view_counts(self, promises: QuerySet[Promise]) -> dict[str, int]:
        """Rows per tab, in one aggregate query."""
        counts = promises.aggregate(
            attention=Count("pk", filter=attention_q(self.today)),
            open=Count("pk", filter=Q(status__in=PromiseStatus.pending())),
            all=Count("pk"),
            **{bucket: Count("pk", filter=bucket_q(bucket, self.today)) for bucket in BUCKETS},
        )
        return {name: counts[name] for name in VIEWS}

    def query_string(self, **overrides: Any) -> str:
        """The filters as a query string, with some replaced (for tabs and links)."""
        values: dict[str, Any] = {
            "show": self.show, "view": self.view, "owner": self.owner, "account": self.account,
            "direction": self.direction, "status": self.status, "made_dept": self.made_dept,
            "delivery_dept": self.delivery_dept, "q": self.q, "outcome": self.outcome,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "months": self.months if self.months != 12 else None,
        }
        values.update(overrides)
        query = QueryDict(mutable=True)
        for name, value in values.items():
            if value not in (None, ""):
                query[name] = str(value)
        return query.urlencode()


def flag(promise: Promise, today: date) -> list[str]:
    """Why a row is on the attention list, as bucket names."""
    reasons = []
    pending = promise.status in PromiseStatus.pending()
    recent = today - timedelta(days=RECENT_DAYS)
    if pending and promise.due_at < today:
        reasons.append("overdue")
    elif pending and promise.due_at < today + timedelta(days=DUE_SOON_DAYS):
        reasons.append("due_week")
    if promise.status == PromiseStatus.BROKEN and promise.closed_at and promise.closed_at >= recent:
        reasons.append("broken")
    if promise.renegotiations > 1 and (pending or (promise.closed_at and promise.closed_at >= recent)):
        reasons.append("renegotiated")
    return reasons
