"""Per query: keep the better strand of each target and order the targets as MEME's tomtom lists them."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def rank_row(pvalues, overlaps, n_orient, db_rank, name_rank):
    """Best strand per target and MEME's row order, for one query.

    ``pvalues`` and ``overlaps`` hold one value per target strand, the strands of target ``j`` at ``j * n_orient + s``
    (s = 0 forward, 1 reverse). A target's reported strand is its smaller p-value, then larger overlap, then the
    forward strand. Targets are listed by p-value, larger overlap, database, strand ("+" first) and name. Returns
    the strand column of each listed target, in listing order.
    """
    nt = db_rank.size
    n_db = db_rank.max() + 1
    strand = np.empty(nt, dtype=np.int64)
    key = np.empty(nt, dtype=np.int64)
    p = np.empty(nt)
    max_overlap = 0
    for j in range(nt):
        s = j * n_orient
        if n_orient == 2:
            pf, pr = pvalues[s], pvalues[s + 1]
            if pr < pf or (pr == pf and overlaps[s + 1] > overlaps[s]):
                s += 1
        strand[j] = s
        p[j] = pvalues[s]
        max_overlap = max(max_overlap, overlaps[s])
    n_keys = (max_overlap + 1) * n_db * 2 * nt
    bits = p.astype(np.float32).view(np.int32)  # p-values are single precision >= 0: their bits sort as they do
    merged = n_keys < (1 << 32)  # p bits (< 2^31) times n_keys fits an int64: one sort of unique keys
    for j in range(nt):
        s = strand[j]
        key[j] = (((max_overlap - overlaps[s]) * n_db + db_rank[j]) * 2 + (s - j * n_orient)) * nt + name_rank[j]
        if merged:
            key[j] += bits[j] * n_keys
    if merged:
        return strand[np.argsort(key)]
    by_key = np.argsort(key, kind="mergesort")
    by_p = np.argsort(p[by_key], kind="mergesort")
    return strand[by_key[by_p]]
