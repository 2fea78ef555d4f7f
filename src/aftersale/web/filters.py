"""The filters of the pages that list accounts: the attention list, the account list (and
its CSV download) and the portfolio (which adds its own)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account, AccountKind, Industry, Tier
from aftersale.core.enums import Department
from aftersale.core.filters import MAX_ID, FilterForm, OwnerField, by_owner, by_search, choice, number, search
from aftersale.staff.models import User
from aftersale.web.timeline import KINDS


def account_owners() -> QuerySet[User]:
    # EXISTS, not a join and DISTINCT over every account.
    return (User.objects.staff().filter(Exists(Account.objects.filter(owner=OuterRef("pk"))))
            .only("name", "email").order_by("name"))


class TimelineFilters(FilterForm):
    """The account page's timeline: which kinds of event, which page of them."""

    kind = forms.MultipleChoiceField(label=_("Show"), choices=list(KINDS.items()), required=False,
                                     widget=forms.CheckboxSelectMultiple)
    page = number(_("Page"), 1, MAX_ID, hidden=True)


class AccountFilters(FilterForm):
    q = search(placeholder=_("Name or external ID"))
    kind = choice(_("Kind"), AccountKind.choices)
    tier = choice(_("Tier"), Tier.choices)
    industry = choice(_("Industry"), Industry.choices)
    owner = OwnerField(account_owners)
    department = choice(_("Owner's department"), Department.choices)

    def __init__(self, *args: Any, search: bool = True, owners: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not search:
            del self.fields["q"]
        if not owners:
            del self.fields["owner"], self.fields["department"]

    def apply(self, accounts: QuerySet[Account], user: User) -> QuerySet[Account]:
        values = self.values
        accounts = by_search(accounts, values.get("q", ""), contains="name")
        for name in ("kind", "tier", "industry"):
            if values.get(name):
                accounts = accounts.filter(**{name: values[name]})
        if values.get("department"):
            accounts = accounts.filter(owner__department=values["department"])
        return by_owner(accounts, values.get("owner", ""), user)
