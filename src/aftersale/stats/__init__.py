"""Statistics behind silence detection: pure functions over numpy arrays (no ORM).

- ``summary``: flat event arrays -> per-account ``(x, t_x, T)`` as of a day.
- ``bgnbd`` / ``paretonbd``: population rhythm models fitted by maximum
  likelihood, and their per-account predictions.
- ``engagement``: per-account outputs for the health engine, with the rules for
  accounts with zero or one event.
- ``quietness``: Poisson / negative-binomial lower tails and the peer regression.
- ``auc``: ROC AUC for the backtest; ``proof``: its interval, tenths, lift, isotonic calibration
  and non-negative logistic weights.
- ``simulate``: vectorised simulation of both models (tests and benchmarks).

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
    bgnbd_pmf,
    fit_bgnbd,
)
from aftersale.stats.model import InsufficientData, ModelKind, RhythmModel
from aftersale.stats.paretonbd import (
    fit_paretonbd,
    paretonbd_expected,
    paretonbd_expected_new,
    paretonbd_log_likelihood,
    paretonbd_p_alive,
)
from aftersale.stats.quietness import (
    PeerExpectation,
    PoissonGLM,
    estimate_dispersion,
    expected_from_peers,
    fit_poisson_glm,
    lower_tail_probability,
)
from aftersale.stats.rhythm import AccountRhythm, RhythmStatus, account_rhythm, exposure_p_engaged
from aftersale.stats.summary import TIME_UNITS, EventSummary, summarise

__all__ = [
    "TIME_UNITS",
    "AccountRhythm",
    "EventSummary",
    "InsufficientData",
    "ModelKind",
    "PeerExpectation",
    "PoissonGLM",
    "RhythmModel",
    "RhythmStatus",
    "account_rhythm",
    "bgnbd_expected",
    "bgnbd_expected_if_alive",
    "bgnbd_expected_new",
    "bgnbd_gradient",
    "bgnbd_log_likelihood",
    "bgnbd_p_alive",
    "bgnbd_pmf",
    "estimate_dispersion",
    "expected_from_peers",
    "exposure_p_engaged",
    "fit_bgnbd",
    "fit_paretonbd",
    "fit_poisson_glm",
    "lower_tail_probability",
    "paretonbd_expected",
    "paretonbd_expected_new",
    "paretonbd_log_likelihood",
    "paretonbd_p_alive",
    "roc_auc",
    "summarise",
]
