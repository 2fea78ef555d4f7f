"""Promises: record, edit and move through the lifecycle with the ledger's own rules.

Changes carry the ``version`` the client last read; a stale one is a 409 whose
body lists what others changed meanwhile (``PromiseConflict``).
"""


from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from pydantic import Field

from aftersale.accounts.models import AccountKind
from aftersale.api.common import (
    ACCOUNT_REF,
    ONE,
    READ,
    VERSIONED,
    WRITE,
    AccountListFilters,
    account_for_write,
    check_external_id,
    current_values,
    get_or_404,
    not_null,
    people,
    since,
    staff,
    valid,
)
from aftersale.api.errors import Conflict, invalid_from_django
from aftersale.api.paging import page
from aftersale.api.schemas import PromiseEventOut, PromiseOut, PromisePage
from aftersale.api.types import Day, Email, Id, In, Text
from aftersale.core.enums import Department, Direction
from aftersale.promises.actions import (
    PromiseConflict,
    do_change_status,
    do_edit_promise,
    do_record_promise,
)
from aftersale.promises.forms import PromiseEditForm, PromiseForm, StatusForm
from aftersale.promises.models import Promise, PromiseEvent, PromiseStatus, Stage
from aftersale.staff.models import User

router = Router()

FIELDS = ("id", "external_id", "contact", "direction", "description", "stage", "made_at",
          "made_by_department", "due_at", "original_due_at", "delivery_department", "status",
          "delivered_at", "closed_at", "evidence",
          "renegotiations", "version", "created_at", "updated_at")
RENAME = {"made_by": "made_by_email", "delivery_owner": "delivery_owner_email"}


def promise_rows(queryset: QuerySet[Promise]) -> QuerySet:
    return queryset.values(*FIELDS, "account", **ACCOUNT_REF,
                           made_by_email=F("made_by__email"), delivery_owner_email=F("delivery_owner__email"))


def one_promise(pk: int) -> dict[str, Any]:
    return promise_rows(Promise.objects.filter(pk=pk)).get()


def event_rows(events: list[PromiseEvent]) -> list[dict[str, Any]]:
    return [
        {
            "version": e.version, "at": e.at, "by_email": e.by.email if e.by else None, "action": e.action,
            "changes": [{"field": label, "old": old, "new": new} for label, old, new in e.change_rows()],
            "note": e.note,
        }
        for e in events
    ]


def conflict(error: PromiseConflict) -> Conflict:
    current = Promise.objects.filter(pk=error.promise_id).values_list("version", flat=True).first() or 0
    return Conflict(error.message(), code="version_conflict",
                    extra={"current_version": current, "changes": event_rows(error.events)})


class PromiseFilters(AccountListFilters):
    status: PromiseStatus | None = None
    delivery_owner_email: Email | None = None


@router.get("", response={200: PromisePage, **READ}, summary="List promises")
def list_promises(request: HttpRequest, filters: Query[PromiseFilters]) -> dict[str, Any]:
    promises = since(Promise.objects.restrict(staff(request)), filters.updated_since)
    if filters.external_id is not None:
        promises = promises.filter(external_id=filters.external_id)
    if filters.account:
        promises = promises.filter(account_id=filters.account)
    if filters.status:
        promises = promises.filter(status=filters.status)
    if filters.delivery_owner_email:
        promises = promises.filter(delivery_owner__email=filters.delivery_owner_email.strip().lower())
    items, cursor = page(promise_rows(promises), limit=filters.limit, cursor=filters.cursor)
    return {"items": items, "next_cursor": cursor}


@router.get("/{promise_id}", response={200: PromiseOut, **ONE}, summary="One promise")
def get_promise(request: HttpRequest, promise_id: Id) -> dict[str, Any]:
    return get_or_404(promise_rows(Promise.objects.restrict(staff(request))), promise_id)


@router.get("/{promise_id}/history", response={200: list[PromiseEventOut], **ONE},
            summary="A promise's history, oldest first")
def promise_history(request: HttpRequest, promise_id: Id) -> list[dict[str, Any]]:
    promise = get_or_404(Promise.objects.restrict(staff(request)), promise_id)
    return event_rows(list(promise.events.select_related("by").order_by("at", "pk")))


class PromiseIn(In):
    account: Id
    external_id: Text | None = Field(None, max_length=100, description="Generated when left out.")
    description: Text
    stage: Stage
    due_at: Day
    delivery_owner_email: Email = Field(description="Who must deliver it (active staff).")
    delivery_department: Department
    made_at: Day | None = Field(None, description="Today when left out.")
    made_by_email: Email | None = Field(None, description="The token's user when left out.")
    made_by_department: Department | None = Field(None, description="The maker's department when left out.")
    contact: Id | None = Field(None, description="Promised to this contact of the account.")
    direction: Direction | None = Field(None, description="from_us, or to_us for a supplier's promise; "
                                        "by the account's kind when left out.")


@router.post("", response={201: PromiseOut, **WRITE}, summary="Record a promise")
@transaction.atomic
def create_promise(request: HttpRequest, payload: PromiseIn) -> tuple[int, dict[str, Any]]:
    user = staff(request)
    data = payload.model_dump(mode="json")
    account = account_for_write(request, data.pop("account"))
    external_id = data.pop("external_id")
    check_external_id(Promise, external_id)
    found = people({"made_by_email": data.pop("made_by_email") or user.email,
                    "delivery_owner_email": data.pop("delivery_owner_email")})
    data["made_by"], data["delivery_owner"] = found["made_by_email"], found["delivery_owner_email"]
    data["made_at"] = data["made_at"] or timezone.localdate().isoformat()
    if data["made_by_department"] is None:
        maker = user if data["made_by"] == user.pk else User.objects.get(pk=data["made_by"])
        data["made_by_department"] = maker.department
    if data["direction"] is None:
        data["direction"] = Direction.TO_US if account.kind == AccountKind.SUPPLIER else Direction.FROM_US
    cleaned = valid(PromiseForm(data, account=account, user=user), RENAME)
    try:
        promise = do_record_promise(account=account, by=user, external_id=external_id or None, **cleaned)
    except ValidationError as error:
        raise invalid_from_django(error, RENAME) from None
    return 201, one_promise(promise.pk)


class PromisePatch(In):
    version: int = Field(ge=1, le=2**31 - 1, description="The version you last read.")
    note: Text = Field("", description="Why the change; kept in the history.")
    description: Text | None = None
    stage: Stage | None = None
    made_at: Day | None = None
    made_by_email: Email | None = None
    made_by_department: Department | None = None
    delivery_owner_email: Email | None = None
    delivery_department: Department | None = None
    contact: Id | None = None
    direction: Direction | None = None


@router.patch("/{promise_id}", response={200: PromiseOut, **VERSIONED},
              summary="Change what was recorded (not the status or due date)")
@transaction.atomic
def update_promise(request: HttpRequest, promise_id: Id, payload: PromisePatch) -> dict[str, Any]:
    user = staff(request)
    promise = get_or_404(Promise.objects.restrict(user).select_related("account"), promise_id)
    changes = not_null(payload.model_dump(mode="json", exclude_unset=True), ("contact",))
    emails = {k: changes.pop(k) for k in ("made_by_email", "delivery_owner_email") if k in changes}
    for field, pk in people(emails).items():
        changes[field.removesuffix("_email")] = pk
    base = current_values(PromiseEditForm(instance=promise, account=promise.account, user=user))
    form = PromiseEditForm({**base, **changes}, instance=promise, account=promise.account, user=user)
    cleaned = valid(form, RENAME)
    try:
        do_edit_promise(promise, by=user, expected_version=cleaned["version"], values=form.changed_values(),
                        note=cleaned["note"])
    except PromiseConflict as error:
        raise conflict(error) from None
    except ValidationError as error:
        raise invalid_from_django(error, RENAME) from None
    return one_promise(promise.pk)


class PromiseStatusIn(In):
    version: int = Field(ge=1, le=2**31 - 1, description="The version you last read.")
    status: PromiseStatus
    delivered_at: Day | None = Field(None, description="Kept or kept late: the day it was delivered.")
    evidence: Text = Field("", description="Kept or kept late: delivery note, sign-off, ticket.")
    new_due_at: Day | None = Field(None, description="Renegotiated: the date agreed with the customer.")
    closed_at: Day | None = Field(None, description="Broken or cancelled: the day (today when left out).")
    note: Text = ""


@router.post("/{promise_id}/status", response={200: PromiseOut, **VERSIONED},
             summary="Move a promise on: kept, late, broken, renegotiated, cancelled")
@transaction.atomic
def change_promise_status(request: HttpRequest, promise_id: Id, payload: PromiseStatusIn) -> dict[str, Any]:
    user = staff(request)
    promise = get_or_404(Promise.objects.restrict(user).select_related("account"), promise_id)
    cleaned = valid(StatusForm(payload.model_dump(mode="json"), promise=promise))
    try:
        do_change_status(promise, by=user, **cleaned)
    except PromiseConflict as error:
        raise conflict(error) from None
    except ValidationError as error:
        raise invalid_from_django(error) from None
    return one_promise(promise.pk)

