"""``seqlets``: spans of high attribution, called by the recursive rule or by TF-MoDISco's, with an FDR from controls.

Two callers, each the field's published rule:

``method="recursive"`` (tangermeme's ``recursive_seqlets``; Schreiber, tangermeme): every attribution is placed in one
of ``n_bins`` equal bins between the smallest and largest value, and the null distribution of the summed bins of a
span of each length is the histogram convolved with itself (positions drawn independently). A span's p-value is the
chance of a summed bin at least as large. A span is a seqlet when every sub-span of ``min_seqlet_len`` or more
positions inside it is below ``threshold``; spans are called from the longest to the shortest, within a length by
the largest p-value over its prefixes and then by start, and none overlaps one called before it in its example.

``method="tfmodisco"`` (Shrikumar et al. 2018, arXiv:1811.00416; modisco-lite's ``extract_seqlets``): sums over
windows of ``window_size`` are thresholded at ``target_fdr`` against a Laplace null fitted to the sums (or, given
controls, against the controls' sums) by isotonic regression, the fraction of passing windows is kept between
``min_passing_frac`` and ``max_passing_frac``, and seqlets are the strongest passing windows, widened by ``flank``,
taken greedily with ``suppress = window_size // 2 + flank`` positions suppressed around each.

The hot loops are numba kernels, pure functions of arrays (cached).
"""

from __future__ import annotations

import math
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import numba
import numpy as np
import pandas as pd

from .._jit import kernel
from .._validate import check_fraction, check_positive_int, describe
from ..motifs.tomtom.ranking import _radix_sorted

__all__ = ["seqlets", "SeqletsResult"]

METHODS = ("recursive", "tfmodisco")
_RECURSIVE_OPTIONS = ("threshold", "min_seqlet_len", "max_seqlet_len", "additional_flanks", "n_bins")
_TFMODISCO_OPTIONS = ("window_size", "flank", "min_passing_frac", "max_passing_frac")
_THRESHOLDS = np.logspace(-1, -30, 117)  # the recursive caller's FDR grid: 0.1 to 1e-30, four per decade
_SUBSAMPLE = 1_000_000  # TF-MoDISco thresholds on at most this many window sums
_NULL_SAMPLES = 10_000  # values drawn from the Laplace null


class SeqletsResult(NamedTuple):
    """:func:`seqlets` with ``return_fdr=True``: the seqlets and the estimated FDR at each threshold tried."""

    seqlets: pd.DataFrame
    fdr: pd.DataFrame


# ---------------------------------------------------------------------------------------------------------------
# input


def _as_array(value: Any, name: str) -> np.ndarray:
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy array or torch tensor; got {describe(value)}")
    return value


def _project(attributions: Any, X: Any, name: str, x_name: str) -> tuple[np.ndarray, tuple[float, float]]:
    """(N, L) float32 or float64 scores: attributions * X summed over the alphabet, the sum over the alphabet
    without X, or (N, L) scores as they are; and their smallest and largest value."""
    a = _as_array(attributions, name)
    if a.ndim == 3:
        if X is not None:
            x = _as_array(X, x_name)
            if x.shape != a.shape:
                raise ValueError(f"{x_name} must have the shape of {name}, {a.shape}; got {x.shape}")
            a = a * x
        a = a.sum(axis=1, dtype=np.float64)
    elif a.ndim == 2:
        if X is not None:
            raise ValueError(f"{x_name} must be None when {name} is already projected, (N, L); got {describe(X)}")
    else:
        raise ValueError(f"{name} must have shape (N, A, L) or (N, L); got {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must be non-empty; got shape {a.shape}")
    a = np.ascontiguousarray(a, dtype=a.dtype if a.dtype in (np.float32, np.float64) else np.float64)
    extremes = float(a.min()), float(a.max())
    if not (np.isfinite(extremes[0]) and np.isfinite(extremes[1])):  # NaN propagates through min and max
        raise ValueError(f"{name} must be finite; it contains NaN or inf")
    return a, extremes


def _empty(columns: list[str]) -> pd.DataFrame:
    kinds = {"example_idx": np.int64, "start": np.int64, "end": np.int64}
    return pd.DataFrame({c: np.array([], dtype=kinds.get(c, np.float64)) for c in columns})


def _table(idx, start, end, attr, p) -> pd.DataFrame:
    """Seqlets sorted by p-value, then example and start (a stable, reproducible order)."""
    table = pd.DataFrame({"example_idx": idx, "start": start, "end": end, "attribution": attr, "p_value": p})
    order = np.lexsort((table["start"].to_numpy(), table["example_idx"].to_numpy(), table["p_value"].to_numpy()))
    return table.iloc[order].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------------------
# recursive seqlets: bins and null distributions


@kernel(nogil=True)
def _bin_rows(X, xmin, bin_width, n_bins, bins, lo, hi):
    """Write the bin of every value of rows lo..hi-1 of X to the same rows of ``bins``, values outside the bins'
    range in the end bins; returns the histogram of those bins."""
    for i in range(lo, hi):
        x = X[i]
        row = bins[i]
        for j in range(x.shape[0]):  # a loop of its own: the divides vectorize
            row[j] = min(max(math.floor((x[j] - xmin) / bin_width), 0), n_bins - 1)
    counts = np.zeros((4, n_bins), dtype=np.int64)  # four interleaved histograms: fewer stalls on repeated bins
    for i in range(lo, hi):
        row = bins[i]
        for j in range(row.shape[0]):
            counts[j & 3, row[j]] += 1
    return counts.sum(axis=0)


def _binned(pool, X, xmin, bin_width, n_bins) -> tuple[np.ndarray, np.ndarray]:
    """The bins of X (uint16 where they fit, half the size of float32 scores) and their histogram."""
    bins = np.empty(X.shape, dtype=np.uint16 if n_bins <= 1 << 16 else np.int64)
    counts = sum(_run(pool, _bin_rows, len(X), X, xmin, bin_width, n_bins, bins))
    return bins, counts


@kernel(nogil=True, fastmath={"reassoc", "contract"})
def _convolve(padded, n_prev, f_reversed, out, lo, hi):
    """``out[s] = sum_k f_reversed[k] * padded[s + k]`` for s in [lo, hi) (a multiple of 8 apart), eight at a time,
    where ``padded`` holds the ``n_prev`` values convolved from position ``len(f_reversed) - 1`` on, zeros elsewhere.

    Each output is a sum of non-negative products, in any order (the reassociation lets LLVM vectorize the sums;
    the eight accumulators share each load of ``f_reversed``), so it keeps its relative precision however small it
    is. Terms that meet only the zero padding are skipped; indices are unsigned (no wraparound checks).
    """
    n = f_reversed.shape[0]
    for s in range(lo, hi, 8):
        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 0.0
        for k in range(max(0, n - 8 - s), min(n, n - 1 + n_prev - s)):
            w = f_reversed[np.uint64(k)]
            a0 += w * padded[np.uint64(s + k)]
            a1 += w * padded[np.uint64(s + 1 + k)]
            a2 += w * padded[np.uint64(s + 2 + k)]
            a3 += w * padded[np.uint64(s + 3 + k)]
            a4 += w * padded[np.uint64(s + 4 + k)]
            a5 += w * padded[np.uint64(s + 5 + k)]
            a6 += w * padded[np.uint64(s + 6 + k)]
            a7 += w * padded[np.uint64(s + 7 + k)]
        out[s], out[s + 1], out[s + 2], out[s + 3] = a0, a1, a2, a3
        out[s + 4], out[s + 5], out[s + 6], out[s + 7] = a4, a5, a6, a7


def _tail_probabilities(pool, f: np.ndarray, max_len: int) -> np.ndarray:
    """``rcdf[L, s]``: P(S >= s) for S the sum of L independent bins with probabilities ``f``.

    The distribution of L bins is that of L - 1 bins convolved with f, computed directly by :func:`_convolve` (an
    FFT would lose the small tail probabilities), its outputs split between the threads of ``pool``. Tails are
    summed from the top so that small probabilities are not lost to rounding.
    """
    n_bins = len(f)
    f_reversed = np.ascontiguousarray(f[::-1])
    rcdf = np.zeros((max_len + 1, n_bins * max_len + 1))
    pmf = f
    for length in range(1, max_len + 1):
        if length > 1:
            n_out = len(pmf) + n_bins - 1
            blocks = -(-n_out // 8)
            padded = np.zeros(8 * blocks + n_bins - 1)
            padded[n_bins - 1 : n_bins - 1 + len(pmf)] = pmf
            out = np.empty(8 * blocks)
            edges = 8 * np.linspace(0, blocks, 2 if pool is None else pool._max_workers + 1).astype(int)
            _run_ranges(pool, _convolve, edges, padded, len(pmf), f_reversed, out)
            pmf = out[:n_out]
        rcdf[length, : len(pmf)] = np.cumsum(pmf[::-1])[::-1]
    return rcdf


def _smallest_passing(rcdf: np.ndarray, limit: float) -> np.ndarray:
    """Per length, the smallest bin sum whose tail probability is below ``limit`` (each row of ``rcdf`` is
    non-increasing, a running sum of non-negative terms, so a span passes exactly when its sum reaches this)."""
    return (rcdf >= limit).sum(axis=1)


def _run(pool, kernel, n, *args) -> list:
    """``kernel(*args, lo, hi)`` over [0, n) in one chunk per thread of ``pool`` (or in one call without one)."""
    if pool is None or n < 2:
        return [kernel(*args, 0, n)]
    return _run_ranges(pool, kernel, np.linspace(0, n, pool._max_workers + 1).astype(int), *args)


def _run_ranges(pool, kernel, edges, *args) -> list:
    """``kernel(*args, lo, hi)`` over each range between consecutive ``edges``, on the threads of ``pool``."""
    if pool is None or len(edges) == 2:
        return [kernel(*args, lo, hi) for lo, hi in zip(edges[:-1], edges[1:])]
    return list(pool.map(lambda lo, hi: kernel(*args, lo, hi), edges[:-1], edges[1:]))


# ---------------------------------------------------------------------------------------------------------------
# recursive seqlets: decoding


@kernel(nogil=True)
def _row_candidates(b, rcdf, smallest, limit, min_len, max_len, w, ks, ps, qs, ss, counts):
    """The spans of one example (bins ``b``) whose every sub-span of min_len or more positions has a p-value below
    ``limit``.

    Per length L (row ``max_len - L`` of ``ks``, ``ps``, ``qs``, ``ss``, in order of start): the candidates' start,
    largest p-value over their prefixes, largest over their sub-spans and bin sum, and their number in ``counts``.
    A span of length L has a p-value below ``limit`` exactly when its bin sum reaches ``smallest[L]``: the sums of
    the shortest spans (in ``w``) are compared in blocks without branches, and only blocks whose largest sum reaches
    it are gathered. Indices are unsigned where they cannot be negative (no wraparound check: the loops vectorize).
    """
    n_win = b.shape[0] - min_len + 1
    counts[:] = 0
    r = max_len - min_len
    if n_win <= 0:
        return
    for k in range(n_win):
        w[np.uint64(k)] = b[np.uint64(k)]
    for i in range(1, min_len):
        for k in range(n_win):
            w[np.uint64(k)] += b[np.uint64(k + i)]
    reach = smallest[min_len]
    m = 0
    for c0 in range(0, n_win, 32):
        c1 = min(c0 + 32, n_win)
        top = 0
        for k in range(c0, c1):
            top = max(top, w[np.uint64(k)])
        if top >= reach:
            for k in range(c0, c1):
                ks[r, m] = k
                m += w[np.uint64(k)] >= reach
    row = rcdf[min_len]
    for c in range(m):
        s = w[np.uint64(ks[r, c])]
        ps[r, c] = qs[r, c] = row[s]
        ss[r, c] = s
    counts[r] = m
    for seqlet_len in range(min_len + 1, max_len + 1):
        if m < 2:
            break
        row = rcdf[seqlet_len]
        reach = smallest[seqlet_len]
        r -= 1
        m_new = 0
        for c in range(m - 1):  # a span needs both its sub-spans one shorter
            k = ks[r + 1, c]
            if ks[r + 1, c + 1] != k + 1:
                continue
            s = ss[r + 1, c] + b[np.uint64(k + seqlet_len - 1)]
            if s < reach:
                continue
            p = max(row[s], ps[r + 1, c])
            q = max(p, qs[r + 1, c + 1])
            if q < limit:
                ks[r, m_new], ps[r, m_new], qs[r, m_new], ss[r, m_new] = k, p, q, s
                m_new += 1
        m = m_new
        counts[r] = m


@kernel(nogil=True, inline="always")
def _visit(ks, ps, qs, m, r, seqlet_len, threshold, called, stamp, keep, group_k, group_p):
    """Call the free spans among the ``m`` candidates of one length (row r, in order of start) whose sub-spans are all
    below ``threshold``, best prefix p-value first, then by start; returns the candidates called (their index in the
    row), in ``keep``, and their number. The candidates are left as they are.

    Seqlets called so far are at least this long, so a span overlaps one exactly when its first or last position is
    taken. Two spans of this length overlap only when their starts are less than the length apart, so the free
    candidates fall into groups that do not interact, each sorted (stably, in ``group_k`` and ``group_p``) and called
    on its own.
    """
    n = 0
    c = 0
    while c < m:
        size = 0
        last = 0
        while c < m:
            start = ks[r, c]
            if size > 0 and start - last >= seqlet_len:
                break
            if qs[r, c] < threshold and called[start] != stamp and called[start + seqlet_len - 1] != stamp:
                group_k[size] = c  # candidates are in order of start: ties stay so
                group_p[size] = ps[r, c]
                size += 1
                last = start
            c += 1
        if size > 32:
            order = np.argsort(group_p[:size], kind="mergesort")
            group_k[:size], group_p[:size] = group_k[:size][order], group_p[:size][order]
        else:
            for a in range(1, size):  # insertion: a group is usually a few overlapping spans
                kk, pp = group_k[a], group_p[a]
                b = a
                while b > 0 and pp < group_p[b - 1]:
                    group_k[b], group_p[b] = group_k[b - 1], group_p[b - 1]
                    b -= 1
                group_k[b], group_p[b] = kk, pp
        for a in range(size):
            start = ks[r, group_k[a]]
            if called[start] != stamp and called[start + seqlet_len - 1] != stamp:
                for j in range(start, start + seqlet_len):
                    called[j] = stamp
                keep[n] = group_k[a]
                n += 1
    return n


@kernel(nogil=True)
def _scratch(length, n_lens, sums):
    """Per-example work arrays of the decoders: sums of the shortest spans (of the dtype of ``sums``), candidates
    (start, prefix and triangle p-values, bin sum, count per length), starts called, the positions taken and a group
    of candidates (starts, p-values)."""
    return (
        np.empty(length, dtype=sums.dtype),
        np.empty((n_lens, length), dtype=np.int64),
        np.empty((n_lens, length)),
        np.empty((n_lens, length)),
        np.empty((n_lens, length), dtype=np.int64),
        np.zeros(n_lens, dtype=np.int64),
        np.empty(length, dtype=np.int64),
        np.zeros(length, dtype=np.int64),
        np.empty(length, dtype=np.int64),
        np.empty(length),
    )


@kernel(nogil=True)
def _decode(X, bins, sums, rcdf, smallest, threshold, min_len, max_len, flanks, lo, hi):
    """The seqlets of examples lo..hi-1 at ``threshold``, by example and then start: example, start, end,
    attribution (sum with the flanks) and the span's own p-value."""
    length = X.shape[1]
    n_lens = max_len - min_len + 1
    w, ks, ps, qs, ss, counts, keep, called, group_k, group_p = _scratch(length, n_lens, sums)
    most = length // min_len + 1  # seqlets of one example: they do not overlap
    ex_s = np.empty(most, dtype=np.int64)
    ex_e = np.empty(most, dtype=np.int64)
    ex_a = np.empty(most)
    ex_p = np.empty(most)
    cap = max(16, hi - lo)
    out_i = np.empty(cap, dtype=np.int64)
    out_s = np.empty(cap, dtype=np.int64)
    out_e = np.empty(cap, dtype=np.int64)
    out_a = np.empty(cap)
    out_p = np.empty(cap)
    n_out = 0
    for i in range(lo, hi):
        x, b = X[i], bins[i]
        _row_candidates(b, rcdf, smallest, threshold, min_len, max_len, w, ks, ps, qs, ss, counts)
        n_ex = 0
        for r in range(n_lens):
            if counts[r] == 0:
                continue
            seqlet_len = max_len - r
            n_new = _visit(ks, ps, qs, counts[r], r, seqlet_len, threshold, called, i + 1, keep, group_k, group_p)
            for c in range(n_new):
                start, s = ks[r, keep[c]], ss[r, keep[c]]
                a = max(start - flanks, 0)
                e = min(start + seqlet_len + flanks, length)
                total = 0.0
                for j in range(a, e):
                    total += x[j]
                at = n_ex  # insertion by start (stable: starts clipped at 0 may tie), so the rows are in order
                while at > 0 and ex_s[at - 1] > a:
                    ex_s[at], ex_e[at], ex_a[at], ex_p[at] = ex_s[at - 1], ex_e[at - 1], ex_a[at - 1], ex_p[at - 1]
                    at -= 1
                ex_s[at], ex_e[at], ex_a[at] = a, e, total
                ex_p[at] = rcdf[seqlet_len, s]  # its own p-value
                n_ex += 1
        if n_out + n_ex > cap:  # grown once per example at most, not inside the loops above (numba keeps them lean)
            cap = 2 * (n_out + n_ex)
            out_i = np.concatenate((out_i, np.empty(cap - out_i.shape[0], dtype=np.int64)))
            out_s = np.concatenate((out_s, np.empty(cap - out_s.shape[0], dtype=np.int64)))
            out_e = np.concatenate((out_e, np.empty(cap - out_e.shape[0], dtype=np.int64)))
            out_a = np.concatenate((out_a, np.empty(cap - out_a.shape[0])))
            out_p = np.concatenate((out_p, np.empty(cap - out_p.shape[0])))
        for c in range(n_ex):
            out_i[n_out], out_s[n_out], out_e[n_out], out_a[n_out], out_p[n_out] = i, ex_s[c], ex_e[c], ex_a[c], ex_p[c]
            n_out += 1
    return out_i[:n_out], out_s[:n_out], out_e[:n_out], out_a[:n_out], out_p[:n_out]


@kernel(nogil=True)
def _count(bins, sums, rcdf, smallest, thresholds, min_len, max_len, lo, hi):
    """The number of seqlets :func:`_decode` calls in examples lo..hi-1 at each threshold (largest first)."""
    length = bins.shape[1]
    n_lens = max_len - min_len + 1
    w, ks, ps, qs, ss, counts, keep, called, group_k, group_p = _scratch(length, n_lens, sums)
    totals = np.zeros(thresholds.shape[0], dtype=np.int64)
    stamp = 0
    for i in range(lo, hi):
        _row_candidates(bins[i], rcdf, smallest, thresholds[0], min_len, max_len, w, ks, ps, qs, ss, counts)
        for t in range(thresholds.shape[0]):
            stamp += 1
            found = 0
            for r in range(n_lens):
                if counts[r] > 0:
                    found += _visit(
                        ks, ps, qs, counts[r], r, max_len - r, thresholds[t], called, stamp, keep, group_k, group_p
                    )
            totals[t] += found
            if found == 0:  # nothing passes here, so no stricter threshold calls anything in this example
                break
    return totals


def _pool() -> ThreadPoolExecutor | None:
    """Threads for the kernels (they release the GIL): numba's thread count, or None for one."""
    n = numba.get_num_threads()
    return ThreadPoolExecutor(n) if n > 1 else None


def _recursive(scores, extremes, control, threshold, min_len, max_len, flanks, n_bins, target_fdr):
    columns = ["example_idx", "start", "end", "attribution", "p_value"]
    xmin, xmax = extremes
    fdr = None
    pool = _pool()
    try:
        if xmax == xmin:  # every span has the same sum: nothing stands out
            bins = rcdf = None
        else:
            bin_width = (xmax - xmin) / (n_bins - 1)
            bins, counts = _binned(pool, scores, xmin, bin_width, n_bins)
            rcdf = _tail_probabilities(pool, counts / scores.size, max_len)
            sums = np.empty(0, dtype=np.int32 if (n_bins - 1) * min_len < 1 << 31 else np.int64)  # its dtype
        if control is not None:
            n_x = n_c = np.zeros(len(_THRESHOLDS), dtype=np.int64)
            if rcdf is not None:
                control_bins, _ = _binned(pool, control, xmin, bin_width, n_bins)
                smallest = _smallest_passing(rcdf, _THRESHOLDS[0])
                n_x, n_c = (
                    sum(_run(pool, _count, len(b), b, sums, rcdf, smallest, _THRESHOLDS, min_len, max_len))
                    for b in (bins, control_bins)
                )
            with np.errstate(divide="ignore", invalid="ignore"):
                estimate = np.where(n_x > 0, (n_c + 1) * (scores.size / control.size) / n_x, np.nan)
            fdr = pd.DataFrame({"threshold": _THRESHOLDS, "n_seqlets": n_x, "n_control_seqlets": n_c, "fdr": estimate})
            passing = fdr["fdr"] <= target_fdr
            threshold = fdr.loc[passing, "threshold"].max() if passing.any() else None
            if threshold is None:
                _warn_unreached(fdr, target_fdr)
        if rcdf is None or threshold is None:
            return _empty(columns), fdr
        threshold = float(threshold)
        smallest = _smallest_passing(rcdf, threshold)
        parts = _run(
            pool, _decode, len(scores), scores, bins, sums, rcdf, smallest, threshold, min_len, max_len, flanks
        )
    finally:
        if pool is not None:
            pool.shutdown()
    idx, start, end, attribution, p = (np.concatenate(field) for field in zip(*parts))
    # the rows are by example and start, and stable sorts keep ties in that order: by the low and then the high half
    # of p's bits (p >= 0: its bits sort as it does)
    bits = p.view(np.int64)
    order = _radix_sorted(bits >> 32, _radix_sorted(bits & 0xFFFFFFFF, np.arange(len(p))))
    fields = {"example_idx": idx, "start": start, "end": end, "attribution": attribution, "p_value": p}
    return pd.DataFrame({name: value[order] for name, value in fields.items()}, copy=False), fdr


def _warn_unreached(fdr: pd.DataFrame, target_fdr: float) -> None:
    estimated = fdr.dropna(subset=["fdr"])
    if len(estimated):
        best = estimated.loc[estimated["fdr"].idxmin()]
        reason = (
            f"the lowest estimate is {best['fdr']:.3f}, at threshold {best['threshold']:.1e} with "
            f"{int(best['n_seqlets'])} seqlets"
        )
    else:
        reason = "no seqlet is called on the attributions at any threshold"
    warnings.warn(
        f"no threshold reaches an estimated FDR at or below target_fdr={target_fdr}: {reason}; no seqlets returned "
        "(pass a higher target_fdr; return_fdr=True shows the estimate at every threshold)",
        UserWarning,
        stacklevel=4,
    )


# ---------------------------------------------------------------------------------------------------------------
# TF-MoDISco seqlets


def _window_sums(scores: np.ndarray, window: int) -> np.ndarray:
    """Sums over every window of ``window`` positions, as differences of running sums (TF-MoDISco's smoothing)."""
    c = np.hstack([np.zeros((len(scores), 1)), np.cumsum(scores, axis=-1, dtype=np.float64)])
    return c[:, window:] - c[:, :-window]


def _mode_bin(values: np.ndarray) -> tuple[float, float, np.ndarray]:
    hist, edges = np.histogram(values, bins=1000)
    peak = int(np.argmax(hist))
    lo, hi = edges[peak], edges[peak + 1]
    return lo, hi, values[(lo < values) & (values < hi)]


def _laplace_null(values: np.ndarray) -> tuple[float, float, float, float]:
    """TF-MoDISco's Laplace null of window sums: its mode ``mu`` (two rounds of a 1000-bin histogram), the rates of
    the positive and negative sides (the largest rate over the 5th..95th percentiles of each side) and the fraction
    of values on the positive side."""
    _, _, top = _mode_bin(values)
    lo, hi, _ = _mode_bin(top)
    mu = (lo + hi) / 2
    q = np.arange(5, 100, 5, dtype=np.float64)
    pos, neg = values[values >= mu], values[values <= mu]
    lam_pos = np.max(-np.log(1 - q / 100) / (np.percentile(pos, q) - mu))
    lam_neg = np.max(-np.log(1 - q / 100) / np.abs(np.percentile(neg, 100 - q) - mu))
    return mu, lam_pos, lam_neg, len(pos) / (len(pos) + len(neg))


def _laplace_samples(mu, lam_pos, lam_neg, prob_pos) -> np.ndarray:
    """The null values TF-MoDISco draws (numpy's legacy RandomState(1234), for the same draws as modisco-lite)."""
    u = np.random.RandomState(1234).uniform(size=(_NULL_SAMPLES, 2))
    log_tail = np.log(1 - u[:, 1])
    return np.where(u[:, 0] < prob_pos, -log_tail / lam_pos + mu, mu + log_tail / lam_neg)


@kernel()
def _isotonic_fit(x, y, w, increasing):
    """Weighted least-squares isotonic regression (pool adjacent violators) of y on x sorted by (x, y), with x
    within 1e-15 of a group's first value pooled into that group (as scikit-learn's IsotonicRegression). Returns the
    groups' first x and their fitted values."""
    eps = 1e-15
    n = x.shape[0]
    ux = np.empty(n)
    uy = np.empty(n)
    uw = np.empty(n)
    g = 0
    cx, cy, cw = x[0], 0.0, 0.0
    for j in range(n):
        if x[j] - cx >= eps:
            ux[g], uy[g], uw[g] = cx, cy / cw, cw
            g += 1
            cx, cy, cw = x[j], y[j] * w[j], w[j]
        else:
            cy += y[j] * w[j]
            cw += w[j]
    ux[g], uy[g], uw[g] = cx, cy / cw, cw
    g += 1
    sign = 1.0 if increasing else -1.0
    # blocks: mean (in the increasing orientation), weight, end index
    bm = np.empty(g)
    bw = np.empty(g)
    be = np.empty(g, dtype=np.int64)
    nb = 0
    for j in range(g):
        bm[nb], bw[nb], be[nb] = sign * uy[j], uw[j], j
        nb += 1
        while nb > 1 and bm[nb - 2] >= bm[nb - 1]:
            total = bw[nb - 2] + bw[nb - 1]
            bm[nb - 2] = (bm[nb - 2] * bw[nb - 2] + bm[nb - 1] * bw[nb - 1]) / total
            bw[nb - 2] = total
            be[nb - 2] = be[nb - 1]
            nb -= 1
    fitted = np.empty(g)
    lo = 0
    for b in range(nb):
        for j in range(lo, be[b] + 1):
            fitted[j] = sign * bm[b]
        lo = be[b] + 1
    return ux[:g], fitted


def _isotonic_threshold(values, null, increasing, target_fdr, min_frac_neg=0.95):
    """The weakest of ``values`` (sorted from weakest to strongest) whose precision against ``null``, estimated by
    isotonic regression of real (1) vs null (0) on the value, reaches 1 - target_fdr (TF-MoDISco's rule)."""
    x = np.concatenate([values, null])
    y = np.concatenate([np.ones(len(values)), np.zeros(len(null))])
    w = np.concatenate([np.ones(len(values)), np.full(len(null), len(values) / len(null))])
    order = np.lexsort((y, x))
    ux, fitted = _isotonic_fit(x[order], y[order], w[order], increasing)
    at_values = fitted[np.searchsorted(ux, values, side="right") - 1]
    weakest = fitted[0] if increasing else fitted[-1]
    implied = -1 / (1 - 1 / max(weakest, 1e-7))
    if implied > 1.0 or implied < min_frac_neg:
        implied = max(min(1.0, implied), min_frac_neg)
    precision = np.clip(1 + implied * (1 - 1 / np.maximum(at_values, 1e-7)), 0.0, 1.0)
    precision[-1] = 1
    return values[precision >= 1 - target_fdr][0]


@kernel()
def _greedy_windows(track, window, flank, suppress):
    """Per example, the strongest remaining window, again and again, suppressing ``suppress`` positions around each
    (``track`` holds |sum| for passing windows and -inf elsewhere; it is overwritten). Returns (example, window
    start) in the order taken."""
    n, d = track.shape
    cap = max(16, n)
    out_i = np.empty(cap, dtype=np.int64)
    out_k = np.empty(cap, dtype=np.int64)
    m = 0
    for i in range(n):
        row = track[i]
        while True:
            best = 0
            for j in range(1, d):
                if row[j] > row[best]:
                    best = j
            if row[best] == -np.inf:
                break
            if best >= flank and best < d - flank:
                if m == cap:
                    cap *= 2
                    out_i = np.concatenate((out_i, np.empty(cap - m, dtype=np.int64)))
                    out_k = np.concatenate((out_k, np.empty(cap - m, dtype=np.int64)))
                out_i[m] = i
                out_k[m] = best
                m += 1
            lo = max(int(math.floor(best + 0.5 - suppress)), 0)
            hi = min(int(math.ceil(best + 0.5 + suppress)), d)
            row[lo:hi] = -np.inf
    return out_i[:m], out_k[:m]


def _split(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.sort(values[values >= 0]), np.sort(values[values < 0])[::-1]


def _tfmodisco(scores, control, window, flank, target_fdr, min_frac, max_frac):
    if scores.shape[1] < window:
        raise ValueError(f"window_size must be at most the sequence length, {scores.shape[1]}; got {window}")
    sums = _window_sums(scores, window)
    values = sums.ravel()
    if control is None:
        mu, lam_pos, lam_neg, prob_pos = _laplace_null(values)
        null_pos, null_neg = _split(_laplace_samples(mu, lam_pos, lam_neg, prob_pos))
    else:
        if control.shape[1] < window:
            raise ValueError(f"window_size must be at most the controls' length, {control.shape[1]}; got {window}")
        control_sums = _window_sums(control, window).ravel()
        null_pos, null_neg = _split(control_sums)
    if len(values) > _SUBSAMPLE:
        values = values[np.random.RandomState(1234).permutation(len(values))[:_SUBSAMPLE]]
    pos, neg = _split(values)
    pos_threshold = _isotonic_threshold(pos, null_pos, True, target_fdr) if len(pos) and len(null_pos) else np.inf
    neg_threshold = _isotonic_threshold(neg, null_neg, False, target_fdr) if len(neg) and len(null_neg) else -np.inf
    both = np.concatenate([pos, neg])
    passing = (np.count_nonzero(both >= pos_threshold) + np.count_nonzero(both <= neg_threshold)) / len(both)
    for limit, fails in ((min_frac, passing < min_frac), (max_frac, passing > max_frac)):
        if fails:
            pos_threshold = np.percentile(np.abs(both), 100 * (1 - limit))
            neg_threshold = -pos_threshold
    keep = (sums >= pos_threshold) | (sums <= neg_threshold)
    track = np.where(keep, np.abs(sums), -np.inf)
    track[:, :flank] = -np.inf
    track[:, track.shape[1] - flank :] = -np.inf
    idx, k = _greedy_windows(track, window, flank, window // 2 + flank)
    attribution = sums[idx, k]
    if control is None:
        up = prob_pos * np.exp(-lam_pos * (attribution - mu))
        down = (1 - prob_pos) * np.exp(-lam_neg * (mu - attribution))
        p = np.minimum(np.where(attribution >= mu, up, down), 1.0)
    else:  # the fraction of control windows at least as extreme, on the seqlet's side
        ordered = np.sort(control_sums)
        above = len(ordered) - np.searchsorted(ordered, attribution, side="left")
        below = np.searchsorted(ordered, attribution, side="right")
        p = (np.where(attribution >= 0, above, below) + 1) / (len(ordered) + 1)
    return _table(idx, k - flank, k + window + flank, attribution, p)


# ---------------------------------------------------------------------------------------------------------------
# entry point


def seqlets(
    attributions: Any,
    X: Any = None,
    *,
    method: str = "recursive",
    control: Any = None,
    control_X: Any = None,
    target_fdr: float | None = None,
    return_fdr: bool = False,
    threshold: float | None = None,
    min_seqlet_len: int | None = None,
    max_seqlet_len: int | None = None,
    additional_flanks: int | None = None,
    n_bins: int | None = None,
    window_size: int | None = None,
    flank: int | None = None,
    min_passing_frac: float | None = None,
    max_passing_frac: float | None = None,
) -> pd.DataFrame | SeqletsResult:
    """Call seqlets, spans of high attribution, in every example.

    Parameters
    ----------
    attributions
        (N, A, L) attributions, projected on ``X`` (summed over the alphabet after multiplying by ``X``) or, without
        ``X``, summed over the alphabet; or (N, L) scores used as they are. numpy or torch.
    X
        (N, A, L) one-hot sequences of the attributions, or None.
    method
        ``"recursive"`` (tangermeme's recursive seqlets) or ``"tfmodisco"`` (TF-MoDISco's windows); see the module
        notes and docs/seqlets.md.
    control, control_X
        Attributions (and their one-hot) of sequences without real signal, e.g. dinucleotide shuffles of ``X``
        (:func:`eugene.seq.dinucleotide_shuffle`) through the same model and method; any number of examples and
        length. Recursive: the threshold is the largest p-value threshold (0.1 to 1e-30, four per decade) whose
        estimated FDR, (control seqlets + 1) scaled to the positions of ``attributions`` / seqlets, is at most
        ``target_fdr``; ``threshold`` is then not used. TF-MoDISco: the controls' window sums replace the Laplace
        null, as in the original TF-MoDISco.
    target_fdr
        Recursive with ``control``: the FDR to reach (default 0.1). TF-MoDISco: the FDR of windows (default 0.2).
    return_fdr
        Recursive with ``control``: also return the estimate at every threshold (a :class:`SeqletsResult`).
    threshold, min_seqlet_len, max_seqlet_len, additional_flanks, n_bins
        Recursive only (defaults 0.01, 4, 25, 0, 1000): the p-value threshold, the shortest and longest seqlet,
        positions added to either end after calling (seqlets may then overlap), and the number of bins.
    window_size, flank, min_passing_frac, max_passing_frac
        TF-MoDISco only (defaults 21, 10, 0.03, 0.2): the window summed, the positions added to either side of a
        window, and the bounds on the fraction of windows that pass.

    Returns
    -------
    pandas.DataFrame
        One row per seqlet, sorted by p-value then example and start: ``example_idx``, ``start``, ``end`` (half
        open), ``attribution`` (recursive: the sum over the seqlet with its flanks; TF-MoDISco: the sum over the
        window without its flanks, negative for negative seqlets) and ``p_value`` (recursive: the span's own p-value
        under the binned null, a ranking score, not an error rate; TF-MoDISco: the tail probability of the window's
        sum under the Laplace null, or among the controls' windows, on the seqlet's side).

    Examples
    --------
    >>> table = eu.interpret.seqlets(attributions, X)                        # doctest: +SKIP
    >>> table = eu.interpret.seqlets(attributions, X, control=shuffled_attr, control_X=shuffled)  # doctest: +SKIP
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}")
    given = {name: value for name, value in locals().items() if name in _RECURSIVE_OPTIONS + _TFMODISCO_OPTIONS}
    foreign = _TFMODISCO_OPTIONS if method == "recursive" else _RECURSIVE_OPTIONS
    wrong = [name for name in foreign if given[name] is not None]
    if wrong:
        raise ValueError(f"{', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} not an option of method={method!r}")
    if not isinstance(return_fdr, bool):
        raise TypeError(f"return_fdr must be a bool; got {describe(return_fdr)}")
    if return_fdr and (method != "recursive" or control is None):
        raise ValueError("return_fdr=True needs method='recursive' and control attributions (control=...)")
    scores, extremes = _project(attributions, X, "attributions", "X")
    controls = None if control is None else _project(control, control_X, "control", "control_X")[0]
    if control is None and control_X is not None:
        raise ValueError("control_X must come with control (the attributions of the control sequences)")

    if method == "recursive":
        target = check_fraction(0.1 if target_fdr is None else target_fdr, "target_fdr")
        threshold = 0.01 if threshold is None else threshold
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)) or not 0 < threshold <= 1:
            raise ValueError(f"threshold must be a p-value in (0, 1]; got {describe(threshold)}")  # <= 0: none pass
        min_len = check_positive_int(4 if min_seqlet_len is None else min_seqlet_len, "min_seqlet_len")
        max_len = check_positive_int(25 if max_seqlet_len is None else max_seqlet_len, "max_seqlet_len")
        if max_len < min_len:
            raise ValueError(f"max_seqlet_len must be at least min_seqlet_len={min_len}; got {max_len}")
        flanks = 0 if additional_flanks is None else additional_flanks
        if isinstance(flanks, bool) or not isinstance(flanks, (int, np.integer)) or flanks < 0:
            raise ValueError(f"additional_flanks must be a non-negative integer; got {describe(flanks)}")
        bins = check_positive_int(1000 if n_bins is None else n_bins, "n_bins")
        if bins < 2:
            raise ValueError(f"n_bins must be at least 2; got {bins}")
        table, fdr = _recursive(
            scores, extremes, controls, float(threshold), min_len, max_len, int(flanks), bins, target
        )
        return SeqletsResult(table, fdr) if return_fdr else table

    target = check_fraction(0.2 if target_fdr is None else target_fdr, "target_fdr")
    window = check_positive_int(21 if window_size is None else window_size, "window_size")
    flank = 10 if flank is None else flank
    if isinstance(flank, bool) or not isinstance(flank, (int, np.integer)) or flank < 0:
        raise ValueError(f"flank must be a non-negative integer; got {describe(flank)}")
    low = check_fraction(0.03 if min_passing_frac is None else min_passing_frac, "min_passing_frac")
    high = check_fraction(0.2 if max_passing_frac is None else max_passing_frac, "max_passing_frac")
    if high < low:
        raise ValueError(f"max_passing_frac must be at least min_passing_frac={low}; got {high}")
    return _tfmodisco(scores, controls, window, int(flank), target, low, high)
