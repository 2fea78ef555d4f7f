"""Correlation for the "does trust pay?" report: pure functions over plain numbers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _
from scipy import stats

# Fewer pairs than this say nothing worth printing.
MIN_PAIRS = 3
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class Correlation:
    n: int
    pearson: float
    pearson_p: float
    spearman: float
    spearman_p: float


def correlate(xs: Sequence[float | None], ys: Sequence[float | None]) -> Correlation | None:
    """Pearson's r and Spearman's rho (with two-sided p-values) over the pairs where both
    values are known; None with fewer than three pairs or when either side is constant."""
    if len(xs) != len(ys):
        raise ValueError("xs and ys must have the same length")
    pairs = [(float(x), float(y)) for x, y in zip(xs, ys, strict=True) if x is not None and y is not None]
    if len(pairs) < MIN_PAIRS:
        return None
    x = np.array([p[0] for p in pairs])
    y = np.array([p[1] for p in pairs])
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    pearson = stats.pearsonr(x, y)
    spearman = stats.spearmanr(x, y)
    values = (
        float(pearson.statistic), float(pearson.pvalue),
        float(spearman.statistic), float(spearman.pvalue),
    )
    if any(math.isnan(v) for v in values):
        return None
    return Correlation(len(pairs), *values)


def strength(r: float) -> str:
    size = abs(r)
    if size < 0.1:
        return _("no")
    if size < 0.3:
        return _("a weak")
    if size < 0.5:
        return _("a moderate")
    return _("a strong")


def reading(result: Correlation | None, x_label: str, y_label: str) -> str:
    """What the figures say, in one plain sentence (Spearman's rho: robust to outliers)."""
    if result is None:
        return _("Not enough accounts with both figures to say anything.")
    rho = result.spearman
    if abs(rho) < 0.1:
        text = _("There is no visible link between %(x)s and %(y)s.") % {"x": x_label, "y": y_label}
    else:
        direction = _("higher") if rho > 0 else _("lower")
        text = _(
            "There is %(strength)s link: accounts with higher %(x)s tend to have %(direction)s %(y)s."
        ) % {"strength": strength(rho), "x": x_label, "direction": direction, "y": y_label}
    if result.spearman_p < SIGNIFICANCE:
        chance = _("With %(n)d accounts, a link this strong is unlikely to be chance (p = %(p).3f).")
    else:
        chance = _("With %(n)d accounts, this could well be chance (p = %(p).2f).")
    return f"{text} {chance % {'n': result.n, 'p': result.spearman_p}}"
