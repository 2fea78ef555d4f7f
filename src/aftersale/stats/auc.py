"""ROC AUC by the Mann-Whitney statistic, for the backtest."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import rankdata


def roc_auc(score: ArrayLike, positive: ArrayLike) -> float:
    """Probability that a random positive scores above a random negative (ties count one half).

    ``score``: higher means "more likely positive"; ``positive``: booleans (or 0/1).
    Computed from mid-ranks, so it is exact with ties and O(n log n). NaN when
    either class is empty (the AUC is undefined).
    """
    scores = np.asarray(score, dtype=np.float64)
    labels = np.asarray(positive)
    if scores.ndim != 1 or labels.shape != scores.shape:
        raise ValueError(
            f"score and positive must be 1-D of the same length, got {scores.shape} and {labels.shape}"
        )
    if not np.all(np.isfinite(scores)):
        raise ValueError("score holds non-finite values")
    if labels.dtype != np.bool_:
        if labels.size and not np.all((labels == 0) | (labels == 1)):
            raise ValueError("positive must hold booleans or 0/1")
        labels = labels.astype(bool)
    n_pos = int(labels.sum())
    n_neg = labels.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(scores)  # ties get their average rank
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))
