"""The engine's settings as one plain, immutable value read once per scan."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aftersale.health.models import HealthSettings, SignalWeight


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
    weights: Mapping[str, int] = field(default_factory=dict)

    @property
    def decay_rate(self) -> float:
        """Per-day rate of the exponential decay: weight = exp(-rate * age_days)."""
        return math.log(2) / self.half_life_days

    @property
    def horizon_months(self) -> int:
        return max(1, round(self.horizon_days / 30.44))

    def weight(self, signal: str) -> int:
        from aftersale.health.signals import registry

        if signal in self.weights:
            return self.weights[signal]
        definition = registry.get(signal)
        return definition.default_weight if definition else 0


SETTING_FIELDS = (
    "half_life_days", "horizon_days", "healthy_min", "watch_min", "min_coverage_healthy",
    "trend_points", "transactional_trusted_share", "transactional_untrusted_share",
    "technical_target_share", "portal_target_share", "scan_interval_minutes",
)


def load_config() -> EngineConfig:
    """Read the settings row and the weights (two small queries in one round trip; never writes).

    Plain SQL: this runs before every one-account refresh, where building
    querysets would cost more than reading two tiny tables.
    """
    from aftersale.core.sql import run_many

    return config_from(*run_many(*config_statements()))


def config_statements() -> tuple[tuple[str, dict[str, Any]], tuple[str, dict[str, Any]]]:
    """The two statements ``load_config`` runs, for a caller that sends them with others."""
    from aftersale.core.sql import table

    columns = ", ".join(SETTING_FIELDS)
    return (
        (f"SELECT {columns} FROM {table(HealthSettings)} WHERE id = :id",  # noqa: S608
         {"id": HealthSettings.SINGLETON_ID}),
        (f"SELECT signal, weight FROM {table(SignalWeight)}", {}),  # noqa: S608
    )


def config_from(settings_rows: list[tuple[Any, ...]], weight_rows: list[tuple[Any, ...]]) -> EngineConfig:
    values: dict[str, Any] = dict(zip(SETTING_FIELDS, settings_rows[0], strict=True)) if settings_rows else {}
    return EngineConfig(weights=dict(weight_rows), **values)


def create_missing_weights(**kwargs: Any) -> None:
    """After migrate: give every registered signal a weight row with its default.

    Signals added later (for example by the silence work) appear in the admin
    without a migration of their own.
    """
    from aftersale.health.signals import registry

    using = kwargs.get("using", "default")
    SignalWeight.objects.using(using).bulk_create(
        [SignalWeight(signal=d.name, weight=d.default_weight) for d in registry.all()],
        ignore_conflicts=True,
    )
    HealthSettings.objects.using(using).get_or_create(pk=HealthSettings.SINGLETON_ID)
