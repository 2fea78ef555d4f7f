"""The account list's "Download CSV" link exports exactly the accounts the list shows (issue 3)."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from django.urls import reverse

from aftersale.accounts.models import Account, AccountKind, Industry, Tier


@pytest.fixture
def portfolio(account, other_account, owner):
    Account.objects.create(external_id="ACC-3", name="Sài Gòn Steel", kind=AccountKind.CUSTOMER,
                           industry=Industry.CAPITAL_EQUIPMENT, tier=Tier.KEY, owner=owner)
    Account.objects.create(external_id="SUP-1", name="Sài Gòn Bearings", kind=AccountKind.SUPPLIER,
                           industry=Industry.CAPITAL_EQUIPMENT, tier=Tier.STANDARD, owner=owner)


def download_link(client, params: dict[str, str]) -> str:
    page = client.get(reverse("account_list"), params).content.decode()
    match = re.search(r'<a href="([^"]+)" download>Download CSV</a>', page)
    assert match, "no Download CSV link on the account list"
    return html.unescape(match.group(1))


def exported_ids(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return {row["external_id"] for row in csv.DictReader(io.StringIO(body))}


def listed_ids(client, params: dict[str, str]) -> set[str]:
    return {a.external_id for a in client.get(reverse("account_list"), params).context["page"]}


@pytest.mark.parametrize(("params", "expected"), [
    ({}, {"ACC-1", "ACC-2", "ACC-3", "SUP-1"}),
    ({"q": "Sài Gòn"}, {"ACC-3", "SUP-1"}),
    ({"kind": "supplier"}, {"SUP-1"}),
    ({"tier": "key", "q": "sài gòn"}, {"ACC-3"}),
    ({"owner": "me", "industry": "capital_equipment"}, {"ACC-1", "ACC-3", "SUP-1"}),
    ({"department": "production"}, {"ACC-2"}),
])
def test_it_downloads_what_the_list_shows(owner_client, portfolio, params, expected):
    url = download_link(owner_client, params)
    assert url.startswith(reverse("imports:export", args=["accounts"]) + "?")
    assert listed_ids(owner_client, params) == expected
    assert exported_ids(owner_client, url) == expected


def test_it_downloads_every_page_not_only_the_first(owner_client, owner):
    Account.objects.bulk_create(
        Account(external_id=f"B-{n:03}", name=f"Buyer {n:03}", kind=AccountKind.CUSTOMER,
                industry=Industry.CAPITAL_EQUIPMENT, tier=Tier.STANDARD, owner=owner)
        for n in range(55)
    )
    url = download_link(owner_client, {"q": "Buyer", "page": "2"})
    assert len(exported_ids(owner_client, url)) == 55
