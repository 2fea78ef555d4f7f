"""The private calendar feed: what is due, valid iCalendar for common clients."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
import pytest
from django.utils import timezone

from aftersale.commerce.models import Product
from aftersale.notify.calendar import Event, escape_text, fold, render
from aftersale.notify.models import CalendarFeed
from aftersale.promises.models import Promise, PromiseStatus
from aftersale.reviews.models import RelationshipReview, ReviewStatus
from aftersale.service.models import Asset, MaintenancePlan

from .conftest import NOW

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


def promise(account, made_by, deliverer, due: date, description: str, status=PromiseStatus.OPEN) -> Promise:
    closed = due if status != PromiseStatus.OPEN else None
    return Promise.objects.create(
        account=account, description=description, stage="sale", made_at=due - timedelta(days=30),
        made_by=made_by, made_by_department="sales", due_at=due, delivery_owner=deliverer,
        delivery_department="service", status=status, closed_at=closed,
        delivered_at=closed if status == PromiseStatus.KEPT else None,
    )


@pytest.fixture
def due_things(frozen, account, other_account, owner, colleague):
    press = Product.objects.create(name="Press, 200 t", kind="equipment")
    asset = Asset.objects.create(account=account, product=press, serial="SN-7",
                                 installed_at=date(2025, 1, 10))
    MaintenancePlan.objects.create(asset=asset, name="Annual service; hydraulics", interval_days=365,
                                   last_done_at=date(2025, 7, 1), next_due_at=date(2026, 7, 1))
    promise(account, owner, colleague, date(2026, 6, 30), "Train two operators, on site\nwith a manual")
    promise(account, owner, colleague, date(2026, 6, 1), "Already kept", status=PromiseStatus.KEPT)
    promise(other_account, colleague, owner, date(2026, 7, 15), "Deliver spare kit")  # we must deliver
    promise(other_account, colleague, colleague, date(2026, 7, 20), "Not ours")
    RelationshipReview.objects.create(account=account, reviewer=owner, held_at=date(2026, 4, 1),
                                      status=ReviewStatus.COMPLETED, next_due_at=date(2026, 6, 20))
    return CalendarFeed.objects.create(user=owner)


def fetch(client, feed: CalendarFeed):
    response = client.get(f"/calendar/{feed.key}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content


def test_the_feed_lists_visits_promises_and_reviews_due(client, due_things, frozen):
    calendar = icalendar.Calendar.from_ical(fetch(client, due_things))
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        "Maintenance due: Annual service; hydraulics, Press, 200 t #SN-7 (Công ty Cơ khí Hà Nội)",
        "Promise due: Train two operators, on site\nwith a manual (Công ty Cơ khí Hà Nội)",
        "Promise due: Deliver spare kit (Other Bank)",
        "Relationship review due: Công ty Cơ khí Hà Nội",
    }
    visit = events["Maintenance due: Annual service; hydraulics, Press, 200 t #SN-7 (Công ty Cơ khí Hà Nội)"]
    assert visit["DTSTART"].dt == date(2026, 7, 1) and visit["DTEND"].dt == date(2026, 7, 2)
    assert events["Relationship review due: Công ty Cơ khí Hà Nội"]["DTSTART"].dt == date(2026, 6, 20)
    assert all(str(e["UID"]).endswith("@localhost") and e["DTSTAMP"].dt == NOW for e in events.values())
    assert len({str(e["UID"]) for e in events.values()}) == 4


def test_the_feed_is_strict_rfc_5545(client, due_things, frozen):
    raw = fetch(client, due_things)
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, line
    text = raw.decode("utf-8")  # folding never splits a character
    assert "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" in text
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Maintenance due: Annual service\\; hydraulics\\, Press\\, 200 t" in unfolded


def test_the_feed_is_in_the_users_language(client, due_things, owner, frozen):
    owner.language = "vi"
    owner.save()
    calendar = icalendar.Calendar.from_ical(fetch(client, due_things))
    summaries = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert summaries[0] == (
        "Đến hạn bảo trì: Annual service; hydraulics, Press, 200 t #SN-7 (Công ty Cơ khí Hà Nội)"
    )
    assert summaries[1] == "Đến hạn cam kết: Deliver spare kit (Other Bank)"
    assert summaries[3] == "Đến hạn đánh giá quan hệ: Công ty Cơ khí Hà Nội"


def test_an_unknown_or_revoked_link_or_a_departed_user_gets_404(client, due_things, owner):
    assert client.get("/calendar/not-a-key.ics").status_code == 404
    owner.is_active = False
    owner.save()
    assert client.get(f"/calendar/{due_things.key}.ics").status_code == 404


def test_the_last_fetch_is_recorded_hourly(client, due_things):
    client.get(f"/calendar/{due_things.key}.ics")
    due_things.refresh_from_db()
    first = due_things.last_fetched_at
    assert first is not None and abs((timezone.now() - first).total_seconds()) < 60
    client.get(f"/calendar/{due_things.key}.ics")
    due_things.refresh_from_db()
    assert due_things.last_fetched_at == first


def test_text_is_escaped_and_long_lines_folded_between_characters():
    assert escape_text("a,b;c\\d\ne\x07") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "Bảo trì định kỳ " * 10
    folded = fold(line)
    parts = folded.split("\r\n ")
    assert "".join(parts) == line
    assert all(len(p.encode()) <= 75 for p in parts[:1]) and all(len(p.encode()) <= 74 for p in parts[1:])
    body = render([Event("u@x", TODAY, "Bảo trì " * 20, "x", "https://x/", "c")], name="n", now=NOW)
    parsed = icalendar.Calendar.from_ical(body)
    assert str(parsed.walk("VEVENT")[0]["SUMMARY"]) == "Bảo trì " * 20
