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

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Query, Router
from pydantic import BaseModel, Field

from aftersale.accounts.models import Account
from aftersale.api.auth import TokenAuth, checked_together, fetch_checked
from aftersale.api.common import ONE, get_or_404, visible_accounts
from aftersale.api.errors import NotFound
from aftersale.api.fast import (
    aware,
    day,
    json_value,
    moment,
    number,
    quoted,
    respond,
    respond_text,
    scope_clause,
)
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
    computed_at = aware(snapshot["computed_at"])
    with translation.override(language):
        health, ctx = evaluate_account(account, computed_at)
        rows = {row["name"]: row for row in health.signal_rows(ctx.months)}
        signals = []
        for name, pair in json_value(snapshot["signals"]).items():
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
        "as_of": day(snapshot["as_of"]), "computed_at": moment(computed_at), "source": "snapshot",
        "score": number(snapshot["score"]), "band": snapshot["band"],
        "coverage": number(snapshot["coverage"]), "trend": _trend(snapshot["trend"]), "signals": signals,
    }, ensure_ascii=False)
    try:
        with transaction.atomic():
            HealthReport.objects.update_or_create(
                account_id=account.pk, language=language, defaults={"computed_at": computed_at, "body": body},
            )
    except IntegrityError:
        pass  # another request stored the same answer meanwhile
    return body


# The health statement's columns (the kept answer, the account, the snapshot's seven).
HEALTH_WIDTH = 10


def health_statement(request: HttpRequest, account_id: int) -> tuple[str, list[Any]]:
    """The one statement finding the account (within the caller's scope), its latest
    snapshot and, once worked out, the answer kept for that snapshot in the request's language."""
    q = quoted
    snapshots = q(HealthSnapshot._meta.db_table)
    scope, params = scope_clause(visible_accounts(request), "a.id")
    return (
        "SELECT r.body, a.id, a.external_id, s.as_of, s.computed_at, s.score, s.band, s.coverage,"  # noqa: S608
        " s.trend, CAST(s.signals AS text)"  # text: parsed only in the rare case it is needed
        f" FROM {q(Account._meta.db_table)} a LEFT JOIN {snapshots} s ON s.account_id = a.id"
        f" AND s.as_of = (SELECT MAX(as_of) FROM {snapshots} WHERE account_id = a.id)"
        f" LEFT JOIN {q(HealthReport._meta.db_table)} r ON r.account_id = a.id AND r.language = %s"
        " AND r.computed_at = s.computed_at"
        f" WHERE a.id = %s{scope}",
        [language_of(request), account_id, *params],
    )


def language_of(request: HttpRequest) -> str:
    return getattr(request, "LANGUAGE_CODE", "en")


@router.get("/{account_id}/health", response={200: HealthOut, **ONE},
            summary="An account's current health, each signal explained", auth=TokenAuth(together=True))
@checked_together
def account_health(request: HttpRequest, account_id: Id) -> HttpResponse:
    """One plain query finds the account, its latest snapshot and the answer kept for it.
    A token this process knows, asking for an answer already kept, is usually answered
    before this view by ``aftersale.api.hot``, with the same statement."""
    rows = fetch_checked(request, *health_statement(request, account_id))
    if not rows:
        raise NotFound(_("No %(what)s with id %(id)s (or you may not see it).") % {
            "what": Account._meta.verbose_name, "id": account_id})
    body, pk, external_id, *values = rows[0]
    if body is not None:
        return respond_text(body)
    account = Account(pk=pk, external_id=external_id)
    if values[0] is None:
        return respond(_live(account))
    snapshot = dict(zip(("as_of", "computed_at", "score", "band", "coverage", "trend", "signals"), values,
                        strict=True))
    return respond_text(_report(account, snapshot, language_of(request)))


def _live(account: Account) -> dict[str, Any]:
    """Never scanned: evaluate now, through the same code, without storing anything."""
    now = timezone.now()
    health, ctx = evaluate_account(account, now)
    return {
        "account": account.pk, "account_external_id": account.external_id,
        "as_of": timezone.localdate(now).isoformat(), "computed_at": moment(now), "source": "live",
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
