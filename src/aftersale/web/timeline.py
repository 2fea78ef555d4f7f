"""One account's chronological timeline: orders, cases, touchpoints, promises, reviews, ideas.

Set-based: one query per kind, each limited to the rows the requested page can
need, merged in Python. The number of queries never grows with the history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account
from aftersale.commerce.models import Order
from aftersale.engagement.models import Idea, Touchpoint
from aftersale.promises.models import Promise, PromiseStatus
from aftersale.reviews.models import RelationshipReview
from aftersale.service.models import ServiceCase

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

    @property
    def label(self) -> Any:
        return KINDS[self.kind]


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


# Each kind: its rows (newest first, only the columns an entry needs) and how one row
# becomes an entry. Rows are read for every kind, but only the page's entries are formatted
# (labels, translations and URLs for the rows not shown were most of the timeline's time).
Loader = tuple[Callable[[Account, int], list[Any]], Callable[[Any], datetime], Callable[[Any], Entry]]


def _orders(account: Account, limit: int) -> list[Order]:
    return list(Order.objects.filter(account_id=account.pk).only(
        "placed_at", "external_id", "total", "currency", "channel",
    ).order_by("-placed_at", "-pk")[:limit])


def _order(o: Order) -> Entry:
    return Entry("order", o.placed_at, str(_("Order %(id)s") % {"id": o.external_id}),
                 f"{o.total} {o.currency} · {_display(o, 'channel')}")


def _cases(account: Account, limit: int) -> list[ServiceCase]:
    return list(ServiceCase.objects.filter(account_id=account.pk).only(
        "opened_at", "title", "kind", "status", "is_complaint",
    ).order_by("-opened_at", "-pk")[:limit])


def _case(c: ServiceCase) -> Entry:
    return Entry("case", c.opened_at, c.title, f"{_display(c, 'kind')} · {_display(c, 'status')}",
                 url=c.get_absolute_url(), flag="complaint" if c.is_complaint else "")


def _touchpoints(account: Account, limit: int) -> list[Touchpoint]:
    return list(Touchpoint.objects.filter(account_id=account.pk).only(
        "occurred_at", "kind", "topic", "minutes", "summary",
    ).order_by("-occurred_at", "-pk")[:limit])


def _touchpoint(t: Touchpoint) -> Entry:
    minutes = str(_("%(minutes)s min") % {"minutes": t.minutes})
    return Entry("touchpoint", t.occurred_at, f"{_display(t, 'kind')} · {_display(t, 'topic')}",
                 minutes + (f" · {t.summary}" if t.summary else ""))


def _promises(account: Account, limit: int) -> list[Promise]:
    return list(Promise.objects.filter(account_id=account.pk).only(
        "made_at", "description", "due_at", "status",
    ).order_by("-made_at", "-pk")[:limit])


def _promise(p: Promise) -> Entry:
    return Entry("promise", _moment(p.made_at), p.description,
                 str(_("Due %(due)s · %(status)s") % {"due": p.due_at, "status": _display(p, "status")}),
                 url=p.get_absolute_url(), keep_pk=p.pk if p.status in OPEN else None)


def _reviews(account: Account, limit: int) -> list[RelationshipReview]:
    return list(RelationshipReview.objects.filter(account_id=account.pk).only(
        "held_at", "status", "outcome",
    ).order_by("-held_at", "-pk")[:limit])


def _review(r: RelationshipReview) -> Entry:
    return Entry("review", _moment(r.held_at), str(_("Relationship review")),
                 " · ".join(x for x in (_display(r, "status"),
                                        _display(r, "outcome") if r.outcome else "") if x))


def _ideas(account: Account, limit: int) -> list[Idea]:
    return list(Idea.objects.filter(account_id=account.pk).only(
        "proposed_at", "title", "status",
    ).order_by("-proposed_at", "-pk")[:limit])


def _idea(i: Idea) -> Entry:
    return Entry("idea", _moment(i.proposed_at), i.title, _display(i, "status"))


LOADERS: dict[str, Loader] = {
    "order": (_orders, lambda o: o.placed_at, _order),
    "case": (_cases, lambda c: c.opened_at, _case),
    "touchpoint": (_touchpoints, lambda t: t.occurred_at, _touchpoint),
    "promise": (_promises, lambda p: _moment(p.made_at), _promise),
    "review": (_reviews, lambda r: _moment(r.held_at), _review),
    "idea": (_ideas, lambda i: _moment(i.proposed_at), _idea),
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
    rows: list[tuple[datetime, Callable[[Any], Entry], Any]] = []
    for kind in chosen:
        load, moment, entry = LOADERS[kind]
        rows.extend((moment(row), entry, row) for row in load(account, limit))
    rows.sort(key=lambda r: r[0], reverse=True)  # stable: equal moments keep the kinds' order
    start = (page - 1) * size
    return [entry(row) for _at, entry, row in rows[start:start + size]], len(rows) > start + size
