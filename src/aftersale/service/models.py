"""After-sale service (P3, P14): installed assets, maintenance, cases and the work they cost."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account, Contact
from aftersale.commerce.models import Product
from aftersale.core.enums import Department
from aftersale.core.models import CurrencyField, ExternalModel, MoneyField, TimeStampedModel


class AssetStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting installation")
    ACTIVE = "active", _("Active")
    IN_REPAIR = "in_repair", _("In repair")
    RETIRED = "retired", _("Retired")


class CaseKind(models.TextChoices):
    INSTALLATION = "installation", _("Installation")
    APPLICATION_SUPPORT = "application_support", _("Application support")
    REPAIR = "repair", _("Repair")
    MAINTENANCE = "maintenance", _("Maintenance")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class CaseChannel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    VISIT = "visit", _("Visit")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")

    @classmethod
    def open(cls) -> tuple[str, ...]:
        return (cls.NEW, cls.IN_PROGRESS, cls.WAITING)


# Which status may follow which. Closed is final; a resolved case may be
# reopened (back to in progress) until it is closed.
CASE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CaseStatus.NEW: (CaseStatus.IN_PROGRESS, CaseStatus.WAITING, CaseStatus.RESOLVED, CaseStatus.CLOSED),
    CaseStatus.IN_PROGRESS: (CaseStatus.WAITING, CaseStatus.RESOLVED, CaseStatus.CLOSED),
    CaseStatus.WAITING: (CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.CLOSED),
    CaseStatus.RESOLVED: (CaseStatus.IN_PROGRESS, CaseStatus.CLOSED),
    CaseStatus.CLOSED: (),
}


class TargetState(models.TextChoices):
    """Where an open case stands against its response and resolution targets."""

    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")


class WarrantyState(models.TextChoices):
    IN_WARRANTY = "in_warranty", _("Under warranty")
    EXPIRING = "expiring", _("Warranty ending soon")
    EXPIRED = "expired", _("Out of warranty")
    UNKNOWN = "unknown", _("Warranty unknown")


# A warranty that ends within this many days is shown as ending soon.
WARRANTY_EXPIRING_DAYS = 60


class Asset(ExternalModel):
    """A piece of our equipment installed at an account (the installed base)."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="assets",
        db_index=False,  # led by a composite index (Meta.indexes)
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="assets"
    )
    serial = models.CharField(verbose_name=_("serial number"), max_length=100)
    location = models.CharField(verbose_name=_("location"), max_length=200, blank=True)
    installed_at = models.DateField(verbose_name=_("installed on"), null=True, blank=True)
    warranty_until = models.DateField(verbose_name=_("warranty until"), null=True, blank=True)
    status = models.CharField(
        verbose_name=_("status"), max_length=10, choices=AssetStatus.choices,
        default=AssetStatus.ACTIVE,
    )

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["account", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["product", "serial"], name="asset_unique_serial"),
            models.CheckConstraint(
                name="asset_warranty_after_install",
                condition=Q(warranty_until__isnull=True)
                | Q(installed_at__isnull=True)
                | Q(warranty_until__gte=F("installed_at")),
            ),
        ]
        indexes = [models.Index(fields=["account", "status"], name="asset_account_status")]

    def __str__(self) -> str:
        return f"{self.product} #{self.serial}"

    def get_absolute_url(self) -> str:
        return reverse("service:asset_detail", args=[self.pk])

    def under_warranty(self, on) -> bool:
        return self.warranty_until is not None and on <= self.warranty_until

    def warranty_state(self, on: date) -> WarrantyState:
        if self.warranty_until is None:
            return WarrantyState.UNKNOWN
        if on > self.warranty_until:
            return WarrantyState.EXPIRED
        if (self.warranty_until - on).days <= WARRANTY_EXPIRING_DAYS:
            return WarrantyState.EXPIRING
        return WarrantyState.IN_WARRANTY


class MaintenancePlan(TimeStampedModel):
    """Scheduled maintenance: for one asset, or for every asset of a product.

    ``next_due_at`` is stored (recomputed when a maintenance case completes) so
    that "which visits are overdue" is one indexed query.
    """

    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="maintenance_plans",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="maintenance_plans",
        help_text=_("A product-wide plan applies to every asset of that product."),
    )
    name = models.CharField(verbose_name=_("name"), max_length=200)
    interval_days = models.PositiveIntegerField(verbose_name=_("interval (days)"))
    last_done_at = models.DateField(verbose_name=_("last done"), null=True, blank=True)
    next_due_at = models.DateField(verbose_name=_("next due"), null=True, blank=True)
    is_active = models.BooleanField(verbose_name=_("active"), default=True)

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        ordering = ["next_due_at"]
        constraints = [
            models.CheckConstraint(
                name="maintenanceplan_asset_or_product",
                condition=(Q(asset__isnull=False) & Q(product__isnull=True))
                | (Q(asset__isnull=True) & Q(product__isnull=False)),
            ),
            models.CheckConstraint(
                name="maintenanceplan_interval_positive", condition=Q(interval_days__gt=0)
            ),
        ]
        indexes = [models.Index(fields=["is_active", "next_due_at"], name="plan_due")]

    def __str__(self) -> str:
        return self.name


class ServiceTarget(models.Model):
    """Response and resolution targets per severity, in business hours."""

    severity = models.CharField(
        verbose_name=_("severity"), max_length=10, choices=Severity.choices, unique=True
    )
    response_hours = models.DecimalField(
        verbose_name=_("first response within (business hours)"), max_digits=6, decimal_places=2
    )
    resolution_hours = models.DecimalField(
        verbose_name=_("resolution within (business hours)"), max_digits=7, decimal_places=2
    )

    class Meta:
        verbose_name = _("service target")
        verbose_name_plural = _("service targets")
        constraints = [
            models.CheckConstraint(
                name="servicetarget_positive",
                condition=Q(response_hours__gt=0, resolution_hours__gte=F("response_hours")),
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_severity_display())


class Holiday(models.Model):
    """A public holiday on which the service clock does not run."""

    calendar = models.CharField(verbose_name=_("calendar"), max_length=20, default="vn")
    date = models.DateField(verbose_name=_("date"))
    name = models.CharField(verbose_name=_("name"), max_length=100)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ServiceCase(ExternalModel):
    """A request for service. ``is_complaint`` is independent of the kind (P10)."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="cases",
        db_index=False,  # led by a composite index (Meta.indexes)
    )
    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="cases",
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=20, choices=CaseKind.choices)
    is_complaint = models.BooleanField(verbose_name=_("complaint"), default=False)
    severity = models.CharField(
        verbose_name=_("severity"), max_length=10, choices=Severity.choices,
        default=Severity.NORMAL,
    )
    channel = models.CharField(
        verbose_name=_("channel"), max_length=8, choices=CaseChannel.choices,
        default=CaseChannel.PHONE,
    )
    status = models.CharField(
        verbose_name=_("status"), max_length=12, choices=CaseStatus.choices,
        default=CaseStatus.NEW,
    )
    title = models.CharField(verbose_name=_("title"), max_length=200)
    description = models.TextField(verbose_name=_("description"), blank=True)
    raised_by = models.ForeignKey(
        Contact, verbose_name=_("raised by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="cases",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="assigned_cases",
    )
    opened_at = models.DateTimeField(verbose_name=_("opened"))
    first_response_at = models.DateTimeField(verbose_name=_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(verbose_name=_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(verbose_name=_("closed"), null=True, blank=True)
    response_due_at = models.DateTimeField(
        verbose_name=_("response due"), null=True, blank=True
    )
    resolution_due_at = models.DateTimeField(
        verbose_name=_("resolution due"), null=True, blank=True
    )
    response_breached = models.BooleanField(verbose_name=_("response target breached"), default=False)
    resolution_breached = models.BooleanField(
        verbose_name=_("resolution target breached"), default=False
    )
    internal_notes = models.TextField(
        verbose_name=_("internal notes"), blank=True, help_text=_("Never shown to the customer.")
    )
    maintenance_plan = models.ForeignKey(
        MaintenancePlan, verbose_name=_("maintenance plan"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="cases",
        help_text=_("For maintenance visits: resolving the case moves this plan on."),
    )
    # The targets in force when the case was opened (or its severity changed),
    # so that editing the targets later does not rewrite history.
    response_target_hours = models.DecimalField(
        verbose_name=_("response target (business hours)"), max_digits=6, decimal_places=2,
        null=True, blank=True,
    )
    resolution_target_hours = models.DecimalField(
        verbose_name=_("resolution target (business hours)"), max_digits=7, decimal_places=2,
        null=True, blank=True,
    )

    class Meta:
        verbose_name = _("service case")
        verbose_name_plural = _("service cases")
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(
                name="case_resolved_not_before_opened",
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("opened_at")),
            ),
            models.CheckConstraint(
                name="case_response_not_before_opened",
                condition=Q(first_response_at__isnull=True)
                | Q(first_response_at__gte=F("opened_at")),
            ),
            models.CheckConstraint(
                name="case_closed_not_before_opened",
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("opened_at")),
            ),
        ]
        indexes = [
            models.Index(
                fields=["account", "opened_at", "is_complaint", "resolved_at"],
                name="case_account_time",
            ),
            models.Index(fields=["status", "resolution_due_at"], name="case_status_due"),
            models.Index(
                fields=["maintenance_plan", "asset", "resolved_at"], name="case_plan_done",
                condition=Q(maintenance_plan__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("service:case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in CaseStatus.open()


class CaseStatusChange(models.Model):
    """A status change of a case: the clock pauses while waiting on the customer."""

    case = models.ForeignKey(
        ServiceCase, verbose_name=_("case"), on_delete=models.CASCADE,
        related_name="status_changes",
    )
    at = models.DateTimeField(verbose_name=_("when"))
    from_status = models.CharField(
        verbose_name=_("from"), max_length=12, choices=CaseStatus.choices, blank=True
    )
    to_status = models.CharField(verbose_name=_("to"), max_length=12, choices=CaseStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )

    class Meta:
        verbose_name = _("case status change")
        verbose_name_plural = _("case status changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


class CaseComment(models.Model):
    case = models.ForeignKey(
        ServiceCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True,
        related_name="+",
    )
    body = models.TextField(verbose_name=_("comment"))
    is_internal = models.BooleanField(
        verbose_name=_("internal"), default=False, help_text=_("Internal comments are staff-only.")
    )
    created_at = models.DateTimeField(verbose_name=_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("case comment")
        verbose_name_plural = _("case comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.body[:60]


class CaseAttachment(models.Model):
    """A file attached to a case; served only through a view that checks access."""

    case = models.ForeignKey(
        ServiceCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(verbose_name=_("file"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(verbose_name=_("file name"), max_length=255)
    content_type = models.CharField(verbose_name=_("type"), max_length=100)
    size = models.PositiveIntegerField(verbose_name=_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL,
        null=True, related_name="+",
    )
    uploaded_at = models.DateTimeField(verbose_name=_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class WorkLog(TimeStampedModel):
    """Time and money spent serving an account: the basis of cost-to-serve (P14).

    On-site work by engineering or production staff is also face time (P15).
    """

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="work_logs",
        db_index=False,  # led by a composite index (Meta.indexes)
    )
    case = models.ForeignKey(
        ServiceCase, verbose_name=_("case"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="work_logs",
    )
    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="work_logs",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
        related_name="work_logs",
    )
    department = models.CharField(
        verbose_name=_("department"), max_length=20, choices=Department.choices
    )
    worked_on = models.DateField(verbose_name=_("date"))
    hours = models.DecimalField(verbose_name=_("hours"), max_digits=7, decimal_places=2)
    labour_cost = MoneyField(verbose_name=_("labour cost"), default=0)
    parts_cost = MoneyField(verbose_name=_("parts cost"), default=0)
    travel_cost = MoneyField(verbose_name=_("travel cost"), default=0)
    currency = CurrencyField()
    on_site = models.BooleanField(verbose_name=_("on site"), default=False)
    is_warranty = models.BooleanField(verbose_name=_("warranty work"), default=False)
    note = models.TextField(verbose_name=_("note"), blank=True)

    class Meta:
        verbose_name = _("work log")
        verbose_name_plural = _("work logs")
        ordering = ["-worked_on"]
        constraints = [
            models.CheckConstraint(
                name="worklog_not_negative",
                condition=Q(hours__gte=0, labour_cost__gte=0, parts_cost__gte=0, travel_cost__gte=0),
            ),
        ]
        indexes = [
            models.Index(
                fields=["account", "worked_on", "department", "hours", "on_site"],
                name="worklog_account_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h {self.user} {self.worked_on}"

    @property
    def total_cost(self) -> Decimal:
        return self.labour_cost + self.parts_cost + self.travel_cost
