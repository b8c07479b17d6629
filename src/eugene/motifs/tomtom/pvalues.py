"""Complete-score p-values of TOMTOM by dynamic programming over quantized column scores.

Following Gupta et al. 2007 (Genome Biology 8:R24) as the MEME suite (5.x) implements it, per query motif of width W:

1. Score every query column against every column of the target database (both strands), ``S`` of shape (W, T).
2. Shift each row by its lower median, so an unaligned query column scores 0 ("complete scores": every query column
   contributes, aligned or not, and aligning an uninformative column gains nothing).
3. Quantize: ``offset = floor(min S)``, ``scale = floor(BINS / (max S - offset))``,
   ``s = round((S - offset) * scale)`` in [0, BINS].
4. Null model: each query column's score is drawn independently and uniformly from its row of ``s``. The
   distribution of the summed score of query columns ``i..j`` is built column by column (a convolution with the
   row histogram), for every ``i <= j``.
5. The complete score of an alignment in the extended (shifted) scale is ``sum_overlap s - W * offset * scale``
   rounded; its null is the DP distribution of the overlapped columns moved by the unaligned columns' offset.
6. A target of width L has W + L - 1 alignments on each strand; the p-value of the best observed score is the
   survival function of the maximum of these 2 (W + L - 1) independent scores:
   ``P(max >= k) = 1 - prod_a (1 - P(X_a >= k))``, evaluated in log space to keep tiny p-values exact.
"""

from __future__ import annotations

import numpy as np
from numba import njit

BINS = 100


@njit(cache=True, nogil=True)
def _kth_smallest(values: np.ndarray, k: int) -> float:
    """k-th smallest (0-based) of ``values`` by quickselect on a copy."""
    a = values.copy()
    lo, hi = 0, a.size - 1
    while hi > lo:
        mid = (lo + hi) // 2
        # median of three as pivot
        x, y, z = a[lo], a[mid], a[hi]
        pivot = max(min(x, y), min(max(x, y), z))
        i, j = lo, hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return a[k]
    return a[k]


@njit(cache=True, nogil=True)
def shift_and_quantize(scores: np.ndarray, bins: int):
    """Median-shift each row (MEME's quantile 0.5), then quantize all scores to integers in [0, bins].

    Returns ``(quantized (W, T) int64, offset, scale)`` with ``quantized = round((shifted - offset) * scale)``.
    """
    w, n = scores.shape
    i1 = max(int(np.floor(0.5 * n)) - 1, 0)
    i2 = max(int(np.ceil(0.5 * n)) - 1, i1)
    shifted = np.empty_like(scores)
    small = np.inf
    large = -np.inf
    for i in range(w):
        q1 = _kth_smallest(scores[i], i1)
        q2 = q1 if i2 == i1 else _kth_smallest(scores[i], i2)
        med = (q1 + q2) / 2.0
        for j in range(n):
            v = scores[i, j] - med
            shifted[i, j] = v
            small = min(small, v)
            large = max(large, v)
    if large == small:
        small = large - 1.0
    offset = np.floor(small)
    scale = np.floor(bins / (large - offset))
    out = np.empty((w, n), dtype=np.int64)
    for i in range(w):
        for j in range(n):
            out[i, j] = int((shifted[i, j] - offset) * scale + 0.5)
    return out, offset, scale


@njit(cache=True, nogil=True)
def alignment_pmfs(quantized: np.ndarray, bins: int):
    """Null distributions of the summed quantized score of query columns ``i..j``, for every ``i <= j``.

    Returns ``(pmf (n_pairs, W * bins + 1), index (W, W))`` where ``pmf[index[i, j]]`` is the distribution for
    columns ``i..j``.
    """
    w, n = quantized.shape
    size = w * bins + 1
    hist = np.zeros((w, bins + 1))
    for i in range(w):
        for j in range(n):
            hist[i, quantized[i, j]] += 1.0
    hist /= n
    index = -np.ones((w, w), dtype=np.int64)
    pmf = np.zeros((w * (w + 1) // 2, size))
    row = 0
    old = np.zeros(size)
    new = np.zeros(size)
    for start in range(w - 1, -1, -1):
        new[:] = 0.0
        new[0] = 1.0
        lo, hi = 0, 0  # support of the current distribution
        for end in range(start, w):
            old, new = new, old
            new[lo : hi + bins + 1] = 0.0
            h = hist[end]
            blo, bhi = bins, 0
            for b in range(bins + 1):
                if h[b] > 0.0:
                    blo = min(blo, b)
                    bhi = max(bhi, b)
            for b in range(blo, bhi + 1):
                p = h[b]
                if p > 0.0:
                    for k in range(lo, hi + 1):
                        new[k + b] += old[k] * p
            lo, hi = lo + blo, hi + bhi
            pmf[row, lo : hi + 1] = new[lo : hi + 1]
            index[start, end] = row
            row += 1
    return pmf, index


@njit(cache=True, nogil=True)
def tail_sums(pmf: np.ndarray) -> np.ndarray:
    """Survival functions ``P(X >= k)`` of each row, summed from the top (exact for tiny tails), capped at 1."""
    n, size = pmf.shape
    out = np.zeros((n, size + 1))
    for r in range(n):
        acc = 0.0
        for k in range(size - 1, -1, -1):
            acc += pmf[r, k]
            out[r, k] = min(acc, 1.0)
    return out


@njit(cache=True, nogil=True)
def _alignment_pair(w: int, length: int, a: int):
    """Query columns (start, end) overlapped by alignment ``a`` (0 ... W + L - 2) of a width-``length`` target."""
    if a < w:
        start = w - a - 1
        end = min(w, start + length) - 1
    else:
        start = 0
        end = min(w, length + w - a - 1) - 1
    return start, end


@njit(cache=True, nogil=True)
def max_alignment_pvalue(
    tails: np.ndarray,
    index: np.ndarray,
    length: int,
    k: int,
    shift_unit: float,
    n_orient: int,
) -> float:
    """P-value of extended complete score ``k`` for a width-``length`` target: the best of ``n_orient * (W + L - 1)``
    independent alignments reaches ``k``.

    ``shift_unit = offset * scale`` converts a distribution of ``n`` overlapped columns to the extended scale (the
    ``W - n`` unaligned columns each add ``-shift_unit``).
    """
    w = index.shape[0]
    size = tails.shape[1] - 1
    log_none = 0.0  # log P(no alignment reaches k)
    for a in range(w + length - 1):
        start, end = _alignment_pair(w, length, a)
        correction = int(np.rint(shift_unit * (w - 1 - (end - start))))
        j = k + correction
        if j <= 0:
            return 1.0
        if j >= size:
            continue
        sf = tails[index[start, end], j]
        if sf >= 1.0:
            return 1.0
        log_none += n_orient * np.log1p(-sf)
    return -np.expm1(log_none)
