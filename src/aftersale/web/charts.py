"""Server-rendered inline SVG charts (no JavaScript, nothing from a CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date


def sparkline(points: Sequence[tuple[date, float | None]], *, width: int = 240,
              height: int = 48) -> dict:
    """Polyline coordinates for scores 0..100 over time; days without a score are skipped."""
    scored = [(d, s) for d, s in points if s is not None]
    if len(scored) < 2:
        return {"points": "", "width": width, "height": height, "last": None, "n": len(scored)}
    first, last = scored[0][0], scored[-1][0]
    span = max((last - first).days, 1)
    coords = [
        (round((d - first).days / span * (width - 4) + 2, 1), round(height - 2 - s / 100 * (height - 4), 1))
        for d, s in scored
    ]
    return {
        "points": " ".join(f"{x},{y}" for x, y in coords),
        "width": width, "height": height, "last": coords[-1], "n": len(scored),
        "first_day": first, "last_day": last,
    }


def histogram(scores: Sequence[float], *, bins: int = 10, width: int = 400, height: int = 120) -> list[dict]:
    """Bars for the score distribution in ``bins`` equal bins over 0..100."""
    counts = [0] * bins
    for s in scores:
        counts[bin_of(s, bins)] += 1
    return histogram_bars(counts, width=width, height=height)


def bin_of(score: float, bins: int = 10) -> int:
    return min(int(score // (100 / bins)), bins - 1)


def histogram_bars(counts: Sequence[int], *, width: int = 400, height: int = 120) -> list[dict]:
    """Bars for counts already binned over 0..100 (``len(counts)`` equal bins)."""
    bins = len(counts)
    top = max(counts) or 1
    bar = width / bins
    return [
        {"x": round(i * bar + 1, 1), "w": round(bar - 2, 1), "h": round(c / top * (height - 20), 1),
         "y": round(height - 14 - c / top * (height - 20), 1), "count": c,
         "low": int(i * 100 / bins), "high": int((i + 1) * 100 / bins), "band": band_of(i * 100 / bins)}
        for i, c in enumerate(counts)
    ]


def band_of(score: float) -> str:
    # Only for colouring the histogram's bars; the real band comes from the engine.
    return "healthy" if score >= 70 else "watch" if score >= 50 else "at_risk"
