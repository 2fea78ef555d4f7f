"""The score, band, trend and "why it moved": plain functions over plain numbers.

No ORM here: the scan and the one-account refresh feed these the signal
values and the reference scores they read, and the tests exercise them
without a database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aftersale.health.models import Band, Trend

TREND_DAYS = 90
TREND_REFERENCE_DAYS = (30, 60, 90)


@dataclass(frozen=True, slots=True)
class Score:
    score: float | None  # 0..100; None when no signal had data
    coverage: float  # share of the weight whose signal had data, 0..1
    contributions: dict[str, float | None]  # points each signal added; None without data


def combine(values: Mapping[str, float | None], weights: Mapping[str, float],
            neutral: Mapping[str, float] | None = None) -> Score:
    """Weighted mean of every signal with a weight, scaled to 0..100.

    A signal without data counts at its ``neutral`` value (0.5 when not given): every
    account's score is the mean over the same signals, so one new event moves the score
    only the way the event points (see ``SignalDef.neutral``). ``coverage`` is the share
    of the weight whose signal had data. A signal's contribution is the points it adds:
    its weight share times its value (or neutral value) times 100; contributions add up to
    the score. No data at all gives no score.
    """
    # One plain loop: this runs once per account in every scan.
    neutral = neutral or {}
    total_weight = present_weight = weighted = 0.0
    contributions: dict[str, float | None] = {}
    for name, value in values.items():
        weight = weights.get(name, 0)
        if weight <= 0:
            contributions[name] = None
            continue
        total_weight += weight
        if value is None:
            value = neutral.get(name, 0.5)
        else:
            present_weight += weight
        weighted += weight * value
        contributions[name] = weight * value
    if not present_weight:
        return Score(None, 0.0, dict.fromkeys(values))
    scale = 100.0 / total_weight
    for name, points in contributions.items():
        if points is not None:
            contributions[name] = points * scale
    return Score(weighted * scale, present_weight / total_weight, contributions)


def band(score: float | None, coverage: float, *, healthy_min: float, watch_min: float,
         min_coverage_healthy: float) -> str:
    """healthy / watch / at risk by the limits. Too little evidence caps an account at
    watch (a quiet account is never healthy just because it is quiet); no evidence at
    all is watch too: somebody should look."""
    if score is None:
        return Band.WATCH
    if score >= healthy_min:
        return Band.HEALTHY if coverage >= min_coverage_healthy else Band.WATCH
    if score >= watch_min:
        return Band.WATCH
    return Band.AT_RISK


def trend_change(points: Sequence[tuple[float, float]]) -> float | None:
    """The change over 90 days of the least-squares line through ``(days_ago, score)`` points.

    ``days_ago`` is 0 for today. Needs today and at least one point 30 or more days back.
    """
    if len(points) < 2 or max(d for d, _ in points) < min(TREND_REFERENCE_DAYS):
        return None
    n = len(points)
    xs = [-d for d, _ in points]
    ys = [s for _, s in points]
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    return slope * TREND_DAYS


def trend(change: float | None, threshold: float) -> str:
    """improving / steady / deteriorating; "" when there is not enough history."""
    if change is None:
        return ""
    if change >= threshold:
        return Trend.IMPROVING
    if change <= -threshold:
        return Trend.DETERIORATING
    return Trend.STEADY


def moved(current: Mapping[str, float | None], previous: Mapping[str, float | None], *,
          top: int = 3, min_points: float = 0.5) -> list[tuple[str, float]]:
    """The signals whose contribution changed most since the previous snapshot.

    A signal that gained or lost its data counts from or to zero. Returns
    ``(signal, change in points)``, largest change first, at most ``top``.
    """
    changes = []
    for name in set(current) | set(previous):
        delta = (current.get(name) or 0.0) - (previous.get(name) or 0.0)
        if abs(delta) >= min_points:
            changes.append((name, delta))
    changes.sort(key=lambda item: (-abs(item[1]), item[0]))
    return changes[:top]


def reasons(values: Mapping[str, float | None], weights: Mapping[str, float], *,
            top: int = 3) -> list[str]:
    """The signals that explain the score best, in order.

    The ones that cost the most points first (weight times shortfall); when
    nothing costs a point, the strongest contributors.
    """
    present = {n: v for n, v in values.items() if v is not None and weights.get(n, 0) > 0}
    total = sum(weights[n] for n in present)
    if not total:
        return []
    lost = {n: 100.0 * weights[n] * (1 - v) / total for n, v in present.items()}
    costly = sorted((n for n in lost if lost[n] >= 1.0), key=lambda n: (-lost[n], n))
    if costly:
        return costly[:top]
    return sorted(present, key=lambda n: (-weights[n] * present[n], n))[:top]
