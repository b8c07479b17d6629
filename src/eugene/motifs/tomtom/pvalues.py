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
   ``P(max >= k) = 1 - prod_a (1 - P(X_a >= k))``, accumulated without cancellation to keep tiny p-values exact.
"""

from __future__ import annotations

import numpy as np

from eugene._jit import kernel

BINS = 100


@kernel(nogil=True)
def _quickselect(a: np.ndarray, k: int) -> float:
    """k-th smallest (0-based) of ``a``, reordering ``a`` in place."""
    lo, hi = 0, a.size - 1
    while hi > lo:
        mid = (lo + hi) // 2
        x, y, z = a[lo], a[mid], a[hi]
        pivot = max(min(x, y), min(max(x, y), z))  # median of three
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


@kernel(nogil=True)
def row_median(values: np.ndarray, bound_lo: float, bound_hi: float, n_bins: int = 4096):
    """MEME's shift quantile of a score row (the mean of its ranks floor(n/2) and ceil(n/2), 1-based), with the row's
    minimum and maximum.

    Exact selection: the values are binned over ``[bound_lo, bound_hi]`` (the score's range; values outside are
    clamped to the end bins) and counted per bin, one more pass gathers the bins holding the two ranks, and a
    quickselect runs on those only (each rank on its own bin's values in row order, as a separate gather would).
    Minimum and maximum are kept as four interleaved running extremes (independent chains) while counting.
    """
    n = values.size
    i1 = max(int(np.floor(0.5 * n)) - 1, 0)
    i2 = max(int(np.ceil(0.5 * n)) - 1, i1)
    inv_width = n_bins / (bound_hi - bound_lo)
    bin_of = np.empty(n, dtype=np.uint16)  # unsigned: indexing by it needs no negative-index wraparound
    for j in range(n):
        bin_of[j] = min(max(int((values[j] - bound_lo) * inv_width), 0), n_bins)
    counts = np.zeros(n_bins + 1, dtype=np.int64)
    lo0 = lo1 = lo2 = lo3 = np.inf
    hi0 = hi1 = hi2 = hi3 = -np.inf
    quad = n - n % 4
    for j in range(0, quad, 4):
        counts[bin_of[j]] += 1
        counts[bin_of[j + 1]] += 1
        counts[bin_of[j + 2]] += 1
        counts[bin_of[j + 3]] += 1
        lo0, hi0 = min(lo0, values[j]), max(hi0, values[j])
        lo1, hi1 = min(lo1, values[j + 1]), max(hi1, values[j + 1])
        lo2, hi2 = min(lo2, values[j + 2]), max(hi2, values[j + 2])
        lo3, hi3 = min(lo3, values[j + 3]), max(hi3, values[j + 3])
    for j in range(quad, n):
        counts[bin_of[j]] += 1
        lo0, hi0 = min(lo0, values[j]), max(hi0, values[j])
    first = last = 0  # the bins holding ranks i1 and i2, and the number of values before each
    before_first = before_last = below = 0
    for b in range(n_bins + 1):
        if below <= i1 < below + counts[b]:
            first, before_first = b, below
        if below + counts[b] > i2:
            last, before_last = b, below
            break
        below += counts[b]
    lower = np.empty(counts[first])
    upper = np.empty(counts[last])
    m_lower = m_upper = 0
    span = np.uint16(last - first)
    for c in range(0, n, 64):  # blocks of 64 values, skipped when comparisons alone (vectorized) find no member
        block = bin_of[c : c + 64]
        hit = np.uint16(0)
        for j in range(block.size):
            hit |= np.uint16(np.uint16(block[j] - first) <= span)  # first <= bin <= last, in one unsigned comparison
        if hit:
            for j in range(block.size):
                if block[j] == first:
                    lower[m_lower] = values[c + j]
                    m_lower += 1
                if block[j] == last:
                    upper[m_upper] = values[c + j]
                    m_upper += 1
    x1 = _quickselect(lower, i1 - before_first)
    x2 = x1 if i2 == i1 else _quickselect(upper, i2 - before_last)
    return (x1 + x2) / 2.0, min(min(lo0, lo1), min(lo2, lo3)), max(max(hi0, hi1), max(hi2, hi3))


@kernel(nogil=True)
def shift_and_quantize(scores: np.ndarray, medians: np.ndarray, row_min: np.ndarray, row_max: np.ndarray, bins: int):
    """Shift each score row by its median (see ``row_median``), quantize all scores to integers in [0, bins], and sum
    them along the diagonals of the (query column, target column) grid.

    ``quantized = round((shifted - offset) * scale)``. Returns ``(diagonals, counts, offset, scale)``: ``counts[i, b]``
    is how many scores of query column ``i`` quantize to ``b``; ``diagonals`` ``(W + 1, T + W - 1)`` int32 holds
    prefix sums along diagonals, ``diagonals[q, x + W - 1] = sum_{i < q} quantized[i, x + i]`` (target columns outside
    ``0 ... T - 1`` count 0), so any run of consecutive cells of a diagonal sums in two reads.
    """
    w, n = scores.shape
    small = np.inf
    large = -np.inf
    for i in range(w):
        small = min(small, row_min[i] - medians[i])  # rounding is monotone: the minimum of the shifted row
        large = max(large, row_max[i] - medians[i])
    if large == small:
        small = large - 1.0
    offset = np.floor(small)
    scale = np.floor(bins / (large - offset))
    diagonals = np.zeros((w + 1, n + w - 1), dtype=np.int32)
    counts = np.zeros((w, bins + 1), dtype=np.int64)
    level = np.empty(n, dtype=np.uint8)
    tally = np.empty((4, bins + 1), dtype=np.int64)  # four interleaved histograms: runs of one level do not wait
    for i in range(w):
        row = scores[i]
        shift = medians[i]
        for j in range(n):
            level[j] = int(((row[j] - shift) - offset) * scale + 0.5)
        start = w - 1 - i  # diagonal x + W - 1 meets query column i at target column x + i
        before = diagonals[i, start : start + n]
        after = diagonals[i + 1, start : start + n]
        for j in range(n):
            after[j] = before[j] + level[j]
        for j in range(start):  # loops, not slice copies: no compiled shape-mismatch error path
            diagonals[i + 1, j] = diagonals[i, j]
        for j in range(start + n, n + w - 1):
            diagonals[i + 1, j] = diagonals[i, j]
        tally[:] = 0
        quad = n - n % 4
        for j in range(0, quad, 4):
            tally[0, level[j]] += 1
            tally[1, level[j + 1]] += 1
            tally[2, level[j + 2]] += 1
            tally[3, level[j + 3]] += 1
        for j in range(quad, n):
            tally[0, level[j]] += 1
        for b in range(bins + 1):
            counts[i, b] = tally[0, b] + tally[1, b] + tally[2, b] + tally[3, b]
    return diagonals, counts, offset, scale


@kernel(nogil=True)
def alignment_tails(counts: np.ndarray, need: np.ndarray):
    """Null survival functions of the summed quantized score of query columns ``i..j``, for every ``i <= j``.

    ``counts[i, b]`` is how many target columns give query column ``i`` the quantized score ``b`` (see
    :func:`shift_and_quantize`): the null distribution of that column's score. Returns
    ``(tails (n_pairs, W * bins + 2), index (W, W))`` where ``tails[index[i, j], k] = P(score of columns i..j >= k)``,
    summed from the top so tiny tails stay exact. Only ``k >= need[i, j]`` is valid (see :func:`needed_scores`): a
    tail depends only on the distribution at and above ``k``, so each convolution skips the outputs that no later
    needed value depends on (the values computed are the same sums, in the same order, as without skipping).

    Each distribution is the previous one (columns ``i..j-1``) convolved with column j's score histogram, eight
    histogram bins at a time (one store per eight multiply-adds); buffers carry zero padding on both sides.
    """
    w = counts.shape[0]
    bins = counts.shape[1] - 1
    size = w * bins + 1
    block = 8
    pad = block
    hist = np.zeros((w, bins + 1 + block))
    total = counts[0].sum()
    for i in range(w):  # a loop, not a slice copy: no compiled shape-mismatch error path
        for b in range(bins + 1):
            hist[i, b] = counts[i, b] / total
    top = np.zeros(w, dtype=np.int64)  # highest non-empty bin of each column
    for i in range(w):
        for b in range(bins + 1):
            if hist[i, b] > 0.0:
                top[i] = b
    lowest = np.empty(w, dtype=np.int64)
    index = -np.ones((w, w), dtype=np.int64)
    tails = np.zeros((w * (w + 1) // 2, size + 1))
    row = 0
    old = np.zeros(size + 2 * pad + block)
    new = np.zeros(size + 2 * pad + block)
    for start in range(w - 1, -1, -1):
        # lowest output of each convolution that a needed tail reads, directly or through later convolutions
        lowest[w - 1] = need[start, w - 1]
        for end in range(w - 2, start - 1, -1):
            lowest[end] = min(need[start, end], lowest[end + 1] - top[end + 1])
        new[:] = 0.0
        new[pad] = 1.0
        lo, hi = 0, 0  # support of the current distribution
        for end in range(start, w):
            old, new = new, old
            new[max(lo - block, 0) + pad : hi + bins + block + 1 + pad] = 0.0
            h = hist[end]
            blo, bhi = bins, 0
            for b in range(bins + 1):
                if h[b] > 0.0:
                    blo = min(blo, b)
                    bhi = max(bhi, b)
            for b0 in range(blo, bhi + 1, block):
                h0, h1, h2, h3 = h[b0], h[b0 + 1], h[b0 + 2], h[b0 + 3]
                h4, h5, h6, h7 = h[b0 + 4], h[b0 + 5], h[b0 + 6], h[b0 + 7]
                # new[t] += sum_r old[t - b0 - r] h[b0 + r], r = 0..7, on slices indexed from 0 (no negative-index
                # wraparound, so the loop vectorizes across t; each t keeps its own order of operations)
                first = max(lo + b0, lowest[end]) + pad
                out = new[first : hi + b0 + block + pad]
                src = old[first - b0 - 7 : hi + block + pad]
                for t in range(out.size):
                    out[t] += (src[t + 7] * h0 + src[t + 6] * h1 + src[t + 5] * h2 + src[t + 4] * h3) + (
                        src[t + 3] * h4 + src[t + 2] * h5 + src[t + 1] * h6 + src[t] * h7
                    )
            lo, hi = lo + blo, hi + bhi
            acc = 0.0  # summed from the top, down to the lowest tail read (a sequential chain: stop early)
            floor = min(need[start, end], size)
            for k in range(hi, max(lo, floor) - 1, -1):
                acc += new[k + pad]
                tails[row, k] = min(acc, 1.0)
            tails[row, floor:lo] = min(acc, 1.0)
            index[start, end] = row
            row += 1
    return tails, index


@kernel(nogil=True)
def _alignment_pair(w: int, length: int, a: int):
    """Query columns (start, end) overlapped by alignment ``a`` (0 ... W + L - 2) of a width-``length`` target."""
    if a < w:
        start = w - a - 1
        end = min(w, start + length) - 1
    else:
        start = 0
        end = min(w, length + w - a - 1) - 1
    return start, end


@kernel(nogil=True)
def needed_scores(ks: np.ndarray, t_len: np.ndarray, w: int, max_len: int, shift_unit: float) -> np.ndarray:
    """Lowest tail index of each pair of query columns ``(i, j)`` that :func:`max_alignment_pvalues` reads for the
    observed extended complete scores ``ks`` of targets of widths ``t_len`` (``(W, W)``; huge where none is read)."""
    none = 1 << 62
    k_min = np.full(max_len + 1, none, dtype=np.int64)
    for m in range(ks.size):
        if ks[m] >= 0:  # a negative score has p-value 1, read from no tail
            k_min[t_len[m]] = min(k_min[t_len[m]], ks[m])
    need = np.full((w, w), none, dtype=np.int64)
    for length in range(max_len + 1):
        if k_min[length] == none:
            continue
        for a in range(w + length - 1):
            start, end = _alignment_pair(w, length, a)
            j = k_min[length] + int(np.rint(shift_unit * (w - 1 - (end - start))))
            need[start, end] = min(need[start, end], max(j, 0))
    return need


@kernel(nogil=True)
def max_alignment_pvalues(
    tails: np.ndarray,
    index: np.ndarray,
    t_len: np.ndarray,
    ks: np.ndarray,
    shift_unit: float,
    n_orient: int,
    max_len: int,
) -> np.ndarray:
    """P-values of the extended complete scores ``ks`` of targets of widths ``t_len``: the best of
    ``n_orient * (W + L - 1)`` independent alignments of a width-``L`` target reaches ``k`` (1 when ``k < 0``).

    ``shift_unit = offset * scale`` converts a distribution of ``n`` overlapped columns to the extended scale (the
    ``W - n`` unaligned columns each add ``-shift_unit``). Each distinct (width, score) is computed once, and the
    scores of one width all together, alignment by alignment: independent chains the processor overlaps, each with
    its own operations in order.
    """
    w = index.shape[0]
    size = tails.shape[1] - 1
    n = ks.size
    k_min = ks.min()
    slot = np.full((max_len + 1, ks.max() - k_min + 1), -1, dtype=np.int64)  # (width, score) -> its place in `scores`
    first = np.zeros(max_len + 2, dtype=np.int64)  # scores of width L: scores[first[L] : first[L + 1]]
    for m in range(n):
        if ks[m] >= 0 and slot[t_len[m], ks[m] - k_min] < 0:
            slot[t_len[m], ks[m] - k_min] = first[t_len[m] + 1]
            first[t_len[m] + 1] += 1
    for length in range(max_len + 1):
        first[length + 1] += first[length]
    scores = np.empty(first[max_len + 1], dtype=np.int64)
    for m in range(n):
        if ks[m] >= 0:
            scores[first[t_len[m]] + slot[t_len[m], ks[m] - k_min]] = ks[m]
    reached = np.zeros(
        scores.size
    )  # P(some alignment so far reaches k), accumulated as u + sf (1 - u): no cancellation
    certain = np.zeros(scores.size, dtype=np.bool_)  # some alignment reaches k for sure
    for length in range(max_len + 1):
        for a in range(w + length - 1):
            start, end = _alignment_pair(w, length, a)
            shift = int(np.rint(shift_unit * (w - 1 - (end - start))))
            tail = tails[index[start, end]]
            for e in range(first[length], first[length + 1]):
                j = scores[e] + shift
                if j <= 0:
                    certain[e] = True
                elif j < size:
                    sf = tail[j]
                    for _ in range(n_orient):
                        reached[e] += sf * (1.0 - reached[e])
    pvalues = np.ones(n)
    for m in range(n):
        if ks[m] >= 0:
            e = first[t_len[m]] + slot[t_len[m], ks[m] - k_min]
            if not certain[e]:
                pvalues[m] = min(reached[e], 1.0)
    return pvalues
