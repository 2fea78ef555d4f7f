"""Changes to service data, each all-or-nothing.

``access_*`` fetch with a permission check (another account's object is a 404),
``check_*`` validate, ``do_*`` perform and record a change. Bad input raises
``ValidationError`` keyed by the form field it concerns, before anything is
written; every ``do_*`` runs in one transaction, and each change tells
``core.changes`` which account it touched (its score and alerts are refreshed
once the transaction commits).
"""

from __future__ import annotations

import calendar
import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.accounts.models import Account, Contact
from aftersale.commerce.models import Product
from aftersale.commerce.money import round_money
from aftersale.core.changes import account_changed
from aftersale.core.enums import Department
from aftersale.service.clock import CaseClock
from aftersale.service.conf import service_setting
from aftersale.service.models import (
    CASE_TRANSITIONS,
    Asset,
    AssetStatus,
    CaseAttachment,
    CaseChannel,
    CaseComment,
    CaseKind,
    CaseStatus,
    CaseStatusChange,
    MaintenancePlan,
    ServiceCase,
    Severity,
    WorkLog,
)
from aftersale.service.targets import clocks_for, targets_by_severity

# Browsers' and phones' clocks drift: a moment this little in the future is "now".
CLOCK_SLACK = timedelta(minutes=5)


# --- access ---------------------------------------------------------------------------------

def cases_for(user) -> QuerySet[ServiceCase]:
    return ServiceCase.objects.filter(account__in=Account.objects.restrict(user))


def access_case(user, pk: int) -> ServiceCase:
    return get_object_or_404(
        cases_for(user).select_related(
            "account", "asset__product", "raised_by", "assigned_to", "maintenance_plan"
        ),
        pk=pk,
    )


def access_asset(user, pk: int) -> Asset:
    return get_object_or_404(
        Asset.objects.filter(account__in=Account.objects.restrict(user)).select_related(
            "account", "product"
        ),
        pk=pk,
    )


# --- checks ---------------------------------------------------------------------------------

def check_moment(at: datetime, *, field: str, not_before: datetime | None = None,
                 not_before_what: str = "") -> None:
    """A moment given by a user: not in the future, not before what it follows."""
    if timezone.is_naive(at):
        raise ValidationError({field: _("Give a date and time with a time zone.")})
    if at > timezone.now() + CLOCK_SLACK:
        raise ValidationError({field: _("This cannot be in the future.")})
    if not_before is not None and at < not_before:
        when = timezone.localtime(not_before).strftime("%Y-%m-%d %H:%M")
        raise ValidationError(
            {field: _("This cannot be before %(what)s (%(when)s).") % {"what": not_before_what, "when": when}}
        )


def check_asset(account: Account, *, asset: Asset | None = None, serial: str = "",
                product: Product | None = None) -> Asset | None:
    """The account's asset given directly or by serial number (and product, if several match)."""
    if asset is not None:
        if asset.account_id != account.pk:
            raise ValidationError({"serial": _("That asset belongs to another account.")})
        return asset
    serial = serial.strip()
    if not serial:
        return None
    matches = Asset.objects.filter(serial=serial)
    if product is not None:
        matches = matches.filter(product=product)
    mine = [a for a in matches if a.account_id == account.pk]
    if len(mine) == 1:
        return mine[0]
    if len(mine) > 1:
        raise ValidationError({"product": _("Several assets have serial %(serial)s: choose the product.")
                               % {"serial": serial}})
    if matches:
        raise ValidationError({"serial": _("Serial %(serial)s belongs to another account's equipment.")
                               % {"serial": serial}})
    raise ValidationError({"serial": _("No equipment with serial %(serial)s at %(account)s.")
                           % {"serial": serial, "account": account.name}})


# --- the clock ------------------------------------------------------------------------------

def _snapshot_targets(case: ServiceCase) -> None:
    target = targets_by_severity().get(case.severity)
    case.response_target_hours, case.resolution_target_hours = target if target else (None, None)


def refresh_clock(case: ServiceCase) -> CaseClock | None:
    """Store the case's due times and breach flags as of now (saving the case)."""
    clock = clocks_for([case], timezone.now()).get(case.pk)
    if clock is not None:
        if clock.response is not None:
            case.response_due_at = clock.response.due_at
            case.response_breached = clock.response.breached
        if clock.resolution is not None:
            case.resolution_due_at = clock.resolution.due_at
            case.resolution_breached = clock.resolution.breached
    case.save()
    return clock


def do_refresh_breach_flags(now: datetime | None = None) -> int:
    """Flag running cases whose stored due time has passed (two UPDATEs for the whole portfolio).

    Due times of running cases are exact (they change only when the status
    does), so no clock needs recomputing; cases waiting on the customer are
    left alone because their clock is stopped.
    """
    now = now or timezone.now()
    running = ServiceCase.objects.filter(status__in=[CaseStatus.NEW, CaseStatus.IN_PROGRESS])
    flagged = running.filter(
        first_response_at__isnull=True, response_breached=False, response_due_at__lt=now
    ).update(response_breached=True)
    flagged += running.filter(resolution_breached=False, resolution_due_at__lt=now).update(
        resolution_breached=True
    )
    return flagged


def do_store_clocks(case_ids: Iterable[int] | None = None, *, batch_size: int = 2000) -> int:
    """Compute and store targets, due times and breach flags of cases made outside ``do_open_case``.

    For imports and generated data: cases without stored due times get the
    targets of their severity and their clock as of now, in batches (a few
    queries per batch). Returns the number of cases updated.
    """
    cases = ServiceCase.objects.filter(
        Q(response_due_at__isnull=True) | Q(resolution_due_at__isnull=True)
    )
    if case_ids is not None:
        cases = cases.filter(pk__in=list(case_ids))
    targets = targets_by_severity()
    now = timezone.now()
    fields = ["response_target_hours", "resolution_target_hours", "response_due_at",
              "resolution_due_at", "response_breached", "resolution_breached"]
    updated, last_pk = 0, 0
    while True:
        batch = list(cases.filter(pk__gt=last_pk, opened_at__lte=now).order_by("pk")[:batch_size])
        if not batch:
            return updated
        last_pk = batch[-1].pk
        for case in batch:
            if case.response_target_hours is None and case.severity in targets:
                case.response_target_hours, case.resolution_target_hours = targets[case.severity]
        clocks = clocks_for(batch, now)
        for case in batch:
            clock = clocks[case.pk]
            if clock.response is not None:
                case.response_due_at, case.response_breached = clock.response.due_at, clock.response.breached
            if clock.resolution is not None:
                case.resolution_due_at = clock.resolution.due_at
                case.resolution_breached = clock.resolution.breached
        _update_columns(batch, fields)
        updated += len(batch)


def _update_columns(cases: list[ServiceCase], fields: list[str]) -> None:
    """One parameterised UPDATE per case, sent with executemany.

    ``bulk_update`` builds a CASE expression over the whole batch, whose cost
    grows with the square of the batch: too slow for a large import.
    """
    meta = ServiceCase._meta
    model_fields = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    # Only quoted names from the model's own metadata go into the text; values are parameters.
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        quote(meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in model_fields),
        quote(meta.pk.column),
    )
    params = [
        [f.get_db_prep_save(getattr(case, f.attname), connection) for f in model_fields] + [case.pk]
        for case in cases
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# --- cases ----------------------------------------------------------------------------------

@transaction.atomic
def do_open_case(
    *, account: Account, kind: str, title: str, by, opened_at: datetime | None = None,
    severity: str = Severity.NORMAL, channel: str = CaseChannel.PHONE, is_complaint: bool = False,
    description: str = "", raised_by: Contact | None = None, assigned_to=None,
    asset: Asset | None = None, serial: str = "", product: Product | None = None,
    location: str = "", maintenance_plan: MaintenancePlan | None = None, asset_down: bool = False,
    external_id: str = "",
) -> ServiceCase:
    """Open a case and start its clock.

    An installation case names the equipment by product and serial: an asset
    the account already has is linked (and reactivated when the installation
    is resolved); a new serial creates the asset, awaiting installation.
    """
    opened_at = opened_at or timezone.now()
    check_moment(opened_at, field="opened_at")
    if kind not in CaseKind.values:
        raise ValidationError({"kind": _("Unknown kind of case.")})
    if raised_by is not None and raised_by.account_id != account.pk:
        raise ValidationError({"raised_by": _("That contact works for another account.")})
    if kind == CaseKind.INSTALLATION and asset is None and serial.strip():
        asset = _asset_to_install(account, serial.strip(), product, location)
    else:
        asset = check_asset(account, asset=asset, serial=serial, product=product)
    if maintenance_plan is not None and (asset is None or not _plan_covers(maintenance_plan, asset)):
        raise ValidationError({"maintenance_plan": _("That plan does not cover this equipment.")})
    case = ServiceCase(
        account=account, kind=kind, title=title, opened_at=opened_at, severity=severity,
        channel=channel, is_complaint=is_complaint, description=description, raised_by=raised_by,
        assigned_to=assigned_to, asset=asset, maintenance_plan=maintenance_plan,
    )
    if external_id:
        case.external_id = external_id
    _snapshot_targets(case)
    case.save()
    CaseStatusChange.objects.create(case=case, at=opened_at, from_status="", to_status=CaseStatus.NEW, by=by)
    if kind == CaseKind.REPAIR and asset_down and asset is not None:
        Asset.objects.filter(pk=asset.pk).update(status=AssetStatus.IN_REPAIR)
        asset.status = AssetStatus.IN_REPAIR
    refresh_clock(case)
    account_changed(account.pk)
    return case


def _asset_to_install(account: Account, serial: str, product: Product | None, location: str) -> Asset:
    existing = Asset.objects.filter(serial=serial)
    if product is not None:
        existing = existing.filter(product=product)
    mine = [a for a in existing if a.account_id == account.pk]
    if len(mine) == 1:
        return mine[0]
    if mine:
        raise ValidationError({"product": _("Several assets have serial %(serial)s: choose the product.")
                               % {"serial": serial}})
    if existing:
        raise ValidationError({"serial": _("Serial %(serial)s belongs to another account's equipment.")
                               % {"serial": serial}})
    if product is None:
        raise ValidationError({"product": _("Choose the product being installed.")})
    return Asset.objects.create(
        account=account, product=product, serial=serial, location=location,
        status=AssetStatus.PENDING,
    )


@transaction.atomic
def do_change_status(case: ServiceCase, to_status: str, *, at: datetime | None = None, by) -> ServiceCase:
    """Move a case to another status, record the change, and restart or stop its clock."""
    at = at or timezone.now()
    # Only the case row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of a join.
    case = (ServiceCase.objects.select_for_update(of=("self",))
            .select_related("asset", "maintenance_plan").get(pk=case.pk))
    if to_status not in CASE_TRANSITIONS.get(case.status, ()):
        raise ValidationError({"status": _("A case that is %(from)s cannot become %(to)s.") % {
            "from": CaseStatus(case.status).label, "to": CaseStatus(to_status).label
            if to_status in CaseStatus.values else to_status}})
    last = case.status_changes.order_by("-at", "-pk").values_list("at", flat=True).first()
    check_moment(at, field="at", not_before=max(filter(None, [case.opened_at, last])),
                 not_before_what=_("the case's last change"))
    previous = case.status
    case.status = to_status
    if to_status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        case.first_response_at = case.first_response_at or at
        case.resolved_at = case.resolved_at or at
        if to_status == CaseStatus.CLOSED:
            case.closed_at = at
    elif previous == CaseStatus.RESOLVED:
        case.resolved_at = None  # reopened: the clock runs again from where it stopped
    CaseStatusChange.objects.create(case=case, at=at, from_status=previous, to_status=to_status, by=by)
    if previous in CaseStatus.open() and to_status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        _on_done(case, at)
    refresh_clock(case)
    account_changed(case.account_id)
    return case


def _on_done(case: ServiceCase, at: datetime) -> None:
    """What finishing a case does to its equipment and maintenance plan."""
    asset = case.asset
    if asset is None:
        return
    day = timezone.localdate(at)
    if case.kind == CaseKind.INSTALLATION:
        # First installation dates the asset and starts its warranty; reactivating
        # an asset installed before keeps its original dates.
        asset.status = AssetStatus.ACTIVE
        if asset.installed_at is None:
            asset.installed_at = day
            if asset.warranty_until is None or asset.warranty_until < day:
                asset.warranty_until = add_months(day, _warranty_months())
        asset.save()
    elif case.kind == CaseKind.REPAIR and asset.status == AssetStatus.IN_REPAIR:
        Asset.objects.filter(pk=asset.pk).update(status=AssetStatus.ACTIVE)
    if case.kind == CaseKind.MAINTENANCE and case.maintenance_plan is not None:
        advance_plan(case.maintenance_plan, day)


def _warranty_months() -> int:
    return int(service_setting("WARRANTY_MONTHS"))


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def advance_plan(plan: MaintenancePlan, done_on: date) -> None:
    """A one-asset plan remembers its last visit and when the next is due.

    Product-wide plans keep no dates of their own: each asset's due date is
    read from its completed maintenance cases (see ``maintenance.visits``).
    """
    if plan.asset_id is None:
        return
    if plan.last_done_at is None or done_on >= plan.last_done_at:
        plan.last_done_at = done_on
        plan.next_due_at = done_on + timedelta(days=plan.interval_days)
        plan.save(update_fields=["last_done_at", "next_due_at", "updated_at"])


def _plan_covers(plan: MaintenancePlan, asset: Asset) -> bool:
    return plan.asset_id == asset.pk or (plan.asset_id is None and plan.product_id == asset.product_id)


@transaction.atomic
def do_record_first_response(case: ServiceCase, *, at: datetime | None = None, by) -> ServiceCase:
    """Record that we answered the customer; a new case moves to in progress."""
    at = at or timezone.now()
    case = ServiceCase.objects.select_for_update().get(pk=case.pk)
    if case.first_response_at is not None:
        raise ValidationError({"at": _("The first response is already recorded.")})
    check_moment(at, field="at", not_before=case.opened_at, not_before_what=_("the case was opened"))
    case.first_response_at = at
    if case.status == CaseStatus.NEW:
        CaseStatusChange.objects.create(
            case=case, at=at, from_status=case.status, to_status=CaseStatus.IN_PROGRESS, by=by
        )
        case.status = CaseStatus.IN_PROGRESS
    refresh_clock(case)
    account_changed(case.account_id)
    return case


@transaction.atomic
def do_edit_case(case: ServiceCase, *, title: str, severity: str, is_complaint: bool, assigned_to,
                 description: str = "") -> ServiceCase:
    """Change what the case is about; a new severity brings that severity's targets."""
    case = ServiceCase.objects.select_for_update().get(pk=case.pk)
    severity_changed = severity != case.severity
    case.title, case.severity, case.is_complaint = title, severity, is_complaint
    case.assigned_to, case.description = assigned_to, description
    if severity_changed:
        _snapshot_targets(case)
    refresh_clock(case)
    account_changed(case.account_id)
    return case


@transaction.atomic
def do_add_comment(case: ServiceCase, *, body: str, by, is_internal: bool = False) -> CaseComment:
    """Add a comment; the first one visible to the customer is also our first response."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something.")})
    comment = CaseComment.objects.create(case=case, author=by, body=body, is_internal=is_internal)
    if not is_internal and case.first_response_at is None and case.is_open:
        do_record_first_response(case, at=comment.created_at, by=by)
    return comment


def do_resolve(case: ServiceCase, *, at: datetime | None = None, by) -> ServiceCase:
    return do_change_status(case, CaseStatus.RESOLVED, at=at, by=by)


def do_close(case: ServiceCase, *, at: datetime | None = None, by) -> ServiceCase:
    return do_change_status(case, CaseStatus.CLOSED, at=at, by=by)


# --- work and maintenance -------------------------------------------------------------------

MAX_HOURS_PER_LOG = Decimal("24")


def labour_rate(currency: str) -> Decimal:
    rates = service_setting("LABOUR_RATES")
    return Decimal(str(rates.get(currency, "0")))


@transaction.atomic
def do_log_work(
    *, account: Account, user, worked_on: date, hours: Decimal, case: ServiceCase | None = None,
    asset: Asset | None = None, department: str = "", labour_cost: Decimal | None = None,
    parts_cost: Decimal = Decimal("0"), travel_cost: Decimal = Decimal("0"), on_site: bool = False,
    is_warranty: bool | None = None, note: str = "",
) -> WorkLog:
    """Record time and money spent for an account, in the account's currency.

    Without a labour cost, hours are priced at ``AFTERSALE["SERVICE"]["LABOUR_RATES"]``;
    without a warranty flag, the work counts as warranty work if the asset was
    under warranty that day.
    """
    errors: dict[str, str] = {}
    for field, value in (("hours", hours), ("labour_cost", labour_cost), ("parts_cost", parts_cost),
                         ("travel_cost", travel_cost)):
        if value is not None and value < 0:
            errors[field] = _("This cannot be negative.")
    if hours is not None and hours > MAX_HOURS_PER_LOG:
        errors["hours"] = _("One work log covers one day: at most 24 hours.")
    if worked_on > timezone.localdate():
        errors["worked_on"] = _("This cannot be in the future.")
    if case is not None:
        if case.account_id != account.pk:
            errors["case"] = _("That case belongs to another account.")
        elif worked_on < timezone.localdate(case.opened_at):
            errors["worked_on"] = _("This is before the case was opened.")
        asset = asset or case.asset
    if asset is not None and asset.account_id != account.pk:
        errors["asset"] = _("That asset belongs to another account.")
    department = department or getattr(user, "department", "")
    if department not in Department.values:
        errors["department"] = _("Choose the department the work was done for.")
    if errors:
        raise ValidationError(errors)
    currency = account.currency
    if labour_cost is None:
        labour_cost = round_money(hours * labour_rate(currency), currency)
    if is_warranty is None:
        is_warranty = asset is not None and asset.under_warranty(worked_on)
    log = WorkLog.objects.create(
        account=account, case=case, asset=asset, user=user, department=department,
        worked_on=worked_on, hours=hours, labour_cost=labour_cost, parts_cost=parts_cost,
        travel_cost=travel_cost, currency=currency, on_site=on_site, is_warranty=is_warranty,
        note=note,
    )
    account_changed(account.pk)
    return log


@transaction.atomic
def do_complete_maintenance(
    *, plan: MaintenancePlan, asset: Asset, done_at: datetime, by, note: str = "",
    hours: Decimal = Decimal("0"), labour_cost: Decimal | None = None,
    parts_cost: Decimal = Decimal("0"), travel_cost: Decimal = Decimal("0"), on_site: bool = True,
) -> ServiceCase:
    """Record a maintenance visit: resolve its case (opening one if none is open) and move the plan on.

    The work done is logged on the case when hours or costs are given.
    """
    if not _plan_covers(plan, asset):
        raise ValidationError({"asset": _("That plan does not cover this equipment.")})
    if not plan.is_active:
        raise ValidationError({"plan": _("That maintenance plan is no longer active.")})
    installed = asset.installed_at
    check_moment(done_at, field="done_at")
    if installed is not None and timezone.localdate(done_at) < installed:
        raise ValidationError({"done_at": _("This is before the equipment was installed.")})
    case = (
        ServiceCase.objects.filter(
            maintenance_plan=plan, asset=asset, status__in=CaseStatus.open(), opened_at__lte=done_at
        )
        .order_by("opened_at")
        .first()
    )
    if case is None:
        case = do_open_case(
            account=asset.account, kind=CaseKind.MAINTENANCE, title=plan.name, by=by,
            opened_at=done_at, severity=Severity.LOW, channel=CaseChannel.VISIT, asset=asset,
            maintenance_plan=plan,
        )
    if note.strip():
        CaseComment.objects.create(case=case, author=by, body=note.strip(), is_internal=True)
    if hours or labour_cost or parts_cost or travel_cost:
        do_log_work(
            account=asset.account, user=by, worked_on=timezone.localdate(done_at), hours=hours,
            case=case, asset=asset, labour_cost=labour_cost, parts_cost=parts_cost,
            travel_cost=travel_cost, on_site=on_site,
        )
    return do_resolve(case, at=done_at, by=by)


# --- attachments ----------------------------------------------------------------------------

# The first bytes each binary type must start with, so a renamed executable is refused.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/webp": (b"RIFF",),
    "application/zip": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
}


def check_upload(upload: UploadedFile) -> str:
    """The content type to store for an upload, or a ValidationError on ``file``."""
    max_bytes = int(service_setting("ATTACHMENT_MAX_BYTES"))
    if upload.size is None or upload.size > max_bytes:
        raise ValidationError({"file": _("The file is larger than %(mb)s MB.") % {
            "mb": f"{max_bytes / 1024 / 1024:g}"}})
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    types: dict[str, str] = service_setting("ATTACHMENT_TYPES")
    extension = PurePath(upload.name or "").suffix.lower()
    content_type = types.get(extension)
    if content_type is None:
        raise ValidationError({"file": _("Files of this type cannot be attached. Allowed: %(types)s.") % {
            "types": ", ".join(sorted(types))}})
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    expected = SIGNATURES.get(content_type)
    if expected is not None and not head.startswith(expected):
        raise ValidationError({"file": _("The file's content does not match its %(ext)s name.") % {
            "ext": extension}})
    if content_type.startswith("text/") and b"\x00" in head:
        raise ValidationError({"file": _("The file's content does not match its %(ext)s name.") % {
            "ext": extension}})
    return content_type


def do_add_attachment(case: ServiceCase, *, upload: UploadedFile, by) -> CaseAttachment:
    """Store a file under MEDIA_ROOT with a random name; it is served only by an access-checked view."""
    content_type = check_upload(upload)
    extension = PurePath(upload.name or "").suffix.lower()
    attachment = CaseAttachment(
        case=case, original_name=PurePath(upload.name or "file").name[:255],
        content_type=content_type, size=upload.size, uploaded_by=by,
    )
    attachment.file.save(secrets.token_hex(16) + extension, upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except Exception:
        attachment.file.delete(save=False)  # nothing half-saved: no orphan file either
        raise
    return attachment
