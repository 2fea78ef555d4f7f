"""Forms of the review, joint-plan, expectation and trust pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersale.accounts.models import Account, Competitor, Tier
from aftersale.core.enums import Department, Direction
from aftersale.core.filters import FilterForm, IdField, choice, day, flag, not_after
from aftersale.reviews.actions import TRUST_ITEMS, Rating, ReviewAction
from aftersale.reviews.models import (
    Attribute,
    Expectation,
    ItemStatus,
    JointPlan,
    JointPlanItem,
    Outcome,
    RelationshipReview,
    Side,
    TrustRating,
)
from aftersale.staff.models import User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("", _("Not answered")), ("true", _("Yes")), ("false", _("No"))]
SCORES = [("", "–")] + [(str(i), str(i)) for i in range(1, 6)]


def staff_people():
    return User.objects.staff().filter(is_active=True).order_by("name")


def yes_no(value: str) -> bool | None:
    return {"true": True, "false": False}.get(value)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        department = obj.get_department_display()
        return f"{obj} ({department})" if department else str(obj)


class ReviewForm(forms.ModelForm):
    """The four questions, the reviewer's judgement on each, and the rating grid of question 4.

    Rating fields are named ``rate_us_<attribute>`` and ``rate_<competitor id>_<attribute>``.
    """

    held_at = forms.DateField(label=_("Held on"), widget=DATE)
    outcome = forms.ChoiceField(
        label=_("1. Is the relationship improving or deteriorating?"), required=False,
        choices=[("", _("Not answered"))] + list(Outcome.choices), widget=forms.RadioSelect,
    )
    promises_kept = forms.TypedChoiceField(
        label=_("2. Have our promises been fully kept?"), required=False, choices=YES_NO,
        coerce=yes_no, empty_value=None, widget=forms.RadioSelect,
    )
    neglect_found = forms.TypedChoiceField(
        label=_("3. Have we neglected anything important to the customer?"), required=False,
        choices=YES_NO, coerce=yes_no, empty_value=None, widget=forms.RadioSelect,
    )
    next_due_at = forms.DateField(
        label=_("Next review due"), required=False, widget=DATE,
        help_text=_("Empty: one review cycle of the account's tier after this review."),
    )

    class Meta:
        model = RelationshipReview
        fields = ["held_at", "outcome", "trend_notes", "promises_kept", "promises_notes",
                  "neglect_found", "neglect_notes", "competitor_notes", "next_due_at"]
        labels = {
            "trend_notes": _("Why: your judgement"),
            "promises_notes": _("What was not kept, and why"),
            "neglect_notes": _("What was neglected, and what we will do"),
            "competitor_notes": _("4. How do we compare with competitors?"),
        }
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in
                   ("trend_notes", "promises_notes", "neglect_notes", "competitor_notes")}

    def __init__(
        self, *args: Any, competitors: Sequence[Competitor],
        previous: dict[tuple[int | None, str], int], **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.competitors = list(competitors)
        self.fields["competitor_notes"].help_text = _(
            "Rate each side 1 (poor) to 5 (excellent) as the customer sees it."
        )
        instance = self.instance
        if instance.pk is not None:
            previous = {(r.competitor_id, r.attribute): r.score for r in instance.ratings.all()}
        for subject in [None, *[c.pk for c in self.competitors]]:
            for attribute in Attribute.values:
                name = self.rating_name(subject, attribute)
                self.fields[name] = forms.TypedChoiceField(
                    label=Attribute(attribute).label, choices=SCORES, required=False, coerce=int,
                    empty_value=None,
                )
                if (subject, attribute) in previous:
                    self.initial.setdefault(name, previous[(subject, attribute)])
        if instance.pk is not None:
            self.initial["promises_kept"] = {True: "true", False: "false"}.get(instance.promises_kept, "")
            self.initial["neglect_found"] = {True: "true", False: "false"}.get(instance.neglect_found, "")

    @staticmethod
    def rating_name(subject: int | None, attribute: str) -> str:
        return f"rate_{'us' if subject is None else subject}_{attribute}"

    def rating_rows(self) -> list[dict[str, Any]]:
        """The grid for the template: one row per attribute, a bound field per side."""
        subjects = [None, *[c.pk for c in self.competitors]]
        return [
            {"attribute": Attribute(a).label,
             "fields": [self[self.rating_name(s, a)] for s in subjects]}
            for a in Attribute.values
        ]

    def ratings(self) -> list[Rating]:
        result: list[Rating] = []
        for subject in [None, *[c.pk for c in self.competitors]]:
            for attribute in Attribute.values:
                score = self.cleaned_data.get(self.rating_name(subject, attribute))
                if score is not None:
                    result.append((subject, attribute, score))
        return result

    def judgements(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "outcome": data.get("outcome") or "",
            "promises_kept": data.get("promises_kept"),
            "neglect_found": data.get("neglect_found"),
            **{name: data.get(name) or "" for name in
               ("trend_notes", "promises_notes", "neglect_notes", "competitor_notes")},
        }


class ReviewActionForm(forms.Form):
    """One action decided in the review: a promise of ours or a joint-plan item."""

    kind = forms.ChoiceField(
        label=_("Becomes"), choices=[("promise", _("A promise of ours")),
                                     ("plan_item", _("An item of a joint plan"))],
        initial="promise",
    )
    description = forms.CharField(label=_("Action"), max_length=300)
    due_at = forms.DateField(label=pgettext_lazy("deadline", "Due"), widget=DATE)
    owner_side = forms.ChoiceField(
        label=_("Owned by"), choices=Side.choices, initial=Side.US,
        help_text=_("For plan items; a promise is always ours."),
    )
    delivery_owner = StaffChoiceField(label=_("Our owner"), queryset=User.objects.none(), required=False)
    delivery_department = forms.ChoiceField(
        label=_("Delivering department"), required=False,
        choices=[("", _("The owner's own"))] + list(Department.choices),
    )
    plan = forms.ModelChoiceField(
        label=_("Joint plan"), queryset=JointPlan.objects.none(), required=False,
        empty_label=_("A new plan for this review's actions"),
    )

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delivery_owner"].queryset = staff_people()
        self.fields["plan"].queryset = JointPlan.objects.filter(account=account).order_by("-period_start")

    def action(self) -> ReviewAction:
        data = self.cleaned_data
        return ReviewAction(
            kind=data["kind"], description=data["description"], due_at=data["due_at"],
            owner_side=Side.US if data["kind"] == "promise" else data["owner_side"],
            delivery_owner=data.get("delivery_owner"),
            delivery_department=data.get("delivery_department") or "", plan=data.get("plan"),
        )


class BaseActionFormSet(forms.BaseFormSet):
    def actions(self) -> list[ReviewAction]:
        return [form.action() for form in self.forms if form.has_changed() and form.cleaned_data]


ActionFormSet = forms.formset_factory(ReviewActionForm, formset=BaseActionFormSet, extra=3, max_num=20)


class PlanForm(forms.ModelForm):
    class Meta:
        model = JointPlan
        fields = ["title", "period_start", "period_end", "shared_with_customer"]
        widgets = {"period_start": DATE, "period_end": DATE}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("A plan cannot end before it starts."))
        return data


class PlanItemForm(forms.ModelForm):
    owner_user = StaffChoiceField(label=_("Our owner"), queryset=User.objects.none(), required=False)

    class Meta:
        model = JointPlanItem
        fields = ["title", "owner_side", "owner_user", "owner_contact", "due_at"]
        widgets = {"due_at": DATE}

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = staff_people()
        self.fields["owner_contact"].queryset = account.contacts.filter(is_active=True).order_by("name")


class ItemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ItemStatus.choices)


class ExpectationForm(forms.ModelForm):
    class Meta:
        model = Expectation
        fields = ["held_by", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class AssessForm(forms.Form):
    met = forms.TypedChoiceField(
        label=_("Met?"), choices=[("", _("Not assessed")), ("true", _("Met")), ("false", _("Not met"))],
        coerce=yes_no, empty_value=None, required=False,
    )


class TrustRatingForm(forms.ModelForm):
    """The short trust survey, in either direction (P16)."""

    rated_at = forms.DateField(label=_("Rated on"), widget=DATE)

    class Meta:
        model = TrustRating
        fields = ["direction", "rated_at", "rated_by_contact", "satisfaction", "comment"]
        labels = {"direction": _("Who rates whom")}
        widgets = {"comment": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["direction"].choices = [
            (Direction.FROM_US, _("We rate the account")),
            (Direction.TO_US, _("The account rates us")),
        ]
        self.fields["rated_by_contact"].queryset = account.contacts.order_by("name")
        self.fields["rated_by_contact"].help_text = _("Who answered, when the account rates us.")
        for key, text in TRUST_ITEMS.items():
            self.fields[f"item_{key}"] = forms.TypedChoiceField(
                label=text, choices=SCORES[1:], coerce=int, widget=forms.RadioSelect,
                help_text=_("1: not at all … 5: completely"),
            )
        if not self.is_bound:
            self.initial.setdefault("rated_at", timezone.localdate())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("direction") == Direction.TO_US and not data.get("rated_by_contact"):
            self.add_error("rated_by_contact", _("Say which of their people answered."))
        if data.get("rated_at") and data["rated_at"] > timezone.localdate():
            self.add_error("rated_at", _("A rating cannot be dated in the future."))
        return data

    def answers(self) -> dict[str, int]:
        return {key: self.cleaned_data[f"item_{key}"] for key in TRUST_ITEMS}


# --- the list pages' filters ---------------------------------------------------------------

class ScopeFilters(FilterForm):
    """Whose accounts a report covers (an owner's own by default, a manager's everyone's),
    by tier; ``as_of`` for the reports that read the past."""

    owner = choice(_("Owner"), [("me", _("My accounts")), ("all", _("Every account"))], blank=None)
    tier = choice(_("Tier"), Tier.choices)
    as_of = day(_("As of"))

    def __init__(self, query: Any, *, user: User, as_of: bool = True, **kwargs: Any) -> None:
        super().__init__(query, defaults={"owner": "all" if user.is_manager else "me"}, **kwargs)
        self.user = user
        if not as_of:
            del self.fields["as_of"]

    def accounts(self) -> QuerySet[Account]:
        accounts = Account.objects.restrict(self.user)
        if self.values["owner"] == "me":
            accounts = accounts.filter(owner=self.user)
        if self.values["tier"]:
            accounts = accounts.filter(tier=self.values["tier"])
        return accounts

    @property
    def as_of_day(self) -> date:
        """The day the report is as of: the one asked for, at the latest today."""
        return not_after(self.values.get("as_of"), timezone.localdate())


class ReviewFilters(ScopeFilters):
    due = flag(_("Due now only"))
    account = IdField(label=_("Account"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, as_of=False, **kwargs)


class TrustFilters(FilterForm):
    direction = choice(_("Who rates whom"), [(Direction.TO_US, _("The account rates us")),
                                             (Direction.FROM_US, _("We rate the account"))])
    account = IdField(label=_("Account"))


class PlanFilters(FilterForm):
    current = flag(_("Current plans only"))
    account = IdField(label=_("Account"))
