"""The engine's settings as one plain, immutable value read once per scan.

Django-free: the signals, the scoring and the backtest take an ``EngineConfig``;
``aftersale.health.store`` reads it from the settings rows."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class EngineConfig:
    """Everything the signals and the scoring need from the database settings."""

    half_life_days: int = 180
    horizon_days: int = 730
    healthy_min: int = 70
    watch_min: int = 50
    min_coverage_healthy: float = 0.5
    trend_points: int = 5
    transactional_trusted_share: float = 0.25
    transactional_untrusted_share: float = 0.47
    technical_target_share: float = 0.30
    portal_target_share: float = 0.50
    scan_interval_minutes: int = 1440
    # The band rules (aftersale.health.signals.now): never healthy with severe open problems, an open step-in,
    # an open critical case past its target, or a promise overdue by more than these days (0: off).
    band_rule_step_in: bool = True
    band_rule_critical: bool = True
    band_promise_overdue_days: int = 30
    band_open_problems_min: float = 0.5  # open problems below this value: never healthy (0: off)
    # ``SILENCE_P`` from the settings (aftersale.core.conf); None: no account counts as silent.
    silence_p: float | None = None
    weights: Mapping[str, int] = field(default_factory=dict)

    @property
    def decay_rate(self) -> float:
        """Per-day rate of the exponential decay: weight = exp(-rate * age_days)."""
        return math.log(2) / self.half_life_days

    @property
    def horizon_months(self) -> int:
        return max(1, round(self.horizon_days / 30.44))

    def weight(self, signal: str) -> int:
        """The signal's weight; 0 for a signal without one (it is then left out)."""
        return self.weights.get(signal, 0)
