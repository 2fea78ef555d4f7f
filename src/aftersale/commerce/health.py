"""Health beside money, without depending on the health engine.

The engine (app ``aftersale.health``) sits above this domain app, so commerce never
imports it; the portfolio page looks its snapshots up through the app registry and
simply shows no health when the engine is not installed.
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import OuterRef, Subquery

from aftersale.core.asof import day_after

logger = logging.getLogger(__name__)


def health_by_account(as_of: date) -> dict[int, tuple[Decimal | None, str | None]] | None:
    """Each account's latest health snapshot on or before ``as_of``: (score, band).

    One query; None when the engine is not installed.
    """
    if not apps.is_installed("aftersale.health"):
        return None
    try:
        snapshot = apps.get_model("health", "HealthSnapshot")
        field = snapshot._meta.get_field("as_of")
        for name in ("account", "score", "band"):
            snapshot._meta.get_field(name)
    except (LookupError, FieldDoesNotExist):
        # The engine's snapshots do not have the shape this page expects: show money
        # alone rather than fail, and say so in the log.
        logger.warning("health snapshots not shown: HealthSnapshot lacks account/as_of/score/band")
        return None
    if isinstance(field, models.DateTimeField):
        upto = {"as_of__lt": day_after(as_of)}
    else:
        upto = {"as_of__lte": as_of}
    latest = (snapshot.objects.filter(account_id=OuterRef("account_id"), **upto)
              .order_by("-as_of", "-pk").values("pk")[:1])
    rows = (snapshot.objects.filter(**upto).filter(pk=Subquery(latest))
            .values_list("account_id", "score", "band"))
    return {account_id: (score, band) for account_id, score, band in rows}
