"""The staff navigation: the main pages in view, the rest behind an accessible "More"."""

from __future__ import annotations

import re

from django.urls import reverse

MAIN = ["home", "portfolio", "account_list", "promise_list", "service:board", "order_list",
        "quote_list"]
MORE = ["purchasing:supplier_list", "review_list", "departments", "health_model", "imports:index",
        "notify_settings"]
MANAGERS_ONLY = ["economics_portfolio", "audit_log"]


def nav(client, url: str | None = None) -> tuple[str, str]:
    """(main links, the "More" disclosure) of the page's main navigation."""
    body = client.get(url or reverse("home")).content.decode()
    links = re.search(r'<nav aria-label="Main">(.*?)</nav>', body, re.S).group(1)
    main, more = links.split('<details class="nav-more">')
    return main, more


def hrefs(fragment: str) -> set[str]:
    return set(re.findall(r'<a href="([^"]+)"', fragment))


def test_it_keeps_the_main_pages_in_view_and_the_rest_under_more(manager_client):
    main, more = nav(manager_client)
    assert hrefs(main) == {reverse(name) for name in MAIN}
    assert hrefs(more) == {reverse(name) for name in MORE + MANAGERS_ONLY}
    # A native disclosure: the summary is focusable and opens with Enter or Space.
    assert re.search(r"<summary[^>]*>More</summary>", more)


def test_it_shows_members_no_manager_pages(owner_client):
    main, more = nav(owner_client)
    for name in MANAGERS_ONLY:
        assert reverse(name) not in main + more
    assert hrefs(more) == {reverse(name) for name in MORE}


def test_it_marks_the_current_page_and_the_more_group_holding_it(manager_client):
    main, more = nav(manager_client, reverse("departments"))
    assert f'<a href="{reverse("departments")}" aria-current="page">' in more
    assert '<summary class="current">' in more and "aria-current" not in main
    main, more = nav(manager_client, reverse("order_list"))
    assert f'<a href="{reverse("order_list")}" aria-current="page">' in main
    assert "<summary>" in more
