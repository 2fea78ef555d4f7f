"""The engine's step-in alerts (P10): ``silence`` and ``quiet_customer``.

- ``silence``: the customer has stopped reaching out relative to its own
  rhythm: the contact-rhythm model's probability that it reaches out within
  its usual gap (``p_return``) is below ``SILENCE_P``. A new account (too
  early to expect contact) is never silent, and neither is one judged by the
  gap-ratio fallback (no usable model: no probability to compare).
- ``quiet_customer``: the quietness signal flagged improbably few requests and
  complaints for what exposes the account (Benjamini-Hochberg at ``QUIET_FDR``).

Both are raised for customer accounts only. Each carries a suggested action:
a technical visit where the account has equipment, a call or visit by its
owner otherwise. They close only when a two-way contact (visit, meeting, call,
video call) is logged after they opened (``aftersale.alerts.actions.
reconcile_alerts``), never by "I'm on it"; once closed, the same kind is not
raised again for ``STEP_IN_GRACE_DAYS`` (90): the conversation gets time to work.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersale.accounts.models import Account, AccountKind
from aftersale.alerts.actions import Condition, Key
from aftersale.alerts.models import Alert, AlertKind
from aftersale.alerts.texts import AlertText, Params
from aftersale.core.sql import age_days_sql, run, scope_sql, table
from aftersale.health import engine_alerts, rhythm
from aftersale.health.evaluate import AccountHealth
from aftersale.health.quietness.assess import quiet_settings
from aftersale.health.quietness.flags import is_quiet, is_silent
from aftersale.health.quietness.signal import NAME as QUIETNESS
from aftersale.health.quietness.signal import explain as explain_quietness
from aftersale.health.signals.registry import EvalContext
from aftersale.service.models import Asset

CONTACT_RHYTHM = "contact_rhythm"


def _customers(ctx: EvalContext, ids: list[int], kind: str) -> dict[int, tuple[float | None, int]]:
    """One query over the candidates: customer accounts only, with the days since an alert of
    ``kind`` was last resolved (None if never) and their installed machines, as of ``ctx.as_of``."""
    if not ids:
        return {}
    kind_column = connection.ops.quote_name("kind")
    rows = run(
        f"SELECT a.id,"  # noqa: S608 - table and column names only
        f" (SELECT {age_days_sql('MAX(r.resolved_at)', is_datetime=True)} FROM {table(Alert)} r"
        f"  WHERE r.account_id = a.id AND r.{kind_column} = :kind AND r.resolved_at <= :as_of),"
        f" (SELECT COUNT(*) FROM {table(Asset)} s WHERE s.account_id = a.id AND s.installed_at <= :day)"
        f" FROM {table(Account)} a WHERE a.{kind_column} = :customer{scope_sql('a.id', ids)}",
        as_of=ctx.as_of, day=ctx.as_of_date, kind=kind, customer=AccountKind.CUSTOMER.value,
    )
    return {account_id: (since, int(assets)) for account_id, since, assets in rows}


def _action(assets: int) -> str:
    if assets:
        return ngettext(
            "Step in: the owner visits with a service engineer, checks the machine on site and "
            "asks what is not working; log the visit to close this alert.",
            "Step in: the owner visits with a service engineer, checks the %(n)d machines on site "
            "and asks what is not working; log the visit to close this alert.",
            assets,
        ) % {"n": assets}
    return _("Step in: the owner calls or visits them and asks how things really are; log the "
             "call or visit to close this alert.")


def _conditions(ctx: EvalContext, results: Mapping[int, AccountHealth], kind: str) -> dict[Key, Condition]:
    qs = quiet_settings()
    if kind == AlertKind.SILENCE:
        candidates = [a for a, h in results.items() if is_silent(h.values.get(CONTACT_RHYTHM), qs.silence_p)]
    else:
        candidates = [a for a, h in results.items() if is_quiet(h.values.get(QUIETNESS))]
    wanted: dict[Key, Condition] = {}
    for account_id, (since, assets) in _customers(ctx, candidates, kind).items():
        if since is not None and since <= qs.grace_days:
            continue  # someone stepped in lately: give that conversation time to work
        signal = CONTACT_RHYTHM if kind == AlertKind.SILENCE else QUIETNESS
        wanted[(account_id, "")] = Condition({
            "assets": assets, "facts": dict(results[account_id].values[signal].facts),
        })
    return wanted


def _explained(explain: Callable[[Mapping[str, Any]], str], facts: Mapping[str, Any] | None) -> str:
    """The signal's own words for the facts kept when the alert opened; none when they were not
    kept (an alert converted from stored text) or the model in force reads other facts."""
    if not facts:
        return ""
    try:
        return explain(facts)
    except (KeyError, TypeError, ValueError):
        return ""


def render_silence(params: Params) -> AlertText:
    """The contact-rhythm model in force explains the facts its signal gave when the alert opened."""
    text = _("We have not heard from the customer for longer than its rhythm allows.")
    why = _explained(rhythm.model_for("contacts").explain, params.get("facts"))
    return AlertText(f"{text} {why}" if why else text, _action(params.get("assets") or 0))


def render_quiet_customer(params: Params) -> AlertText:
    text = _explained(explain_quietness, params.get("facts")) or _(
        "The customer raised improbably few requests and complaints for what it uses: a customer "
        "is never that satisfied for long.")
    return AlertText(text, _action(params.get("assets") or 0))


def silence(ctx: EvalContext, results: Mapping[int, AccountHealth]) -> dict[Key, Condition]:
    return _conditions(ctx, results, AlertKind.SILENCE)


def quiet_customer(ctx: EvalContext, results: Mapping[int, AccountHealth]) -> dict[Key, Condition]:
    return _conditions(ctx, results, AlertKind.QUIET_CUSTOMER)


engine_alerts.register(AlertKind.SILENCE, silence, render_silence)
engine_alerts.register(AlertKind.QUIET_CUSTOMER, quiet_customer, render_quiet_customer)
