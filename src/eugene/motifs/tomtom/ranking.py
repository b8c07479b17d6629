"""Per query: order the target strands as MEME's tomtom lists them, reporting the better strand of each target."""

from __future__ import annotations

import numpy as np

from eugene._jit import kernel

_DIGIT = 11  # bits sorted per radix pass


@kernel(nogil=True)
def _radix_sorted(key, order):
    """``order`` stably sorted by ``key[order]`` (non-negative integers), least significant digit first; reuses the
    memory of ``order``."""
    n = order.size
    top = 0
    for i in range(n):
        top = max(top, key[order[i]])
    spare = np.empty_like(order)
    counts = np.empty((1 << _DIGIT) + 1, dtype=np.int64)
    mask = (1 << _DIGIT) - 1
    shift = 0
    while top >> shift > 0:
        counts[:] = 0
        for i in range(n):
            counts[((key[order[i]] >> shift) & mask) + 1] += 1
        for d in range(mask + 1):
            counts[d + 1] += counts[d]
        for i in range(n):
            s = order[i]
            d = (key[s] >> shift) & mask
            spare[counts[d]] = s
            counts[d] += 1
        order, spare = spare, order
        shift += _DIGIT
    return order


@kernel(nogil=True)
def rank_row(pvalues, overlaps, n_orient, db_rank, name_rank):
    """Every target strand of one query in MEME's listing order.

    ``pvalues`` and ``overlaps`` hold one value per target strand, the strands of target ``j`` at ``j * n_orient + s``
    (s = 0 forward, 1 reverse). Strands are ordered by p-value, larger overlap, database, strand ("+" first) and
    name. A target's reported strand is its first strand in this order (smaller p-value, then larger overlap, then
    the forward strand), and the reported strands, kept in this order, are MEME's listing. Returns the order (strand
    indices), p-values ascending: two stable radix sorts, by the ties' key and then by p-value.
    """
    n = pvalues.size
    nt = db_rank.size
    n_db = db_rank.max() + 1
    max_overlap = overlaps.max()
    ties = np.empty(n, dtype=np.int64)
    for s in range(n):
        j = s // n_orient
        ties[s] = (((max_overlap - overlaps[s]) * n_db + db_rank[j]) * 2 + (s - j * n_orient)) * nt + name_rank[j]
    bits = pvalues.astype(np.float32).view(np.int32).astype(np.int64)  # p >= 0: their bits sort as they do
    return _radix_sorted(bits, _radix_sorted(ties, np.arange(n)))
