"""What every router shares: the documented error responses, access checks that
answer 404, people referenced by e-mail, and running Django forms on API input."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django import forms
from django.db.models import F, Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from pydantic import BaseModel, Field

from aftersale.accounts.models import Account
from aftersale.api.errors import Forbidden, Invalid, NotFound, form_errors
from aftersale.api.paging import DEFAULT_LIMIT, MAX_LIMIT
from aftersale.api.schemas import Error, InvalidError, VersionConflict
from aftersale.api.types import Id, Moment, Text
from aftersale.staff.models import User

# Every operation may answer these; operations add 400 (bad JSON) when they take a
# body, 403 when only some staff may call them, 404 when they address one object.
READ = {401: Error, 422: InvalidError}
ONE = {**READ, 404: Error}
WRITE = {**READ, 400: Error}
WRITE_ONE = {**WRITE, 404: Error}
VERSIONED = {**WRITE_ONE, 409: VersionConflict}

# Rows name their account by id and by external ID, so integrators need no second lookup.
ACCOUNT_REF = {"account_external_id": F("account__external_id")}


class PageFilters(BaseModel):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page.")
    cursor: Text | None = Field(None, description="The next_cursor of the previous page.")
    updated_since: Moment | None = Field(
        None, description="Only rows created or changed at or after this moment (ISO 8601 with a zone)."
    )


class ListFilters(PageFilters):
    external_id: Text | None = Field(None, description="Only the row with this external ID.")


class AccountListFilters(ListFilters):
    account: Id | None = Field(None, description="Only rows of this account.")


def staff(request: HttpRequest) -> User:
    """The token's user (authentication guarantees active vendor staff)."""
    return request.user  # type: ignore[return-value]


def visible_accounts(request: HttpRequest) -> QuerySet[Account]:
    return Account.objects.restrict(staff(request))


def get_or_404(queryset: QuerySet, pk: int) -> Any:
    """The row ``pk`` of a scoped queryset (a model instance or a ``values()`` dict), or a 404."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No %(what)s with id %(id)s (or you may not see it).") % {
            "what": queryset.model._meta.verbose_name, "id": pk})
    return found


def account_for_write(request: HttpRequest, pk: int, field: str = "account") -> Account:
    """An account named in a request body: one the caller may not see is an invalid value."""
    account = visible_accounts(request).filter(pk=pk).select_related("owner").first()
    if account is None:
        raise Invalid.one(field, _("No account with id %(id)s (or you may not see it).") % {"id": pk},
                          "invalid_choice")
    return account


def require_manager(request: HttpRequest, message: str) -> None:
    if not staff(request).is_manager:
        raise Forbidden(message)


def people(emails: Mapping[str, str | None | Iterable[str]]) -> dict[str, Any]:
    """Staff referenced by e-mail, as the primary keys forms expect.

    ``emails`` maps an API field to one address (or None) or a list of them;
    an address that is not active staff is an error on that field.
    """
    wanted: set[str] = set()
    for value in emails.values():
        if isinstance(value, str):
            wanted.add(value.strip().lower())
        elif value is not None:
            wanted.update(v.strip().lower() for v in value)
    found = dict(
        User.objects.staff().filter(is_active=True, email__in=wanted).values_list("email", "pk")
    ) if wanted else {}
    errors, result = [], {}
    for field, value in emails.items():
        if value is None:
            result[field] = None
            continue
        many = not isinstance(value, str)
        addresses = [v.strip().lower() for v in (value if many else [value])]  # type: ignore[union-attr]
        for index, address in enumerate(addresses):
            if address not in found:
                errors.append({
                    "field": f"{field}.{index}" if many else field,
                    "message": _("No active staff member has the e-mail address %(email)s.") % {
                        "email": address},
                    "code": "unknown_person",
                })
        result[field] = [found.get(a) for a in addresses] if many else found.get(addresses[0])
    if errors:
        raise Invalid(errors)
    return result


def valid(form: forms.BaseForm, rename: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The form's cleaned data, or a 422 naming each field (by its API name) and why."""
    if not form.is_valid():
        raise Invalid(form_errors(form, rename))
    return form.cleaned_data


def current_values(form: forms.BaseForm) -> dict[str, Any]:
    """An unbound form's initial values, as data: the base a PATCH is laid over."""
    return {name: form[name].value() for name in form.fields}


def check_external_id(model: type[Model], external_id: str | None, *, exclude: int | None = None) -> None:
    if not external_id:
        return
    clash = model._default_manager.filter(external_id=external_id)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise Invalid.one("external_id", _("Another %(what)s already has this external ID.") % {
            "what": model._meta.verbose_name}, "unique")


def since(queryset: QuerySet, updated_since: datetime | None, field: str = "updated_at") -> QuerySet:
    return queryset.filter(**{f"{field}__gte": updated_since}) if updated_since else queryset


def not_null(changes: dict[str, Any], nullable: Iterable[str] = ()) -> dict[str, Any]:
    """A PATCH's changes; ``null`` is refused except for the fields that may be empty."""
    allowed = set(nullable)
    nulls = [k for k, v in changes.items() if v is None and k not in allowed]
    if nulls:
        raise Invalid([{"field": k, "message": _("This field cannot be null."), "code": "null"}
                       for k in nulls])
    return changes
