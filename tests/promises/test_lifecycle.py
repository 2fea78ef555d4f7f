from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from aftersale.alerts.models import Alert, AlertKind
from aftersale.promises.actions import PromiseConflict, do_change_status, do_edit_promise
from aftersale.promises.models import TRANSITIONS, EventAction, Promise, PromiseEvent, PromiseStatus
from tests.promises.conftest import record

LATER = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)


def test_it_records_the_promise_with_its_first_history_row(promise, owner):
    event = promise.events.get()
    assert event.action == EventAction.RECORDED
    assert event.by == owner
    assert event.version == 1
    assert event.changes["due_at"] == [None, "2026-02-01"]
    assert event.changes["delivery_owner"] == [None, "Pham Van Cong"]


def test_it_alerts_the_account_owner_of_every_new_promise(promise, owner):
    alert = Alert.objects.get(kind=AlertKind.PROMISE_NEW)
    assert alert.owner == owner
    assert alert.subject == f"promise:{promise.pk}"
    assert "Install the press line" in alert.explanation


def test_it_keeps_a_promise_delivered_on_time(promise, colleague):
    do_change_status(
        promise, by=colleague, status=PromiseStatus.KEPT, expected_version=1,
        delivered_at=date(2026, 2, 1), evidence="Signed acceptance", at=LATER,
    )
    promise.refresh_from_db()
    assert (promise.status, promise.delivered_at, promise.closed_at) == (
        "kept", date(2026, 2, 1), date(2026, 2, 1)
    )
    assert promise.version == 2
    event = promise.events.last()
    assert event.by == colleague
    assert event.at == LATER
    assert event.changes["status"] == ["open", "kept"]
    assert event.changes["evidence"] == ["", "Signed acceptance"]


def test_it_refuses_kept_when_delivered_after_the_due_date(promise, colleague):
    with pytest.raises(ValidationError) as error:
        do_change_status(
            promise, by=colleague, status=PromiseStatus.KEPT, expected_version=1,
            delivered_at=date(2026, 2, 3), evidence="Signed", at=LATER,
        )
    assert "kept late" in str(error.value.message_dict["status"])
    do_change_status(
        promise, by=colleague, status=PromiseStatus.LATE, expected_version=1,
        delivered_at=date(2026, 2, 3), evidence="Signed", at=LATER,
    )
    assert Promise.objects.get().status == PromiseStatus.LATE


def test_it_refuses_late_when_delivered_on_time(promise, colleague):
    with pytest.raises(ValidationError) as error:
        do_change_status(
            promise, by=colleague, status=PromiseStatus.LATE, expected_version=1,
            delivered_at=date(2026, 1, 20), evidence="Signed", at=LATER,
        )
    assert "record it as kept" in str(error.value.message_dict["status"])


def test_it_needs_the_delivery_date_and_evidence(promise, colleague):
    with pytest.raises(ValidationError) as error:
        do_change_status(promise, by=colleague, status=PromiseStatus.KEPT, expected_version=1, at=LATER)
    assert set(error.value.message_dict) == {"delivered_at", "evidence"}
    assert PromiseEvent.objects.count() == 1


def test_it_refuses_a_delivery_in_the_future(promise, colleague):
    with pytest.raises(ValidationError) as error:
        do_change_status(
            promise, by=colleague, status=PromiseStatus.KEPT, expected_version=1,
            delivered_at=date(2026, 2, 11), evidence="x", at=LATER,
        )
    assert "future" in str(error.value.message_dict["delivered_at"])


def test_it_renegotiates_keeping_the_original_due_date(promise, owner):
    do_change_status(
        promise, by=owner, status=PromiseStatus.RENEGOTIATED, expected_version=1,
        new_due_at=date(2026, 3, 1), note="Customer moved the site date", at=LATER,
    )
    do_change_status(
        promise, by=owner, status=PromiseStatus.RENEGOTIATED, expected_version=2,
        new_due_at=date(2026, 3, 15), at=LATER,
    )
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.RENEGOTIATED
    assert promise.due_at == date(2026, 3, 15)
    assert promise.original_due_at == date(2026, 2, 1)
    assert promise.renegotiations == 2
    first, second = promise.events.filter(action=EventAction.RENEGOTIATED)
    assert first.changes["due_at"] == ["2026-02-01", "2026-03-01"]
    assert first.note == "Customer moved the site date"
    assert second.changes["due_at"] == ["2026-03-01", "2026-03-15"]
    assert "original_due_at" not in second.changes


def test_it_needs_a_new_date_to_renegotiate(promise, owner):
    with pytest.raises(ValidationError) as error:
        do_change_status(promise, by=owner, status=PromiseStatus.RENEGOTIATED, expected_version=1, at=LATER)
    assert "new_due_at" in error.value.message_dict


def test_it_breaks_and_cancels_with_a_closing_date(promise, account, owner, colleague):
    do_change_status(promise, by=owner, status=PromiseStatus.BROKEN, expected_version=1, at=LATER)
    promise.refresh_from_db()
    assert (promise.status, promise.closed_at) == ("broken", date(2026, 2, 10))
    other = record(account, owner, colleague)
    do_change_status(
        other, by=owner, status=PromiseStatus.CANCELLED, expected_version=1,
        closed_at=date(2026, 1, 20), at=LATER,
    )
    other.refresh_from_db()
    assert (other.status, other.closed_at) == ("cancelled", date(2026, 1, 20))


@pytest.mark.parametrize("final", [s for s in PromiseStatus.values if s in PromiseStatus.final()])
def test_it_allows_no_way_out_of_a_final_status(final):
    assert TRANSITIONS[final] == frozenset()


def test_it_allows_every_outcome_from_open_and_renegotiated():
    for pending in PromiseStatus.pending():
        assert TRANSITIONS[pending] == {
            "kept", "late", "broken", "renegotiated", "cancelled"
        }


def test_it_refuses_kept_back_to_open(promise, colleague):
    do_change_status(
        promise, by=colleague, status=PromiseStatus.KEPT, expected_version=1,
        delivered_at=date(2026, 1, 30), evidence="ok", at=LATER,
    )
    promise.refresh_from_db()
    for status in (PromiseStatus.OPEN, PromiseStatus.BROKEN, PromiseStatus.RENEGOTIATED):
        with pytest.raises(ValidationError) as error:
            do_change_status(
                promise, by=colleague, status=status, expected_version=2,
                new_due_at=date(2026, 4, 1), at=LATER,
            )
        assert "A promise that is kept cannot become" in error.value.message_dict["status"][0]
    assert Promise.objects.get().status == PromiseStatus.KEPT


def test_it_refuses_a_second_save_from_a_stale_form(promise, owner, colleague, manager):
    # Two people opened the promise at version 1; the manager saves first.
    do_change_status(
        promise, by=manager, status=PromiseStatus.RENEGOTIATED, expected_version=1,
        new_due_at=date(2026, 3, 1), at=LATER,
    )
    stale = Promise.objects.get()
    stale.version = 1  # what the second form still believes
    with pytest.raises(PromiseConflict) as conflict:
        do_edit_promise(stale, by=owner, expected_version=1, values={"description": "Mine"}, at=LATER)
    message = str(conflict.value)
    assert "Mai Manager" in message
    assert "2026-02-01 → 2026-03-01" in message
    fresh = Promise.objects.get()
    assert fresh.description == "Install the press line"
    assert fresh.version == 2


def test_it_refuses_when_the_row_moved_between_read_and_write(promise, owner, manager):
    # Both loaded version 1; the first write lands after the second reader checked.
    first = Promise.objects.get()
    second = Promise.objects.get()
    do_edit_promise(first, by=manager, expected_version=1, values={"description": "Theirs"}, at=LATER)
    with pytest.raises(PromiseConflict) as conflict:
        do_edit_promise(second, by=owner, expected_version=1, values={"description": "Mine"}, at=LATER)
    assert "Install the press line → Theirs" in str(conflict.value)
    assert Promise.objects.get().description == "Theirs"


def test_it_records_edits_field_by_field(promise, owner, manager):
    do_edit_promise(
        promise, by=manager, expected_version=1,
        values={"delivery_owner": manager, "delivery_department": "service"}, at=LATER,
    )
    event = promise.events.last()
    assert event.action == EventAction.EDITED
    assert event.changes == {
        "delivery_owner": ["Pham Van Cong", "Mai Manager"],
        "delivery_department": ["production", "service"],
    }
    assert ("delivering department", "Production", "Service") in event.change_rows()


def test_it_refuses_a_due_date_before_the_making_date(account, owner, colleague):
    with pytest.raises(ValidationError) as error:
        record(account, owner, colleague, made_at=date(2026, 1, 5), due_at=date(2026, 1, 4))
    assert "due_at" in error.value.message_dict
    assert not Promise.objects.exists()
    assert not Alert.objects.exists()


def test_it_keeps_history_of_admin_corrections(client, admin_user, promise):
    from django.urls import reverse

    client.force_login(admin_user)
    url = reverse("admin:promises_promise_change", args=[promise.pk])
    form = client.get(url).context["adminform"].form
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
    data.update({
        "description": "Install the press line and train", "made_at": "2026-01-05",
        "due_at": "2026-02-01",
        "events-TOTAL_FORMS": "1", "events-INITIAL_FORMS": "1", "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000", "events-0-id": str(promise.events.get().pk),
        "events-0-promise": str(promise.pk),
    })
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    promise.refresh_from_db()
    assert promise.version == 2
    event = promise.events.last()
    assert event.by == admin_user
    assert event.changes == {"description": ["Install the press line", "Install the press line and train"]}
    page = client.get(url).content.decode()
    assert "Install the press line → Install the press line and train" in page
