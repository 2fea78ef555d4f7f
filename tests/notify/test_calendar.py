"""The private calendar feed, read back the way a calendar app reads it (with icalendar)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import time_machine
from django.utils import timezone

from aftersale.commerce.models import Product
from aftersale.notify.calendar import Event, render
from aftersale.notify.models import CalendarFeed
from aftersale.promises.models import Promise, PromiseStatus
from aftersale.reviews.models import RelationshipReview, ReviewStatus
from aftersale.service.models import Asset, MaintenancePlan

from .conftest import NOW

pytestmark = pytest.mark.django_db

VISIT = "Maintenance due: Annual service; hydraulics, Press, 200 t #SN-7 (Công ty Cơ khí Hà Nội)"
TRAINING = "Promise due: Train two operators, on site\nwith a manual (Công ty Cơ khí Hà Nội)"
SPARE_KIT = "Promise due: Deliver spare kit (Other Bank)"
REVIEW = "Relationship review due: Công ty Cơ khí Hà Nội"


def promise(account, made_by, deliverer, due: date, description: str, status=PromiseStatus.OPEN,
            made: date | None = None) -> Promise:
    closed = due if status != PromiseStatus.OPEN else None
    return Promise.objects.create(
        account=account, description=description, stage="sale", made_at=made or due - timedelta(days=30),
        made_by=made_by, made_by_department="sales", due_at=due, delivery_owner=deliverer,
        delivery_department="service", status=status, closed_at=closed,
        delivered_at=closed if status == PromiseStatus.KEPT else None,
    )


def press(account, next_due: date | None = date(2026, 7, 1), last_done: date | None = date(2025, 7, 1),
          ) -> MaintenancePlan:
    product = Product.objects.create(name="Press, 200 t", kind="equipment")
    asset = Asset.objects.create(account=account, product=product, serial="SN-7",
                                 installed_at=date(2025, 1, 10))
    return MaintenancePlan.objects.create(asset=asset, name="Annual service; hydraulics", interval_days=365,
                                          last_done_at=last_done, next_due_at=next_due)


@pytest.fixture
def due_things(frozen, account, other_account, owner, colleague):
    press(account)
    promise(account, owner, colleague, date(2026, 6, 30), "Train two operators, on site\nwith a manual")
    promise(account, owner, colleague, date(2026, 6, 1), "Already kept", status=PromiseStatus.KEPT)
    promise(other_account, colleague, owner, date(2026, 7, 15), "Deliver spare kit")  # we must deliver
    promise(other_account, colleague, colleague, date(2026, 7, 20), "Not ours")
    RelationshipReview.objects.create(account=account, reviewer=owner, held_at=date(2026, 4, 1),
                                      status=ReviewStatus.COMPLETED, next_due_at=date(2026, 6, 20))
    return CalendarFeed.objects.create(user=owner)


def fetch(client, feed: CalendarFeed) -> bytes:
    response = client.get(f"/calendar/{feed.key}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content


def events(body: bytes) -> dict[str, icalendar.Event]:
    """The feed's events by summary, parsed as a calendar app parses them."""
    found = icalendar.Calendar.from_ical(body).walk("VEVENT")
    by_summary = {str(e["SUMMARY"]): e for e in found}
    assert len(by_summary) == len(found)
    return by_summary


def all_day(event: icalendar.Event) -> tuple[date, date | None]:
    """(first day, day after the last) of an all-day event, as a calendar app reads it."""
    start = event["DTSTART"].dt
    assert type(start) is date  # a DATE, not a date-time: all day wherever the reader is
    end = event["DTEND"].dt if "DTEND" in event else None
    return start, end


def test_it_lists_one_event_per_visit_promise_and_review_due(client, due_things, account, frozen):
    found = events(fetch(client, due_things))
    assert set(found) == {VISIT, TRAINING, SPARE_KIT, REVIEW}
    assert all_day(found[VISIT]) == (date(2026, 7, 1), date(2026, 7, 2))
    assert all_day(found[TRAINING]) == (date(2026, 6, 30), date(2026, 7, 1))
    assert all_day(found[SPARE_KIT]) == (date(2026, 7, 15), date(2026, 7, 16))
    assert all_day(found[REVIEW]) == (date(2026, 6, 20), date(2026, 6, 21))
    assert str(found[TRAINING]["DESCRIPTION"]) == (
        "Train two operators, on site\nwith a manual\nMust be delivered by Pham Van Cong (Service)."
    )
    assert str(found[VISIT]["DESCRIPTION"]) == "Every 365 days; last done 2025-07-01."
    assert str(found[REVIEW]["DESCRIPTION"]) == "Last review: 2026-04-01."
    assert str(found[VISIT]["URL"]) == f"http://127.0.0.1:8000{account.get_absolute_url()}"
    assert found[TRAINING].categories == ["Promises"]
    assert all(str(e["UID"]).endswith("@localhost") and e["DTSTAMP"].dt == NOW for e in found.values())
    assert len({str(e["UID"]) for e in found.values()}) == 4


def test_it_keeps_each_events_uid_across_requests_and_when_a_date_moves(client, due_things, frozen):
    first = {summary: str(e["UID"]) for summary, e in events(fetch(client, due_things)).items()}
    assert {summary: str(e["UID"]) for summary, e in events(fetch(client, due_things)).items()} == first
    Promise.objects.filter(description="Deliver spare kit").update(due_at=date(2026, 8, 3))
    moved = events(fetch(client, due_things))
    assert {summary: str(e["UID"]) for summary, e in moved.items()} == first
    assert all_day(moved[SPARE_KIT]) == (date(2026, 8, 3), date(2026, 8, 4))


def test_it_drops_what_is_no_longer_due(client, due_things, frozen):
    Promise.objects.filter(description="Deliver spare kit").update(
        status=PromiseStatus.KEPT, closed_at=date(2026, 6, 15), delivered_at=date(2026, 6, 15))
    assert set(events(fetch(client, due_things))) == {VISIT, TRAINING, REVIEW}


@pytest.mark.parametrize(("instant", "overdue"), [
    (datetime(2026, 7, 1, 16, 30, tzinfo=UTC), False),  # 23:30 on 1 July in Hanoi
    (datetime(2026, 7, 1, 17, 30, tzinfo=UTC), True),  # 00:30 on 2 July in Hanoi, still 1 July in UTC
])
def test_it_counts_days_in_the_installations_time_zone(client, account, owner, instant, overdue):
    press(account, next_due=date(2026, 7, 1))
    feed = CalendarFeed.objects.create(user=owner)
    with time_machine.travel(instant, tick=False):
        found = events(fetch(client, feed))
    summary = f"Overdue: {VISIT}" if overdue else VISIT
    assert all_day(found[summary]) == (date(2026, 7, 1), date(2026, 7, 2))


def test_it_is_in_the_users_language(client, due_things, owner, frozen):
    owner.language = "vi"
    owner.save()
    found = events(fetch(client, due_things))
    assert set(found) == {
        "Đến hạn bảo trì: Annual service; hydraulics, Press, 200 t #SN-7 (Công ty Cơ khí Hà Nội)",
        "Đến hạn cam kết: Train two operators, on site\nwith a manual (Công ty Cơ khí Hà Nội)",
        "Đến hạn cam kết: Deliver spare kit (Other Bank)",
        "Đến hạn đánh giá quan hệ: Công ty Cơ khí Hà Nội",
    }
    assert found["Đến hạn cam kết: Deliver spare kit (Other Bank)"].categories == ["Cam kết"]


def test_it_answers_extreme_stored_dates(client, account, other_account, owner, colleague, frozen):
    """Dates at both ends of what the database stores: each is listed where it falls, none is a 500."""
    account.customer_since = date(1, 1, 1)
    account.save()
    plan = press(account, next_due=date(9999, 12, 31), last_done=None)  # beyond the 400 days listed
    MaintenancePlan.objects.create(asset=plan.asset, name="Oil change", interval_days=1,
                                   last_done_at=date(1, 1, 1), next_due_at=date(1, 1, 2))
    promise(account, owner, colleague, date(9999, 12, 31), "Forever", made=date(9999, 12, 31))
    promise(account, owner, colleague, date(1, 1, 1), "Long ago", made=date(1, 1, 1))
    RelationshipReview.objects.create(account=account, reviewer=owner, held_at=date(1, 1, 1),
                                      status=ReviewStatus.COMPLETED, next_due_at=date(9999, 12, 31))
    RelationshipReview.objects.create(account=account, reviewer=owner, held_at=date(9999, 12, 31),
                                      status=ReviewStatus.COMPLETED, next_due_at=date(9999, 12, 31))
    feed = CalendarFeed.objects.create(user=owner)
    found = events(fetch(client, feed))
    assert set(found) == {
        "Promise due: Forever (Công ty Cơ khí Hà Nội)", "Promise due: Long ago (Công ty Cơ khí Hà Nội)",
        "Overdue: Maintenance due: Oil change, Press, 200 t #SN-7 (Công ty Cơ khí Hà Nội)", REVIEW,
    }
    # The last storable day has no day after it: an all-day DTSTART alone is one day (RFC 5545 §3.6.1).
    assert all_day(found["Promise due: Forever (Công ty Cơ khí Hà Nội)"]) == (date(9999, 12, 31), None)
    assert all_day(found["Promise due: Long ago (Công ty Cơ khí Hà Nội)"]) == (date(1, 1, 1), date(1, 1, 2))
    assert all_day(found[REVIEW]) == (date(1, 4, 2), date(1, 4, 3))  # a key account: 91 days after


def test_it_is_strict_rfc_5545(client, due_things, frozen):
    raw = fetch(client, due_things)
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, line
    text = raw.decode("utf-8")  # folding never splits a character
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Maintenance due: Annual service\\; hydraulics\\, Press\\, 200 t" in unfolded


def test_it_writes_control_characters_out_and_folds_between_characters():
    summary = "Bảo trì\x07 định kỳ\r\n" * 10
    body = render([Event("u@x", date(2026, 6, 15), summary, "a\rb\x00c", "https://x/", "c")],
                  name="Aftersale – Lan\x1b", now=NOW)
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # no line ends inside a character
    assert not any(byte < 0x20 and byte not in b"\r\n" for byte in body)
    calendar = icalendar.Calendar.from_ical(body)
    event = calendar.walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Bảo trì định kỳ\n" * 10
    assert str(event["DESCRIPTION"]) == "a\nbc"
    assert calendar.calendar_name == "Aftersale – Lan"


def test_it_answers_404_to_an_unknown_or_revoked_link_or_a_departed_user(client, due_things, owner):
    assert client.get("/calendar/not-a-key.ics").status_code == 404
    owner.is_active = False
    owner.save()
    assert client.get(f"/calendar/{due_things.key}.ics").status_code == 404


def test_it_records_the_last_fetch_hourly(client, due_things):
    client.get(f"/calendar/{due_things.key}.ics")
    due_things.refresh_from_db()
    first = due_things.last_fetched_at
    assert first is not None and abs((timezone.now() - first).total_seconds()) < 60
    client.get(f"/calendar/{due_things.key}.ics")
    due_things.refresh_from_db()
    assert due_things.last_fetched_at == first
