"""Column similarity scores of TOMTOM (Gupta et al. 2007, Genome Biology 8:R24), larger = more similar.

Each score compares one query column ``q`` with one target column ``t`` (probability vectors over ``A`` letters):

- ``pearson``: correlation ``sum (q_a - 1/A)(t_a - 1/A) / sqrt(sum (q_a - 1/A)^2 sum (t_a - 1/A)^2)``, 0 when a
  column is uniform;
- ``ed``: negated Euclidean distance ``-sqrt(sum (q_a - t_a)^2)``;
- ``sandelin``: ``2 - sum (q_a - t_a)^2`` (Sandelin & Wasserman 2004, J Mol Biol 338:207).

These follow the MEME suite's definitions, so p-values computed from them reproduce MEME's ``tomtom``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

DISTANCES = {"pearson": 0, "ed": 1, "sandelin": 2}


@njit(cache=True, nogil=True)
def column_scores(query: np.ndarray, targets: np.ndarray, dist: int) -> np.ndarray:
    """Scores of every query column against every target column.

    Parameters
    ----------
    query
        ``(W, A)`` probabilities, one row per query position.
    targets
        ``(T, A)`` probabilities of all target columns, concatenated.
    dist
        Code from ``DISTANCES``.

    Returns
    -------
    ``(W, T)`` float64 scores.
    """
    w, a = query.shape
    n = targets.shape[0]
    out = np.empty((w, n))
    mean = 1.0 / a
    for i in range(w):
        q = query[i]
        if dist == 0:
            qc = q - mean
            qss = 0.0
            for k in range(a):
                qss += qc[k] * qc[k]
            for j in range(n):
                num = 0.0
                tss = 0.0
                for k in range(a):
                    tc = targets[j, k] - mean
                    num += qc[k] * tc
                    tss += tc * tc
                den = np.sqrt(qss * tss)
                out[i, j] = num / den if den != 0.0 else 0.0
        else:
            for j in range(n):
                ss = 0.0
                for k in range(a):
                    d = q[k] - targets[j, k]
                    ss += d * d
                out[i, j] = -np.sqrt(ss) if dist == 1 else 2.0 - ss
    return out
