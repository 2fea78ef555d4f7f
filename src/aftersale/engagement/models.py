"""Contact between the two sides (P15, P17, P19): touchpoints, ideas, information shared."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account, Contact
from aftersale.core.enums import Department, Direction
from aftersale.core.models import CurrencyField, ExternalModel, MoneyField, TimeStampedModel


class TouchpointKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    MEETING = "meeting", _("Meeting")
    CALL = "call", _("Call")
    VIDEO = "video", _("Video call")
    EMAIL = "email", _("E-mail")


class InitiatedBy(models.TextChoices):
    VENDOR = "vendor", _("Us")
    CUSTOMER = "customer", _("The account")


class TopicClass(models.TextChoices):
    TRANSACTIONAL = "transactional", _("Transactional")
    COLLABORATIVE = "collaborative", _("Collaborative")
    OTHER = "other", _("Other")


class Topic(models.TextChoices):
    PRICE = "price", _("Price")
    CONTRACT = "contract", _("Contract")
    DISPUTE = "dispute", _("Dispute or blame")
    EXPEDITING = "expediting", _("Expediting")
    PLANNING = "planning", _("Planning")
    DESIGN_IDEA = "design_idea", _("Design idea")
    PROCESS_IMPROVEMENT = "process_improvement", _("Process improvement")
    TRAINING = "training", _("Training")
    TECHNICAL_SUPPORT = "technical_support", _("Technical support")
    OTHER = "other", _("Other")

    @property
    def topic_class(self) -> str:
        return TOPIC_CLASSES[self.value]


# P17: time spent on price, contracts, blame and chasing is transactional;
# planning, ideas, improvement, training and support is collaborative.
TOPIC_CLASSES: dict[str, str] = {
    Topic.PRICE: TopicClass.TRANSACTIONAL,
    Topic.CONTRACT: TopicClass.TRANSACTIONAL,
    Topic.DISPUTE: TopicClass.TRANSACTIONAL,
    Topic.EXPEDITING: TopicClass.TRANSACTIONAL,
    Topic.PLANNING: TopicClass.COLLABORATIVE,
    Topic.DESIGN_IDEA: TopicClass.COLLABORATIVE,
    Topic.PROCESS_IMPROVEMENT: TopicClass.COLLABORATIVE,
    Topic.TRAINING: TopicClass.COLLABORATIVE,
    Topic.TECHNICAL_SUPPORT: TopicClass.COLLABORATIVE,
    Topic.OTHER: TopicClass.OTHER,
}


class Touchpoint(ExternalModel):
    """A contact between the two sides: who met, for how long, about what.

    ``topic_class`` is derived from ``topic`` and stored, so the transactional
    share of face time is a single aggregate (P17).
    """

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="touchpoints",
        db_index=False,  # led by a composite index (Meta.indexes)
    )
    occurred_at = models.DateTimeField(verbose_name=_("when"))
    kind = models.CharField(verbose_name=_("kind"), max_length=8, choices=TouchpointKind.choices)
    initiated_by = models.CharField(
        verbose_name=_("initiated by"), max_length=8, choices=InitiatedBy.choices
    )
    minutes = models.PositiveIntegerField(verbose_name=_("minutes"))
    topic = models.CharField(verbose_name=_("topic"), max_length=20, choices=Topic.choices)
    topic_class = models.CharField(
        verbose_name=_("topic class"), max_length=14, choices=TopicClass.choices, editable=False
    )
    summary = models.TextField(verbose_name=_("summary"), blank=True)
    contacts = models.ManyToManyField(
        Contact, verbose_name=_("their people"), blank=True, related_name="touchpoints"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )

    class Meta:
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(
                fields=["account", "occurred_at", "initiated_by", "topic_class", "minutes"],
                name="touchpoint_account_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.account} {self.occurred_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        self.topic_class = TOPIC_CLASSES.get(self.topic, TopicClass.OTHER)
        super().save(*args, **kwargs)


class TouchpointParticipant(models.Model):
    """One of our people at a touchpoint, with the department they represented."""

    touchpoint = models.ForeignKey(
        Touchpoint, verbose_name=_("touchpoint"), on_delete=models.CASCADE,
        related_name="participants",
        db_index=False,  # led by a composite index (Meta.indexes)
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="touchpoints",
    )
    department = models.CharField(
        verbose_name=_("department"), max_length=20, choices=Department.choices
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["touchpoint", "user"], name="participant_once_per_touchpoint"
            ),
        ]
        indexes = [
            models.Index(fields=["touchpoint", "department"], name="participant_department"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.department})"


class IdeaStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Not adopted")


class Idea(ExternalModel):
    """An idea offered by one side to the other (P19)."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="ideas",
        db_index=False,  # led by a composite index (Meta.indexes)
    )
    direction = models.CharField(
        verbose_name=_("direction"), max_length=8, choices=Direction.choices
    )
    area = models.CharField(
        verbose_name=_("area"), max_length=20,
        choices=[
            ("design", _("Design")),
            ("manufacturing", _("Manufacturing")),
            ("process", _("Process")),
            ("distribution", _("Distribution")),
            ("other", _("Other")),
        ],
        default="other",
    )
    title = models.CharField(verbose_name=_("title"), max_length=200)
    description = models.TextField(verbose_name=_("description"), blank=True)
    proposed_at = models.DateField(verbose_name=_("proposed on"))
    proposed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by (us)"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="ideas",
    )
    proposed_by_contact = models.ForeignKey(
        Contact, verbose_name=_("proposed by (them)"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="ideas",
    )
    status = models.CharField(
        verbose_name=_("status"), max_length=10, choices=IdeaStatus.choices,
        default=IdeaStatus.PROPOSED,
    )
    decided_at = models.DateField(verbose_name=_("decided on"), null=True, blank=True)
    estimated_value = MoneyField(verbose_name=_("estimated value"), null=True, blank=True)
    currency = CurrencyField()

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["-proposed_at"]
        constraints = [
            models.CheckConstraint(
                name="idea_value_not_negative",
                condition=Q(estimated_value__isnull=True) | Q(estimated_value__gte=0),
            ),
        ]
        indexes = [
            models.Index(fields=["account", "proposed_at", "direction"], name="idea_account_time"),
        ]

    def __str__(self) -> str:
        return self.title


class InfoKind(models.TextChoices):
    FORECAST = "forecast", _("Demand forecast")
    ROADMAP = "roadmap", _("Roadmap or plan")
    COST_DATA = "cost_data", _("Cost data")
    QUALITY_DATA = "quality_data", _("Quality data")
    CONFIDENTIAL = "confidential", _("Confidential document")
    OTHER = "other", _("Other")


class InfoShare(TimeStampedModel):
    """Information one side shared with the other (P12, P19)."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="info_shares",
        db_index=False,  # led by a composite index (Meta.indexes)
    )
    direction = models.CharField(
        verbose_name=_("direction"), max_length=8, choices=Direction.choices
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=14, choices=InfoKind.choices)
    shared_at = models.DateField(verbose_name=_("shared on"))
    description = models.CharField(verbose_name=_("what"), max_length=300)
    is_confidential = models.BooleanField(verbose_name=_("confidential"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )

    class Meta:
        verbose_name = _("information shared")
        verbose_name_plural = _("information shared")
        ordering = ["-shared_at"]
        indexes = [
            models.Index(fields=["account", "shared_at", "direction"], name="infoshare_account_time"),
        ]

    def __str__(self) -> str:
        return self.description
