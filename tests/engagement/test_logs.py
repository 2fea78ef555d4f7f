"""The idea exchange and information-sharing logs (P19), both directions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from aftersale.accounts.models import Account
from aftersale.core.enums import Direction
from aftersale.engagement.models import Idea, IdeaStatus, InfoShare
from aftersale.engagement.queries import ideas_for, info_shares_for


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(date(2026, 6, 30), tick=False):
        yield


def test_it_logs_an_idea_of_theirs_with_who_proposed_it(owner_client, account, contact):
    response = owner_client.post(reverse("account_ideas", args=[account.pk]), {
        "direction": "to_us", "area": "manufacturing", "title": "Shorter changeover",
        "description": "Quick clamps", "proposed_at": "2026-06-10", "proposed_by_contact": contact.pk,
        "status": "adopted", "estimated_value": "150000000", "currency": "VND"})
    assert response["Location"] == reverse("account_ideas", args=[account.pk])
    idea = Idea.objects.get()
    assert (idea.direction, idea.proposed_by_contact, idea.status) == (Direction.TO_US, contact, "adopted")
    assert idea.decided_at == date(2026, 6, 10) and idea.estimated_value == Decimal("150000000")


def test_it_logs_our_idea_as_proposed_by_whoever_logs_it(owner_client, owner, account):
    owner_client.post(reverse("account_ideas", args=[account.pk]), {
        "direction": "from_us", "area": "design", "title": "Lighter frame", "proposed_at": "2026-06-01",
        "status": "proposed", "currency": "VND"})
    idea = Idea.objects.get()
    assert idea.proposed_by_user == owner and idea.decided_at is None


def test_it_records_whether_an_idea_was_adopted(owner_client, account):
    idea = Idea.objects.create(account=account, direction=Direction.FROM_US, title="x",
                               proposed_at=date(2026, 6, 1))
    owner_client.post(reverse("idea_decide", args=[idea.pk]), {"status": "rejected"})
    idea.refresh_from_db()
    assert (idea.status, idea.decided_at) == (IdeaStatus.REJECTED, date(2026, 6, 30))
    owner_client.post(reverse("idea_decide", args=[idea.pk]), {"status": "nonsense"})
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.REJECTED


def test_it_logs_information_shared_either_way(owner_client, owner, account):
    owner_client.post(reverse("account_info", args=[account.pk]), {
        "direction": "to_us", "kind": "forecast", "shared_at": "2026-06-15",
        "description": "12-month demand forecast", "is_confidential": "on"})
    share = InfoShare.objects.get()
    assert (share.direction, share.is_confidential, share.recorded_by) == (Direction.TO_US, True, owner)
    response = owner_client.post(reverse("account_info", args=[account.pk]), {
        "direction": "from_us", "kind": "roadmap", "shared_at": "2026-07-15", "description": "Later"})
    assert response.status_code == 400 and InfoShare.objects.count() == 1


def test_it_lists_both_logs_across_the_portfolio_with_filters(owner_client, account, other_account):
    Idea.objects.create(account=account, direction=Direction.TO_US, title="Their idea",
                        proposed_at=date(2026, 5, 1))
    Idea.objects.create(account=other_account, direction=Direction.FROM_US, title="Our idea",
                        proposed_at=date(2026, 5, 2))
    InfoShare.objects.create(account=account, direction=Direction.TO_US, kind="cost_data",
                             shared_at=date(2026, 5, 1), description="Cost sheet", is_confidential=True)
    InfoShare.objects.create(account=other_account, direction=Direction.FROM_US, kind="roadmap",
                             shared_at=date(2026, 5, 1), description="Product plan 2027")
    body = owner_client.get(reverse("idea_list") + "?direction=to_us").content.decode()
    assert "Their idea" in body and "Our idea" not in body
    body = owner_client.get(reverse("info_list") + "?confidential=1").content.decode()
    assert "Cost sheet" in body and "Product plan 2027" not in body
    response = owner_client.get(reverse("idea_list") + f"?account={account.pk}")
    assert response["Location"] == reverse("account_ideas", args=[account.pk])


def test_it_scopes_the_queryset_functions_to_the_accounts_given(account, other_account, contact):
    Idea.objects.create(account=account, direction=Direction.TO_US, title="Mine",
                        proposed_at=date(2026, 5, 1))
    Idea.objects.create(account=other_account, direction=Direction.TO_US, title="Not mine",
                        proposed_at=date(2026, 5, 1))
    InfoShare.objects.create(account=other_account, direction=Direction.TO_US, kind="forecast",
                             shared_at=date(2026, 5, 1), description="Not mine")
    visible = Account.objects.restrict(contact.user)
    assert [i.title for i in ideas_for(visible)] == ["Mine"]
    assert list(info_shares_for(visible)) == []
    assert list(ideas_for(visible, since=date(2026, 5, 2))) == []


def test_it_lists_a_log_in_a_fixed_number_of_queries(owner_client, account, django_assert_max_num_queries):
    for i in range(30):
        Idea.objects.create(account=account, direction=Direction.TO_US, title=f"Idea {i}",
                            proposed_at=date(2026, 5, 1))
    with django_assert_max_num_queries(8):
        owner_client.get(reverse("idea_list"))
