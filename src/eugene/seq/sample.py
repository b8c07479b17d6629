"""Random one-hot sequences drawn column by column from letter probabilities (motif instances, backgrounds)."""

from __future__ import annotations

from typing import Any

import numpy as np

from eugene._validate import as_generator, describe

__all__ = ["sample_onehot"]


def sample_onehot(probs: Any, n: int = 1, seed: int | np.random.Generator | None = 0) -> np.ndarray:
    """``n`` one-hot sequences (n, A, W) float32, column ``j`` drawn from the letter probabilities ``probs[:, j]``.

    Columns are drawn independently, each from its own distribution: instances of a position probability matrix,
    or sequences of a position-specific background profile (Koo et al. 2021). Each column of ``probs`` is normalized
    to sum to 1 first, so counts work too.

    Parameters
    ----------
    probs
        (A, W) non-negative letter weights, letters first, each column with a positive sum (numpy, torch or nested
        lists; e.g. ``motif.probs`` of a :class:`eugene.motifs.Motif`).
    n
        Number of sequences (0 gives an empty (0, A, W) array).
    seed
        A non-negative integer (default 0), a numpy Generator (drawn from, as is) or None for fresh randomness. The
        same seed and ``probs`` give the same sequences.

    Returns
    -------
    numpy.ndarray
        float32, shape (n, A, W), exactly one 1 per column.

    Examples
    --------
    >>> ppm = [[1.0, 0.0, 0.5], [0.0, 0.0, 0.5], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]   # A, then G, then A or C
    >>> from eugene.seq import decode
    >>> sorted(set(decode(sample_onehot(ppm, 50, seed=0))))
    ['AGA', 'AGC']
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer; got {describe(n)}")
    rng = as_generator(seed)
    if hasattr(probs, "detach"):
        probs = probs.detach().cpu().numpy()
    try:
        weights = np.asarray(probs, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"probs must be an (A, W) array of numbers; got {describe(probs)}") from err
    if weights.ndim != 2 or weights.shape[0] < 2 or weights.shape[1] < 1:
        raise ValueError(f"probs must have shape (A, W) with A >= 2 letters and W >= 1 columns; got {weights.shape}")
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError("probs must be finite and non-negative; it contains NaN, inf or a negative value")
    sums = weights.sum(axis=0)
    if (sums <= 0).any():
        raise ValueError(f"probs must have a positive sum in every column; column(s) {np.flatnonzero(sums <= 0)[:10]}")
    cumulative = np.cumsum(weights, axis=0)
    cumulative /= cumulative[-1:]
    draws = rng.random((n, 1, weights.shape[1]))
    index = (draws > cumulative[None]).sum(axis=1).clip(max=weights.shape[0] - 1)  # (n, W)
    out = np.zeros((n, *weights.shape), dtype=np.float32)
    np.put_along_axis(out, index[:, None, :], 1.0, axis=1)
    return out
