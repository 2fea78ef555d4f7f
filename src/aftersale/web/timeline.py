"""One account's chronological timeline: orders, cases, touchpoints, promises, reviews, ideas.

Set-based: one query per kind, each limited to the rows the requested page can
need, all sent in one round trip and merged in Python. The number of queries
never grows with the history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account
from aftersale.commerce.models import Order
from aftersale.core.asof import start_of_day
from aftersale.core.sql import execute_all
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

    @property
    def keep_url(self) -> str:
        """The "mark kept" dialog of an open promise (its page is ``url``)."""
        return reverse("quick_keep", args=[self.keep_pk]) if self.keep_pk else ""

    # The page's dates, formatted here rather than by two filters per entry in the template
    # (the same functions the ``date`` filter calls, in the active language and time zone).
    @property
    def iso(self) -> str:
        return formats.date_format(timezone.localtime(self.at), "c")

    @property
    def day(self) -> str:
        return formats.date_format(timezone.localtime(self.at), "SHORT_DATE_FORMAT")


@cache
def _labels(model: type[Model], field: str) -> dict[Any, Any]:
    return dict(model._meta.get_field(field).flatchoices)


def _display(model: type[Model], field: str, value: Any) -> str:
    """``get_<field>_display()`` from a dict built once per field (Django rebuilds it
    on every call, which was a large part of the timeline's time)."""
    return str(_labels(model, field).get(value, value))


def _moment(value: date | datetime) -> datetime:
    # Date-only events sort at the start of their day in the site's time zone.
    if isinstance(value, datetime):
        return value
    return start_of_day(value)


# Each kind: its rows (newest first, only the columns an entry needs, as plain tuples whose
# first value is the moment) and how one row becomes an entry. Rows are read for every
# kind, but only the page's entries are formatted (labels, translations and URLs for the
# rows not shown were most of the timeline's time).
Row = tuple[Any, ...]
Kind = tuple[Callable[[int, int], QuerySet[Any]], Callable[[Row], Entry]]


def _orders(account_id: int, limit: int) -> QuerySet[Any]:
    return Order.objects.filter(account_id=account_id).order_by("-placed_at", "-pk").values_list(
        "placed_at", "external_id", "total", "currency", "channel",
    )[:limit]


def _order(row: Row) -> Entry:
    at, external_id, total, currency, channel = row
    return Entry("order", at, str(_("Order %(id)s") % {"id": external_id}),
                 f"{total} {currency} · {_display(Order, 'channel', channel)}")


def _cases(account_id: int, limit: int) -> QuerySet[Any]:
    return ServiceCase.objects.filter(account_id=account_id).order_by("-opened_at", "-pk").values_list(
        "opened_at", "pk", "title", "kind", "status", "is_complaint",
    )[:limit]


def _case(row: Row) -> Entry:
    at, pk, title, kind, status, is_complaint = row
    return Entry("case", at, title,
                 f"{_display(ServiceCase, 'kind', kind)} · {_display(ServiceCase, 'status', status)}",
                 url=reverse("service:case_detail", args=[pk]), flag="complaint" if is_complaint else "")


def _touchpoints(account_id: int, limit: int) -> QuerySet[Any]:
    return Touchpoint.objects.filter(account_id=account_id).order_by("-occurred_at", "-pk").values_list(
        "occurred_at", "kind", "topic", "minutes", "summary",
    )[:limit]


def _touchpoint(row: Row) -> Entry:
    at, kind, topic, minutes, summary = row
    text = str(_("%(minutes)s min") % {"minutes": minutes})
    return Entry("touchpoint", at,
                 f"{_display(Touchpoint, 'kind', kind)} · {_display(Touchpoint, 'topic', topic)}",
                 text + (f" · {summary}" if summary else ""))


def _promises(account_id: int, limit: int) -> QuerySet[Any]:
    return Promise.objects.filter(account_id=account_id).order_by("-made_at", "-pk").values_list(
        "made_at", "pk", "description", "due_at", "status",
    )[:limit]


def _promise(row: Row) -> Entry:
    made_at, pk, description, due_at, status = row
    return Entry("promise", _moment(made_at), description,
                 str(_("Due %(due)s · %(status)s") % {"due": due_at,
                                                      "status": _display(Promise, "status", status)}),
                 url=reverse("promise_detail", args=[pk]), keep_pk=pk if status in OPEN else None)


def _reviews(account_id: int, limit: int) -> QuerySet[Any]:
    return RelationshipReview.objects.filter(account_id=account_id).order_by("-held_at", "-pk").values_list(
        "held_at", "status", "outcome",
    )[:limit]


def _review(row: Row) -> Entry:
    held_at, status, outcome = row
    return Entry("review", _moment(held_at), str(_("Relationship review")),
                 " · ".join(x for x in (_display(RelationshipReview, "status", status),
                                        _display(RelationshipReview, "outcome", outcome) if outcome else "")
                            if x))


def _ideas(account_id: int, limit: int) -> QuerySet[Any]:
    return Idea.objects.filter(account_id=account_id).order_by("-proposed_at", "-pk").values_list(
        "proposed_at", "title", "status",
    )[:limit]


def _idea(row: Row) -> Entry:
    proposed_at, title, status = row
    return Entry("idea", _moment(proposed_at), title, _display(Idea, "status", status))


LOADERS: dict[str, Kind] = {
    "order": (_orders, _order),
    "case": (_cases, _case),
    "touchpoint": (_touchpoints, _touchpoint),
    "promise": (_promises, _promise),
    "review": (_reviews, _review),
    "idea": (_ideas, _idea),
}


def _rows(querysets: list[QuerySet[Any]]) -> list[list[Row]]:
    """Each ``values_list`` queryset's rows, the statements sent to the database together
    (one round trip on PostgreSQL; ``health.sql.execute_all``). Django compiles each
    queryset and converts its values (dates, decimals) exactly as iterating it would."""
    compilers = [qs.query.get_compiler(using=qs.db) for qs in querysets]
    found = execute_all([compiler.as_sql() for compiler in compilers])
    return [list(compiler.results_iter([rows], tuple_expected=True))
            for compiler, rows in zip(compilers, found, strict=True)]


def timeline(account: Account, *, kinds: list[str] | None = None, page: int = 1,
             size: int = PAGE_SIZE) -> tuple[list[Entry], bool]:
    """The entries of ``page`` (newest first) and whether an older page exists.

    Each kind loads at most ``page * size + 1`` rows: enough to fill the page
    whatever the mix, plus one to know whether there is more.
    """
    page = max(1, page)
    limit = page * size + 1
    chosen = [k for k in (kinds or []) if k in LOADERS] or list(LOADERS)
    rows: list[tuple[datetime, Callable[[Row], Entry], Row]] = []
    found = _rows([LOADERS[kind][0](account.pk, limit) for kind in chosen])
    for kind, kind_rows in zip(chosen, found, strict=True):
        entry = LOADERS[kind][1]
        rows.extend((_moment(row[0]), entry, row) for row in kind_rows)
    rows.sort(key=lambda r: r[0], reverse=True)  # stable: equal moments keep the kinds' order
    start = (page - 1) * size
    return [entry(row) for _at, entry, row in rows[start:start + size]], len(rows) > start + size
