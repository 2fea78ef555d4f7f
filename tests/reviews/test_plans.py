"""Joint plans with items owned by either side, and expectations met or not (P12)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from aftersale.reviews.actions import do_add_plan_item, do_create_plan
from aftersale.reviews.models import Expectation, ItemStatus, JointPlan, JointPlanItem, Side
from aftersale.reviews.queries import expectations_for_account, plans_for_account

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def plan(account) -> JointPlan:
    return do_create_plan(account=account, title="2026 plan", period_start=date(2026, 1, 1),
                          period_end=date(2026, 12, 31))


def test_it_creates_a_plan_and_items_owned_by_either_side(owner_client, account, contact, owner):
    owner_client.post(reverse("plan_create", args=[account.pk]), {
        "title": "Second half", "period_start": "2026-07-01", "period_end": "2026-12-31",
        "shared_with_customer": "on"})
    plan = JointPlan.objects.get(title="Second half")
    owner_client.post(reverse("plan_item_add", args=[plan.pk]), {
        "title": "Install the second line", "owner_side": "us", "owner_user": owner.pk,
        "due_at": "2026-09-01"})
    owner_client.post(reverse("plan_item_add", args=[plan.pk]), {
        "title": "Prepare the floor", "owner_side": "customer", "owner_contact": contact.pk,
        "due_at": "2026-08-01"})
    items = {i.title: i for i in plan.items.all()}
    assert items["Install the second line"].owner_user == owner
    assert items["Prepare the floor"].owner_contact == contact
    assert items["Prepare the floor"].owner_side == Side.CUSTOMER
    body = owner_client.get(reverse("account_plans", args=[account.pk])).content.decode()
    assert "Install the second line" in body and contact.name in body


def test_it_marks_items_done_with_the_date(owner_client, plan):
    item = do_add_plan_item(plan=plan, title="Training", owner_side=Side.US, due_at=date(2026, 6, 1))
    owner_client.post(reverse("plan_item_status", args=[item.pk]), {"status": "done"})
    item.refresh_from_db()
    assert (item.status, item.completed_at) == (ItemStatus.DONE, date(2026, 6, 30))
    owner_client.post(reverse("plan_item_status", args=[item.pk]), {"status": "open"})
    item.refresh_from_db()
    assert (item.status, item.completed_at) == (ItemStatus.OPEN, None)


def test_it_refuses_a_plan_that_ends_before_it_starts(owner_client, account):
    response = owner_client.post(reverse("plan_create", args=[account.pk]), {
        "title": "Backwards", "period_start": "2026-07-01", "period_end": "2026-06-01"})
    assert response.status_code == 400
    assert "A plan cannot end before it starts." in response.content.decode()
    assert not JointPlan.objects.filter(title="Backwards").exists()


def test_it_refuses_another_accounts_contact_as_owner(owner_client, plan, other_contact):
    response = owner_client.post(reverse("plan_item_add", args=[plan.pk]), {
        "title": "Sneaky", "owner_side": "customer", "owner_contact": other_contact.pk})
    assert response.status_code == 400
    assert not JointPlanItem.objects.filter(title="Sneaky").exists()
    with pytest.raises(ValidationError):
        do_add_plan_item(plan=plan, title="Sneaky", owner_side=Side.CUSTOMER, owner_contact=other_contact)


def test_it_records_and_assesses_expectations(owner_client, account):
    owner_client.post(reverse("expectation_add", args=[account.pk]),
                      {"held_by": "customer", "description": "Spares within 48 hours"})
    expectation = Expectation.objects.get()
    owner_client.post(reverse("expectation_assess", args=[expectation.pk]), {"met": "false"})
    expectation.refresh_from_db()
    assert (expectation.met, expectation.assessed_at) == (False, date(2026, 6, 30))
    owner_client.post(reverse("expectation_assess", args=[expectation.pk]), {"met": ""})
    expectation.refresh_from_db()
    assert (expectation.met, expectation.assessed_at) == (None, None)


def test_it_offers_the_portal_the_shared_plans_only(account, plan, other_account):
    hidden = do_create_plan(account=account, title="Internal", period_start=date(2026, 1, 1),
                            period_end=date(2026, 3, 31), shared_with_customer=False)
    do_create_plan(account=other_account, title="Theirs", period_start=date(2026, 1, 1),
                   period_end=date(2026, 3, 31))
    assert list(plans_for_account(account, shared_only=True)) == [plan]
    assert set(plans_for_account(account)) == {plan, hidden}
    Expectation.objects.create(account=account, held_by=Side.US, description="Forecasts")
    Expectation.objects.create(account=other_account, held_by=Side.US, description="Not ours")
    assert [e.description for e in expectations_for_account(account)] == ["Forecasts"]


def test_it_lists_plans_across_the_portfolio(owner_client, account, plan):
    do_add_plan_item(plan=plan, title="Late", owner_side=Side.US, due_at=date(2026, 6, 1))
    body = owner_client.get(reverse("joint_plan_list")).content.decode()
    assert "2026 plan" in body
    response = owner_client.get(reverse("joint_plan_list") + f"?account={account.pk}")
    assert response["Location"] == reverse("account_plans", args=[account.pk])


def test_it_keeps_the_plans_page_to_a_few_queries(owner_client, account, plan, contact,
                                                    django_assert_max_num_queries):
    for i in range(10):
        do_add_plan_item(plan=plan, title=f"Item {i}", owner_side=Side.CUSTOMER, owner_contact=contact)
    with django_assert_max_num_queries(14):
        owner_client.get(reverse("account_plans", args=[account.pk]))
