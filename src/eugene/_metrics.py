"""Metrics on plain arrays, shared by the planted-motif ground truth (datasets) and the evaluations above interpret."""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

__all__ = ["auroc"]


def auroc(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """AUROC of each row of ``scores`` (..., n) against boolean ``labels`` (..., n): the Mann-Whitney U statistic
    divided by ``n_pos * n_neg``, ties counting 1/2; NaN for rows with only one class."""
    ranks = rankdata(scores, axis=-1)
    n_pos = labels.sum(axis=-1)
    n_neg = labels.shape[-1] - n_pos
    u = np.where(labels, ranks, 0.0).sum(axis=-1) - n_pos * (n_pos + 1) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((n_pos > 0) & (n_neg > 0), u / (n_pos * n_neg), np.nan)
