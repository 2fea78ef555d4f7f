"""Forms for recording, editing and closing promises. Rules live in ``actions``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account, AccountKind
from aftersale.core.enums import Department, Direction
from aftersale.core.forms import QuickSelect, apply_errors
from aftersale.promises.actions import EDITABLE_FIELDS, check_promise_dates
from aftersale.promises.models import Promise, PromiseStatus
from aftersale.staff.models import User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# get_department_display() rebuilds a dict of the lazy choices on every call: over a few
# hundred staff in two selects that was most of the account page's time.
DEPARTMENT_LABELS = dict(Department.choices)


class StaffChoiceField(forms.ModelChoiceField):
    widget = QuickSelect

    def label_from_instance(self, obj: User) -> str:
        department = DEPARTMENT_LABELS.get(obj.department, obj.department)
        return f"{obj} ({department})" if department else str(obj)


def staff_people() -> QuerySet[User]:
    return User.objects.staff().filter(is_active=True).order_by("name")


class PromiseForm(forms.ModelForm):
    """Record a promise to one account. The account is fixed by the page, not chosen here."""

    made_by = StaffChoiceField(queryset=User.objects.none(), label=_("made by"))
    delivery_owner = StaffChoiceField(queryset=User.objects.none(), label=_("must be delivered by"))

    class Meta:
        model = Promise
        fields = [
            "description", "contact", "direction", "stage", "made_at", "made_by",
            "made_by_department", "due_at", "delivery_owner", "delivery_department",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "made_at": DATE,
            "due_at": DATE,
        }

    def __init__(self, *args: Any, account: Account, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.account = account
        self.fields["contact"].queryset = account.contacts.filter(is_active=True).order_by("name")
        self.fields["contact"].help_text = _("Only contacts of %(account)s.") % {"account": account}
        people = staff_people()
        if self.instance.pk is not None:
            # Someone who has left stays selectable on the promises they already hold.
            people = people | User.objects.filter(
                pk__in=[self.instance.made_by_id, self.instance.delivery_owner_id]
            )
        self.fields["made_by"].queryset = people
        self.fields["delivery_owner"].queryset = people
        if not self.is_bound and self.instance.pk is None:
            self.initial.setdefault("made_at", timezone.localdate())
            self.initial.setdefault("made_by", user.pk)
            self.initial.setdefault("made_by_department", user.department)
            # A supplier's promises are usually to us.
            self.initial.setdefault(
                "direction",
                Direction.TO_US if account.kind == AccountKind.SUPPLIER else Direction.FROM_US,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.check_dates(data, due_at=data.get("due_at"))
        return data

    def check_dates(self, data: dict[str, Any], *, due_at: date | None) -> None:
        if data.get("made_at"):
            try:
                check_promise_dates(made_at=data["made_at"], due_at=due_at, today=timezone.localdate())
            except ValidationError as error:
                apply_errors(self, error)


class PromiseEditForm(PromiseForm):
    """Change what was recorded; the status and due date change only through ``StatusForm``."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Why the change"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta(PromiseForm.Meta):
        fields = list(EDITABLE_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = forms.ModelForm.clean(self)
        self.check_dates(data, due_at=None)  # the due date moves only by renegotiation
        return data

    def _post_clean(self) -> None:
        # Model validation would compare against the instance as loaded, which may
        # be stale; do_edit_promise validates against the row it writes.
        pass

    def changed_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class StatusForm(forms.Form):
    """Move a promise on in its lifecycle; which fields matter depends on the status."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("New status"), choices=PromiseStatus.choices)
    delivered_at = forms.DateField(
        label=_("Delivered on"), required=False, widget=DATE,
        help_text=_("Kept or kept late: the day it was delivered."),
    )
    evidence = forms.CharField(
        label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept or kept late: delivery note, sign-off, ticket."),
    )
    new_due_at = forms.DateField(
        label=_("New due date"), required=False, widget=DATE,
        help_text=_("Renegotiated: the date agreed with the customer."),
    )
    closed_at = forms.DateField(
        label=_("Broken or cancelled on"), required=False, widget=DATE,
        help_text=_("Broken or cancelled: leave empty for today."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why: what the customer was told, what went wrong."),
    )

    def __init__(self, *args: Any, promise: Promise, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offer only the allowed next statuses, but accept any status so that a
        # disallowed one gets the lifecycle's own explanation, not "invalid choice".
        labels = dict(PromiseStatus.choices)
        self.fields["status"].widget.choices = [("", "---------")] + [
            (s, labels[s]) for s in promise.allowed_statuses()
        ]
        if not self.is_bound:
            self.initial["version"] = promise.version

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Named as do_change_status's arguments: the page, the quick dialog and the API pass
        # the cleaned data as they are.
        if "version" in data:
            data["expected_version"] = data.pop("version")
        return data
