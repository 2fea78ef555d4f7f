"""What the relationship shows the customer: our promises, the joint plan, expectations, the survey."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse

from aftersale.core.enums import Direction
from aftersale.portal.models import SurveyRequest
from aftersale.promises.models import PromiseStatus
from aftersale.reviews.models import Expectation, ItemStatus, Side, TrustRating
from tests.conftest import make_portal_contact
from tests.portal.conftest import at


def test_it_shows_our_promises_and_their_status(frozen, portal_client, world, other_world):
    world.promise.status, world.promise.closed_at = PromiseStatus.KEPT, date(2026, 3, 1)
    world.promise.delivered_at = date(2026, 3, 1)
    world.promise.save()
    page = portal_client.get(reverse("portal:promises")).content.decode()
    assert "Train two operators MINE" in page and "Kept" in page and "2026-03-01" in page
    assert "1 of 1 settled promise kept." in page
    assert "SECRET" not in page  # neither their promises to us nor our evidence
    assert "THEIRS" not in page


def test_it_flags_a_promise_past_its_date(frozen, portal_client, world):
    world.promise.due_at = date(2026, 5, 1)
    world.promise.save()
    page = portal_client.get(reverse("portal:promises")).content.decode()
    assert '<span class="band band-watch">Late</span>' in page


def test_it_shows_shared_plans_only(frozen, portal_client, world):
    page = portal_client.get(reverse("portal:plan")).content.decode()
    assert "Uptime plan MINE" in page and "Name a shift lead MINE" in page and "Stock seal kits MINE" in page
    assert "SECRET" not in page
    assert page.count('name="status"') == 1  # only their own item can be changed


def test_it_lets_the_customer_mark_their_own_item_done(frozen, portal_client, world):
    response = portal_client.post(reverse("portal:plan_item_status", args=[world.their_item.pk]),
                                  {"status": "done"})
    assert response["Location"] == reverse("portal:plan") + f"#item-{world.their_item.pk}"
    world.their_item.refresh_from_db()
    assert world.their_item.status == ItemStatus.DONE and world.their_item.completed_at == date(2026, 5, 12)


def test_it_refuses_changes_to_our_items_or_unshared_plans(frozen, portal_client, world):
    hidden_item = world.hidden_plan.items.get()
    for item in (world.our_item, hidden_item):
        response = portal_client.post(reverse("portal:plan_item_status", args=[item.pk]), {"status": "done"})
        assert response.status_code == 404
        item.refresh_from_db()
        assert item.status == ItemStatus.OPEN


def test_it_records_the_customers_expectation(frozen, portal_client, world):
    response = portal_client.post(reverse("portal:expectation_add"), {"description": "Parts within 48 h"})
    assert response["Location"] == reverse("portal:plan") + "#expectations"
    expectation = Expectation.objects.get(description="Parts within 48 h")
    assert expectation.account == world.account and expectation.held_by == Side.CUSTOMER


def answer(client, **overrides):
    data = {"satisfaction": "8", "item_keeps_word": "4", "item_no_exploit": "5", "item_candid": "3",
            "comment": "Good service", **overrides}
    return client.post(reverse("portal:survey"), data)


def test_it_offers_the_survey_and_records_the_trust_rating(frozen, portal_client, world, contact):
    home = portal_client.get(reverse("portal:home")).content.decode()
    assert "Answer the survey" in home
    response = answer(portal_client)
    assert response["Location"] == reverse("portal:home")
    rating = TrustRating.objects.get()
    assert rating.account == world.account and rating.direction == Direction.TO_US
    assert rating.rated_by_contact == contact and rating.rated_by_user is None
    assert rating.trust == 4 and rating.satisfaction == 8 and rating.comment == "Good service"
    assert rating.answers == {"keeps_word": 4, "no_exploit": 5, "candid": 3}
    assert SurveyRequest.objects.get().rating == rating
    assert "Answer the survey" not in portal_client.get(reverse("portal:home")).content.decode()


def test_it_asks_no_more_than_once_a_quarter(frozen, portal_client, world):
    answer(portal_client)
    response = answer(portal_client, satisfaction="2")
    assert "no survey for you this quarter" in response.content.decode()
    assert TrustRating.objects.count() == 1
    frozen.move_to(at(2026, 6, 30, 23, 0))  # still the second quarter
    portal_client.force_login(world.contact.user)  # the session of May has expired
    assert "Answer the survey" not in portal_client.get(reverse("portal:home")).content.decode()
    frozen.move_to(at(2026, 7, 1, 8, 0))
    portal_client.force_login(world.contact.user)
    assert "Answer the survey" in portal_client.get(reverse("portal:home")).content.decode()
    assert SurveyRequest.objects.count() == 2


def test_it_takes_no_for_an_answer_for_the_quarter(frozen, portal_client, world):
    portal_client.get(reverse("portal:home"))
    portal_client.post(reverse("portal:survey_decline"))
    assert "Answer the survey" not in portal_client.get(reverse("portal:home")).content.decode()
    assert "no survey for you this quarter" in portal_client.get(reverse("portal:survey")).content.decode()
    assert SurveyRequest.objects.get().declined_at is not None
    assert not TrustRating.objects.exists()


def test_it_does_not_ask_someone_staff_already_surveyed_this_quarter(frozen, portal_client, world, contact):
    TrustRating.objects.create(account=world.account, direction=Direction.TO_US, rated_at=date(2026, 4, 2),
                               rated_by_contact=contact, trust=4)
    assert "Answer the survey" not in portal_client.get(reverse("portal:home")).content.decode()


def test_it_explains_a_missing_answer(frozen, portal_client, world):
    response = answer(portal_client, item_candid="")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not TrustRating.objects.exists()


def test_it_asks_each_contact_separately(frozen, client, world, account):
    colleague_contact = make_portal_contact(account, "second@customer.test", "Second Buyer")
    client.force_login(world.contact.user)
    answer(client)
    client.force_login(colleague_contact.user)
    assert "Answer the survey" in client.get(reverse("portal:home")).content.decode()
    frozen.shift(timedelta(days=1))
    answer(client, satisfaction="6")
    assert TrustRating.objects.filter(account=account).count() == 2


def test_it_speaks_the_contacts_language(frozen, portal_client, world, contact):
    contact.user.language = "vi"
    contact.user.save()
    home = portal_client.get(reverse("portal:home")).content.decode()
    assert '<html lang="vi">' in home
    assert "Yêu cầu đang mở" in home and "Đặt phụ tùng" in home and "Kế hoạch chung" in home
    assert "Open requests" not in home
    plan = portal_client.get(reverse("portal:plan")).content.decode()
    assert "Kế hoạch chung của hai bên" in plan and "Phía bạn" in plan
