"""An account's health: the current score with each signal explained, and its history.

"Current" is the latest stored snapshot (what the scan or a one-account
refresh wrote), so the API, the pages and the history agree. A snapshot keeps
each signal's value and points but not the facts behind them; the words are
made by evaluating the account as of the snapshot's moment, once; the whole
answer is then kept (``HealthReport``) until a newer snapshot replaces it.
"""


import json
from datetime import date
from typing import Any

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Query, Router
from pydantic import BaseModel, Field

from aftersale.accounts.models import Account
from aftersale.api.common import ONE, get_or_404, staff, visible_accounts
from aftersale.api.conditional import not_modified, weak_etag
from aftersale.api.errors import NotFound
from aftersale.api.models import HealthReport
from aftersale.api.paging import DEFAULT_LIMIT, MAX_LIMIT, page
from aftersale.api.schemas import HealthOut, SnapshotPage
from aftersale.api.types import Day, Id, Text
from aftersale.health.evaluate import evaluate_account
from aftersale.health.models import HealthSnapshot
from aftersale.health.signals import registry

router = Router()


def _account(request: HttpRequest, account_id: int) -> Account:
    return get_or_404(visible_accounts(request).only("pk", "external_id"), account_id)


def _trend(value: str) -> str | None:
    return value or None


def _report(account: Account, snapshot: dict[str, Any], language: str) -> str:
    """The answer for ``snapshot`` (its values and points, each signal's label, weight and
    words as of the snapshot's moment), worked out once and kept in ``HealthReport``."""
    computed_at = snapshot["computed_at"]
    with translation.override(language):
        health, ctx = evaluate_account(account, computed_at)
        rows = {row["name"]: row for row in health.signal_rows(ctx.months)}
        signals = []
        for name, pair in (snapshot["signals"] or {}).items():
            value, contribution = (list(pair) + [None, None])[:2]
            row = rows.get(name)
            definition = registry.get(name)
            signals.append({
                "name": name,
                "label": row["label"] if row else str(definition.label) if definition else name,
                "value": value, "weight": row["weight"] if row else 0, "contribution": contribution,
                "explanation": row["explanation"] if row else "",
            })
    body = json.dumps({
        "account": account.pk, "account_external_id": account.external_id,
        "as_of": snapshot["as_of"], "computed_at": computed_at, "source": "snapshot",
        "score": snapshot["score"], "band": snapshot["band"],
        "coverage": snapshot["coverage"], "trend": _trend(snapshot["trend"]), "signals": signals,
    }, cls=DjangoJSONEncoder, ensure_ascii=False)
    try:
        with transaction.atomic():
            HealthReport.objects.update_or_create(
                account_id=account.pk, language=language, defaults={"computed_at": computed_at, "body": body},
            )
    except IntegrityError:
        pass  # another request stored the same answer meanwhile
    return body


SNAPSHOT_FIELDS = ("as_of", "computed_at", "score", "band", "coverage", "trend", "signals")


def _current(request: HttpRequest, account_id: int, language: str) -> dict[str, Any] | None:
    """The account (within the caller's scope), the moment its latest snapshot was
    evaluated as of, and the answer kept for that snapshot in ``language`` (None until
    worked out): one query."""
    latest = HealthSnapshot.objects.filter(account=OuterRef("pk")).order_by("-as_of")
    kept = HealthReport.objects.filter(account=OuterRef("pk"), language=language,
                                       computed_at=OuterRef("snapshot_at"))
    return (
        visible_accounts(request).filter(pk=account_id)
        .annotate(snapshot_at=Subquery(latest.values("computed_at")[:1]))
        .annotate(body=Subquery(kept.values("body")[:1]))
        .values("pk", "external_id", "snapshot_at", "body").first()
    )


def language_of(request: HttpRequest) -> str:
    return getattr(request, "LANGUAGE_CODE", "en")


@router.get("/{account_id}/health", response={200: HealthOut, 304: None, **ONE},
            summary="An account's current health, each signal explained")
def account_health(request: HttpRequest, response: HttpResponse, account_id: Id) -> Any:
    """The answer kept for the latest snapshot (worked out on its first read). Its ETag
    stands for that snapshot, the language and the caller; a never scanned account is
    evaluated at each request and has none."""
    language = language_of(request)
    found = _current(request, account_id, language)
    if found is None:
        raise NotFound(_("No %(what)s with id %(id)s (or you may not see it).") % {
            "what": Account._meta.verbose_name, "id": account_id})
    account = Account(pk=found["pk"], external_id=found["external_id"])
    body, snapshot_at = found["body"], found["snapshot_at"]
    if snapshot_at is None:
        return _live(account)
    if body is None:
        snapshot = HealthSnapshot.objects.filter(account_id=account.pk).values(*SNAPSHOT_FIELDS).first()
        if snapshot is None:  # removed since the first query
            return _live(account)
        body, snapshot_at = _report(account, snapshot, language), snapshot["computed_at"]
    etag = weak_etag("health", staff(request).pk, account.pk, account.external_id, snapshot_at, language)
    unchanged = not_modified(request, response, etag)
    if unchanged is not None:
        return unchanged
    # The kept answer names the account as it was then; an external ID may have changed since.
    return {**orjson.loads(body), "account_external_id": account.external_id}


def _live(account: Account) -> dict[str, Any]:
    """Never scanned: evaluate now, through the same code, without storing anything."""
    now = timezone.now()
    health, ctx = evaluate_account(account, now)
    return {
        "account": account.pk, "account_external_id": account.external_id,
        "as_of": timezone.localdate(now), "computed_at": now, "source": "live",
        "score": health.score, "band": health.band, "coverage": health.coverage,
        "trend": health.trend or None,
        "signals": [{k: row[k] for k in ("name", "label", "value", "weight", "contribution", "explanation")}
                    for row in health.signal_rows(ctx.months)],
    }


class HistoryFilters(BaseModel):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: Text | None = Field(None, description="The next_cursor of the previous page.")
    since: Day | None = Field(None, description="Only snapshots on or after this day.")
    until: Day | None = Field(None, description="Only snapshots on or before this day.")


def _snapshot_row(row: dict[str, Any]) -> dict[str, Any]:
    pairs = row["signals"] or {}
    return {
        **row, "trend": _trend(row["trend"]),
        "signals": [
            {"name": name, "value": (list(pair) + [None])[0], "contribution": (list(pair) + [None, None])[1]}
            for name, pair in pairs.items()
        ],
    }


@router.get("/{account_id}/health/history", response={200: SnapshotPage, **ONE},
            summary="An account's health snapshots, oldest first")
def health_history(request: HttpRequest, account_id: Id, filters: Query[HistoryFilters]) -> dict[str, Any]:
    account = _account(request, account_id)
    snapshots: QuerySet = HealthSnapshot.objects.filter(account_id=account.pk)
    if filters.since:
        snapshots = snapshots.filter(as_of__gte=filters.since)
    if filters.until:
        snapshots = snapshots.filter(as_of__lte=filters.until)
    rows, cursor = page(
        snapshots.values("as_of", "computed_at", "score", "band", "coverage", "trend", "signals"),
        limit=filters.limit, cursor=filters.cursor, keys=("as_of",), kinds=(date,),
    )
    return {"items": [_snapshot_row(r) for r in rows], "next_cursor": cursor}
