"""The health engine's tables: its settings, each scan's snapshots, and the worker's bookkeeping."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersale.accounts.models import Account


class Band(models.TextChoices):
    # A context: the service board's "at risk" (of missing a target) reads differently.
    HEALTHY = "healthy", pgettext_lazy("health band", "Healthy")
    WATCH = "watch", pgettext_lazy("health band", "Watch")
    AT_RISK = "at_risk", pgettext_lazy("health band", "At risk")


class Trend(models.TextChoices):
    IMPROVING = "improving", _("Improving")
    STEADY = "steady", _("Steady")
    DETERIORATING = "deteriorating", _("Deteriorating")


class HealthSettings(models.Model):
    """The engine's adjustable settings: one row, edited in the admin.

    Defaults are documented in docs/health.md; the row is created by a data
    migration, so ``load()`` never writes.
    """

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    half_life_days = models.PositiveIntegerField(
        verbose_name=_("evidence half-life (days)"), default=180,
        validators=[MinValueValidator(7), MaxValueValidator(3650)],
        help_text=_("An event this old counts half as much as one from today."),
    )
    horizon_days = models.PositiveIntegerField(
        verbose_name=_("evidence horizon (days)"), default=730,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
        help_text=_("Events older than this are not read at all."),
    )
    healthy_min = models.PositiveSmallIntegerField(
        verbose_name=_("healthy from score"), default=70,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    watch_min = models.PositiveSmallIntegerField(
        verbose_name=_("watch from score"), default=50,
        validators=[MinValueValidator(0), MaxValueValidator(99)],
        help_text=_("Below this score an account is at risk."),
    )
    min_coverage_healthy = models.FloatField(
        verbose_name=_("coverage needed to be healthy"), default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_(
            "Share of the weight that must have data before an account can be called "
            "healthy: no news is not good news."
        ),
    )
    trend_points = models.PositiveSmallIntegerField(
        verbose_name=_("trend threshold (points over 90 days)"), default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    transactional_trusted_share = models.FloatField(
        verbose_name=_("transactional share at the most trusted partners"), default=0.25,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    transactional_untrusted_share = models.FloatField(
        verbose_name=_("transactional share at the least trusted partners"), default=0.47,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    technical_target_share = models.FloatField(
        verbose_name=_("target share of technical face time"), default=0.30,
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
    )
    portal_target_share = models.FloatField(
        verbose_name=_("target share of direct (portal, EDI) orders"), default=0.50,
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
    )
    scan_interval_minutes = models.PositiveIntegerField(
        verbose_name=_("scan every (minutes)"), default=1440,
        validators=[MinValueValidator(5)],
        help_text=_("How often the worker rescans the whole portfolio."),
    )
    band_open_problems_min = models.FloatField(
        verbose_name=_("never healthy with open problems below"), default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("The open-problems signal's value (1: nothing open) below which an account is "
                    "watch at best; 0 switches this rule off."),
    )
    band_rule_step_in = models.BooleanField(
        verbose_name=_("never healthy while someone must step in"), default=True,
        help_text=_("A customer gone silent or improbably quiet is banded watch at best."),
    )
    band_rule_critical = models.BooleanField(
        verbose_name=_("never healthy with a critical case past its target"), default=True,
        help_text=_("An open critical service case past its response or resolution target "
                    "holds the account at watch at best."),
    )
    band_promise_overdue_days = models.PositiveIntegerField(
        verbose_name=_("never healthy with a promise overdue by more than (days)"), default=30,
        validators=[MaxValueValidator(3650)],
        help_text=_("0 switches this rule off."),
    )
    updated_at = models.DateTimeField(verbose_name=_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("health settings")
        verbose_name_plural = _("health settings")
        constraints = [
            models.CheckConstraint(name="healthsettings_singleton", condition=Q(id=1)),
            models.CheckConstraint(
                name="healthsettings_bands_ordered", condition=Q(watch_min__lt=F("healthy_min"))
            ),
            models.CheckConstraint(
                name="healthsettings_reference_levels_ordered",
                condition=Q(transactional_trusted_share__lt=F("transactional_untrusted_share")),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Health settings"))

    def clean(self) -> None:
        if self.watch_min >= self.healthy_min:
            raise ValidationError(
                {"watch_min": _("The watch limit must be below the healthy limit.")}
            )
        if self.transactional_trusted_share >= self.transactional_untrusted_share:
            raise ValidationError(
                {
                    "transactional_trusted_share": _(
                        "The trusted partners' share must be below the least trusted partners' share."
                    )
                }
            )

    @classmethod
    def load(cls) -> HealthSettings:
        """The settings row, or the documented defaults if it is missing (never writes)."""
        return cls.objects.filter(pk=cls.SINGLETON_ID).first() or cls()


class SignalWeight(models.Model):
    """How much one signal counts in the score. Zero switches the signal off."""

    signal = models.CharField(verbose_name=_("signal"), max_length=40, unique=True)
    weight = models.PositiveSmallIntegerField(
        verbose_name=_("weight"), validators=[MaxValueValidator(100)],
    )
    updated_at = models.DateTimeField(verbose_name=_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("signal weight")
        verbose_name_plural = _("signal weights")
        ordering = ["signal"]
        constraints = [
            models.CheckConstraint(name="signalweight_at_most_100", condition=Q(weight__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.signal}: {self.weight}"

    def clean(self) -> None:
        from aftersale.health.signals import registry

        if self.signal not in registry.names():
            raise ValidationError({"signal": _("There is no signal called %(name)s.") % {
                "name": self.signal}})

    @property
    def label(self) -> str:
        from aftersale.health.signals import registry

        definition = registry.get(self.signal)
        return str(definition.label) if definition else self.signal


class HealthSnapshot(models.Model):
    """One account's health as of one scan date (P1: health with history).

    ``signals`` maps each signal name to ``[value, contribution]``: the value
    0..1 (``null`` without data) and the points it added to the score. A scan
    or a one-account refresh on the same date overwrites the row.
    """

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE,
        related_name="health_snapshots",
    )
    as_of = models.DateField(verbose_name=_("as of"))
    computed_at = models.DateTimeField(verbose_name=_("evaluated as of"))
    score = models.FloatField(verbose_name=_("score"), null=True, blank=True)
    band = models.CharField(verbose_name=_("band"), max_length=8, choices=Band.choices)
    coverage = models.FloatField(verbose_name=_("coverage"))
    trend = models.CharField(
        verbose_name=_("trend"), max_length=14, choices=Trend.choices, blank=True
    )
    signals = models.JSONField(verbose_name=_("signals"), default=dict)

    class Meta:
        verbose_name = _("health snapshot")
        verbose_name_plural = _("health snapshots")
        ordering = ["-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["account", "as_of"], name="snapshot_one_per_day"),
        ]
        indexes = [
            # Loading one reference date's scores for a range of accounts.
            models.Index(fields=["as_of", "account", "score"], name="snapshot_day_account"),
            # The portfolio's band counts per scan day, from the index alone.
            models.Index(fields=["as_of", "band"], name="snapshot_day_band"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.as_of}: {self.score}"


class ScanStatus(models.TextChoices):
    RUNNING = "running", pgettext_lazy("scan status", "Running")
    DONE = "done", pgettext_lazy("scan status", "Done")


class ScanRun(models.Model):
    """One scan of the portfolio as of a moment, split into account-id ranges.

    Finished runs are the dates trend and "why it moved" compare against.
    ``reconciles_alerts`` is false when a later date was already scanned: a
    replay of history writes snapshots but must not reopen today's alerts.
    """

    as_of = models.DateTimeField(verbose_name=_("as of"))
    as_of_date = models.DateField(verbose_name=_("as of date"))
    started_at = models.DateTimeField(verbose_name=_("started"))
    finished_at = models.DateTimeField(verbose_name=_("finished"), null=True, blank=True)
    status = models.CharField(
        verbose_name=_("status"), max_length=8, choices=ScanStatus.choices,
        default=ScanStatus.RUNNING,
    )
    reconciles_alerts = models.BooleanField(verbose_name=_("reconciles alerts"), default=True)
    accounts = models.PositiveIntegerField(verbose_name=_("accounts"), default=0)
    summary = models.JSONField(verbose_name=_("summary"), default=dict, blank=True)
    rhythm_models = models.JSONField(
        verbose_name=_("fitted rhythm models"), default=list, blank=True,
        help_text=_("What each rhythm model fitted on the whole portfolio at the start of the scan."),
    )
    error = models.TextField(
        verbose_name=_("error"), blank=True, default="",
        help_text=_("Why the last attempt to close the scan failed (a statement over its time limit)."),
    )

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "as_of_date"], name="scanrun_done_day")]

    def __str__(self) -> str:
        return f"{self.as_of:%Y-%m-%d %H:%M} ({self.get_status_display()})"


class ScanPart(models.Model):
    """One account-id range of a scan; done once, however many workers try."""

    run = models.ForeignKey(
        ScanRun, verbose_name=_("scan"), on_delete=models.CASCADE, related_name="parts"
    )
    first_id = models.BigIntegerField(verbose_name=_("first account id"))
    last_id = models.BigIntegerField(verbose_name=_("last account id"))
    accounts = models.PositiveIntegerField(verbose_name=_("accounts"), default=0)
    done_at = models.DateTimeField(verbose_name=_("done"), null=True, blank=True)
    error = models.TextField(
        verbose_name=_("error"), blank=True, default="",
        help_text=_("Why the last attempt at this part failed (a statement over its time limit)."),
    )

    class Meta:
        verbose_name = _("scan part")
        verbose_name_plural = _("scan parts")
        ordering = ["run", "first_id"]
        constraints = [
            models.CheckConstraint(name="scanpart_range_ordered", condition=Q(last_id__gte=F("first_id"))),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.first_id}..{self.last_id}"


class BacktestRun(models.Model):
    """One backtest (``aftersale backtest``): the shipped score as of a past date set against what
    happened in the horizon after it. ``report`` is the command's JSON; the latest run is shown on
    the "Does the score work?" page and gives the calibrated probability beside each score.

    ``report["fitted"]``, when weights were fitted, holds the suggested weights; an admin applies
    them (``applied_at``, ``applied_by``; each weight change is in the audit trail), never the code."""

    as_of = models.DateTimeField(verbose_name=_("as of"))
    horizon_days = models.PositiveIntegerField(verbose_name=_("horizon (days)"))
    created_at = models.DateTimeField(verbose_name=_("run at"), auto_now_add=True)
    created_by = models.ForeignKey(
        "staff.User", verbose_name=_("run by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    report = models.JSONField(verbose_name=_("report"), default=dict)
    applied_at = models.DateTimeField(verbose_name=_("weights applied"), null=True, blank=True)
    applied_by = models.ForeignKey(
        "staff.User", verbose_name=_("weights applied by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("backtest")
        verbose_name_plural = _("backtests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.as_of:%Y-%m-%d} + {self.horizon_days} d"
