import re
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.urls import reverse

from aftersale.accounts.models import Account
from aftersale.commerce.models import ExchangeRate, Quote, QuoteStatus

TODAY = "2026-06-30 15:00 +07:00"


def quote_url(name, quote):
    return reverse(name, args=[quote.account_id, quote.pk])


@pytest.fixture
def member_client(client, colleague):
    client.force_login(colleague)
    return client


# --- who may see what --------------------------------------------------------------


def test_it_refuses_every_money_page_to_a_portal_contact(client, contact, quote):
    client.force_login(contact.user)
    for url in [reverse("economics_portfolio"), reverse("exchange_rates"), reverse("quote_list"),
                reverse("quote_create", args=[quote.account_id]), quote_url("quote_detail", quote),
                quote_url("quote_print", quote), quote_url("quote_edit", quote)]:
        assert client.get(url).status_code == 403, url
    assert client.post(quote_url("quote_send", quote)).status_code == 403


def test_it_keeps_portfolio_and_rates_for_managers(owner_client):
    assert owner_client.get(reverse("economics_portfolio")).status_code == 403
    assert owner_client.get(reverse("exchange_rates")).status_code == 403


def test_it_is_a_404_to_reach_a_quote_through_another_account(owner_client, quote, other_account):
    url = reverse("quote_detail", args=[other_account.pk, quote.pk])
    assert owner_client.get(url).status_code == 404


def test_it_loads_the_economics_section_into_the_account_page(owner_client, ledger):
    page = owner_client.get(reverse("account_detail", args=[ledger.pk])).content.decode()
    section = reverse("account_economics", args=[ledger.pk])
    assert f'hx-get="{section}?economics=quarter"' in page
    assert "322,715,311" not in page  # the figures come with the section, not the page


def test_it_shows_the_account_economics_to_its_owner_and_managers_only(
        owner_client, ledger, colleague, client, django_assert_max_num_queries):
    url = reverse("account_economics", args=[ledger.pk])
    with time_machine.travel(TODAY, tick=False), django_assert_max_num_queries(14):
        response = owner_client.get(url, {"economics": "quarter"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body  # a fragment for htmx
    assert "Profitability" in body and "322,715,311" in body  # lifetime
    assert "300,000,000" in body  # 2026 Q1
    assert "own margin rate of 30.4 %" in body
    with time_machine.travel(TODAY, tick=False):
        page = owner_client.get(url, {"economics": "year"}).content.decode()
    assert "<html" in page and "322,715,311" in page  # without JavaScript: a page
    client.force_login(colleague)
    other = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Economics" in other and "322,715,311" not in other  # quotes only
    assert "New quote" in other


def test_it_shows_the_account_economics_in_vietnamese(owner_client, ledger):
    owner_client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    with time_machine.travel(TODAY, tick=False):
        body = owner_client.get(reverse("account_economics", args=[ledger.pk]),
                                HTTP_HX_REQUEST="true").content.decode()
    assert "Lợi nhuận" in body
    assert "322.715.311" in body  # Vietnamese grouping


def test_it_keeps_the_economics_section_from_portal_contacts(client, contact, ledger, owner):
    client.force_login(contact.user)
    assert client.get(reverse("account_economics", args=[ledger.pk])).status_code == 403
    client.force_login(owner)
    assert client.get(reverse("account_economics", args=[99999])).status_code == 404


# --- the portfolio -------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_it_ranks_customers_by_profitability(manager_client, ledger, other_account,
                                             django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = manager_client.get(reverse("economics_portfolio"), {"period": "year"})
    body = response.content.decode()
    assert body.index(ledger.name) < body.index(other_account.name)
    assert "322,715,311" in body and "3,043,062" in body
    low = manager_client.get(reverse("economics_portfolio"), {"order": "low"}).content.decode()
    assert low.index(other_account.name) < low.index(ledger.name)


@time_machine.travel(TODAY, tick=False)
def test_it_makes_money_and_health_disagreements_stand_out(manager_client, ledger, other_account,
                                                           colleague):
    from tests.commerce.conftest import make_log

    make_log(other_account, colleague, date(2026, 5, 3), "50000000")  # now loses money
    health = {ledger.pk: (Decimal("31"), "at_risk"), other_account.pk: (Decimal("88"), "healthy")}
    with mock.patch("aftersale.commerce.views.health_as_of", return_value=health):
        body = manager_client.get(reverse("economics_portfolio")).content.decode()
        only = manager_client.get(reverse("economics_portfolio"),
                                  {"only": "unprofitable_healthy"}).content.decode()
    assert "flag-profitable_failing" in body and "flag-unprofitable_healthy" in body
    assert "band-at_risk" in body
    assert other_account.name in only and ledger.name not in only


# --- exchange rates ------------------------------------------------------------------


def test_it_lets_a_manager_set_and_replace_a_day_s_rate(manager_client):
    data = {"currency": "USD", "base_currency": "VND", "valid_from": "2026-01-01", "rate": "25000"}
    assert manager_client.post(reverse("exchange_rates"), data).status_code == 302
    manager_client.post(reverse("exchange_rates"), {**data, "rate": "25500"})
    assert ExchangeRate.objects.get().rate == Decimal("25500")
    bad = manager_client.post(reverse("exchange_rates"), {**data, "base_currency": "USD"})
    assert "Choose two different currencies" in bad.content.decode()


# --- quotes ----------------------------------------------------------------------------


def test_it_builds_a_quote_for_an_account(member_client, account, press, roller, usd_rate):
    data = {
        "title": "Two presses", "currency": "VND", "horizon_years": "10",
        "service_included_years": "2", "target_margin_percent": "25",
        "downtime_cost_per_hour": "2000000", "competitor_price": "1500000000",
        "competitor_life_years": "7",
        "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "50",
        "lines-0-product": press.pk, "lines-0-quantity": "2", "lines-0-unit_price": "",
        "lines-1-product": roller.pk, "lines-1-quantity": "4", "lines-1-unit_price": "",
        "lines-2-product": "", "lines-2-quantity": "", "lines-2-unit_price": "",
    }
    response = member_client.post(reverse("quote_create", args=[account.pk]), data)
    assert response.status_code == 302, response.context["lines"].errors
    quote = Quote.objects.get()
    assert quote.target_margin == Decimal("0.25")
    assert sorted(quote.lines.values_list("unit_price", flat=True)) == [
        Decimal("6250000"), Decimal("1000000000")]  # the roller's 250 USD in VND
    with time_machine.travel(TODAY, tick=False):
        body = member_client.get(response["Location"]).content.decode()
    assert "<svg" in body and '<path class="line s-brand"' in body
    assert "Year by year" in body


def test_it_reports_bad_input_by_field_and_row(member_client, account, press):
    data = {
        "title": "", "currency": "VND", "horizon_years": "90", "service_included_years": "1",
        "target_margin_percent": "120", "downtime_cost_per_hour": "10.5",
        "competitor_life_years": "5",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "50",
        "lines-0-product": press.pk, "lines-0-quantity": "0", "lines-0-unit_price": "",
    }
    body = member_client.post(reverse("quote_create", args=[account.pk]), data).content.decode()
    assert "Compare over 1 to 40 years" in body
    assert "VND has no amounts finer than 1" in body
    assert "Enter the competitor&#x27;s price" in body
    assert "greater than or equal to 1" in body
    assert not Quote.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_it_warns_before_sending_and_refuses_an_under_priced_quote(owner_client, quote):
    detail = owner_client.get(quote_url("quote_detail", quote)).content.decode()
    assert "Under-priced." in detail and "1,018,333,334" in detail
    response = owner_client.post(quote_url("quote_send", quote), follow=True)
    assert "falls short of the service-inclusive price by 18,333,334 VND" in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DRAFT


@time_machine.travel(TODAY, tick=False)
def test_it_lets_a_manager_send_it_anyway_when_they_say_so(manager_client, quote):
    manager_client.post(quote_url("quote_send", quote))
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DRAFT
    manager_client.post(quote_url("quote_send", quote), {"override": "1"})
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT and quote.sent_below_floor
    assert manager_client.get(quote_url("quote_edit", quote)).status_code == 302
    manager_client.post(quote_url("quote_close", quote), {"status": "lost"})
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.LOST


@time_machine.travel(TODAY, tick=False)
def test_it_prints_the_comparison_in_vietnamese_or_english(owner_client, quote):
    vi = owner_client.get(quote_url("quote_print", quote) + "?lang=vi")
    body = vi.content.decode()
    assert vi.headers["Content-Language"] == "vi"
    assert '<html lang="vi">' in body and "Tổng chi phí sở hữu" in body
    assert "Cheapo Presses" in body and "@page" not in body  # print rules in print.css
    assert "1.000.000.000" in body
    # Chart coordinates stay machine-readable in a language with decimal commas.
    assert not re.search(r' (x|y|x1|x2|y1|y2|cx|cy|width|height)="[^"]*,', body)
    paths = re.findall(r'<path class="line[^"]*" d="([^"]+)"', body)
    assert paths and all(re.fullmatch(r"[ML]\d+(\.\d)?,\d+(\.\d)?", p) for d in paths for p in d.split())
    en = owner_client.get(quote_url("quote_print", quote) + "?lang=en").content.decode()
    assert "Total cost of ownership" in en
    # Internal figures never reach the customer's page.
    assert "Unit cost" not in en and "Service-inclusive" not in en


def test_it_lists_the_quotes_of_visible_accounts(member_client, quote):
    body = member_client.get(reverse("quote_list")).content.decode()
    assert quote.title in body
    body = member_client.get(reverse("quote_list"), {"status": "sent"}).content.decode()
    assert quote.title not in body


def test_it_scopes_quotes_through_the_accounts_a_user_may_see(quote, contact):
    visible = Quote.objects.filter(account__in=Account.objects.restrict(contact.user))
    assert list(visible) == [quote]  # the query the list uses; the page itself is staff-only


def test_it_edits_a_draft_and_replaces_its_lines(owner_client, quote, press):
    form = owner_client.get(quote_url("quote_edit", quote)).content.decode()
    assert 'value="1000000000"' in form and 'value="25"' in form
    data = {
        "title": "KX-5, two of them", "currency": "VND", "horizon_years": "12",
        "service_included_years": "3", "target_margin_percent": "20",
        "downtime_cost_per_hour": "2000000", "competitor_price": "",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "50",
        "lines-0-product": press.pk, "lines-0-quantity": "2", "lines-0-unit_price": "1200000000",
    }
    assert owner_client.post(quote_url("quote_edit", quote), data).status_code == 302
    quote.refresh_from_db()
    assert (quote.title, quote.horizon_years, quote.target_margin) == (
        "KX-5, two of them", 12, Decimal("0.2"))
    assert quote.competitor_price is None and quote.competitor is None
    assert list(quote.lines.values_list("quantity", "unit_price")) == [(2, Decimal("1200000000"))]
