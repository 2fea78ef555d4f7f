"""Scoping: portal contacts are kept out of every staff page; objects are reached only
through access checks, so an id the user may not see is a 404."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404
from django.urls import reverse

from aftersale.reviews.actions import access_expectation, access_plan, access_plan_item, access_review
from aftersale.reviews.models import Expectation, JointPlan, JointPlanItem, RelationshipReview

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def objects(account, owner):
    review = RelationshipReview.objects.create(account=account, reviewer=owner, held_at=date(2026, 6, 1))
    plan = JointPlan.objects.create(account=account, title="P", period_start=date(2026, 1, 1),
                                    period_end=date(2026, 12, 31))
    item = JointPlanItem.objects.create(plan=plan, title="I", owner_side="us")
    expectation = Expectation.objects.create(account=account, description="E")
    return review, plan, item, expectation


def staff_urls(account, review, plan, item, expectation) -> list[tuple[str, str]]:
    return [
        ("get", reverse("review_list")), ("get", reverse("review_detail", args=[review.pk])),
        ("get", reverse("review_edit", args=[review.pk])),
        ("get", reverse("account_reviews", args=[account.pk])),
        ("get", reverse("review_new", args=[account.pk])), ("get", reverse("joint_plan_list")),
        ("get", reverse("account_plans", args=[account.pk])),
        ("post", reverse("plan_create", args=[account.pk])),
        ("post", reverse("plan_item_add", args=[plan.pk])),
        ("post", reverse("plan_item_status", args=[item.pk])),
        ("post", reverse("expectation_add", args=[account.pk])),
        ("post", reverse("expectation_assess", args=[expectation.pk])),
        ("get", reverse("trust_list")), ("get", reverse("account_trust", args=[account.pk])),
        ("get", reverse("trust_new", args=[account.pk])), ("get", reverse("face_time_report")),
        ("get", reverse("trust_pays")),
        ("get", reverse("idea_list")), ("get", reverse("info_list")),
        ("get", reverse("account_ideas", args=[account.pk])),
        ("get", reverse("account_info", args=[account.pk])),
    ]


@pytest.mark.parametrize("who", ["contact", "other_contact"])
def test_it_forbids_portal_contacts_every_staff_page(client, request, account, objects, who):
    portal = request.getfixturevalue(who)
    client.force_login(portal.user)
    for method, url in staff_urls(account, *objects):
        assert getattr(client, method)(url).status_code == 403, url


def test_it_sends_anonymous_visitors_to_log_in(client, account, objects):
    for method, url in staff_urls(account, *objects):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


def test_it_answers_404_for_what_does_not_exist(owner_client, account, objects):
    for name in ("review_detail", "review_edit", "account_reviews", "account_plans", "account_trust",
                 "account_ideas"):
        assert owner_client.get(reverse(name, args=[999999])).status_code == 404
    assert owner_client.get(reverse("review_list") + "?account=999999").status_code == 404


def test_it_hides_one_accounts_objects_from_another_accounts_contact(
    account, objects, other_contact, contact,
):
    """The access helpers the portal will reuse: another account's object is a 404."""
    review, plan, item, expectation = objects
    for access, obj in ((access_review, review), (access_plan, plan), (access_plan_item, item),
                        (access_expectation, expectation)):
        with pytest.raises(Http404):
            access(other_contact.user, obj.pk)
        assert access(contact.user, obj.pk) == obj
