"""Accounts (managers and admins create and change them) and their contacts."""

from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from pydantic import Field

from aftersale.accounts.models import Account, AccountKind, Contact, Industry, Tier
from aftersale.api.common import (
    ACCOUNT_REF,
    ONE,
    READ,
    WRITE,
    WRITE_ONE,
    AccountListFilters,
    ListFilters,
    account_for_write,
    current_values,
    get_or_404,
    not_null,
    people,
    require_manager,
    since,
    staff,
    valid,
    visible_accounts,
)
from aftersale.api.conditional import not_modified, weak_etag
from aftersale.api.forms import AccountForm, ContactForm
from aftersale.api.paging import page
from aftersale.api.schemas import AccountOut, AccountPage, ContactOut, ContactPage, Error
from aftersale.api.types import Day, Email, Id, In, Text
from aftersale.core.changes import account_changed
from aftersale.core.enums import Currency
from aftersale.core.models import default_currency, new_external_id

router = Router()
contacts_router = Router()

MANAGERS_ONLY = _("Only managers and admins may create or change accounts.")

ACCOUNT_FIELDS = ("id", "external_id", "name", "kind", "industry", "tier", "currency", "city", "country",
                  "customer_since", "notes", "created_at", "updated_at")


def account_rows(queryset: QuerySet[Account]) -> QuerySet:
    return queryset.values(*ACCOUNT_FIELDS, owner_email=F("owner__email"))


class AccountFilters(ListFilters):
    owner_email: Email | None = None
    kind: AccountKind | None = None
    tier: Tier | None = None
    industry: Industry | None = None


@router.get("", response={200: AccountPage, 304: None, **READ}, summary="List accounts")
def list_accounts(request: HttpRequest, response: HttpResponse, filters: Query[AccountFilters]) -> Any:
    """A page of the accounts the caller may see, oldest change first. Its ETag stands for
    the page's rows and cursor: a poller that sends it back gets 304 while they are the same."""
    accounts = since(visible_accounts(request), filters.updated_since)
    if filters.external_id is not None:
        accounts = accounts.filter(external_id=filters.external_id)
    if filters.owner_email:
        accounts = accounts.filter(owner__email=filters.owner_email.strip().lower())
    for name in ("kind", "tier", "industry"):
        if getattr(filters, name):
            accounts = accounts.filter(**{name: getattr(filters, name)})
    rows, cursor = page(account_rows(accounts), limit=filters.limit, cursor=filters.cursor)
    etag = weak_etag("accounts", staff(request).pk, rows, cursor)
    return not_modified(request, response, etag) or {"items": rows, "next_cursor": cursor}


@router.get("/{account_id}", response={200: AccountOut, **ONE}, summary="One account")
def get_account(request: HttpRequest, account_id: Id) -> dict[str, Any]:
    return get_or_404(account_rows(visible_accounts(request)), account_id)


class AccountIn(In):
    external_id: Text | None = Field(None, max_length=100, description="Generated when left out.")
    name: Text = Field(max_length=200)
    kind: AccountKind = AccountKind.CUSTOMER
    industry: Industry = Industry.OTHER
    tier: Tier = Tier.STANDARD
    owner_email: Email = Field(description="The accountable owner: an active staff member.")
    currency: Currency | None = Field(None, description="The site's currency when left out.")
    city: Text = Field("", max_length=100)
    country: Text = Field("VN", min_length=2, max_length=2)
    customer_since: Day | None = None
    notes: Text = ""


class AccountPatch(In):
    external_id: Text | None = Field(None, max_length=100)
    name: Text | None = Field(None, max_length=200)
    kind: AccountKind | None = None
    industry: Industry | None = None
    tier: Tier | None = None
    owner_email: Email | None = None
    currency: Currency | None = None
    city: Text | None = Field(None, max_length=100)
    country: Text | None = Field(None, min_length=2, max_length=2)
    customer_since: Day | None = None
    notes: Text | None = None


def _account_data(values: dict[str, Any]) -> dict[str, Any]:
    data = dict(values)
    if "owner_email" in data:
        data["owner"] = people({"owner_email": data.pop("owner_email")})["owner_email"]
    return data


@router.post("", response={201: AccountOut, 403: Error, **WRITE}, summary="Create an account")
@transaction.atomic
def create_account(request: HttpRequest, payload: AccountIn) -> tuple[int, dict[str, Any]]:
    require_manager(request, MANAGERS_ONLY)
    data = _account_data(payload.model_dump(mode="json"))
    data["external_id"] = data["external_id"] or new_external_id()
    data["currency"] = data["currency"] or default_currency()
    form = AccountForm(data)
    valid(form, {"owner": "owner_email"})
    account = form.save()
    account_changed(account.pk)  # its first score, once committed
    return 201, account_rows(Account.objects.filter(pk=account.pk)).get()


@router.patch("/{account_id}", response={200: AccountOut, 403: Error, **WRITE_ONE},
              summary="Change an account")
@transaction.atomic
def update_account(request: HttpRequest, account_id: Id, payload: AccountPatch) -> dict[str, Any]:
    account = get_or_404(visible_accounts(request).select_for_update(of=("self",)), account_id)
    require_manager(request, MANAGERS_ONLY)
    changes = not_null(payload.model_dump(mode="json", exclude_unset=True), ("customer_since",))
    data = {**current_values(AccountForm(instance=account)), **_account_data(changes)}
    form = AccountForm(data, instance=account)
    valid(form, {"owner": "owner_email"})
    form.save()
    account_changed(account.pk)  # tier, kind and "customer since" weigh on its score and alerts
    return account_rows(Account.objects.filter(pk=account.pk)).get()


# --- contacts -----------------------------------------------------------------------------------

CONTACT_FIELDS = ("id", "external_id", "name", "email", "phone", "role", "is_active", "portal_enabled",
                  "created_at", "updated_at")


def contact_rows(queryset: QuerySet[Contact]) -> QuerySet:
    return queryset.values(*CONTACT_FIELDS, "account", **ACCOUNT_REF)


def visible_contacts(request: HttpRequest) -> QuerySet[Contact]:
    return Contact.objects.filter(account__in=visible_accounts(request))


@contacts_router.get("", response={200: ContactPage, **READ}, summary="List contacts")
def list_contacts(request: HttpRequest, filters: Query[AccountListFilters]) -> dict[str, Any]:
    contacts = since(visible_contacts(request), filters.updated_since)
    if filters.external_id is not None:
        contacts = contacts.filter(external_id=filters.external_id)
    if filters.account:
        contacts = contacts.filter(account_id=filters.account)
    items, cursor = page(contact_rows(contacts), limit=filters.limit, cursor=filters.cursor)
    return {"items": items, "next_cursor": cursor}


@contacts_router.get("/{contact_id}", response={200: ContactOut, **ONE}, summary="One contact")
def get_contact(request: HttpRequest, contact_id: Id) -> dict[str, Any]:
    return get_or_404(contact_rows(visible_contacts(request)), contact_id)


class ContactIn(In):
    account: Id
    external_id: Text | None = Field(None, max_length=100, description="Generated when left out.")
    name: Text = Field(max_length=200)
    email: Text = Field("", max_length=254)
    phone: Text = Field("", max_length=50)
    role: Text = Field("", max_length=100)
    is_active: bool = True


class ContactPatch(In):
    external_id: Text | None = Field(None, max_length=100)
    name: Text | None = Field(None, max_length=200)
    email: Text | None = Field(None, max_length=254)
    phone: Text | None = Field(None, max_length=50)
    role: Text | None = Field(None, max_length=100)
    is_active: bool | None = None


@contacts_router.post("", response={201: ContactOut, **WRITE}, summary="Create a contact")
@transaction.atomic
def create_contact(request: HttpRequest, payload: ContactIn) -> tuple[int, dict[str, Any]]:
    data = payload.model_dump(mode="json")
    account = account_for_write(request, data.pop("account"))
    data["external_id"] = data["external_id"] or new_external_id()
    form = ContactForm(data, account=account)
    valid(form)
    contact = form.save()
    return 201, contact_rows(Contact.objects.filter(pk=contact.pk)).get()


@contacts_router.patch("/{contact_id}", response={200: ContactOut, **WRITE_ONE}, summary="Change a contact")
@transaction.atomic
def update_contact(request: HttpRequest, contact_id: Id, payload: ContactPatch) -> dict[str, Any]:
    contact = get_or_404(visible_contacts(request).select_for_update(of=("self",)).select_related("account"),
                         contact_id)
    changes = payload.model_dump(mode="json", exclude_unset=True)
    form = ContactForm({**current_values(ContactForm(instance=contact, account=contact.account)),
                        **not_null(changes)}, instance=contact, account=contact.account)
    valid(form)
    form.save()
    return contact_rows(Contact.objects.filter(pk=contact.pk)).get()

