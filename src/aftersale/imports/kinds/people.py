"""Staff, accounts and their contacts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersale.accounts.models import Account, AccountKind, Contact, Industry, Tier
from aftersale.core.enums import Department
from aftersale.imports import parsing as p
from aftersale.imports.kinds import refs
from aftersale.imports.kinds.base import Column, Kind, Report, Resolver, Row
from aftersale.staff.models import Role, User

EXTERNAL_ID = Column("external_id", p.text(100), field="external_id")


class StaffKind(Kind):
    """Vendor staff, keyed by e-mail. New staff get no usable password: they set one
    through the password reset, or an admin sets it."""

    name = "staff"
    label = gettext_lazy("Staff")
    model = User
    key = "email"
    columns = (
        Column("email", p.login_email, field="email"),
        Column("name", p.text(200), field="name"),
        Column("department", p.choice(Department.values), field="department"),
        Column("role", p.choice(Role.values), field="role", required=False),
    )
    stored_extra = ("is_superuser",)

    def check(self, row: Row, merged: dict[str, Any], report: Report) -> None:
        if row.existing is not None and not row.existing["role"]:
            report("email", _("This e-mail is a customer contact's portal login, not a staff member."))

    def derive(self, merged: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
        role = merged["role"] or Role.MEMBER
        # As User.save() does: only admins have every permission in the Django admin.
        return {"role": role, "is_superuser": role == Role.ADMIN}

    def on_create(self, row: Row) -> None:
        row.fields["password"] = make_password(None)

    def export_queryset(self, accounts: QuerySet) -> QuerySet:
        return User.objects.staff().order_by("pk").values_list("email", "name", "department", "role")


class AccountsKind(Kind):
    name = "accounts"
    label = gettext_lazy("Accounts")
    model = Account
    columns = (
        EXTERNAL_ID,
        Column("name", p.text(200), field="name"),
        Column("kind", p.choice(AccountKind.values), field="kind", required=False),
        Column("industry", p.choice(Industry.values), field="industry", required=False),
        Column("tier", p.choice(Tier.values), field="tier", required=False),
        Column("owner_email", p.login_email, field="owner_id", ref="owner_email",
               export="owner__email"),
    )

    def resolvers(self) -> dict[str, Resolver]:
        return {"owner_email": refs.staff()}

    def export_queryset(self, accounts: QuerySet) -> QuerySet:
        return accounts.order_by("pk").values_list(*[c.export_path for c in self.columns])


class ContactsKind(Kind):
    name = "contacts"
    label = gettext_lazy("Contacts")
    model = Contact
    columns = (
        EXTERNAL_ID,
        Column("account", p.text(100), field="account_id", ref="account",
               export="account__external_id"),
        Column("name", p.text(200), field="name"),
        # Contacts made in the UI may have no e-mail, and must export and import again.
        Column("email", p.email, field="email", empty_ok=True),
        Column("role", p.text(100), field="role", required=False),
    )

    def resolvers(self) -> dict[str, Resolver]:
        return {"account": refs.accounts()}
