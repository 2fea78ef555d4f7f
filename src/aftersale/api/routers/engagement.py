"""Touchpoints: who met the account, for how long, about what (P15, P17)."""


from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from aftersale.api.common import (
    ACCOUNT_REF,
    ONE,
    READ,
    WRITE,
    AccountListFilters,
    account_for_write,
    check_external_id,
    get_or_404,
    people,
    since,
    staff,
    valid,
    visible_accounts,
)
from aftersale.api.errors import invalid_from_django
from aftersale.api.paging import page
from aftersale.api.schemas import TouchpointOut, TouchpointPage
from aftersale.api.types import Email, Id, In, Moment, Text
from aftersale.core.enums import Department
from aftersale.engagement.actions import do_log_touchpoint
from aftersale.engagement.forms import TouchpointForm
from aftersale.engagement.models import (
    InitiatedBy,
    Topic,
    Touchpoint,
    TouchpointKind,
    TouchpointParticipant,
)

router = Router()

FIELDS = ("id", "external_id", "occurred_at", "kind", "initiated_by", "minutes", "topic", "topic_class",
          "summary", "created_at", "updated_at")


def touchpoint_rows(queryset: QuerySet[Touchpoint]) -> QuerySet:
    return queryset.values(*FIELDS, "account", **ACCOUNT_REF,
                           logged_by_email=F("logged_by__email"))


def with_people(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Participants and contacts of a whole page in two queries."""
    ids = [r["id"] for r in rows]
    participants: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for p in TouchpointParticipant.objects.filter(touchpoint_id__in=ids).order_by("pk").values(
        "touchpoint_id", "department", email=F("user__email")
    ):
        participants[p.pop("touchpoint_id")].append(p)
    contacts: dict[int, list[int]] = defaultdict(list)
    for touchpoint_id, contact_id in Touchpoint.contacts.through.objects.filter(
        touchpoint_id__in=ids
    ).order_by("pk").values_list("touchpoint_id", "contact_id"):
        contacts[touchpoint_id].append(contact_id)
    for row in rows:
        row["participants"] = participants[row["id"]]
        row["contacts"] = contacts[row["id"]]
    return rows


def visible_touchpoints(request: HttpRequest) -> QuerySet[Touchpoint]:
    return Touchpoint.objects.filter(account__in=visible_accounts(request))


@router.get("", response={200: TouchpointPage, **READ}, summary="List touchpoints")
def list_touchpoints(request: HttpRequest, filters: Query[AccountListFilters]) -> dict[str, Any]:
    touchpoints = since(visible_touchpoints(request), filters.updated_since)
    if filters.external_id is not None:
        touchpoints = touchpoints.filter(external_id=filters.external_id)
    if filters.account:
        touchpoints = touchpoints.filter(account_id=filters.account)
    items, cursor = page(touchpoint_rows(touchpoints), limit=filters.limit, cursor=filters.cursor)
    return {"items": with_people(items), "next_cursor": cursor}


@router.get("/{touchpoint_id}", response={200: TouchpointOut, **ONE}, summary="One touchpoint")
def get_touchpoint(request: HttpRequest, touchpoint_id: Id) -> dict[str, Any]:
    row = get_or_404(touchpoint_rows(visible_touchpoints(request)), touchpoint_id)
    return with_people([row])[0]


class TouchpointIn(In):
    account: Id
    external_id: Text | None = Field(None, max_length=100, description="Generated when left out.")
    occurred_at: Moment
    kind: TouchpointKind
    initiated_by: InitiatedBy
    minutes: int = Field(ge=0, le=1440)
    topic: Topic
    summary: Text = ""
    participant_emails: list[Email] = Field(default_factory=list, max_length=100,
                                            description="Our people who took part.")
    department: Department | None = Field(
        None, description="The department they all represented; each person's own when left out."
    )
    contacts: list[Id] = Field(default_factory=list, max_length=100,
                               description="The account's people present (contacts of the same account).")


RENAME = {"participants": "participant_emails"}


@router.post("", response={201: TouchpointOut, **WRITE}, summary="Log a touchpoint")
@transaction.atomic
def create_touchpoint(request: HttpRequest, payload: TouchpointIn) -> tuple[int, dict[str, Any]]:
    user = staff(request)
    data = payload.model_dump(mode="json")
    account = account_for_write(request, data.pop("account"))
    external_id = data.pop("external_id")
    check_external_id(Touchpoint, external_id)
    emails = data.pop("participant_emails")
    data["participants"] = people({"participant_emails": emails})["participant_emails"]
    data["department"] = data["department"] or ""
    cleaned = valid(TouchpointForm(data, account=account, user=user), RENAME)
    try:
        touchpoint = do_log_touchpoint(account=account, by=user, external_id=external_id, **cleaned)
    except ValidationError as error:
        raise invalid_from_django(error, RENAME) from None
    return 201, with_people([touchpoint_rows(Touchpoint.objects.filter(pk=touchpoint.pk)).get()])[0]
