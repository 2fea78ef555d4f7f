"""The review form with its evidence, saving and completing, the history and the printable report."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.template import Context, Template
from django.urls import reverse

from aftersale.alerts import registry
from aftersale.alerts.models import Alert, AlertKind
from aftersale.core.enums import Department
from aftersale.promises.models import Promise, PromiseEvent, PromiseStatus
from aftersale.reviews.models import JointPlan, RelationshipReview, ReviewStatus
from tests.reviews.conftest import at, make_promise

pytestmark = pytest.mark.usefixtures("frozen")

NO_ACTIONS = {"actions-TOTAL_FORMS": "3", "actions-INITIAL_FORMS": "0",
              "actions-MIN_NUM_FORMS": "0", "actions-MAX_NUM_FORMS": "20"}
BLANK_ACTION = {"kind": "promise", "owner_side": "us", "description": "", "due_at": "",
                "delivery_owner": "", "delivery_department": "", "plan": ""}


def form_data(**fields) -> dict:
    data = {**NO_ACTIONS}
    for i in range(3):
        data.update({f"actions-{i}-{k}": v for k, v in BLANK_ACTION.items()})
    data.update({"held_at": "2026-06-30", "trend_notes": "", "promises_notes": "", "neglect_notes": "",
                 "competitor_notes": "", "next_due_at": ""})
    data.update(fields)
    return data


@pytest.fixture
def broken(account, owner, last_review):
    return make_promise(account, owner, "Spare spindle in 2 weeks", made=date(2026, 4, 1),
                        due=date(2026, 4, 15), status=PromiseStatus.BROKEN, closed=date(2026, 5, 1))


def test_it_prefills_the_form_with_the_evidence(owner_client, account, broken, rivals):
    body = owner_client.get(reverse("review_new", args=[account.pk])).content.decode()
    assert "Spare spindle in 2 weeks" in body and "Broken" in body
    assert "BestCo" in body and "CheapCo" in body
    # The previous review's ratings are the starting values of the grid.
    assert '<option value="3" selected>3</option>' in body
    # No promise was kept in full, so question 2 starts at "no".
    assert re.search(r'name="promises_kept" value="false"[^>]*checked', body)
    assert not re.search(r'name="promises_kept" value="true"[^>]*checked', body)


def test_it_completes_a_review_with_actions_that_become_promises_and_plan_items(
    owner_client, owner, colleague, account, broken, rivals, django_capture_on_commit_callbacks,
):
    cheap, best = rivals
    account.customer_since = date(2025, 1, 1)
    account.save()
    registry.refresh(at(2026, 6, 30), [account.pk])
    assert Alert.objects.open().filter(account=account, kind=AlertKind.REVIEW_DUE).exists()
    data = form_data(
        outcome="deteriorating", promises_kept="false", neglect_found="true",
        promises_notes="The spindle was late.", competitor_notes="CheapCo undercuts us.",
        **{"rate_us_price": "2", f"rate_{cheap.pk}_price": "5", f"rate_{best.pk}_price": "4",
           "rate_us_quality": "5", f"rate_{cheap.pk}_quality": "3"},
        **{"actions-0-description": "Deliver the spindle", "actions-0-due_at": "2026-07-10",
           "actions-0-delivery_owner": str(colleague.pk),
           "actions-1-kind": "plan_item", "actions-1-owner_side": "customer",
           "actions-1-description": "Share the production forecast", "actions-1-due_at": "2026-07-31"},
        save="complete",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("review_new", args=[account.pk]), data)
    review = RelationshipReview.objects.get(account=account, status=ReviewStatus.COMPLETED,
                                            held_at=date(2026, 6, 30))
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    assert review.next_due_at == date(2026, 9, 29)  # key tier: 91 days
    assert review.period_start == date(2026, 3, 31)
    assert review.evidence["promises"]["counts"]["broken"] == 1
    assert {(r.competitor_id, r.attribute, r.score) for r in review.ratings.all()} == {
        (None, "price", 2), (cheap.pk, "price", 5), (best.pk, "price", 4), (None, "quality", 5),
        (cheap.pk, "quality", 3),
    }
    promise = Promise.objects.get(description="Deliver the spindle")
    assert promise.review_action.review == review
    assert (promise.delivery_owner, promise.delivery_department) == (colleague, Department.PRODUCTION)
    assert (promise.made_by, promise.made_at, promise.due_at) == (owner, date(2026, 6, 30), date(2026, 7, 10))
    assert PromiseEvent.objects.filter(promise=promise).exists()
    item = review.plan_items.get()
    assert (item.title, item.owner_side) == ("Share the production forecast", "customer")
    assert item.plan.account == account
    assert JointPlan.objects.filter(account=account).count() == 1
    assert not Alert.objects.open().filter(account=account, kind=AlertKind.REVIEW_DUE).exists()


def test_it_refuses_to_complete_a_review_that_leaves_a_question_open(owner_client, account, last_review):
    response = owner_client.post(reverse("review_new", args=[account.pk]),
                                 form_data(outcome="steady", save="complete"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Say whether our promises were fully kept." in body
    assert "Rate us against the competitors, or say why no comparison could be made." in body
    assert not RelationshipReview.objects.filter(held_at=date(2026, 6, 30)).exists()


def test_it_saves_a_draft_and_continues_it(owner_client, account, last_review):
    response = owner_client.post(reverse("review_new", args=[account.pk]),
                                 form_data(outcome="steady", trend_notes="Calm quarter.", save="draft"))
    draft = RelationshipReview.objects.get(status=ReviewStatus.DRAFT)
    assert response["Location"] == reverse("review_edit", args=[draft.pk])
    assert draft.evidence["since"] == "2026-03-31" and draft.next_due_at is None
    body = owner_client.get(reverse("review_edit", args=[draft.pk])).content.decode()
    assert "Calm quarter." in body
    owner_client.post(reverse("review_edit", args=[draft.pk]), form_data(
        outcome="steady", promises_kept="true", neglect_found="false",
        competitor_notes="No competitor active this quarter.", save="complete"))
    draft.refresh_from_db()
    assert draft.status == ReviewStatus.COMPLETED
    # A completed review is read-only: the edit page sends you to the report.
    response = owner_client.post(reverse("review_edit", args=[draft.pk]), form_data(save="draft"))
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()


def test_it_refuses_an_action_due_before_the_review(owner_client, account, last_review):
    data = form_data(outcome="steady", save="draft", **{
        "actions-0-description": "Too late", "actions-0-due_at": "2026-06-01"})
    response = owner_client.post(reverse("review_new", args=[account.pk]), data)
    assert "An action cannot be due before the review" in response.content.decode()
    assert not RelationshipReview.objects.filter(held_at=date(2026, 6, 30)).exists()
    assert not Promise.objects.filter(description="Too late").exists()


def test_it_prints_the_report_in_vietnamese_or_english(owner_client, account, last_review, broken):
    url = reverse("review_detail", args=[last_review.pk])
    silence = {"kind": "silence", "opened_at": "2026-03-01", "explanation": "Quiet 90 days"}
    last_review.evidence = {
        "as_of": "2026-03-31", "since": "2025-12-30", "trend": {"points": []},
        "promises": {"counts": {"broken": 1}, "items": []},
        "neglect": {"cases": [], "expectations": [], "silence": [silence], "maintenance": []},
        "competitors": {"competitors": [], "rows": []},
    }
    last_review.save()
    english = owner_client.get(url + "?lang=en").content.decode()
    assert "Have our promises been fully kept?" in english and "Quiet 90 days" in english
    vietnamese = owner_client.get(url + "?lang=vi").content.decode()
    assert '<html lang="vi">' in vietnamese
    assert "2. Các cam kết của chúng tôi có được thực hiện đầy đủ không?" in vietnamese
    assert "Have our promises been fully kept?" not in vietnamese
    for_customer = owner_client.get(url + "?lang=en&for=customer").content.decode()
    assert "Quiet 90 days" not in for_customer
    assert "reviews/reviews.css" in english  # the print stylesheet


def test_it_compares_reviews_over_time(owner_client, owner, account, last_review, rivals):
    cheap, _best = rivals
    newer = RelationshipReview.objects.create(
        account=account, reviewer=owner, held_at=date(2026, 6, 30), status=ReviewStatus.COMPLETED,
        outcome="deteriorating", promises_kept=False,
        evidence={"promises": {"counts": {"kept": 2, "broken": 1}}},
    )
    newer.ratings.create(competitor=None, attribute="price", score=2)
    newer.ratings.create(competitor=cheap, attribute="price", score=5)
    body = owner_client.get(reverse("account_reviews", args=[account.pk])).content.decode()
    assert body.index("2026-03-31") < body.index("2026-06-30")
    assert "−3" in body  # price gap at the newer review: 2 - 5
    assert "−2" in body  # and at the older one: 3 - 5
    assert "Deteriorating" in body


def test_it_lists_reviews_due(owner_client, account, other_account):
    account.customer_since = date(2025, 1, 1)
    account.save()
    body = owner_client.get(reverse("review_list") + "?due=1").content.decode()
    assert account.name in body and other_account.name not in body  # not mine
    response = owner_client.get(reverse("review_list") + f"?account={account.pk}")
    assert response["Location"] == reverse("account_reviews", args=[account.pk])


def test_it_shows_the_section_on_the_account_page(owner_client, account, last_review):
    body = owner_client.get(account.get_absolute_url()).content.decode()
    assert "Reviews, plans and trust" in body
    assert reverse("review_new", args=[account.pk]) in body


def test_it_renders_the_account_section_in_a_fixed_number_of_queries(
    account, owner, last_review, django_assert_max_num_queries,
):
    for day in (1, 2, 3):
        RelationshipReview.objects.create(account=account, reviewer=owner, held_at=date(2025, day, 1),
                                          status=ReviewStatus.COMPLETED)
    template = Template("{% load review_tags %}{% account_reviews_section account %}")
    with django_assert_max_num_queries(6):
        body = template.render(Context({"account": account}))
    assert "2026-03-31" in body and "2026-06-30" in body  # last review, next due
