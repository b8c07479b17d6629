"""Column similarity scores of TOMTOM (Gupta et al. 2007, Genome Biology 8:R24), larger = more similar.

Each score compares one query column ``q`` with one target column ``t`` (probability vectors over ``A`` letters):

- ``pearson``: correlation ``sum (q_a - 1/A)(t_a - 1/A) / sqrt(sum (q_a - 1/A)^2 sum (t_a - 1/A)^2)``, 0 when a
  column is uniform (computed as the numerator times the two inverse norms, which equals MEME's quotient to a few
  units in the last place);
- ``ed``: negated Euclidean distance ``-sqrt(sum (q_a - t_a)^2)``;
- ``sandelin``: ``2 - sum (q_a - t_a)^2`` (Sandelin & Wasserman 2004, J Mol Biol 338:207).

These follow the MEME suite's definitions, so p-values computed from them reproduce MEME's ``tomtom``.
"""

from __future__ import annotations

import numpy as np

from eugene._jit import kernel

DISTANCES = {"pearson": 0, "ed": 1, "sandelin": 2}
# a range holding every score of each distance for probability columns (a little wider, for rounding)
SCORE_BOUNDS = {0: (-1.01, 1.01), 1: (-1.5, 0.01), 2: (-0.01, 2.01)}


@kernel(nogil=True)
def target_stats(targets: np.ndarray):
    """Per-database quantities shared by every query: centered target columns ``t - 1/A`` and, for pearson, the
    inverse norms of the centered columns (0 for a uniform column). ``targets`` is ``(A, T)``."""
    a, n = targets.shape
    centered = targets - 1.0 / a
    inv_norm = np.zeros(n)
    for k in range(a):
        for j in range(n):
            inv_norm[j] += centered[k, j] * centered[k, j]
    for j in range(n):
        inv_norm[j] = 1.0 / np.sqrt(inv_norm[j]) if inv_norm[j] > 0.0 else 0.0
    return centered, inv_norm


@kernel(nogil=True)
def _score_row4(column, targets, centered, inv_norm, dist, out):
    """:func:`score_row` for four letters, fused into one pass over the target columns."""
    n = targets.shape[1]
    if dist == 0:
        q0, q1, q2, q3 = column[0] - 0.25, column[1] - 0.25, column[2] - 0.25, column[3] - 0.25
        qss = 0.0
        qss += q0 * q0
        qss += q1 * q1
        qss += q2 * q2
        qss += q3 * q3
        inv_q = 1.0 / np.sqrt(qss) if qss > 0.0 else 0.0
        c0, c1, c2, c3 = centered[0], centered[1], centered[2], centered[3]
        for j in range(n):
            acc = 0.0
            acc += q0 * c0[j]
            acc += q1 * c1[j]
            acc += q2 * c2[j]
            acc += q3 * c3[j]
            out[j] = acc * (inv_q * inv_norm[j])
    else:
        q0, q1, q2, q3 = column[0], column[1], column[2], column[3]
        t0, t1, t2, t3 = targets[0], targets[1], targets[2], targets[3]
        for j in range(n):
            d0 = q0 - t0[j]
            d1 = q1 - t1[j]
            d2 = q2 - t2[j]
            d3 = q3 - t3[j]
            acc = 0.0
            acc += d0 * d0
            acc += d1 * d1
            acc += d2 * d2
            acc += d3 * d3
            out[j] = -np.sqrt(acc) if dist == 1 else 2.0 - acc


@kernel(nogil=True)
def score_row(column: np.ndarray, targets: np.ndarray, centered: np.ndarray, inv_norm: np.ndarray, dist: int, out):
    """Scores of one query column ``(A,)`` against every target column, written into ``out`` ``(T,)``.

    ``targets`` is ``(A, T)`` (letters first, so the inner loops run over contiguous target columns); ``centered``
    and ``inv_norm`` come from :func:`target_stats`; ``dist`` is a code from ``DISTANCES``.
    """
    a, n = targets.shape
    if a == 4:  # DNA / RNA: one pass, the same sums in the same order as the general loops below
        _score_row4(column, targets, centered, inv_norm, dist, out)
        return
    out[:] = 0.0
    if dist == 0:
        mean = 1.0 / a
        qss = 0.0
        for k in range(a):
            qc = column[k] - mean
            qss += qc * qc
            for j in range(n):
                out[j] += qc * centered[k, j]
        inv_q = 1.0 / np.sqrt(qss) if qss > 0.0 else 0.0
        for j in range(n):
            out[j] *= inv_q * inv_norm[j]
    else:
        for k in range(a):
            qk = column[k]
            for j in range(n):
                d = qk - targets[k, j]
                out[j] += d * d
        for j in range(n):
            out[j] = -np.sqrt(out[j]) if dist == 1 else 2.0 - out[j]
