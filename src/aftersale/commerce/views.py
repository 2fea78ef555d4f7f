"""Staff pages for money: portfolio profitability, exchange rates, quotes with their TCO.

Who sees what (docs/economics.md): profitability across the portfolio and the exchange
rates are for managers; an account's own economics for managers and its owner; quotes
for all staff, since salespeople build them. Portal contacts get 403 everywhere here.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersale.accounts.access import access_account
from aftersale.accounts.models import Account
from aftersale.commerce.actions import do_set_exchange_rate
from aftersale.commerce.forms import ExchangeRateForm, QuoteFilters, QuoteForm, QuoteLineFormSet
from aftersale.commerce.models import ExchangeRate, Quote
from aftersale.commerce.money import quantum, reporting_currency
from aftersale.commerce.templatetags.economics import amount
from aftersale.core import charts
from aftersale.core.enums import Currency
from aftersale.core.filters import FilterForm, choice, day, not_after
from aftersale.economics.actions import (
    LineInput,
    QuoteError,
    do_close_quote,
    do_save_quote,
    do_send_quote,
    new_quote,
)
from aftersale.economics.periods import PeriodKind, period_containing
from aftersale.economics.profit import Economics, Standing, standing, total_of
from aftersale.economics.profitability import account_economics
from aftersale.economics.quotes import quote_economics
from aftersale.economics.sections import section_context
from aftersale.health.latest import health_as_of
from aftersale.staff.access import manager_required, staff_required

PAGE_SIZE = 50
PRINT_LANGUAGES = ("en", "vi")


class ProfitabilityFilters(FilterForm):
    period = choice(gettext_lazy("Period"), PeriodKind.choices, blank=None)
    as_of = day(gettext_lazy("As of"))
    only = choice(gettext_lazy("Show"), Standing.choices, blank=gettext_lazy("All customers"))
    order = choice(gettext_lazy("Order"), [("high", gettext_lazy("Most profitable first")),
                                           ("low", gettext_lazy("Least profitable first"))], blank=None)
    owner = choice(gettext_lazy("Owner"), [("me", gettext_lazy("Me"))], blank=gettext_lazy("Anyone"))
    defaults = {"period": PeriodKind.YEAR, "order": "high"}
    submit_label = gettext_lazy("Show")


@manager_required
def portfolio(request: HttpRequest) -> HttpResponse:
    """Customers ranked by profitability, beside their health."""
    filters = ProfitabilityFilters(request.GET)
    values = filters.values
    as_of = not_after(values["as_of"], timezone.localdate())
    order = values["order"] or "high"
    period = period_containing(values["period"] or PeriodKind.YEAR, as_of)
    result = account_economics(period=period)
    currency = result.currency
    health = health_as_of(as_of)
    accounts = Account.objects.restrict(request.user).customers()
    if values["owner"] == "me":
        accounts = accounts.filter(owner=request.user)

    # Rank on plain values; only the rows of the page shown become Account objects.
    rows = []
    for pk, name in accounts.values_list("pk", "name"):
        figures = result.figures.get(pk) or Economics(currency=currency)
        score, band = health.get(pk, (None, None))
        rows.append({"pk": pk, "name": name, "figures": figures, "profit": figures.profit,
                     "score": score, "band": band, "standing": standing(figures.profit, band)})
    # An unknown profitability goes last either way.
    known = [r for r in rows if r["profit"] is not None]
    unknown = [r for r in rows if r["profit"] is None]
    known.sort(key=lambda r: (r["profit"], r["name"]), reverse=order == "high")
    rows = known + sorted(unknown, key=lambda r: r["name"])
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    counts = {value: sum(1 for r in rows if r["standing"] == value) for value in Standing.values}
    if values["only"]:
        rows = [r for r in rows if r["standing"] == values["only"]]
    total = total_of({r["pk"]: r["figures"] for r in rows}, currency)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = Account.objects.select_related("owner").in_bulk([r["pk"] for r in page])
    for row in page:
        row["account"] = shown[row["pk"]]
    return render(request, "commerce/portfolio.html", {
        "page": page, "total": total, "currency": currency, "period": period, "as_of": as_of,
        "filters": filters, "standings": Standing.choices, "counts": counts,
        "portfolio_margin_rate": result.portfolio_margin_rate,
        "missing": sorted(total.missing_currencies),
    }, status=filters.response_status)


@staff_required
def account_economics_section(request: HttpRequest, account_pk: int) -> HttpResponse:
    """The account page's economics section: a fragment for htmx, else a page of its own."""
    account = access_account(request.user, account_pk)
    context = section_context(request, account)
    if request.htmx:
        return render(request, "commerce/_account_economics.html", context)
    return render(request, "commerce/account_economics.html", context)


@manager_required
def exchange_rates(request: HttpRequest) -> HttpResponse:
    """The dated rates reports convert with; setting a day's rate again replaces it."""
    base = reporting_currency()
    form = ExchangeRateForm(request.POST or None, initial={
        "currency": next((c for c in Currency.values if c != base), base),
        "base_currency": base, "valid_from": timezone.localdate(),
    })
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        do_set_exchange_rate(currency=data["currency"], base_currency=data["base_currency"],
                             valid_from=data["valid_from"], value=data["rate"])
        messages.success(request, _("Rate saved."))
        return redirect("exchange_rates")
    rates = ExchangeRate.objects.order_by("currency", "base_currency", "-valid_from")
    page = Paginator(rates, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "commerce/rates.html", {"form": form, "page": page,
                                                   "currency": reporting_currency()})


@staff_required
def quote_list(request: HttpRequest) -> HttpResponse:
    visible = Account.objects.restrict(request.user)
    quotes = (Quote.objects.filter(account__in=visible)
              .select_related("account", "created_by", "competitor").order_by("-created_at"))
    filters = QuoteFilters(request.GET)
    values = filters.values
    if values["status"]:
        quotes = quotes.filter(status=values["status"])
    if values["account"]:
        quotes = quotes.filter(account_id=values["account"])
    if values["mine"]:
        quotes = quotes.filter(created_by=request.user)
    page = Paginator(quotes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "commerce/quote_list.html", {"page": page, "filters": filters},
                  status=filters.response_status)


def _access_quote(request: HttpRequest, account_pk: int, pk: int) -> Quote:
    """The quote, through its account: another account's quote, or one we may not see, is a 404."""
    account = access_account(request.user, account_pk)
    return get_object_or_404(
        Quote.objects.select_related("account", "created_by", "competitor", "sent_by"),
        account=account, pk=pk,
    )


def _edit(request: HttpRequest, quote: Quote) -> HttpResponse:
    unit = quantum(quote.currency)
    initial = [{"product": line.product_id, "quantity": line.quantity,
                "unit_price": line.unit_price.quantize(unit)}
               for line in quote.lines.order_by("pk")] if quote.pk else []
    currency = request.POST.get("currency", quote.currency)
    form = QuoteForm(request.POST or None, instance=quote)
    lines = QuoteLineFormSet(request.POST or None, initial=initial, prefix="lines",
                             currency=currency)
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            saved = do_save_quote(
                form.save(commit=False),
                [LineInput(product=d["product"], quantity=d["quantity"], unit_price=d["unit_price"])
                 for d in lines.kept()],
                user=request.user,
            )
        except QuoteError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Quote saved."))
            return redirect(saved.get_absolute_url())
    return render(request, "commerce/quote_form.html",
                  {"form": form, "lines": lines, "quote": quote, "account": quote.account})


@staff_required
def quote_create(request: HttpRequest, account_pk: int) -> HttpResponse:
    return _edit(request, new_quote(access_account(request.user, account_pk)))


@staff_required
def quote_edit(request: HttpRequest, account_pk: int, pk: int) -> HttpResponse:
    quote = _access_quote(request, account_pk, pk)
    if not quote.is_draft:
        messages.error(request, _("Only a draft can be changed; this quote has been sent."))
        return redirect(quote.get_absolute_url())
    return _edit(request, quote)


def _chart(quote: Quote, economics) -> charts.Chart:
    """The cumulative cost of ownership by year (0 = purchase), ours against theirs."""
    comparison = economics.comparison
    series = [charts.Series(comparison.ours.label, "s-brand", comparison.ours.cumulative)]
    if comparison.theirs is not None:
        series.append(charts.Series(comparison.theirs.label, "s-risk dashed", comparison.theirs.cumulative))
    years = max(len(s.values) for s in series)
    return charts.line_chart(
        _("Cumulative cost of ownership over %(n)s years") % {"n": quote.horizon_years},
        [charts.Text(year, charts.WHOLE) for year in range(years)], series,
        y_format=partial(amount, currency=quote.currency), inset=0, markers=False,
        frame=charts.Frame(width=640, height=280, left=124, right=16, top=16, bottom=36),
        caption=_("Cumulative cost to the customer in %(currency)s, by year (0 = purchase).")
        % {"currency": quote.currency},
    )


@staff_required
def quote_detail(request: HttpRequest, account_pk: int, pk: int) -> HttpResponse:
    quote = _access_quote(request, account_pk, pk)
    economics = quote_economics(quote)
    return render(request, "commerce/quote_detail.html", {
        "quote": quote, "account": quote.account, "e": economics, "chart": _chart(quote, economics),
    })


@staff_required
def quote_print(request: HttpRequest, account_pk: int, pk: int) -> HttpResponse:
    """The one-page comparison for the customer, in ``?lang=`` or the reader's language."""
    quote = _access_quote(request, account_pk, pk)
    lang = request.GET.get("lang", "")
    if lang not in PRINT_LANGUAGES:
        lang = translation.get_language() or getattr(request.user, "language", "en")
    with translation.override(lang):
        economics = quote_economics(quote)
        response = render(request, "commerce/quote_print.html", {
            "quote": quote, "account": quote.account, "e": economics, "chart": _chart(quote, economics),
            "lang": lang, "languages": PRINT_LANGUAGES,
        })
    response.headers["Content-Language"] = lang
    return response


@staff_required
@require_POST
def quote_send(request: HttpRequest, account_pk: int, pk: int) -> HttpResponse:
    quote = _access_quote(request, account_pk, pk)
    try:
        do_send_quote(quote.pk, user=request.user, override=bool(request.POST.get("override")))
    except QuoteError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Quote sent; its estimates are kept as they are today."))
    return redirect(quote.get_absolute_url())


@staff_required
@require_POST
def quote_close(request: HttpRequest, account_pk: int, pk: int) -> HttpResponse:
    quote = _access_quote(request, account_pk, pk)
    try:
        do_close_quote(quote.pk, request.POST.get("status", ""))
    except QuoteError as error:
        messages.error(request, str(error))
    return redirect(quote.get_absolute_url())
