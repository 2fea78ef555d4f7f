"""One account's chronological timeline: orders, cases, touchpoints, promises, reviews, ideas.

Set-based: one query per kind, each limited to the rows the requested page can
need, merged in Python. The number of queries never grows with the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account
from aftersale.commerce.models import Order
from aftersale.engagement.models import Idea, Touchpoint
from aftersale.promises.models import Promise, PromiseStatus
from aftersale.reviews.models import RelationshipReview

PAGE_SIZE = 25
OPEN = {PromiseStatus.OPEN, PromiseStatus.RENEGOTIATED}

KINDS: dict[str, Any] = {
    "order": _("Orders"),
    "case": _("Cases"),
    "touchpoint": _("Touchpoints"),
    "promise": _("Promises"),
    "review": _("Reviews"),
    "idea": _("Ideas"),
}


@dataclass
class Entry:
    kind: str
    at: datetime
    title: str
    detail: str
    url: str = ""
    flag: str = ""  # e.g. "complaint": shown as a tag
    keep_pk: int | None = None  # an open promise: offer "mark kept"


@cache
def _labels(model: type[Model], field: str) -> dict[Any, Any]:
    return dict(model._meta.get_field(field).flatchoices)


def _display(obj: Model, field: str) -> str:
    """``obj.get_<field>_display()`` from a dict built once per field (Django rebuilds it
    on every call, which was a large part of the timeline's time)."""
    value = getattr(obj, field)
    return str(_labels(type(obj), field).get(value, value))


def _moment(value: date | datetime) -> datetime:
    # Date-only events sort at the start of their day in the site's time zone.
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time.min))


def _orders(account: Account, limit: int) -> list[Entry]:
    rows: QuerySet[Order] = account.orders.order_by("-placed_at", "-pk")[:limit]
    return [
        Entry("order", o.placed_at, str(_("Order %(id)s") % {"id": o.external_id}),
              f"{o.total} {o.currency} · {_display(o, 'channel')}")
        for o in rows
    ]


def _cases(account: Account, limit: int) -> list[Entry]:
    rows = account.cases.order_by("-opened_at", "-pk")[:limit]
    return [
        Entry("case", c.opened_at, c.title, f"{_display(c, 'kind')} · {_display(c, 'status')}",
              url=c.get_absolute_url(), flag="complaint" if c.is_complaint else "")
        for c in rows
    ]


def _touchpoints(account: Account, limit: int) -> list[Entry]:
    rows: QuerySet[Touchpoint] = account.touchpoints.order_by("-occurred_at", "-pk")[:limit]
    return [
        Entry("touchpoint", t.occurred_at,
              f"{_display(t, 'kind')} · {_display(t, 'topic')}",
              str(_("%(minutes)s min") % {"minutes": t.minutes}) + (f" · {t.summary}" if t.summary else ""))
        for t in rows
    ]


def _promises(account: Account, limit: int) -> list[Entry]:
    rows: QuerySet[Promise] = account.promises.order_by("-made_at", "-pk")[:limit]
    return [
        Entry("promise", _moment(p.made_at), p.description,
              str(_("Due %(due)s · %(status)s") % {"due": p.due_at, "status": _display(p, "status")}),
              url=p.get_absolute_url(), keep_pk=p.pk if p.status in OPEN else None)
        for p in rows
    ]


def _reviews(account: Account, limit: int) -> list[Entry]:
    rows: QuerySet[RelationshipReview] = account.reviews.order_by("-held_at", "-pk")[:limit]
    return [
        Entry("review", _moment(r.held_at), str(_("Relationship review")),
              " · ".join(x for x in (_display(r, "status"),
                                     _display(r, "outcome") if r.outcome else "") if x))
        for r in rows
    ]


def _ideas(account: Account, limit: int) -> list[Entry]:
    rows: QuerySet[Idea] = account.ideas.order_by("-proposed_at", "-pk")[:limit]
    return [
        Entry("idea", _moment(i.proposed_at), i.title, _display(i, "status"))
        for i in rows
    ]


LOADERS = {
    "order": _orders, "case": _cases, "touchpoint": _touchpoints,
    "promise": _promises, "review": _reviews, "idea": _ideas,
}


def timeline(account: Account, *, kinds: list[str] | None = None, page: int = 1,
             size: int = PAGE_SIZE) -> tuple[list[Entry], bool]:
    """The entries of ``page`` (newest first) and whether an older page exists.

    Each kind loads at most ``page * size + 1`` rows: enough to fill the page
    whatever the mix, plus one to know whether there is more.
    """
    page = max(1, page)
    limit = page * size + 1
    chosen = [k for k in (kinds or []) if k in LOADERS] or list(LOADERS)
    entries: list[Entry] = []
    for kind in chosen:
        entries.extend(LOADERS[kind](account, limit))
    entries.sort(key=lambda e: e.at, reverse=True)
    start = (page - 1) * size
    return entries[start:start + size], len(entries) > start + size
