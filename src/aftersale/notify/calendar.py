"""A private calendar feed (iCalendar, RFC 5545) of what is due on a person's accounts.

Three kinds of all-day events, each with a stable UID so calendar clients
update rather than duplicate them when a date moves:

- maintenance visits due on the accounts they own (``service.maintenance.visits``),
- promises still pending on the accounts they own or that they must deliver,
- the next relationship review of each account they own (``reviews.alerts.review_due_dates``).

The text is written here rather than by a library: CRLF line ends, lines folded
at 75 octets without splitting a UTF-8 character, TEXT values escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

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


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newline escaped;
    other control characters, which the format does not allow, dropped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return "".join(ch for ch in value if ch == "\t" or ord(ch) >= 0x20 and ord(ch) != 0x7F)


def fold(line: str) -> str:
    """Fold a content line at 75 octets (§3.1), never inside a UTF-8 character."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for ch in line:
        encoded = ch.encode("utf-8")
        if len(current) + len(encoded) > limit:
            parts.append(current)
            current, limit = b"", 74  # continuation lines start with a space
        current += encoded
    parts.append(current)
    return "\r\n ".join(p.decode("utf-8") for p in parts)


def render(events: list[Event], *, name: str, now: datetime) -> bytes:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Aftersale//Calendar feed//EN", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", f"X-WR-CALNAME:{escape_text(name)}", f"NAME:{escape_text(name)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(event.summary)}",
            f"DESCRIPTION:{escape_text(event.description)}",
            f"URL:{event.url}",
            f"CATEGORIES:{escape_text(event.category)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
