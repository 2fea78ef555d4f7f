"""The rhythm hook: streams, per-account stats, the model protocol and registry, and the
gap-ratio model every stream falls back to (P1, P8, P10).

Two event streams have a rhythm: ``orders`` (placed orders) and ``contacts``
(touchpoints). For each account the engine reads, in one aggregate query, how
many events it had, the first and the last (``RhythmStats``), and hands them
to the stream's model, which turns them into a value 0..1.

The default model is the simple gap ratio below. A statistical model (for
example BG/NBD fitted by maximum likelihood) plugs in with::

    from aftersale.health import rhythm

    rhythm.register_model("orders", MyModel())

A model has ``kind`` and ``needs_fit``; ``fit(as_of, stats)`` is called once
per scan on the whole portfolio's stats (only if ``needs_fit``) and returns a
JSON-able summary (``kind``, parameters, ``log_likelihood``, ``n``,
``time_unit``), stored on the scan and listed by ``scan --json``;
``assess(as_of, stats, fit)`` values the accounts in scope using that fit
(``fit`` is that of the latest scan of ``as_of``'s day or an earlier one, ``None``
before the first scan); and
``explain(facts)`` words one account's facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersale.core.asof import as_date

STREAMS = ("orders", "contacts")


@dataclass(frozen=True, slots=True)
class RhythmStats:
    """One account's stream up to ``as_of``: how many events, and how many days before
    ``as_of`` the first and the last happened.

    In BG/NBD terms: ``x = count - 1`` repeat events, recency ``t_x = first_age -
    last_age`` and age ``T = first_age`` (days).
    """

    count: int
    first_age: float
    last_age: float

    @property
    def repeats(self) -> int:
        return self.count - 1

    @property
    def recency(self) -> float:
        return self.first_age - self.last_age


@dataclass(frozen=True, slots=True)
class RhythmAssessment:
    value: float
    facts: dict[str, Any]


class RhythmModel(Protocol):
    kind: str
    needs_fit: bool

    def fit(self, as_of: datetime, stats: Mapping[int, RhythmStats]) -> dict[str, Any] | None: ...

    def assess(
        self, as_of: datetime, stats: Mapping[int, RhythmStats], fit: Mapping[str, Any] | None
    ) -> dict[int, RhythmAssessment]: ...

    def explain(self, facts: Mapping[str, Any]) -> str: ...


class GapRatioModel:
    """Silence measured in the account's own usual gaps.

    usual gap = (last - first) / (count - 1), over at least ``MIN_EVENTS``
    events. Silence up to ``TOLERANCE`` usual gaps is normal (value 1); after
    that the value halves with every further usual gap of silence.
    """

    MIN_EVENTS = 3
    TOLERANCE = 1.5
    needs_fit = False

    def __init__(self, stream: str) -> None:
        self.stream = stream
        self.kind = "gap_ratio"

    def fit(self, as_of: datetime, stats: Mapping[int, RhythmStats]) -> dict[str, Any] | None:
        return None

    def assess(
        self, as_of: datetime, stats: Mapping[int, RhythmStats], fit: Mapping[str, Any] | None
    ) -> dict[int, RhythmAssessment]:
        result: dict[int, RhythmAssessment] = {}
        day = as_date(as_of)
        for account_id, s in stats.items():
            if s.count < self.MIN_EVENTS:
                continue
            gap = max(1.0, s.recency / s.repeats)
            since = max(0.0, s.last_age)
            ratio = since / gap
            value = 0.5 ** max(0.0, ratio - self.TOLERANCE)
            result[account_id] = RhythmAssessment(
                value=value,
                facts={
                    "count": s.count, "last": (day - timedelta(days=round(s.last_age))).isoformat(),
                    "gap_days": round(gap),
                    "since_days": int(since), "ratio": round(ratio, 1),
                },
            )
        return result

    def explain(self, facts: Mapping[str, Any]) -> str:
        since = ngettext("%(days)d day ago", "%(days)d days ago", facts["since_days"]) % {
            "days": facts["since_days"]
        }
        gap = ngettext("every %(days)d day", "every %(days)d days", facts["gap_days"]) % {
            "days": facts["gap_days"]
        }
        if self.stream == "orders":
            text = _("Last order %(since)s (%(date)s); usually one %(gap)s.")
        else:
            text = _("Last contact %(since)s (%(date)s); usually one %(gap)s.")
        last = date_format(date.fromisoformat(facts["last"]), "SHORT_DATE_FORMAT")
        return text % {"since": since, "date": last, "gap": gap}


_default_factory: Any = GapRatioModel
_models: dict[str, RhythmModel] = {stream: GapRatioModel(stream) for stream in STREAMS}


def set_default_model(factory: Any) -> None:
    """Make ``factory(stream)`` the model of every stream, now and after ``reset_models``."""
    global _default_factory
    _default_factory = factory
    reset_models()


def register_model(stream: str, model: RhythmModel) -> None:
    """Replace the model that values ``stream`` ("orders" or "contacts")."""
    if stream not in STREAMS:
        raise ValueError(f"unknown rhythm stream {stream!r}; expected one of {', '.join(STREAMS)}")
    _models[stream] = model


def model_for(stream: str) -> RhythmModel:
    return _models[stream]


def reset_models() -> None:
    """Back to the default models (for tests)."""
    for stream in STREAMS:
        _models[stream] = _default_factory(stream)
