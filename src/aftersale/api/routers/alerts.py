"""Alerts: what needs an owner's action (list, acknowledge)."""


from enum import StrEnum
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from pydantic import Field

from aftersale.alerts.models import Alert, AlertKind
from aftersale.alerts.step_in import StepInRequired, do_acknowledge_alert
from aftersale.alerts.texts import render
from aftersale.api.common import ACCOUNT_REF, ONE, READ, PageFilters, get_or_404, staff
from aftersale.api.errors import Conflict, NotFound
from aftersale.api.paging import page
from aftersale.api.schemas import AlertOut, AlertPage, Error
from aftersale.api.types import Email, Id

router = Router()

FIELDS = ("id", "kind", "subject", "opened_at", "acknowledged_at", "resolved_at", "notified_at")
# What the text is rendered from, in the request's language (Accept-Language, else the token
# holder's language): an alert stores facts, not words.
TEXT_FIELDS = ("params", "stored_explanation", "stored_action")


class AlertState(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    ALL = "all"


def alert_rows(queryset: QuerySet[Alert]) -> QuerySet:
    return queryset.values(*FIELDS, *TEXT_FIELDS, "account", **ACCOUNT_REF,
                           owner_email=F("owner__email"), acknowledged_by_email=F("acknowledged_by__email"))


def with_text(row: dict[str, Any]) -> dict[str, Any]:
    """An alert row with its explanation and suggested action in the active language."""
    text = render(row["kind"], row.pop("params"), stored_explanation=row.pop("stored_explanation"),
                  stored_action=row.pop("stored_action"))
    return {**row, "explanation": text.explanation, "action": text.action}


class AlertFilters(PageFilters):
    state: AlertState = Field(AlertState.OPEN, description="open (default), resolved or all.")
    kind: AlertKind | None = None
    account: Id | None = None
    owner_email: Email | None = None


@router.get("", response={200: AlertPage, **READ}, summary="List alerts")
def list_alerts(request: HttpRequest, filters: Query[AlertFilters]) -> dict[str, Any]:
    """Alerts have no updated_at: ``updated_since`` matches alerts opened, acknowledged or
    resolved at or after that moment. Ordered by id (an alert's place never moves)."""
    alerts = Alert.objects.restrict(staff(request))
    if filters.state == AlertState.OPEN:
        alerts = alerts.open()
    elif filters.state == AlertState.RESOLVED:
        alerts = alerts.filter(resolved_at__isnull=False)
    if filters.updated_since:
        moment = filters.updated_since
        alerts = alerts.filter(Q(opened_at__gte=moment) | Q(acknowledged_at__gte=moment)
                               | Q(resolved_at__gte=moment))
    if filters.kind:
        alerts = alerts.filter(kind=filters.kind)
    if filters.account:
        alerts = alerts.filter(account_id=filters.account)
    if filters.owner_email:
        alerts = alerts.filter(owner__email=filters.owner_email.strip().lower())
    items, cursor = page(alert_rows(alerts), limit=filters.limit, cursor=filters.cursor, keys=("pk",),
                         kinds=(int,))
    return {"items": [with_text(row) for row in items], "next_cursor": cursor}


@router.get("/{alert_id}", response={200: AlertOut, **ONE}, summary="One alert")
def get_alert(request: HttpRequest, alert_id: Id) -> dict[str, Any]:
    return with_text(get_or_404(alert_rows(Alert.objects.restrict(staff(request))), alert_id))


@router.post("/{alert_id}/acknowledge", response={200: AlertOut, **ONE, 409: Error},
             summary="Acknowledge an open alert ('I'm on it')")
def acknowledge_alert(request: HttpRequest, alert_id: Id) -> dict[str, Any]:
    """As on the attention list: the alert moves to "in hand" and stays open until its
    condition stops. Acknowledging twice keeps the first acknowledgement. Silence and
    quiet-customer alerts cannot be acknowledged (409, code ``step_in_required``): they
    close only when a visit, meeting or call with the customer is logged."""
    user = staff(request)
    alert = Alert.objects.restrict(user).open().filter(pk=alert_id).first()
    if alert is None:
        raise NotFound(_("No open alert with id %(id)s (or you may not see it).") % {"id": alert_id})
    try:
        do_acknowledge_alert(alert, user)
    except StepInRequired as exc:
        raise Conflict(str(exc), code="step_in_required") from None
    return with_text(alert_rows(Alert.objects.filter(pk=alert_id)).get())
