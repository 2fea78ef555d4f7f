"""Installed assets (read) and service cases (open, change, move on, comment).

Cases go through the service app's own forms and ``do_*`` actions, so targets,
clocks, breach flags and asset updates happen exactly as on the service pages.
"""


from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from pydantic import Field

from aftersale.api.common import (
    ACCOUNT_REF,
    ONE,
    READ,
    WRITE,
    WRITE_ONE,
    AccountListFilters,
    account_for_write,
    check_external_id,
    get_or_404,
    not_null,
    people,
    since,
    staff,
    valid,
    visible_accounts,
)
from aftersale.api.errors import invalid_from_django
from aftersale.api.paging import page
from aftersale.api.schemas import AssetOut, AssetPage, CaseOut, CasePage, CommentOut
from aftersale.api.types import Email, Id, In, Moment, Text
from aftersale.service import actions
from aftersale.service.forms import CommentForm, EditCaseForm, OpenCaseForm
from aftersale.service.models import (
    Asset,
    AssetStatus,
    CaseChannel,
    CaseKind,
    CaseStatus,
    ServiceCase,
    Severity,
)

assets_router = Router()
cases_router = Router()

ASSET_FIELDS = ("id", "external_id", "product", "serial", "location", "installed_at", "warranty_until",
                "status", "created_at", "updated_at")


class AssetFilters(AccountListFilters):
    status: AssetStatus | None = None


def _filtered(queryset: QuerySet, filters: AccountListFilters) -> QuerySet:
    queryset = since(queryset, filters.updated_since)
    if filters.external_id is not None:
        queryset = queryset.filter(external_id=filters.external_id)
    if filters.account:
        queryset = queryset.filter(account_id=filters.account)
    return queryset


def asset_rows(queryset: QuerySet[Asset]) -> QuerySet:
    return queryset.values(*ASSET_FIELDS, "account", **ACCOUNT_REF,
                           product_external_id=F("product__external_id"))


@assets_router.get("", response={200: AssetPage, **READ}, summary="List installed assets")
def list_assets(request: HttpRequest, filters: Query[AssetFilters]) -> dict[str, Any]:
    assets = _filtered(Asset.objects.filter(account__in=visible_accounts(request)), filters)
    if filters.status:
        assets = assets.filter(status=filters.status)
    items, cursor = page(asset_rows(assets), limit=filters.limit, cursor=filters.cursor)
    return {"items": items, "next_cursor": cursor}


@assets_router.get("/{asset_id}", response={200: AssetOut, **ONE}, summary="One asset")
def get_asset(request: HttpRequest, asset_id: Id) -> dict[str, Any]:
    return get_or_404(asset_rows(Asset.objects.filter(account__in=visible_accounts(request))), asset_id)


# --- cases --------------------------------------------------------------------------------------

CASE_FIELDS = ("id", "external_id", "asset", "kind", "is_complaint", "severity", "channel", "status", "title",
               "description", "raised_by", "opened_at", "first_response_at", "resolved_at", "closed_at",
               "response_due_at", "resolution_due_at", "response_breached", "resolution_breached",
               "created_at", "updated_at")


def case_rows(queryset: QuerySet[ServiceCase]) -> QuerySet:
    return queryset.values(*CASE_FIELDS, "account", **ACCOUNT_REF,
                           assigned_to_email=F("assigned_to__email"))


def one_case(pk: int) -> dict[str, Any]:
    return case_rows(ServiceCase.objects.filter(pk=pk)).get()


class CaseFilters(AccountListFilters):
    status: CaseStatus | None = None
    open: bool | None = Field(None, description="true: new, in progress or waiting; false: the others.")


@cases_router.get("", response={200: CasePage, **READ}, summary="List service cases")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    cases = _filtered(actions.cases_for(staff(request)), filters)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.open is not None:
        opened = cases.filter(status__in=CaseStatus.open())
        cases = opened if filters.open else cases.exclude(status__in=CaseStatus.open())
    items, cursor = page(case_rows(cases), limit=filters.limit, cursor=filters.cursor)
    return {"items": items, "next_cursor": cursor}


@cases_router.get("/{case_id}", response={200: CaseOut, **ONE}, summary="One service case")
def get_case(request: HttpRequest, case_id: Id) -> dict[str, Any]:
    return get_or_404(case_rows(actions.cases_for(staff(request))), case_id)


class CaseIn(In):
    account: Id
    external_id: Text | None = Field(None, max_length=100, description="Generated when left out.")
    kind: CaseKind
    title: Text = Field(max_length=200)
    description: Text = ""
    is_complaint: bool = False
    severity: Severity = Severity.NORMAL
    channel: CaseChannel = CaseChannel.PHONE
    raised_by: Id | None = Field(None, description="A contact of the same account.")
    assigned_to_email: Email | None = None
    serial: Text = Field("", max_length=100, description="The equipment concerned, by serial number.")
    product: Id | None = Field(None, description="For an installation of new equipment.")
    location: Text = Field("", max_length=200)
    asset_down: bool = Field(False, description="Repair: the equipment is down.")
    opened_at: Moment | None = Field(None, description="Now when left out.")


RENAME = {"assigned_to": "assigned_to_email"}


@cases_router.post("", response={201: CaseOut, **WRITE}, summary="Open a service case")
@transaction.atomic
def create_case(request: HttpRequest, payload: CaseIn) -> tuple[int, dict[str, Any]]:
    user = staff(request)
    data = payload.model_dump(mode="json")
    account = account_for_write(request, data["account"])
    check_external_id(ServiceCase, data.pop("external_id"))
    data["assigned_to"] = people({"assigned_to_email": data.pop("assigned_to_email")})["assigned_to_email"]
    data["opened_at"] = data["opened_at"] or timezone.now().isoformat()
    form = OpenCaseForm(data, user=user, account=account)
    cleaned = valid(form, RENAME)
    try:
        case = actions.do_open_case(**{**cleaned, "account": account}, by=user,
                                    external_id=payload.external_id or "")
    except ValidationError as error:
        raise invalid_from_django(error, RENAME) from None
    return 201, one_case(case.pk)


class CasePatch(In):
    title: Text | None = Field(None, max_length=200)
    severity: Severity | None = Field(None, description="A new severity brings its targets.")
    is_complaint: bool | None = None
    assigned_to_email: Email | None = None
    description: Text | None = None


@cases_router.patch("/{case_id}", response={200: CaseOut, **WRITE_ONE}, summary="Change a service case")
@transaction.atomic
def update_case(request: HttpRequest, case_id: Id, payload: CasePatch) -> dict[str, Any]:
    case = get_or_404(actions.cases_for(staff(request)), case_id)
    changes = not_null(payload.model_dump(mode="json", exclude_unset=True), ("assigned_to_email",))
    if "assigned_to_email" in changes:
        changes["assigned_to"] = people({"assigned_to_email": changes.pop("assigned_to_email")})[
            "assigned_to_email"]
    current = {"title": case.title, "severity": case.severity, "is_complaint": case.is_complaint,
               "assigned_to": case.assigned_to_id, "description": case.description}
    cleaned = valid(EditCaseForm({**current, **changes}), RENAME)
    actions.do_edit_case(case, **cleaned)
    return one_case(case.pk)


class CaseStatusIn(In):
    status: CaseStatus
    at: Moment | None = Field(None, description="When it changed; now when left out.")


@cases_router.post("/{case_id}/status", response={200: CaseOut, **WRITE_ONE},
                   summary="Move a case to another status")
@transaction.atomic
def change_case_status(request: HttpRequest, case_id: Id, payload: CaseStatusIn) -> dict[str, Any]:
    case = get_or_404(actions.cases_for(staff(request)), case_id)
    try:
        actions.do_change_status(case, payload.status, at=payload.at, by=staff(request))
    except ValidationError as error:
        raise invalid_from_django(error) from None
    return one_case(case.pk)


class CommentIn(In):
    body: Text = Field(max_length=20000)
    is_internal: bool = Field(False, description="Staff only; a visible comment is also our first response.")


@cases_router.post("/{case_id}/comments", response={201: CommentOut, **WRITE_ONE},
                   summary="Comment on a case")
@transaction.atomic
def comment_case(request: HttpRequest, case_id: Id, payload: CommentIn) -> tuple[int, dict[str, Any]]:
    case = get_or_404(actions.cases_for(staff(request)), case_id)
    cleaned = valid(CommentForm(payload.model_dump(mode="json")))
    try:
        comment = actions.do_add_comment(case, body=cleaned["body"], by=staff(request),
                                         is_internal=cleaned["is_internal"])
    except ValidationError as error:
        raise invalid_from_django(error) from None
    return 201, {"id": comment.pk, "case": case.pk, "body": comment.body, "is_internal": comment.is_internal,
                 "author_email": staff(request).email, "created_at": comment.created_at}
