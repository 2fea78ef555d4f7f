"""What the API returns: error bodies and one schema per resource.

Field names follow the CSV import where both exist (``owner_email``,
``made_by_email``); enumerations carry their file/API values (DESIGN.md).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from aftersale.accounts.models import AccountKind, Industry, Tier
from aftersale.alerts.models import AlertKind
from aftersale.commerce.models import Channel, ProductKind
from aftersale.core.enums import Currency, Department, Direction
from aftersale.engagement.models import InitiatedBy, Topic, TopicClass, TouchpointKind
from aftersale.health.models import Band, Trend
from aftersale.promises.models import EventAction, PromiseStatus, Stage
from aftersale.reviews.models import Attribute, Outcome, ReviewStatus
from aftersale.service.models import AssetStatus, CaseChannel, CaseKind, CaseStatus, Severity
from aftersale.staff.models import Role


class Out(BaseModel):
    """A response body. Plain pydantic (not ninja.Schema): the API returns dicts, so
    ninja's attribute getter, which costs a wrapper per object, is not needed."""


# --- errors -----------------------------------------------------------------------------------


class Error(Out):
    detail: str = Field(description="What went wrong, in words.")
    code: str = Field(description="A stable code for programs, e.g. invalid_token, not_found.")


class FieldError(Out):
    field: str | None = Field(description="The field (dotted for nested values); null for the whole request.")
    message: str
    code: str


class InvalidError(Out):
    detail: str
    code: str
    errors: list[FieldError]


class PromiseChange(Out):
    field: str
    old: str | None
    new: str | None


class PromiseEventOut(Out):
    version: int
    at: datetime
    by_email: str | None
    action: EventAction
    changes: list[PromiseChange]
    note: str


class VersionConflict(Out):
    detail: str
    code: str
    current_version: int
    changes: list[PromiseEventOut] = Field(description="What others changed since your version.")


# --- people -----------------------------------------------------------------------------------


class MeOut(Out):
    email: str
    name: str
    role: Role
    department: Department
    language: str


# --- accounts and contacts ----------------------------------------------------------------------


class AccountOut(Out):
    id: int
    external_id: str
    name: str
    kind: AccountKind
    industry: Industry
    tier: Tier
    owner_email: str
    currency: Currency
    city: str
    country: str
    customer_since: date | None
    notes: str
    created_at: datetime
    updated_at: datetime


class ContactOut(Out):
    id: int
    external_id: str
    account: int
    account_external_id: str
    name: str
    email: str
    phone: str
    role: str
    is_active: bool
    portal_enabled: bool
    created_at: datetime
    updated_at: datetime


# --- commerce ---------------------------------------------------------------------------------


class ProductOut(Out):
    id: int
    external_id: str
    name: str
    kind: ProductKind
    list_price: Decimal
    unit_cost: Decimal
    service_cost_per_year: Decimal
    life_years: int | None
    currency: Currency
    is_active: bool
    created_at: datetime
    updated_at: datetime


class OrderLineOut(Out):
    product: int
    product_external_id: str
    quantity: Decimal
    unit_price: Decimal
    unit_cost: Decimal | None


class OrderOut(Out):
    id: int
    external_id: str
    account: int
    account_external_id: str
    placed_at: datetime
    total: Decimal
    currency: Currency
    channel: Channel
    placed_by: int | None = Field(description="The contact who placed it.")
    taken_by_email: str | None
    note: str
    lines: list[OrderLineOut]
    created_at: datetime
    updated_at: datetime


# --- service ----------------------------------------------------------------------------------


class AssetOut(Out):
    id: int
    external_id: str
    account: int
    account_external_id: str
    product: int
    product_external_id: str
    serial: str
    location: str
    installed_at: date | None
    warranty_until: date | None
    status: AssetStatus
    created_at: datetime
    updated_at: datetime


class CaseOut(Out):
    id: int
    external_id: str
    account: int
    account_external_id: str
    asset: int | None
    kind: CaseKind
    is_complaint: bool
    severity: Severity
    channel: CaseChannel
    status: CaseStatus
    title: str
    description: str
    raised_by: int | None = Field(description="The contact who raised it.")
    assigned_to_email: str | None
    opened_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    response_breached: bool
    resolution_breached: bool
    created_at: datetime
    updated_at: datetime


class CommentOut(Out):
    id: int
    case: int
    body: str
    is_internal: bool
    author_email: str | None
    created_at: datetime


# --- engagement -------------------------------------------------------------------------------


class ParticipantOut(Out):
    email: str | None
    department: Department


class TouchpointOut(Out):
    id: int
    external_id: str
    account: int
    account_external_id: str
    occurred_at: datetime
    kind: TouchpointKind
    initiated_by: InitiatedBy
    minutes: int
    topic: Topic
    topic_class: TopicClass
    summary: str
    participants: list[ParticipantOut]
    contacts: list[int]
    logged_by_email: str | None
    created_at: datetime
    updated_at: datetime


# --- promises ---------------------------------------------------------------------------------


class PromiseOut(Out):
    id: int
    external_id: str
    account: int
    account_external_id: str
    contact: int | None
    direction: Direction
    description: str
    stage: Stage
    made_at: date
    made_by_email: str
    made_by_department: Department
    due_at: date
    original_due_at: date | None
    delivery_owner_email: str
    delivery_department: Department
    status: PromiseStatus
    delivered_at: date | None
    closed_at: date | None
    evidence: str
    renegotiations: int
    version: int = Field(description="Send it back with changes: a stale version is a 409.")
    created_at: datetime
    updated_at: datetime


# --- reviews ----------------------------------------------------------------------------------


class RatingOut(Out):
    competitor: str | None = Field(description="The competitor rated; null means us.")
    attribute: Attribute
    score: int


class ReviewOut(Out):
    id: int
    account: int
    account_external_id: str
    reviewer_email: str
    held_at: date
    period_start: date | None
    status: ReviewStatus
    outcome: Outcome | None
    trend_notes: str
    promises_kept: bool | None
    promises_notes: str
    neglect_found: bool | None
    neglect_notes: str
    competitor_notes: str
    next_due_at: date | None
    ratings: list[RatingOut]
    created_at: datetime
    updated_at: datetime


# --- alerts and health ------------------------------------------------------------------------


class AlertOut(Out):
    id: int
    kind: AlertKind
    account: int
    account_external_id: str
    subject: str
    owner_email: str | None
    explanation: str
    action: str
    opened_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by_email: str | None
    resolved_at: datetime | None
    notified_at: datetime | None


class SignalOut(Out):
    name: str
    label: str
    value: float | None = Field(description="0..1, 1 is healthy; null without data.")
    weight: int
    contribution: float | None = Field(description="Points this signal added to the score.")
    explanation: str


class HealthOut(Out):
    account: int
    account_external_id: str
    as_of: date = Field(description="The day of the snapshot (or today, if never scanned).")
    computed_at: datetime = Field(description="The moment the evaluation was made as of.")
    source: str = Field(description="snapshot (stored by the last scan or refresh) or live.")
    score: float | None
    band: Band
    coverage: float
    trend: Trend | None
    signals: list[SignalOut]


class SnapshotSignalOut(Out):
    name: str
    value: float | None
    contribution: float | None


class SnapshotOut(Out):
    as_of: date
    computed_at: datetime
    score: float | None
    band: Band
    coverage: float
    trend: Trend | None
    signals: list[SnapshotSignalOut]


# --- pages ------------------------------------------------------------------------------------


def _page(name: str, item: type[Out]) -> type[Out]:
    return type(name, (Out,), {
        "__annotations__": {"items": list[item], "next_cursor": str | None},
        "__doc__": "One page; pass next_cursor as ?cursor= for the next (null on the last page).",
        "next_cursor": Field(description="Pass as ?cursor= for the next page; null on the last page."),
    })


AccountPage = _page("AccountPage", AccountOut)
ContactPage = _page("ContactPage", ContactOut)
ProductPage = _page("ProductPage", ProductOut)
OrderPage = _page("OrderPage", OrderOut)
AssetPage = _page("AssetPage", AssetOut)
CasePage = _page("CasePage", CaseOut)
TouchpointPage = _page("TouchpointPage", TouchpointOut)
PromisePage = _page("PromisePage", PromiseOut)
ReviewPage = _page("ReviewPage", ReviewOut)
AlertPage = _page("AlertPage", AlertOut)
SnapshotPage = _page("SnapshotPage", SnapshotOut)
