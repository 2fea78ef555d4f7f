"""The ``review_due`` alert condition (P9) and its text, registered in ``apps.py``.

An account's next review is due one cadence (by tier) after its last completed
review, or on the ``next_due_at`` that review set, whichever comes first. An
account never reviewed is due one cadence after the relationship began (its
``customer_since``, else the day it was recorded), so a new account is not
flagged on its first day. Two queries for any number of accounts.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.accounts.models import Account, Tier
from aftersale.alerts import texts
from aftersale.alerts.actions import Condition, Key
from aftersale.alerts.texts import AlertText, Params, iso
from aftersale.core.asof import as_date
from aftersale.reviews.conf import cadence_days
from aftersale.reviews.models import RelationshipReview, ReviewStatus


def due_date(
    *, cadence: int, last_held: date | None, next_due: date | None, started: date,
) -> date:
    """When the next review is due (pure: the rule in the module docstring)."""
    if last_held is None:
        return started + timedelta(days=cadence)
    due = last_held + timedelta(days=cadence)
    return min(due, next_due) if next_due is not None else due


def review_due_dates(
    as_of: date, account_ids: list[int] | None = None,
) -> dict[int, tuple[date, date | None]]:
    """Per account: (next review due on, last completed review held on), as of ``as_of``."""
    cadences = cadence_days()
    accounts = Account.objects.all()
    reviews = RelationshipReview.objects.filter(status=ReviewStatus.COMPLETED, held_at__lte=as_of)
    if account_ids is not None:
        accounts = accounts.filter(pk__in=account_ids)
        reviews = reviews.filter(account_id__in=account_ids)
    latest = {
        account_id: (held_at, next_due)
        for account_id, held_at, next_due in reviews.annotate(
            rank=Window(RowNumber(), partition_by=[F("account_id")],
                        order_by=[F("held_at").desc(), F("pk").desc()])
        ).filter(rank=1).values_list("account_id", "held_at", "next_due_at")
    }
    result: dict[int, tuple[date, date | None]] = {}
    for pk, tier, since, created in accounts.values_list("pk", "tier", "customer_since", "created_at"):
        started = since or timezone.localdate(created)
        if started > as_of:
            continue  # not an account yet on that day
        last_held, next_due = latest.get(pk, (None, None))
        cadence = cadences.get(tier, cadences[Tier.STANDARD])
        result[pk] = (
            due_date(cadence=cadence, last_held=last_held, next_due=next_due, started=started),
            last_held,
        )
    return result


def review_due(as_of: datetime, account_ids: list[int] | None = None) -> dict[Key, Condition]:
    """One alert per account whose review is due on or before ``as_of``."""
    day = as_date(as_of)
    wanted: dict[Key, Condition] = {}
    for account_id, (due, last_held) in review_due_dates(day, account_ids).items():
        if due > day:
            continue
        wanted[(account_id, "")] = Condition({
            "due": iso(due), "held": iso(last_held), "days": (day - due).days,
        })
    return wanted


def render_review_due(params: Params) -> AlertText:
    if not params.get("held"):
        explanation = _("No relationship review yet; the first was due on %(due)s.") % {
            "due": texts.day(params.get("due"))
        }
    else:
        explanation = _(
            "The last relationship review was on %(held)s; the next was due on %(due)s "
            "(%(days)s days ago)."
        ) % {"held": texts.day(params["held"]), "due": texts.day(params.get("due")),
             "days": texts.number(params.get("days"))}
    return AlertText(
        explanation,
        _("Hold a review: is the relationship improving, are our promises kept, have we "
          "neglected anything, how do we compare with competitors?"),
    )
