"""Rhythm: how alarming an account's silence is, given its own pace (P1, P8, P10).

- ``base``: the streams, the per-account stats, the model protocol, the registry of the
  model of each stream, and the gap-ratio model every stream falls back to;
- ``bgnbd``: the statistical model the engine uses (event days read in the database,
  the population model fitted once per scan by ``aftersale.stats``);
- ``signals``: the contact-rhythm and order-rhythm signals, and the per-scan fits.
"""

from aftersale.health.rhythm.base import (
    STREAMS,
    GapRatioModel,
    RhythmAssessment,
    RhythmModel,
    RhythmStats,
    model_for,
    register_model,
    reset_models,
    set_default_model,
)

__all__ = [
    "STREAMS", "GapRatioModel", "RhythmAssessment", "RhythmModel", "RhythmStats", "model_for",
    "register_model", "reset_models", "set_default_model",
]
