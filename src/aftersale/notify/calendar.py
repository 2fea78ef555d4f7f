"""A private calendar feed (iCalendar, RFC 5545) of what is due on a person's accounts.

Three kinds of all-day events, each with a stable UID so calendar clients
update rather than duplicate them when a date moves:

- maintenance visits due on the accounts they own (``service.maintenance.visits``),
- promises still pending on the accounts they own or that they must deliver,
- the next relationship review of each account they own (``reviews.alerts.review_due_dates``).

The icalendar library writes the text (escaping, folding, line ends); this
module decides what is in it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import TRANSP, Calendar, vDuration
from icalendar import Event as VEvent

from aftersale.accounts.models import Account
from aftersale.notify.conf import absolute, mail_domain
from aftersale.promises.models import Promise
from aftersale.reviews.alerts import review_due_dates
from aftersale.service.maintenance import visits
from aftersale.staff.models import User

# How far ahead maintenance visits are listed (overdue ones are always listed).
HORIZON_DAYS = 400


@dataclass(frozen=True)
class Event:
    uid: str
    day: date
    summary: str
    description: str
    url: str
    category: str


def events_for(user: User, today: date) -> list[Event]:
    """Everything due for ``user``, in their language, earliest first (a handful of queries)."""
    owned = list(Account.objects.filter(owner=user).values_list("pk", flat=True))
    domain = mail_domain()
    events: list[Event] = []
    with translation.override(user.language or "en"):
        for visit in visits(today, owned, due_by=today + timedelta(days=HORIZON_DAYS)) if owned else []:
            summary = _("Maintenance due: %(plan)s, %(asset)s (%(account)s)") % {
                "plan": visit.plan_name, "asset": visit.asset_label, "account": visit.account_name}
            if visit.overdue:
                summary = _("Overdue: %(summary)s") % {"summary": summary}
            events.append(Event(
                uid=f"maintenance-{visit.plan_id}-{visit.asset_id}@{domain}", day=visit.due_on,
                summary=summary,
                description=_("Every %(days)d days; last done %(last)s.") % {
                    "days": visit.interval_days, "last": visit.last_done_on or _("never")},
                url=absolute("account_detail", visit.account_id), category=_("Maintenance"),
            ))
        promises = (
            Promise.objects.pending().filter(Q(account__owner=user) | Q(delivery_owner=user))
            .select_related("account", "delivery_owner").order_by("due_at", "pk")
        )
        for promise in promises:
            events.append(Event(
                uid=f"promise-{promise.pk}@{domain}", day=promise.due_at,
                summary=_("Promise due: %(what)s (%(account)s)") % {
                    "what": promise.description[:80], "account": promise.account.name},
                description=_("%(what)s\nMust be delivered by %(who)s (%(department)s).") % {
                    "what": promise.description, "who": promise.delivery_owner,
                    "department": promise.get_delivery_department_display()},
                url=absolute("promise_detail", promise.pk), category=_("Promises"),
            ))
        names = dict(Account.objects.filter(pk__in=owned).values_list("pk", "name"))
        for account_id, (due, last_held) in (review_due_dates(today, owned) if owned else {}).items():
            events.append(Event(
                uid=f"review-{account_id}@{domain}", day=due,
                summary=_("Relationship review due: %(account)s") % {"account": names[account_id]},
                description=(_("Last review: %(held)s.") % {"held": last_held.isoformat()} if last_held
                             else _("No review yet.")),
                url=absolute("account_detail", account_id), category=_("Reviews"),
            ))
    events.sort(key=lambda e: (e.day, e.uid))
    return events


def printable(value: str) -> str:
    """TEXT may hold no control character but a tab (RFC 5545 §3.3.11): line breaks become
    one newline (which icalendar escapes), other control characters, typed or pasted into a
    description, are dropped rather than handed to calendar apps that would choke on them."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in value if ch in "\t\n" or unicodedata.category(ch) != "Cc")


def vevent(event: Event, stamp: datetime) -> VEvent:
    # An all-day event ends the next day; on the last day a date can hold there is no
    # next day to write, and an all-day DTSTART without DTEND is one day long (§3.6.1).
    end = event.day + timedelta(days=1) if event.day < date.max else None
    return VEvent.new(
        uid=event.uid, stamp=stamp, start=event.day, end=end,
        summary=printable(event.summary), description=printable(event.description),
        url=event.url, categories=[printable(event.category)], transparency=TRANSP.TRANSPARENT,
    )


def render(events: list[Event], *, name: str, now: datetime) -> bytes:
    calendar = Calendar()
    calendar.prodid = "-//Aftersale//Calendar feed//EN"
    calendar.version = "2.0"
    calendar.calscale = "GREGORIAN"
    calendar.method = "PUBLISH"
    calendar.calendar_name = printable(name)  # NAME and X-WR-CALNAME
    calendar.add("REFRESH-INTERVAL", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(timedelta(hours=1)))
    stamp = now.astimezone(UTC)
    for event in events:
        calendar.add_component(vevent(event, stamp))
    return calendar.to_ical()
