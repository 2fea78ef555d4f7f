"""Forms of the customer portal: sign-in, ordering, requests, plan items, the survey."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from aftersale.commerce.models import ProductKind
from aftersale.core.filters import FilterForm, choice, flag, search
from aftersale.portal.access import portal_contact_of
from aftersale.portal.actions import MAX_QUANTITY, PORTAL_CASE_KINDS
from aftersale.portal.catalogue import Offer
from aftersale.reviews.actions import TRUST_ITEMS
from aftersale.reviews.models import ItemStatus
from aftersale.service.models import Asset, CaseKind, Severity


class PortalAuthenticationForm(AuthenticationForm):
    """Django's sign-in form for contacts with portal access. Staff are refused here: their
    login opens the staff side, and only from its own sign-in. Failed attempts are counted
    by the sign-in throttle (``aftersale.ops.throttle``), the same on every door."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "no_portal": _("This login has no portal access. Ask your account manager for an invitation."),
        "staff": _("This is the customer portal. Staff sign in on the staff sign-in page."),
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if user.role:
            raise ValidationError(self.error_messages["staff"], code="staff")
        if portal_contact_of(user) is None:
            raise ValidationError(self.error_messages["no_portal"], code="no_portal")


class PortalPasswordResetForm(PasswordResetForm):
    """Resets only for contacts with portal access, mailed in the contact's language."""

    def get_users(self, email: str):
        for user in super().get_users(email):
            if not user.role and portal_contact_of(user) is not None:
                yield user

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None) -> None:
        with translation.override(context["user"].language or None):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email,
                              html_email_template_name)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        items = data if isinstance(data, list | tuple) else [data]
        return [f for f in (single(item, initial) for item in items if item) if f]


class OrderForm(forms.Form):
    """A quantity for each product offered; empty or 0 means none."""

    note = forms.CharField(
        label=_("Note for us"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Delivery wishes, your purchase order number…"),
    )

    def __init__(self, *args: Any, offers: list[Offer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offers = offers
        for offer in offers:
            self.fields[self.key(offer.product.pk)] = forms.DecimalField(
                label=offer.product.name, required=False, min_value=Decimal("0"), max_value=MAX_QUANTITY,
                max_digits=12, decimal_places=3,
                widget=forms.NumberInput(attrs={"min": "0", "step": "any", "inputmode": "decimal",
                                                "class": "qty"}),
            )

    @staticmethod
    def key(pk: int) -> str:
        return f"qty_{pk}"

    def quantities(self) -> dict[int, Decimal]:
        return {
            offer.product.pk: self.cleaned_data[self.key(offer.product.pk)]
            for offer in self.offers
            if self.cleaned_data.get(self.key(offer.product.pk))
        }

    def rows(self) -> list[tuple[Offer, forms.BoundField]]:
        return [(offer, self[self.key(offer.product.pk)]) for offer in self.offers]


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you need?"),
        choices=[(kind, CaseKind(kind).label) for kind in PORTAL_CASE_KINDS], initial=CaseKind.REPAIR,
    )
    is_complaint = forms.BooleanField(
        label=_("This is a complaint"), required=False,
        help_text=_("Tell us when we let you down: a complaint goes to your account manager at once."),
    )
    asset = forms.ModelChoiceField(
        label=_("Machine"), queryset=Asset.objects.none(), required=False,
        empty_label=_("Not about one machine"),
    )
    severity = forms.ChoiceField(
        label=_("How urgent is it?"), choices=Severity.choices, initial=Severity.NORMAL,
        help_text=_("Critical: production has stopped. High: it is badly affected."),
    )
    title = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}))
    files = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args: Any, equipment: QuerySet[Asset], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["asset"].queryset = equipment


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(label=_("Attachments"), required=False)


class ItemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ItemStatus.choices)


class ExpectationForm(forms.Form):
    description = forms.CharField(
        label=_("What do you expect of us?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SurveyForm(forms.Form):
    """Satisfaction (0-10) and the trust scale (P16), the same items staff record."""

    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with us overall?"), coerce=int,
        choices=[(str(i), str(i)) for i in range(11)], widget=forms.RadioSelect,
        help_text=_("0: not at all … 10: completely"),
    )
    comment = forms.CharField(
        label=_("Anything else you want to tell us?"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, text in TRUST_ITEMS.items():
            self.fields[f"item_{key}"] = forms.TypedChoiceField(
                label=text, coerce=int, choices=[(str(i), str(i)) for i in range(1, 6)],
                widget=forms.RadioSelect, help_text=_("1: not at all … 5: completely"),
            )
        self.order_fields(["satisfaction", *(f"item_{key}" for key in TRUST_ITEMS), "comment"])

    def answers(self) -> dict[str, int]:
        return {key: self.cleaned_data[f"item_{key}"] for key in TRUST_ITEMS}


class CatalogueFilters(FilterForm):
    q = search()
    kind = choice(_("Kind"), ProductKind.choices)
    fits = flag(_("Only for my equipment"))
    submit_label = _("Show")
