"""Forms for quotes and exchange rates. Money is entered in the quote's currency."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from aftersale.commerce.models import Product, Quote, QuoteStatus
from aftersale.commerce.money import quantum
from aftersale.core.enums import Currency
from aftersale.core.filters import FilterForm, IdField, choice, flag

MAX_HORIZON = 40
MONEY_FIELDS = [
    "downtime_cost_per_hour", "competitor_price", "competitor_service_cost_per_year",
    "competitor_consumables_per_year",
]


class QuoteForm(forms.ModelForm):
    target_margin_percent = forms.DecimalField(
        label=_("Target margin (%)"), min_value=Decimal("0"), max_value=Decimal("99.99"),
        decimal_places=2, initial=Decimal("25"),
        help_text=_("What must be left of the price after product and after-sale costs."),
    )

    class Meta:
        model = Quote
        fields = [
            "title", "currency", "horizon_years", "service_included_years",
            "downtime_cost_per_hour", "competitor", "competitor_price", "competitor_life_years",
            "competitor_service_cost_per_year", "competitor_service_included_years",
            "competitor_consumables_per_year", "competitor_downtime_hours_per_year",
        ]
        help_texts = {
            "competitor_price": _("The competitor's price for the whole offer."),
            "competitor_life_years": _("Blank: the same as ours."),
            "competitor_service_cost_per_year": _("What the customer would pay them each year. "
                                                  "Blank: the same as ours."),
            "competitor_service_included_years": _("Blank: the same as ours."),
            "competitor_consumables_per_year": _("Blank: the same as ours."),
            "competitor_downtime_hours_per_year": _("Blank: the same as ours."),
            "downtime_cost_per_hour": _("What an hour without the equipment costs the customer."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.target_margin is not None:
            self.fields["target_margin_percent"].initial = (
                self.instance.target_margin * 100).normalize()
        self.fields["competitor"].required = False
        # Show stored amounts in the currency's own unit (1000000000, not 1000000000.00).
        unit = quantum(self.instance.currency)
        for name in MONEY_FIELDS:
            value = getattr(self.instance, name)
            if value is not None:
                self.initial[name] = value.quantize(unit)

    def clean_horizon_years(self) -> int:
        years = self.cleaned_data["horizon_years"]
        if not 1 <= years <= MAX_HORIZON:
            raise forms.ValidationError(
                _("Compare over 1 to %(max)s years.") % {"max": MAX_HORIZON})
        return years

    def clean(self) -> dict:
        data = super().clean()
        currency = data.get("currency")
        if currency:
            for name in MONEY_FIELDS:
                value = data.get(name)
                if value is not None and value != value.quantize(quantum(currency)):
                    self.add_error(name, _("%(currency)s has no amounts finer than %(unit)s.")
                                   % {"currency": currency, "unit": quantum(currency)})
        rival_fields = ["competitor", "competitor_life_years", "competitor_service_cost_per_year",
                        "competitor_service_included_years", "competitor_consumables_per_year",
                        "competitor_downtime_hours_per_year"]
        if data.get("competitor_price") is None and any(data.get(f) is not None for f in rival_fields):
            self.add_error("competitor_price",
                           _("Enter the competitor's price to compare with their offer."))
        margin = data.get("target_margin_percent")
        if margin is not None:
            self.instance.target_margin = (margin / 100).quantize(Decimal("0.0001"))
        return data


class QuoteLineForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True).order_by("kind", "name"),
    )
    # No initial value: an untouched extra row must stay "unchanged" so it is skipped.
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=100000)
    unit_price = forms.DecimalField(
        label=_("Unit price"), required=False, min_value=Decimal("0"), max_digits=18,
        decimal_places=2, help_text=_("Blank: the list price."),
    )


class BaseQuoteLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, currency: str | None = None, **kwargs) -> None:
        self.currency = currency
        super().__init__(*args, **kwargs)

    def clean(self) -> None:
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not kept:
            raise forms.ValidationError(_("Add at least one product."))
        for form in kept:
            price = form.cleaned_data.get("unit_price")
            if self.currency and price is not None and price != price.quantize(quantum(self.currency)):
                form.add_error("unit_price", _("%(currency)s has no amounts finer than %(unit)s.")
                               % {"currency": self.currency, "unit": quantum(self.currency)})

    def kept(self) -> list[dict]:
        return [f.cleaned_data for f in self.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")]


QuoteLineFormSet = formset_factory(
    QuoteLineForm, formset=BaseQuoteLineFormSet, extra=2, can_delete=True, max_num=50,
    validate_max=True,
)


class ExchangeRateForm(forms.Form):
    """A plain form: setting a day's rate again replaces it (``do_set_exchange_rate``)."""

    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    base_currency = forms.ChoiceField(label=_("Base currency"), choices=Currency.choices)
    valid_from = forms.DateField(label=_("Valid from"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    rate = forms.DecimalField(
        label=_("Rate"), max_digits=20, decimal_places=8,
        help_text=_("How many units of the base currency one unit is worth."),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("currency") and data.get("currency") == data.get("base_currency"):
            self.add_error("base_currency", _("Choose two different currencies."))
        rate = data.get("rate")
        if rate is not None and rate <= 0:
            self.add_error("rate", _("A rate must be above zero."))
        return data


class QuoteFilters(FilterForm):
    status = choice(_("Status"), QuoteStatus.choices)
    mine = flag(_("Mine only"))
    account = IdField(label=_("Account"))
