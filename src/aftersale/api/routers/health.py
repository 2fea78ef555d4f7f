"""An account's health: the current score with each signal explained, and its history.

"Current" is the latest stored snapshot (what the scan or a one-account
refresh wrote), so the API, the pages and the history agree. A snapshot keeps
each signal's value and points but not the facts behind them; the words are
made by evaluating the account as of the snapshot's moment, once, and kept in
Django's cache under that snapshot (it never changes, so neither do they).
"""


from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from aftersale.accounts.models import Account
from aftersale.api.common import ONE, get_or_404, visible_accounts
from aftersale.api.paging import DEFAULT_LIMIT, MAX_LIMIT, page
from aftersale.api.schemas import HealthOut, SnapshotPage
from aftersale.api.types import Day, Id, Text
from aftersale.health.evaluate import evaluate_account
from aftersale.health.models import HealthSnapshot
from aftersale.health.signals import registry

router = Router()

CACHE_SECONDS = 7 * 24 * 3600


def _account(request: HttpRequest, account_id: int) -> Account:
    return get_or_404(visible_accounts(request).only("pk", "external_id"), account_id)


def _explained(account: Account, computed_at, language: str) -> dict[str, dict[str, Any]]:
    """Label, weight and explanation of each signal, as of ``computed_at`` (cached)."""
    key = f"api:health:{account.pk}:{computed_at.isoformat()}:{language}"
    found = cache.get(key)
    if found is None:
        health, ctx = evaluate_account(account, computed_at)
        found = {row["name"]: row for row in health.signal_rows(ctx.months)}
        cache.set(key, found, CACHE_SECONDS)
    return found


def _trend(value: str) -> str | None:
    return value or None


@router.get("/{account_id}/health", response={200: HealthOut, **ONE},
            summary="An account's current health, each signal explained")
def account_health(request: HttpRequest, account_id: Id) -> dict[str, Any]:
    account = _account(request, account_id)
    language = getattr(request, "LANGUAGE_CODE", "en")
    snapshot = (
        HealthSnapshot.objects.filter(account_id=account.pk)
        .order_by("-as_of")
        .only("as_of", "computed_at", "score", "band", "coverage", "trend", "signals")
        .first()
    )
    if snapshot is None:
        # Never scanned: evaluate now, through the same code, without storing anything.
        now = timezone.now()
        health, ctx = evaluate_account(account, now)
        return {
            "account": account.pk, "account_external_id": account.external_id,
            "as_of": timezone.localdate(now), "computed_at": now, "source": "live",
            "score": health.score, "band": health.band, "coverage": health.coverage,
            "trend": _trend(health.trend), "signals": health.signal_rows(ctx.months),
        }
    explained = _explained(account, snapshot.computed_at, language)
    signals = []
    for name, pair in snapshot.signals.items():
        value, contribution = (list(pair) + [None, None])[:2]
        row = explained.get(name)
        definition = registry.get(name)
        signals.append({
            "name": name,
            "label": row["label"] if row else str(definition.label) if definition else name,
            "value": value, "contribution": contribution,
            "weight": row["weight"] if row else 0,
            "explanation": row["explanation"] if row else "",
        })
    return {
        "account": account.pk, "account_external_id": account.external_id, "as_of": snapshot.as_of,
        "computed_at": snapshot.computed_at, "source": "snapshot", "score": snapshot.score,
        "band": snapshot.band, "coverage": snapshot.coverage, "trend": _trend(snapshot.trend),
        "signals": signals,
    }


class HistoryFilters(Schema):
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
