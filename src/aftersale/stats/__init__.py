"""Statistics behind silence detection: pure functions over numpy arrays (no ORM).

- ``summary``: flat event arrays -> per-account ``(x, t_x, T)`` as of a day.
- ``bgnbd``: the population rhythm model fitted by maximum likelihood, and its
  per-account predictions.
- ``rhythm``: per-account outputs for the health engine, from that one model,
  for accounts with one or many event days.
- ``quietness``: the zero-inflated negative-binomial peer model and the
  Benjamini-Hochberg choice of quiet accounts.
- ``auc``: ROC AUC for the backtest; ``proof``: its interval, tenths, lift, isotonic calibration
  and non-negative logistic weights.
- ``simulate``: vectorised simulation of the rhythm model (tests and benchmarks).

See docs/silence-models.md for how and why.
"""

from aftersale.stats.auc import roc_auc
from aftersale.stats.bgnbd import (
    bgnbd_expected,
    bgnbd_expected_if_alive,
    bgnbd_expected_new,
    bgnbd_gradient,
    bgnbd_log_likelihood,
    bgnbd_p_alive,
    bgnbd_p_event_within,
    bgnbd_pmf,
    fit_bgnbd,
)
from aftersale.stats.model import InsufficientData, ModelKind, RhythmModel
from aftersale.stats.quietness import (
    CountModel,
    benjamini_hochberg,
    fit_count_model,
    leave_one_out,
    lower_tail_probability,
    quiet_p_values,
)
from aftersale.stats.rhythm import AccountRhythm, RhythmStatus, account_rhythm
from aftersale.stats.summary import TIME_UNITS, EventSummary, summarise

__all__ = [
    "TIME_UNITS",
    "AccountRhythm",
    "CountModel",
    "EventSummary",
    "InsufficientData",
    "ModelKind",
    "RhythmModel",
    "RhythmStatus",
    "account_rhythm",
    "benjamini_hochberg",
    "bgnbd_expected",
    "bgnbd_expected_if_alive",
    "bgnbd_expected_new",
    "bgnbd_gradient",
    "bgnbd_log_likelihood",
    "bgnbd_p_alive",
    "bgnbd_p_event_within",
    "bgnbd_pmf",
    "fit_bgnbd",
    "fit_count_model",
    "leave_one_out",
    "lower_tail_probability",
    "quiet_p_values",
    "roc_auc",
    "summarise",
]
