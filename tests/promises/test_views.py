from datetime import date

import time_machine
from django.urls import reverse

from aftersale.alerts.models import Alert, AlertKind
from aftersale.promises.models import Promise, PromiseStatus
from tests.promises.conftest import record

TODAY = date(2026, 2, 10)


def travel():
    return time_machine.travel(date(2026, 2, 10), tick=False)


def form_data(account, owner, colleague, **overrides):
    data = {
        "account": account.pk, "description": "Train two operators", "direction": "from_us",
        "stage": "sale", "made_at": "2026-02-01", "made_by": owner.pk, "made_by_department": "sales",
        "due_at": "2026-03-01", "delivery_owner": colleague.pk, "delivery_department": "service",
    }
    data.update(overrides)
    return data


def test_it_records_a_promise_from_the_account_page(owner_client, account, owner, colleague, contact):
    with travel():
        page = owner_client.get(reverse("account_detail", args=[account.pk]))
        assert "Record a promise" in page.content.decode()
        response = owner_client.post(
            reverse("promise_create"),
            form_data(account, owner, colleague, contact=contact.pk, next=account.get_absolute_url()),
        )
    assert response.status_code == 302
    assert response["Location"] == account.get_absolute_url()
    promise = Promise.objects.get()
    assert (promise.contact, promise.delivery_department) == (contact, "service")
    assert Alert.objects.get(kind=AlertKind.PROMISE_NEW).owner == owner
    with travel():
        page = owner_client.get(reverse("account_detail", args=[account.pk]))
    assert "Train two operators" in page.content.decode()


def test_it_refuses_a_contact_of_another_account(owner_client, account, owner, colleague, other_contact):
    with travel():
        response = owner_client.post(
            reverse("promise_create"), form_data(account, owner, colleague, contact=other_contact.pk)
        )
    assert response.status_code == 400
    assert "contact" in response.context["form"].errors
    assert not Promise.objects.exists()


def test_it_refuses_a_due_date_before_the_making_date(owner_client, account, owner, colleague):
    with travel():
        response = owner_client.post(
            reverse("promise_create"), form_data(account, owner, colleague, due_at="2026-01-31")
        )
    assert response.status_code == 400
    assert response.context["form"].errors["due_at"] == [
        "The due date cannot be before the date the promise was made (2026-02-01)."
    ]


def test_it_requires_the_delivery_owner_and_department(owner_client, account, owner, colleague):
    with travel():
        response = owner_client.post(
            reverse("promise_create"),
            form_data(account, owner, colleague, delivery_owner="", delivery_department=""),
        )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"delivery_owner", "delivery_department"}


def test_it_finds_the_account_before_recording_from_the_list(owner_client, account, other_account):
    response = owner_client.get(reverse("promise_create"), {"q": "Hà Nội"})
    body = response.content.decode()
    assert account.name in body
    assert other_account.name not in body
    form = owner_client.get(reverse("promise_create"), {"account": account.pk})
    assert form.context["account"] == account


def test_it_changes_status_from_the_promise_page(owner_client, promise, owner):
    with travel():
        response = owner_client.post(
            reverse("promise_status", args=[promise.pk]),
            {"version": 1, "status": "late", "delivered_at": "2026-02-05", "evidence": "Signed"},
        )
    assert response.status_code == 302
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.LATE
    page = owner_client.get(promise.get_absolute_url()).content.decode()
    assert "Marked kept late" in page
    assert "Olivia Owner" in page
    assert "2026-02-05" in page


def test_it_explains_a_disallowed_transition(owner_client, promise, colleague):
    from aftersale.promises.actions import do_change_status

    with travel():
        do_change_status(promise, by=colleague, status="broken", expected_version=1)
        response = owner_client.post(
            reverse("promise_status", args=[promise.pk]), {"version": 2, "status": "open"}
        )
    assert response.status_code == 400
    assert "A promise that is broken cannot become open." in response.content.decode()


def test_it_refuses_the_second_of_two_concurrent_edits(client, promise, owner, manager):
    # Both load the edit form at version 1.
    url = reverse("promise_edit", args=[promise.pk])
    client.force_login(manager)
    first = client.get(url).context["form"]
    assert first.initial["version"] == 1
    fields = {name: first[name].value() or "" for name in first.fields}
    with travel():
        saved = client.post(url, {**fields, "description": "Install line 2", "version": 1})
    assert saved.status_code == 302
    client.force_login(owner)
    with travel():
        refused = client.post(url, {**fields, "description": "Install line 3", "version": 1})
    assert refused.status_code == 409
    body = refused.content.decode()
    assert "Your changes were not saved" in body
    assert "Mai Manager" in body
    assert "Install the press line → Install line 2" in body
    promise.refresh_from_db()
    assert (promise.description, promise.version) == ("Install line 2", 2)
    # The form keeps what the second person typed, now at the current version.
    assert refused.context["form"]["version"].value() == "2"


def test_it_refuses_a_stale_status_change(owner_client, promise, manager):
    from aftersale.promises.actions import do_change_status

    with travel():
        do_change_status(
            promise, by=manager, status="renegotiated", new_due_at=date(2026, 3, 1), expected_version=1
        )
        response = owner_client.post(
            reverse("promise_status", args=[promise.pk]), {"version": 1, "status": "broken"}
        )
    assert response.status_code == 409
    assert "2026-02-01 → 2026-03-01" in response.content.decode()
    assert Promise.objects.get().status == PromiseStatus.RENEGOTIATED


def test_it_lists_what_needs_the_owners_attention(owner_client, account, owner, colleague):
    overdue = record(account, owner, colleague, made_at=date(2026, 1, 5), due_at=date(2026, 2, 1),
                     description="Overdue one")
    soon = record(account, owner, colleague, made_at=date(2026, 1, 5), due_at=date(2026, 2, 13),
                  description="Due soon")
    record(account, owner, colleague, made_at=date(2026, 1, 5), due_at=date(2026, 5, 1),
           description="Far away")
    with travel():
        response = owner_client.get(reverse("promise_list"))
    body = response.content.decode()
    assert "Overdue one" in body and "Due soon" in body
    assert "Far away" not in body
    assert [p.pk for p in response.context["page"]] == [overdue.pk, soon.pk]
    counts = {name: count for name, _, count, _ in response.context["tabs"]}
    assert counts["overdue"] == 1 and counts["due_week"] == 1 and counts["open"] == 3


def test_it_keeps_other_owners_promises_off_a_members_default_list(
    owner_client, account, other_account, owner, colleague
):
    record(other_account, colleague, colleague, made_at=date(2026, 1, 5), due_at=date(2026, 2, 1),
           description="Someone else's")
    with travel():
        mine = owner_client.get(reverse("promise_list")).content.decode()
        everyone = owner_client.get(reverse("promise_list"), {"show": "all"}).content.decode()
    assert "Someone else&#x27;s" not in mine
    assert "Someone else&#x27;s" in everyone


def test_it_shows_managers_everyones_promises_filtered_by_owner(
    manager_client, account, other_account, owner, colleague
):
    # Descriptions no random CSRF token can contain.
    record(account, owner, colleague, made_at=date(2026, 1, 5), due_at=date(2026, 2, 1),
           description="Owner's promise")
    record(other_account, colleague, colleague, made_at=date(2026, 1, 5), due_at=date(2026, 2, 1),
           description="Colleague's promise")
    with travel():
        both = manager_client.get(reverse("promise_list")).content.decode()
        only = manager_client.get(reverse("promise_list"), {"owner": colleague.pk}).content.decode()
    assert "Owner&#x27;s promise" in both and "Colleague&#x27;s promise" in both
    assert "Colleague&#x27;s promise" in only and "Owner&#x27;s promise" not in only


def test_it_bounds_the_queries_of_the_list(
    owner_client, account, owner, colleague, django_assert_max_num_queries
):
    for i in range(30):
        record(account, owner, colleague, made_at=date(2026, 1, 5), due_at=date(2026, 2, 1),
               description=f"P{i}")
    with travel(), django_assert_max_num_queries(7):
        response = owner_client.get(reverse("promise_list"))
    assert len(response.context["page"]) == 30


def test_it_renders_the_ledger_in_vietnamese(owner_client, promise):
    owner_client.post(reverse("set_language"), {"language": "vi", "next": "/promises/"})
    with travel():
        listing = owner_client.get(reverse("promise_list"), {"view": "all"}).content.decode()
        detail = owner_client.get(promise.get_absolute_url()).content.decode()
    assert "<h1>Cam kết</h1>" in listing
    assert "Cần chú ý" in listing
    assert "quá hạn" in listing
    assert "Đổi trạng thái" in detail
    assert "Lịch sử" in detail
    assert "Ghi nhận" in detail  # the history row of the recording
    assert "Change status" not in detail


def test_it_keeps_a_departed_colleague_on_the_promises_they_hold(owner_client, promise, colleague):
    colleague.is_active = False
    colleague.save()
    url = reverse("promise_edit", args=[promise.pk])
    form = owner_client.get(url).context["form"]
    fields = {name: form[name].value() or "" for name in form.fields}
    with travel():
        response = owner_client.post(url, {**fields, "note": "Clarified", "description": "Install it"})
    assert response.status_code == 302
    promise.refresh_from_db()
    assert (promise.description, promise.delivery_owner) == ("Install it", colleague)
    assert promise.events.last().note == "Clarified"


def test_it_bounds_the_queries_of_the_account_page(owner_client, account, owner, colleague, settings):
    """The promise section adds no query per promise (the page has other sections too)."""
    settings.PAGE_CACHE_SECONDS = 0  # the render's queries, not the page cache's stamp
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def page_queries(n: int) -> int:
        for i in range(n):
            record(account, owner, colleague, made_at=date(2026, 1, 5), due_at=date(2026, 2, 1),
                   description=f"P{n}-{i}")
        with travel(), CaptureQueriesContext(connection) as queries:
            response = owner_client.get(reverse("account_detail", args=[account.pk]))
        assert response.status_code == 200
        return len(queries)

    few = page_queries(3)
    many = page_queries(30)
    assert many == few
    with travel():
        response = owner_client.get(reverse("account_detail", args=[account.pk]))
    assert response.content.decode().count("/promises/") >= 25


def test_it_renders_the_staff_lists_as_djangos_select_would(account, owner, colleague, manager):
    """The staff selects write their options in Python: same attributes, values, labels and
    selection as Django's template-rendered ``<select>``."""
    import re

    from django import forms as django_forms

    from aftersale.promises.forms import PromiseForm

    def options(html):
        return re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)

    def opening(html):
        return sorted(re.search(r"<select ([^>]*)>", html).group(1).split())

    bound = PromiseForm({"made_by": colleague.pk, "delivery_owner": ""}, account=account, user=owner)
    bound.is_valid()
    for form in (PromiseForm(account=account, user=owner), bound):
        for name in ("made_by", "delivery_owner"):
            ours = str(form[name])
            field = form.fields[name]
            django_select = django_forms.Select(choices=field.choices)
            theirs = str(form[name].as_widget(widget=django_select))
            assert options(ours) == options(theirs)
            assert opening(ours) == opening(theirs)
            assert len(options(ours)) == 1 + 3  # the empty choice and the three staff
    assert (str(owner.pk), " selected", f"{owner} (Sales)") in options(str(PromiseForm(
        account=account, user=owner)["made_by"]))
    assert (str(colleague.pk), " selected", f"{colleague} (Production)") in options(str(bound["made_by"]))
