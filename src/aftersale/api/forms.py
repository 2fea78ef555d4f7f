"""Validation for what the web pages do not edit yet (accounts, contacts, orders).

Model forms: every field's own rules, the model's constraints and uniqueness
come from the models, as in the admin, so the API adds no rules of its own
beyond "an order is not placed in the future".
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account, Contact
from aftersale.commerce.models import Order, OrderLine, Product
from aftersale.staff.models import User

# Clocks drift: an order stamped this little in the future is "now".
CLOCK_SLACK = timedelta(minutes=5)


def active_staff():
    return User.objects.staff().filter(is_active=True)


class AccountForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = ["external_id", "name", "kind", "industry", "tier", "owner", "currency", "city",
                  "country", "customer_since", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = active_staff()
        if self.instance.pk is not None:
            # A departed owner stays valid on the accounts they still hold.
            owners = owners | User.objects.filter(pk=self.instance.owner_id)
        self.fields["owner"].queryset = owners


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["external_id", "name", "email", "phone", "role", "is_active"]

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.account = account


class OrderForm(forms.ModelForm):
    class Meta:
        model = Order
        fields = ["external_id", "placed_at", "total", "currency", "channel", "placed_by", "taken_by",
                  "note"]

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.account = account
        self.fields["placed_by"].queryset = account.contacts.all()
        self.fields["placed_by"].error_messages["invalid_choice"] = _(
            "That contact does not belong to %(account)s."
        ) % {"account": account}
        taken_by = active_staff()
        if self.instance.taken_by_id is not None:
            taken_by = taken_by | User.objects.filter(pk=self.instance.taken_by_id)
        self.fields["taken_by"].queryset = taken_by

    def clean_placed_at(self):
        placed_at = self.cleaned_data["placed_at"]
        if placed_at and placed_at > timezone.now() + CLOCK_SLACK:
            raise forms.ValidationError(_("An order cannot be placed in the future."))
        return placed_at


class OrderLineForm(forms.ModelForm):
    class Meta:
        model = OrderLine
        fields = ["product", "quantity", "unit_price", "unit_cost"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.all()

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity is not None and quantity <= 0:
            raise forms.ValidationError(_("The quantity must be more than zero."))
        return quantity
