"""Per query: keep the better strand of each target and order the targets as MEME's tomtom lists them."""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True)
def rank_matches(pvalues, overlaps, n_orient, db_rank, name_rank):
    """Best strand per target and MEME's row order, for every query.

    ``pvalues`` and ``overlaps`` are ``(n_queries, n_targets * n_orient)`` with the strands of target ``j`` at
    ``j * n_orient + s`` (s = 0 forward, 1 reverse). A target's reported strand is its smaller p-value, then larger
    overlap, then the forward strand. Rows are sorted by p-value, larger overlap, database, strand ("+" first) and
    target name. Returns ``(strand, order)``, both ``(n_queries, n_targets)``: ``strand[i, r]`` is the strand column
    of the ``r``-th listed target of query ``i``.
    """
    nq = pvalues.shape[0]
    nt = db_rank.size
    n_db = db_rank.max() + 1
    out = np.empty((nq, nt), dtype=np.int64)
    for i in prange(nq):
        strand = np.empty(nt, dtype=np.int64)
        key = np.empty(nt, dtype=np.int64)
        p = np.empty(nt)
        max_overlap = 0
        for j in range(nt):
            s = j * n_orient
            if n_orient == 2:
                pf, pr = pvalues[i, s], pvalues[i, s + 1]
                if pr < pf or (pr == pf and overlaps[i, s + 1] > overlaps[i, s]):
                    s += 1
            strand[j] = s
            p[j] = pvalues[i, s]
            max_overlap = max(max_overlap, overlaps[i, s])
        for j in range(nt):
            s = strand[j]
            key[j] = ((max_overlap - overlaps[i, s]) * n_db + db_rank[j]) * 2 + (s - j * n_orient)
            key[j] = key[j] * nt + name_rank[j]
        by_key = np.argsort(key, kind="mergesort")
        by_p = np.argsort(p[by_key], kind="mergesort")
        out[i] = strand[by_key[by_p]]
    return out
