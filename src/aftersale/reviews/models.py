"""Periodic reviews (P9), joint plans and expectations (P12), trust (P16)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersale.accounts.models import Account, Competitor, Contact
from aftersale.core.enums import Direction
from aftersale.core.models import TimeStampedModel


class Outcome(models.TextChoices):
    IMPROVING = "improving", _("Improving")
    STEADY = "steady", _("Steady")
    DETERIORATING = "deteriorating", _("Deteriorating")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETED = "completed", _("Completed")


class Attribute(models.TextChoices):
    PRICE = "price", _("Price")
    QUALITY = "quality", _("Quality")
    DELIVERY = "delivery", _("Delivery")
    SERVICE = "service", _("Service")
    RESPONSIVENESS = "responsiveness", _("Responsiveness")
    INNOVATION = "innovation", _("Innovation")


class RelationshipReview(TimeStampedModel):
    """A periodic review that answers the four questions of P9.

    ``evidence`` keeps what the data said when the review was prepared, so a
    later reader sees what the reviewer saw.
    """

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT,
        related_name="reviews",
    )
    held_at = models.DateField(verbose_name=_("held on"))
    period_start = models.DateField(verbose_name=_("period from"), null=True, blank=True)
    status = models.CharField(
        verbose_name=_("status"), max_length=10, choices=ReviewStatus.choices,
        default=ReviewStatus.DRAFT,
    )
    outcome = models.CharField(
        verbose_name=_("is the relationship improving or deteriorating?"), max_length=14,
        choices=Outcome.choices, blank=True,
    )
    trend_notes = models.TextField(verbose_name=_("trend: judgement"), blank=True)
    promises_kept = models.BooleanField(
        verbose_name=_("have our promises been fully kept?"), null=True, blank=True
    )
    promises_notes = models.TextField(verbose_name=_("promises: judgement"), blank=True)
    neglect_found = models.BooleanField(
        verbose_name=_("have we neglected anything important to the customer?"), null=True,
        blank=True,
    )
    neglect_notes = models.TextField(verbose_name=_("neglect: judgement"), blank=True)
    competitor_notes = models.TextField(
        verbose_name=_("how do we compare with competitors?"), blank=True
    )
    evidence = models.JSONField(verbose_name=_("evidence"), default=dict, blank=True)
    next_due_at = models.DateField(verbose_name=_("next review due"), null=True, blank=True)

    class Meta:
        verbose_name = _("relationship review")
        verbose_name_plural = _("relationship reviews")
        ordering = ["-held_at"]
        indexes = [
            models.Index(fields=["account", "held_at", "status"], name="review_account_time"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.held_at}"

    def get_absolute_url(self) -> str:
        return reverse("review_detail", args=[self.pk])

    @property
    def is_completed(self) -> bool:
        return self.status == ReviewStatus.COMPLETED


class CompetitorRating(models.Model):
    """How the account rates us (``competitor`` empty) or a competitor on one attribute, 1..5."""

    review = models.ForeignKey(
        RelationshipReview, verbose_name=_("review"), on_delete=models.CASCADE,
        related_name="ratings",
    )
    competitor = models.ForeignKey(
        Competitor, verbose_name=_("competitor"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="ratings", help_text=_("Empty means us."),
    )
    attribute = models.CharField(
        verbose_name=_("attribute"), max_length=14, choices=Attribute.choices
    )
    score = models.PositiveSmallIntegerField(verbose_name=_("score (1-5)"))

    class Meta:
        verbose_name = _("competitor rating")
        verbose_name_plural = _("competitor ratings")
        constraints = [
            models.CheckConstraint(
                name="rating_score_1_to_5", condition=Q(score__gte=1, score__lte=5)
            ),
            models.UniqueConstraint(
                fields=["review", "competitor", "attribute"], name="rating_unique_competitor",
                condition=Q(competitor__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["review", "attribute"], name="rating_unique_us",
                condition=Q(competitor__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        who = str(self.competitor) if self.competitor_id else str(_("us"))
        return f"{who} {self.attribute} {self.score}"


class Side(models.TextChoices):
    US = "us", _("Us")
    CUSTOMER = "customer", _("The account")


class JointPlan(TimeStampedModel):
    """A plan both sides share (P12); visible to the account's portal contacts."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="joint_plans"
    )
    title = models.CharField(verbose_name=_("title"), max_length=200)
    period_start = models.DateField(verbose_name=pgettext_lazy("period", "from"))
    period_end = models.DateField(verbose_name=pgettext_lazy("period", "to"))
    shared_with_customer = models.BooleanField(verbose_name=_("shared in the portal"), default=True)

    class Meta:
        verbose_name = _("joint plan")
        verbose_name_plural = _("joint plans")
        ordering = ["-period_start"]
        constraints = [
            models.CheckConstraint(
                name="jointplan_period_ordered",
                condition=Q(period_end__gte=models.F("period_start")),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("account_plans", args=[self.account_id]) + f"#plan-{self.pk}"


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", pgettext_lazy("status", "Done")
    DROPPED = "dropped", _("Dropped")


class JointPlanItem(TimeStampedModel):
    plan = models.ForeignKey(
        JointPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items"
    )
    title = models.CharField(verbose_name=_("item"), max_length=300)
    owner_side = models.CharField(verbose_name=_("owned by"), max_length=8, choices=Side.choices)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("our owner"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="plan_items",
    )
    owner_contact = models.ForeignKey(
        Contact, verbose_name=_("their owner"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="plan_items",
    )
    due_at = models.DateField(verbose_name=_("due"), null=True, blank=True)
    status = models.CharField(
        verbose_name=_("status"), max_length=8, choices=ItemStatus.choices,
        default=ItemStatus.OPEN,
    )
    completed_at = models.DateField(verbose_name=_("completed on"), null=True, blank=True)
    review = models.ForeignKey(
        RelationshipReview, verbose_name=_("from review"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="plan_items",
    )

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["due_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Expectation(TimeStampedModel):
    """What one side expects of the other, and whether it was met (P12)."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="expectations"
    )
    held_by = models.CharField(
        verbose_name=_("expected by"), max_length=8, choices=Side.choices,
        default=Side.CUSTOMER,
    )
    description = models.TextField(verbose_name=_("expectation"))
    met = models.BooleanField(verbose_name=_("met"), null=True, blank=True)
    assessed_at = models.DateField(verbose_name=_("assessed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("expectation")
        verbose_name_plural = _("expectations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.description[:80]


class TrustRating(TimeStampedModel):
    """A short trust survey answer (P16), in either direction.

    ``direction`` FROM_US: our owner rates the account's trustworthiness;
    TO_US: the account's contact rates us. ``trust`` is the mean of the trust
    scale items, 1..5; ``satisfaction`` 0..10 when asked.
    """

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="trust_ratings"
    )
    direction = models.CharField(
        verbose_name=_("direction"), max_length=8, choices=Direction.choices
    )
    rated_at = models.DateField(verbose_name=_("rated on"))
    rated_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rated by (us)"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    rated_by_contact = models.ForeignKey(
        Contact, verbose_name=_("rated by (them)"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="trust_ratings",
    )
    trust = models.DecimalField(verbose_name=_("trust (1-5)"), max_digits=3, decimal_places=2)
    satisfaction = models.PositiveSmallIntegerField(
        verbose_name=_("satisfaction (0-10)"), null=True, blank=True
    )
    answers = models.JSONField(verbose_name=_("answers"), default=dict, blank=True)
    comment = models.TextField(verbose_name=_("comment"), blank=True)

    class Meta:
        verbose_name = _("trust rating")
        verbose_name_plural = _("trust ratings")
        ordering = ["-rated_at"]
        constraints = [
            models.CheckConstraint(name="trust_1_to_5", condition=Q(trust__gte=1, trust__lte=5)),
            models.CheckConstraint(
                name="satisfaction_0_to_10",
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__lte=10),
            ),
        ]
        indexes = [
            models.Index(fields=["account", "rated_at", "direction"], name="trust_account_time"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.trust} ({self.rated_at})"


class ReviewPromise(models.Model):
    """A promise recorded as one of a review's actions (P9: actions become promises)."""

    review = models.ForeignKey(
        RelationshipReview, verbose_name=_("review"), on_delete=models.CASCADE,
        related_name="action_promises",
    )
    promise = models.OneToOneField(
        "promises.Promise", verbose_name=_("promise"), on_delete=models.CASCADE,
        related_name="review_action",
    )

    class Meta:
        verbose_name = _("promise from a review")
        verbose_name_plural = _("promises from reviews")

    def __str__(self) -> str:
        return f"{self.review} → {self.promise}"
