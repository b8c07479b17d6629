"""Per query: order the target strands as MEME's tomtom lists them, reporting the better strand of each target."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def rank_row(pvalues, overlaps, n_orient, db_rank, name_rank):
    """Every target strand of one query in MEME's listing order.

    ``pvalues`` and ``overlaps`` hold one value per target strand, the strands of target ``j`` at ``j * n_orient + s``
    (s = 0 forward, 1 reverse). Strands are ordered by p-value, larger overlap, database, strand ("+" first) and
    name. A target's reported strand is its first strand in this order (smaller p-value, then larger overlap, then
    the forward strand), and the reported strands, kept in this order, are MEME's listing. Returns the order (strand
    indices), p-values ascending.
    """
    n = pvalues.size
    nt = db_rank.size
    n_db = db_rank.max() + 1
    max_overlap = overlaps.max()
    n_keys = (max_overlap + 1) * n_db * 2 * nt
    key = np.empty(n, dtype=np.int64)
    for s in range(n):
        j = s // n_orient
        key[s] = (((max_overlap - overlaps[s]) * n_db + db_rank[j]) * 2 + (s - j * n_orient)) * nt + name_rank[j]
    bits = pvalues.astype(np.float32).view(np.int32)  # p-values are single precision >= 0: their bits sort as they do
    if n_keys < (1 << 32):  # p bits (< 2^31) times n_keys fits an int64: one sort of unique keys
        for s in range(n):
            key[s] += bits[s] * n_keys
        return np.argsort(key)
    by_key = np.argsort(key, kind="mergesort")
    return by_key[np.argsort(pvalues[by_key], kind="mergesort")]
