"""One filter style: every list page reads its filters through ``core.filters.FilterForm``
and shows them with ``filters.html``. A value a filter does not accept is a 400 naming
the filter and the value, with the list shown without it: never a 500, never a guess."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from aftersale.core.filters import FilterForm, OwnerField, choice, day, flag, number, search
from aftersale.web.filters import AccountFilters

# (url name, url args, a bad query, the filter's label as the page names it)
PAGES = [
    ("home", [], {"tier": "platinum"}, "Tier"),
    ("account_list", [], {"owner": "someone"}, "Owner"),
    ("portfolio", [], {"sort": "random"}, "Sort"),
    ("portfolio", [], {"band": "purple"}, "Band"),
    ("idea_list", [], {"status": "maybe"}, "Status"),
    ("info_list", [], {"direction": "sideways"}, "Direction"),
    ("promise_list", [], {"months": "0"}, "Months back"),
    ("promise_list", [], {"as_of": "2026-02-30"}, "As of"),
    ("promise_alignment", [], {"direction": "up"}, "Direction"),
    ("review_list", [], {"tier": "gold"}, "Tier"),
    ("joint_plan_list", [], {"account": "twelve"}, "Account"),
    ("trust_list", [], {"direction": "both"}, "Who rates whom"),
    ("face_time_report", [], {"as_of": "yesterday"}, "As of"),
    ("trust_pays", [], {"owner": "them"}, "Owner"),
    ("service:board", [], {"severity": "apocalyptic"}, "Severity"),
    ("service:maintenance", [], {"mine": "yes"}, "Show"),
    ("order_list", [], {"since": "15/04/2026"}, "From"),
    ("quote_list", [], {"status": "won"}, "Status"),
    ("economics_portfolio", [], {"period": "decade"}, "Period"),
    ("audit_log", [], {"since": "last week"}, "From"),
    ("purchasing:supplier_list", [], {"as_of": "soon"}, "As of"),
    ("purchasing:partnership_report", [], {"as_of": "2026-13-01"}, "As of"),
]


@pytest.mark.parametrize(("name", "args", "query", "label"), PAGES,
                         ids=[f"{page[0]}-{next(iter(page[2]))}" for page in PAGES])
def test_it_answers_a_bad_filter_with_400_naming_it(manager_client, account, name, args, query, label):
    response = manager_client.get(reverse(name, args=args), query)
    assert response.status_code == 400
    value = next(iter(query.values()))
    body = response.content.decode()
    assert f"{label} “{value}”:" in body and "The list is shown without it." in body
    assert 'role="alert"' in body and 'class="filters"' in body


def test_it_answers_a_bad_filter_on_account_pages_too(manager_client, account):
    for name, query in (("account_ideas", {"direction": "x"}), ("account_info", {"direction": "x"}),
                        ("account_detail", {"kind": "gossip"}), ("account_timeline", {"page": "0"}),
                        ("account_health", {"as_of": "tomorrow-ish"})):
        response = manager_client.get(reverse(name, args=[account.pk]), query, HTTP_HX_REQUEST="true")
        assert response.status_code == 400, name


def test_it_answers_a_bad_filter_on_a_download_in_words(manager_client, account):
    for url in (reverse("portfolio") + "?format=csv&trend=sideways",
                reverse("imports:export", args=["accounts"]) + "?kind=planet"):
        response = manager_client.get(url)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/plain")
        assert "“sideways”" in response.content.decode() or "“planet”" in response.content.decode()


def test_it_filters_by_the_values_it_accepts(manager_client, account, other_account):
    page = manager_client.get(reverse("account_list"), {"tier": account.tier, "q": account.name})
    assert page.status_code == 200
    assert [a.pk for a in page.context["page"]] == [account.pk]
    bad = manager_client.get(reverse("account_list"), {"tier": "platinum", "q": account.name})
    assert [a.pk for a in bad.context["page"]] == [account.pk]  # the good filter still applies


def test_it_keeps_an_empty_parameter_as_any_and_fills_in_defaults(owner, manager):
    class Example(FilterForm):
        owner = OwnerField(lambda: [])
        tier = choice("Tier", [("key", "Key")])
        since = day("From")
        months = number("Months", 1, 120)
        due = flag("Due")
        q = search()
        defaults = {"owner": "me"}

    nothing = {"owner": "me", "tier": "", "since": None, "months": None, "due": False, "q": ""}
    assert Example({}).values == nothing
    assert Example({"owner": ""}).values["owner"] == ""
    assert Example({"owner": "12", "months": "7", "due": "1", "q": "  acme "}).values == {
        "owner": "12", "tier": "", "since": None, "months": 7, "due": True, "q": "acme"}
    wrong = Example({"owner": "12x", "months": "121", "tier": "gold", "since": "2026-02-30"})
    assert wrong.response_status == 400 and set(wrong.errors) == {"owner", "months", "tier", "since"}
    assert wrong.values == Example({}).values | {"owner": ""}


def test_it_shows_one_filter_bar_for_accounts(manager, account):
    form = AccountFilters({"tier": "key", "owner": "me"})
    assert list(form.fields) == ["q", "kind", "tier", "industry", "owner", "department"]
    html = render_to_string("filters.html", {"form": form})
    assert '<form method="get" class="filters" role="search">' in html
    assert '<option value="key" selected>' in html and '<option value="me" selected>' in html
    assert f'<option value="{account.owner_id}">' in html  # the people who own accounts
    assert list(AccountFilters({}, search=False, owners=False).fields) == ["kind", "tier", "industry"]
