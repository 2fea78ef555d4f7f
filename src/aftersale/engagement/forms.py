"""Forms for logging contact; used by the staff pages and their quick-log dialogs."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account
from aftersale.core.enums import Department, Direction
from aftersale.core.filters import FilterForm, IdField, choice, flag
from aftersale.engagement.actions import check_touchpoint_minutes, check_touchpoint_time
from aftersale.engagement.models import Idea, IdeaStatus, InfoKind, InfoShare, Touchpoint
from aftersale.staff.models import User


class TouchpointForm(forms.ModelForm):
    """Log a touchpoint. Its cleaned data are ``do_log_touchpoint``'s arguments as they
    are (the page, its quick dialog and the API all pass them so), and its rules are the
    action's ``check_*`` functions."""

    occurred_at = forms.DateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Our people"), queryset=User.objects.none(), required=False,
        help_text=_("Everyone from our side who took part; their departments are recorded."),
    )
    department = forms.ChoiceField(
        label=_("Department represented"), choices=[("", _("Each person's own"))]
        + list(Department.choices), required=False,
    )

    class Meta:
        model = Touchpoint
        fields = ["occurred_at", "kind", "initiated_by", "minutes", "topic", "summary", "contacts"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, account: Account, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["contacts"].queryset = account.contacts.filter(is_active=True)
        self.fields["contacts"].required = False
        self.fields["participants"].queryset = User.objects.staff().filter(is_active=True)
        if not self.is_bound:
            self.initial.setdefault("occurred_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
            self.initial.setdefault("participants", [user.pk])

    def clean_occurred_at(self) -> datetime:
        value = self.cleaned_data["occurred_at"]
        check_touchpoint_time(value)
        return value

    def clean_minutes(self) -> int:
        minutes = self.cleaned_data["minutes"]
        check_touchpoint_minutes(minutes)
        return minutes


class IdeaForm(forms.ModelForm):
    proposed_at = forms.DateField(label=_("Proposed on"), widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Idea
        fields = ["direction", "area", "title", "description", "proposed_at", "proposed_by_contact",
                  "status", "estimated_value", "currency"]

    def __init__(self, *args, account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proposed_by_contact"].queryset = account.contacts.all()
        if not self.is_bound:
            self.initial.setdefault("proposed_at", timezone.localdate())
            self.initial.setdefault("currency", account.currency)


class InfoShareForm(forms.ModelForm):
    shared_at = forms.DateField(label=_("Shared on"), widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = InfoShare
        fields = ["direction", "kind", "shared_at", "description", "is_confidential"]

    def __init__(self, *args, account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("shared_at", timezone.localdate())


class DirectionFilters(FilterForm):
    """An account's log, or the portfolio's list (which ``?account=`` narrows to that log)."""

    direction = choice(_("Direction"), Direction.choices, blank=_("Both directions"))
    account = IdField(label=_("Account"))


class IdeaFilters(DirectionFilters):
    status = choice(_("Status"), IdeaStatus.choices)


class InfoFilters(DirectionFilters):
    kind = choice(_("Kind"), InfoKind.choices)
    confidential = flag(_("Confidential only"))
