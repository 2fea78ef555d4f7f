"""Forms of the service pages. They parse input; the rules live in ``actions``."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account, Contact
from aftersale.commerce.models import Product, ProductKind
from aftersale.core.enums import Department
from aftersale.core.filters import MAX_ID, FilterForm, choice, flag, number
from aftersale.service.models import (
    CASE_TRANSITIONS,
    CaseChannel,
    CaseKind,
    CaseStatus,
    ServiceCase,
    Severity,
)
from aftersale.staff.models import User

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 18, "decimal_places": 2, "min_value": Decimal("0")}


def now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def staff_users() -> QuerySet[User]:
    return User.objects.staff().filter(is_active=True).order_by("name")


class OpenCaseForm(forms.Form):
    account = forms.ModelChoiceField(label=_("Account"), queryset=Account.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices, initial=CaseKind.REPAIR)
    is_complaint = forms.BooleanField(label=_("This is a complaint"), required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.NORMAL)
    channel = forms.ChoiceField(label=_("Channel"), choices=CaseChannel.choices, initial=CaseChannel.PHONE)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}),
                                  required=False)
    raised_by = forms.ModelChoiceField(label=_("Raised by"), queryset=Contact.objects.none(),
                                       required=False)
    assigned_to = forms.ModelChoiceField(label=_("Assigned to"), queryset=User.objects.none(),
                                         required=False)
    serial = forms.CharField(
        label=_("Serial number"), max_length=100, required=False,
        help_text=_("The equipment concerned. For an installation, a new serial creates the asset."),
    )
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(kind=ProductKind.EQUIPMENT), required=False,
        help_text=_("Needed for an installation of new equipment."),
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    asset_down = forms.BooleanField(label=_("The equipment is down (repair)"), required=False)
    opened_at = forms.DateTimeField(label=_("Opened"), widget=DATETIME_WIDGET)

    def __init__(self, *args, user, account: Account | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        accounts = Account.objects.restrict(user)
        self.fields["account"].queryset = accounts
        contacts = Contact.objects.filter(account__in=accounts, is_active=True).select_related("account")
        if account is not None:
            self.fields["account"].initial = account.pk
            contacts = contacts.filter(account=account)
        self.fields["raised_by"].queryset = contacts
        self.fields["assigned_to"].queryset = staff_users()
        self.fields["assigned_to"].initial = user.pk
        self.fields["opened_at"].initial = now_local()


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=CaseStatus.choices)
    at = forms.DateTimeField(label=_("When"), widget=DATETIME_WIDGET)

    def __init__(self, *args, case: ServiceCase, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        allowed = CASE_TRANSITIONS.get(case.status, ())
        self.fields["status"].choices = [(v, label) for v, label in CaseStatus.choices if v in allowed]
        self.fields["at"].initial = now_local()


class MomentForm(forms.Form):
    at = forms.DateTimeField(label=_("When"), widget=DATETIME_WIDGET)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["at"].initial = now_local()


class EditCaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    is_complaint = forms.BooleanField(label=_("This is a complaint"), required=False)
    assigned_to = forms.ModelChoiceField(label=_("Assigned to"), queryset=User.objects.none(),
                                         required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = staff_users()


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
    is_internal = forms.BooleanField(
        label=_("Internal (staff only)"), required=False,
        help_text=_("A comment the customer can see is also our first response."),
    )


class WorkLogForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Who"), queryset=User.objects.none())
    department = forms.ChoiceField(
        label=_("Department"), choices=[("", _("Their own department"))] + list(Department.choices),
        required=False,
    )
    worked_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    hours = forms.DecimalField(label=_("Hours"), max_digits=7, decimal_places=2,
                               min_value=Decimal("0"), max_value=Decimal("24"))
    labour_cost = forms.DecimalField(
        label=_("Labour cost"), required=False, **MONEY,
        help_text=_("Leave empty to price the hours at the standard rate."),
    )
    parts_cost = forms.DecimalField(label=_("Parts cost"), initial=0, **MONEY)
    travel_cost = forms.DecimalField(label=_("Travel cost"), initial=0, **MONEY)
    on_site = forms.BooleanField(label=_("On site at the customer"), required=False)
    warranty = forms.ChoiceField(
        label=_("Warranty work"),
        choices=[("", _("As the equipment's warranty says")), ("yes", _("Yes")), ("no", _("No"))],
        required=False,
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff_users()
        self.fields["user"].initial = user.pk
        self.fields["worked_on"].initial = timezone.localdate()

    def warranty_flag(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("warranty") or "")


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class CompleteMaintenanceForm(forms.Form):
    done_at = forms.DateTimeField(label=_("Done"), widget=DATETIME_WIDGET)
    hours = forms.DecimalField(label=_("Hours"), max_digits=7, decimal_places=2,
                               min_value=Decimal("0"), max_value=Decimal("24"), initial=0)
    labour_cost = forms.DecimalField(
        label=_("Labour cost"), required=False, **MONEY,
        help_text=_("Leave empty to price the hours at the standard rate."),
    )
    parts_cost = forms.DecimalField(label=_("Parts cost"), initial=0, **MONEY)
    travel_cost = forms.DecimalField(label=_("Travel cost"), initial=0, **MONEY)
    on_site = forms.BooleanField(label=_("On site at the customer"), required=False, initial=True)
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}),
                           required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["done_at"].initial = now_local()


class BoardFilters(FilterForm):
    mine = choice(_("Show"), [("assigned", _("Assigned to me")), ("accounts", _("My accounts"))],
                  blank=_("All open cases"))
    kind = choice(_("Kind"), CaseKind.choices)
    severity = choice(_("Severity"), Severity.choices)
    complaints = flag(_("Complaints only"))
    # One account's open cases: where the health signals' reasons lead.
    account = number(_("Account"), 1, MAX_ID, hidden=True)


class MaintenanceFilters(FilterForm):
    mine = choice(_("Show"), [("accounts", _("My accounts"))], blank=_("All accounts"))
    account = number(_("Account"), 1, MAX_ID, hidden=True)
