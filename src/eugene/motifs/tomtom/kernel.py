"""The TOMTOM kernel: for every query, the best alignment and its p-value against every target strand.

Pure functions of arrays (numba); the orchestration (motif loading, pseudocounts, strands, q-values, tables) lives in
``api.py``. See ``pvalues.py`` for the statistics.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

from eugene._jit import kernel
from eugene.motifs.tomtom.pvalues import (
    BINS,
    alignment_tails,
    max_alignment_pvalues,
    needed_scores,
    row_median,
    shift_and_quantize,
)
from eugene.motifs.tomtom.qvalues import qvalues_sorted
from eugene.motifs.tomtom.ranking import rank_row
from eugene.motifs.tomtom.scores import score_row, target_stats


@kernel(nogil=True)
def best_alignment(diagonals, col_start, w, length, min_overlap, shift_unit):
    """Best configuration of the target at target columns ``col_start ...`` (width ``length``) against the query.

    Configurations ``c`` run over overlaps of at least ``min(min_overlap, W, L)`` columns; the target's first column
    sits under query column ``W - c`` (``c <= W``), or query column 0 under target column ``c - W``. The score is
    the extended complete score ``sum s + overlap * shift_unit`` (an integer); ties keep the larger overlap, then the
    first configuration. Returns ``(score, offset = c - W, overlap)``.

    Configuration ``c`` overlaps query columns ``max(0, W - c) ... min(W, W + L - c) - 1`` along one diagonal, whose
    sum is the difference of two prefix sums in ``diagonals`` (see ``shift_and_quantize``).
    """
    mo = min(min_overlap, w, length) if min_overlap > 1 else 1
    unit = int(shift_unit)
    best = -(1 << 62)  # key = score * (W + 1) + overlap: larger score, then larger overlap (0 < overlap <= W)
    best_c = mo
    for c in range(mo, w + length - mo + 1):
        first = max(0, w - c)
        stop = min(w, w + length - c)
        x = col_start + c - 1
        overlap = stop - first
        score = (diagonals[stop, x] - diagonals[first, x]) + overlap * unit  # whole numbers: exact integers
        key = score * (w + 1) + overlap
        if key > best:  # strictly: ties keep the first configuration
            best = key
            best_c = c
    overlap = best % (w + 1)
    return (best - overlap) // (w + 1), best_c - w, overlap


@kernel(nogil=True)
def tomtom_one(
    query, targets, centered, inv_norm, t_start, t_len, dist, min_overlap, n_orient, max_len, bound_lo, bound_hi
):
    """P-values, offsets and overlaps of one query ``(W, A)`` against every target strand.

    ``targets`` holds all target columns letters-first, ``(A, T)``; strand ``m`` occupies columns
    ``t_start[m] : t_start[m] + t_len[m]``. ``n_orient`` is 2 when both strands are in ``targets``.
    """
    w = query.shape[0]
    scores = np.empty((w, targets.shape[1]))
    medians = np.empty(w)
    row_min = np.empty(w)
    row_max = np.empty(w)
    for i in range(w):  # each row's median is found while the row is still in cache
        score_row(query[i], targets, centered, inv_norm, dist, scores[i])
        medians[i], row_min[i], row_max[i] = row_median(scores[i], bound_lo, bound_hi)
    diagonals, counts, offset, scale = shift_and_quantize(scores, medians, row_min, row_max, BINS)
    shift_unit = offset * scale
    n = t_start.size
    offsets = np.empty(n, dtype=np.int64)
    overlaps = np.empty(n, dtype=np.int64)
    ks = np.empty(n, dtype=np.int64)
    for m in range(n):
        score, offsets[m], overlaps[m] = best_alignment(diagonals, t_start[m], w, t_len[m], min_overlap, shift_unit)
        ks[m] = int(np.rint(score - w * shift_unit))  # extended complete score
    tails, index = alignment_tails(counts, needed_scores(ks, t_len, w, max_len, shift_unit))
    pvalues = max_alignment_pvalues(tails, index, t_len, ks, shift_unit, n_orient, max_len)
    return pvalues.astype(np.float32).astype(np.float64), offsets, overlaps  # MEME keeps single-precision p-values


@kernel(nogil=True)
def _tomtom_queries(
    first, stop, q_cols, q_start, q_len, targets, centered, inv_norm, t_start, t_len, dist, min_overlap, n_orient,
    max_len, bound_lo, bound_hi, db_rank, name_rank, pvalues, qvalues, offsets, overlaps, listed
):  # fmt: skip
    """Rows ``first ... stop - 1`` of :func:`tomtom_all`'s outputs, written in place."""
    nt = db_rank.size
    for i in range(first, stop):
        query = q_cols[q_start[i] : q_start[i] + q_len[i]]
        p, o, v = tomtom_one(
            query, targets, centered, inv_norm, t_start, t_len, dist, min_overlap, n_orient, max_len, bound_lo, bound_hi
        )
        order = rank_row(p, v, n_orient, db_rank, name_rank)
        q = qvalues_sorted(p[order], -1.0)
        reported = np.zeros(nt, dtype=np.bool_)
        r = 0
        for rank in range(order.size):
            s = order[rank]
            if reported[s // n_orient]:
                continue
            reported[s // n_orient] = True
            pvalues[i, r] = p[s]
            qvalues[i, r] = q[rank]
            offsets[i, r] = o[s]
            overlaps[i, r] = v[s]
            listed[i, r] = s
            r += 1


def tomtom_all(
    q_cols, q_start, q_len, targets, t_start, t_len, dist, min_overlap, n_orient, bound_lo, bound_hi, db_rank, name_rank
):
    """Every query against every target strand, in parallel over queries.

    Returns ``(pvalues, qvalues, offsets, overlaps, listed)``, each ``(n_queries, n_targets)`` in MEME's listing
    order (see ``rank_row``): ``listed`` holds the strand column of each listed target, the others that strand's
    values. q-values are computed over all strands of a query, as MEME does.

    numba's thread count of Python threads each run one block of queries in a kernel that releases the GIL: the
    same blocks as a ``prange`` loop, whose parallel compilation would take a third of TOMTOM's first-call time.
    """
    nq, nt = q_start.size, db_rank.size
    pvalues = np.empty((nq, nt))
    qvalues = np.empty((nq, nt))
    offsets = np.empty((nq, nt), dtype=np.int64)
    overlaps = np.empty((nq, nt), dtype=np.int64)
    listed = np.empty((nq, nt), dtype=np.int64)
    centered, inv_norm = target_stats(targets)
    args = (
        q_cols, q_start, q_len, targets, centered, inv_norm, t_start, t_len, dist, min_overlap, n_orient,
        int(t_len.max()), bound_lo, bound_hi, db_rank, name_rank, pvalues, qvalues, offsets, overlaps, listed,
    )  # fmt: skip
    n_threads = max(1, min(nq, numba.get_num_threads()))
    bounds = [nq * t // n_threads for t in range(n_threads + 1)]
    if n_threads == 1:
        _tomtom_queries(0, nq, *args)
    else:
        _tomtom_queries(0, 0, *args)  # no rows: compiles (or loads) in the caller's thread, where its notice listens
        with ThreadPoolExecutor(n_threads) as pool:
            for done in [pool.submit(_tomtom_queries, bounds[t], bounds[t + 1], *args) for t in range(n_threads)]:
                done.result()
    return pvalues, qvalues, offsets, overlaps, listed
