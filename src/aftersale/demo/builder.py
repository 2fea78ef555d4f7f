"""Row-by-row building for the hand-written parts of the demo (cast and stories).

Stories read best one record at a time; the builder gives each record its
primary key at once (so later records can point at it) and writes everything
through the bulk writer in dependency order when flushed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from django.db import models

from aftersale.accounts.models import Account, Competitor, Contact
from aftersale.commerce.models import Order, OrderLine, Product, Quote, QuoteLine
from aftersale.demo.writer import BatchRecorder, BulkWriter, DemoWriteError
from aftersale.engagement.models import (
    TOPIC_CLASSES,
    Idea,
    InfoShare,
    Touchpoint,
    TouchpointParticipant,
)
from aftersale.promises.models import Promise, PromiseEvent
from aftersale.purchasing.models import IncomingInspection, Purchase, PurchasingEffort
from aftersale.reviews.models import (
    CompetitorRating,
    Expectation,
    JointPlan,
    JointPlanItem,
    RelationshipReview,
    TrustRating,
)
from aftersale.service.models import (
    Asset,
    CaseComment,
    CaseStatusChange,
    MaintenancePlan,
    ServiceCase,
    WorkLog,
)
from aftersale.staff.models import User

# Parents before children, so PostgreSQL's checks never see a dangling key
# even when they are not deferred.
MODEL_ORDER: tuple[type[models.Model], ...] = (
    User,
    Competitor,
    Product,
    Product.fits.through,
    Account,
    Account.competitors.through,
    Contact,
    Asset,
    MaintenancePlan,
    Order,
    OrderLine,
    Quote,
    QuoteLine,
    Promise,
    PromiseEvent,
    ServiceCase,
    CaseStatusChange,
    CaseComment,
    WorkLog,
    Touchpoint,
    Touchpoint.contacts.through,
    TouchpointParticipant,
    Idea,
    InfoShare,
    RelationshipReview,
    CompetitorRating,
    JointPlan,
    JointPlanItem,
    Expectation,
    TrustRating,
    IncomingInspection,
    PurchasingEffort,
    Purchase,
)

# Columns a newer schema may have (from another app's branch); filled when present.
OPTIONAL_COLUMNS = {PromiseEvent: ("version",)}


class Builder:
    """Collects rows for many models; ``flush()`` writes them all."""

    def __init__(self, writer: BulkWriter) -> None:
        self.writer = writer
        self._rows: dict[type[models.Model], dict[tuple[str, ...], list[dict[str, Any]]]] = (
            defaultdict(lambda: defaultdict(list))
        )

    def add(self, model: type[models.Model], **values: Any) -> int:
        """Queue one row; returns its primary key."""
        if model not in MODEL_ORDER:
            raise DemoWriteError(f"the demo does not write {model.__name__}")
        pk = self.writer.allocate(model, 1)
        values[model._meta.pk.attname] = pk
        if model is Touchpoint:
            values["topic_class"] = TOPIC_CLASSES[values["topic"]]
        self._rows[model][tuple(sorted(values))].append(values)
        return pk

    def flush(
        self, aside: BatchRecorder | None = None, aside_models: Collection[type[models.Model]] = ()
    ) -> None:
        """Write every queued row; the rows of ``aside_models`` go into ``aside`` instead
        (a second process writes those tables)."""
        for model in MODEL_ORDER:
            groups = self._rows.pop(model, {})
            target: BulkWriter | BatchRecorder = self.writer
            if aside is not None and model in aside_models:
                target = aside
            for keys, rows in groups.items():
                columns = {key: [row[key] for row in rows] for key in keys}
                target.insert(model, columns, optional=OPTIONAL_COLUMNS.get(model, ()))
