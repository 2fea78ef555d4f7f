"""Accounts (managers and admins create and change them) and their contacts."""

from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from pydantic import Field

from aftersale.accounts.models import Account, AccountKind, Contact, Industry, Tier
from aftersale.api.auth import TokenAuth, checked_together, fetch_checked
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
    valid,
    visible_accounts,
)
from aftersale.api.fast import (
    day_sql,
    key_moment,
    key_sql,
    moment_sql,
    quoted,
    respond,
    scope_clause,
)
from aftersale.api.forms import AccountForm, ContactForm
from aftersale.api.paging import decode_cursor, encode_cursor, page
from aftersale.api.schemas import AccountOut, AccountPage, ContactOut, ContactPage, Error
from aftersale.api.types import Day, Email, Id, In, Text
from aftersale.core.enums import Currency
from aftersale.core.models import default_currency, new_external_id
from aftersale.staff.models import User

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


# The list's columns, as the page's items name them.
LIST_KEYS = ("id", "external_id", "name", "kind", "industry", "tier", "owner_email", "currency", "city",
             "country", "customer_since", "notes", "created_at", "updated_at")


@lru_cache(maxsize=4096)
def _list_sql(vendor: str, conditions: tuple[str, ...], rows: int) -> str:
    """The list's statement for one combination of filters reading ``rows`` rows (the text
    is reused, so a prepared statement is too).

    The number of rows is written into the text, not passed as a parameter: with
    it unknown, PostgreSQL found its generic plan too uncertain and planned the
    statement anew on every execution (``pg_prepared_statements.custom_plans``),
    which cost more than executing it; with it known the plan is made once per
    connection, and it is the plan the number called for.

    The page is chosen in an inner query that touches only ``accounts_account``
    and walks the ``(updated_at, id)`` index, so the first page costs the same
    whatever the portfolio's size; the owner's e-mail and the formatting are
    added to the chosen rows only. The last column, ``k``, is ``updated_at`` as a sort
    key (``key_sql``): the cursor's, and the order of ``aftersale.api.hot``'s statement.
    """
    q = quoted
    accounts, users = q(Account._meta.db_table), q(User._meta.db_table)
    return (
        "SELECT p.id, p.external_id, p.name, p.kind, p.industry, p.tier, u.email, p.currency, p.city,"  # noqa: S608
        f" p.country, {day_sql('p.customer_since')}, p.notes, {moment_sql('p.created_at')},"
        f" {moment_sql('p.updated_at')}, {key_sql('p.updated_at')} AS k"
        " FROM (SELECT a.id, a.external_id, a.name, a.kind, a.industry, a.tier, a.owner_id, a.currency,"
        " a.city, a.country, a.customer_since, a.notes, a.created_at, a.updated_at"
        f" FROM {accounts} a WHERE 1 = 1{''.join(conditions)} ORDER BY a.updated_at, a.id"
        f" LIMIT {int(rows)}) p"
        f" JOIN {users} u ON u.id = p.owner_id ORDER BY p.updated_at, p.id"
    )


# The list statement's width, and its order as 0-based column positions (k, then id).
LIST_WIDTH = len(LIST_KEYS) + 1
LIST_ORDER = (LIST_WIDTH - 1, 0)


def list_statement(request: HttpRequest, filters: AccountFilters) -> tuple[str, list[Any]]:
    """The statement reading one page (and one row more, to know whether another follows)
    of the accounts ``request``'s user may see; a bad cursor is an ``Invalid`` error."""
    scope, params = scope_clause(visible_accounts(request), "a.id")
    conditions = [scope]
    adapt = connection.ops.adapt_datetimefield_value
    if filters.updated_since:
        conditions.append(" AND a.updated_at >= %s")
        params.append(adapt(filters.updated_since))
    if filters.external_id is not None:
        conditions.append(" AND a.external_id = %s")
        params.append(filters.external_id)
    if filters.owner_email:
        users = quoted(User._meta.db_table)
        conditions.append(f" AND a.owner_id IN (SELECT o.id FROM {users} o WHERE o.email = %s)")  # noqa: S608
        params.append(filters.owner_email.strip().lower())
    for name in ("kind", "tier", "industry"):
        if getattr(filters, name):
            conditions.append(f" AND a.{name} = %s")
            params.append(getattr(filters, name))
    if filters.cursor:
        updated, last_id = decode_cursor(filters.cursor, (datetime, int))
        # A row comparison, which PostgreSQL reads as a range of the (updated_at, id) index.
        conditions.append(" AND (a.updated_at, a.id) > (%s, %s)")
        params += [adapt(updated), last_id]
    return _list_sql(connection.vendor, tuple(conditions), filters.limit + 1), params


def list_answer(rows: list[tuple[Any, ...]], limit: int) -> HttpResponse:
    """The page's JSON from the list statement's rows."""
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = encode_cursor([key_moment(rows[-1][-1]), rows[-1][0]]) if more and rows else None
    # Rows go straight to JSON: building them in the database cost it more than this does here.
    items = [dict(zip(LIST_KEYS, row, strict=False)) for row in rows]
    return respond({"items": items, "next_cursor": cursor})


@router.get("", response={200: AccountPage, **READ}, summary="List accounts", auth=TokenAuth(together=True))
@checked_together
def list_accounts(request: HttpRequest, filters: Query[AccountFilters]) -> HttpResponse:
    """The most polled list, in plain SQL (see ``aftersale.api.fast``); the same filters,
    order, cursor and rows as every other list. A token this process knows is usually
    answered before this view by ``aftersale.api.hot``, with the same two functions."""
    sql, params = list_statement(request, filters)
    return list_answer(fetch_checked(request, sql, params), filters.limit)


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

