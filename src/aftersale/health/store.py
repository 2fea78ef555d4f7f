"""Reading the engine's settings rows into an ``EngineConfig``, and seeding them after migrate."""

from __future__ import annotations

from typing import Any

from aftersale.core import conf
from aftersale.core.sql import run_many, table
from aftersale.health.config import EngineConfig
from aftersale.health.models import HealthSettings, SignalWeight
from aftersale.health.signals import registry

SETTING_FIELDS = (
    "half_life_days", "horizon_days", "healthy_min", "watch_min", "min_coverage_healthy",
    "trend_points", "transactional_trusted_share", "transactional_untrusted_share",
    "technical_target_share", "portal_target_share", "scan_interval_minutes",
    "band_rule_step_in", "band_rule_critical", "band_promise_overdue_days", "band_open_problems_min",
)


def load_config() -> EngineConfig:
    """Read the settings row and the weights (two small queries in one round trip; never writes).

    Plain SQL: this runs before every one-account refresh, where building
    querysets would cost more than reading two tiny tables.
    """
    return config_from(*run_many(*config_statements()))


def config_statements() -> tuple[tuple[str, dict[str, Any]], tuple[str, dict[str, Any]]]:
    """The two statements ``load_config`` runs, for a caller that sends them with others."""
    columns = ", ".join(SETTING_FIELDS)
    return (
        (f"SELECT {columns} FROM {table(HealthSettings)} WHERE id = :id",  # noqa: S608
         {"id": HealthSettings.SINGLETON_ID}),
        (f"SELECT signal, weight FROM {table(SignalWeight)}", {}),  # noqa: S608
    )


def config_from(settings_rows: list[tuple[Any, ...]], weight_rows: list[tuple[Any, ...]]) -> EngineConfig:
    """The config from the two statements' rows; a signal without a weight row (registered
    since the last migrate) has its default weight."""
    values: dict[str, Any] = dict(zip(SETTING_FIELDS, settings_rows[0], strict=True)) if settings_rows else {}
    weights = {d.name: d.default_weight for d in registry.all()}
    weights.update(dict(weight_rows))
    values["band_rule_step_in"] = bool(values.get("band_rule_step_in", True))
    values["band_rule_critical"] = bool(values.get("band_rule_critical", True))
    return EngineConfig(weights=weights, silence_p=conf.get("SILENCE_P"), **values)


def create_missing_weights(**kwargs: Any) -> None:
    """After migrate: give every registered signal a weight row with its default.

    Signals added later (for example by the silence work) appear in the admin
    without a migration of their own.
    """
    using = kwargs.get("using", "default")
    SignalWeight.objects.using(using).bulk_create(
        [SignalWeight(signal=d.name, weight=d.default_weight) for d in registry.all()],
        ignore_conflicts=True,
    )
    HealthSettings.objects.using(using).get_or_create(pk=HealthSettings.SINGLETON_ID)
