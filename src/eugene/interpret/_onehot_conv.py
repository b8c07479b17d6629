"""Filter sites of a first convolution on one-hot input by table lookup, with the same sites as the layer's output.

When the layer is an ``nn.Conv1d`` that receives the model's input tensor itself and every input column holds one
letter (or none), its output at position ``p`` is

    a[n, f, p] = b[f] + sum_j W[f, code[n, s_p + j * d], j]        (s_p = start + p * stride, d the dilation)

table lookups instead of a multiply-add per tap and channel; the tables hold groups of g taps at once (g = 3 for
DNA: 125 letter combinations), so a window of K taps costs about K / g lookups. The numba kernels below compute it
sequence by sequence, keep each filter's maximum or count the windows of its sites, and never write activations out.

The kernels add the terms in another order than torch's convolution, so their float32 value ``â`` may differ from
the layer's ``a`` in the last bits. Summing n terms in any order errs by at most ``γ_{n-1} Σ|terms|``, with
``γ_m = m u / (1 - m u)`` and ``u = 2**-24`` (Higham 2002, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
§4.2). Both sum the same K + 1 non-zero terms (the layer's products with a 0 input are exact zeros, those with a 1
exact), so with ``S = |b_f| + Σ_j |W[f, code_j, j]|``

    |â - a| <= 2 γ_K S <= margin_f = 2 γ_K (|b_f| + Σ_j max_c |W[f, c, j]|).

This assumes torch's CPU convolution sums products (direct or GEMM kernels, no Winograd or FFT transforms), in
float32 (no TF32 / bfloat16 precision the user allowed: :func:`_precise_fp32`). Every decision is then made as the
layer's output would make it:

- the maximum: the sequences whose kernel maximum comes within 2 margins of the best kernel maximum hold the layer's
  maximum; the layer runs on those few sequences to read it (:meth:`OneHotConv.maxima`);
- the sites: ``â > cutoff + margin`` is a site and ``â <= cutoff - margin`` is not, whatever the rounding. A value
  in between is recomputed in float64 (``s``, exact to 1e-15) with its own ``S``: ``s - γ_K S > cutoff`` is a
  site, ``s + γ_K S <= cutoff`` is not; a sequence with a value still undecided (a few in a hundred at the default
  sizes) is handed back, for the caller to run the layer on it (:meth:`OneHotConv.sites`).

"The layer's output" is itself only defined to the last bit for a given batch: torch's CPU convolution may round a
sequence's outputs differently (by one unit in the last place) depending on the batch it is computed in. The layer
runs here on the candidate or handed-back sequences as a batch of their own, so a maximum can differ by that much
from a two-pass run's, exactly as two two-pass runs with different ``batch_size`` can.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numba
import numpy as np
import torch
from numba import prange
from torch import nn

from .._jit import compiling, kernel
from .._threads import torch_threads_kept
from ._engine import Run, batches, layer_call
from ._receptive import Window

__all__ = ["OneHotConv"]

Prepare = Callable[[torch.Tensor], torch.Tensor]

_UNIT_ROUNDOFF = 2.0**-24  # float32
_MAX_GROUP_CODES = 128  # taps are looked up in groups with at most this many letter combinations (DNA: 3 taps)


def _gamma(m: int) -> float:
    return m * _UNIT_ROUNDOFF / (1 - m * _UNIT_ROUNDOFF)


@kernel()
def _extended(codes, n, start, span, n_letters, group, dilation):  # pragma: no cover - compiled
    """Letter codes of sequence ``n`` over columns ``start .. start + span`` (``n_letters``, no letter, outside the
    sequence), and at each column the code of the ``group`` letters at it and every ``dilation`` columns after it
    (base A + 1, first letter most significant)."""
    length = codes.shape[1]
    ext = np.full(span, n_letters, np.int32)
    for i in range(max(0, -start), min(span, length - start)):
        ext[i] = codes[n, start + i]
    grouped = np.zeros(max(0, span - (group - 1) * dilation), np.int32)
    for i in range(len(grouped)):
        for k in range(group):
            grouped[i] = grouped[i] * (n_letters + 1) + ext[i + k * dilation]
    return ext, grouped


@kernel(inline="always")  # inlined at numba level: 15% faster maxima than a call
def _position(ext, grouped, groups, singles, bias, first, dilation, step, row):  # pragma: no cover - compiled
    """row[f] = bias[f] + the filter's table entries of the window at column ``first`` (float32).

    ``groups[i, code]`` holds the taps of group ``i`` (``step = g x dilation`` columns apart) for the ``grouped``
    code of their letters; ``singles`` the taps left over after the last whole group.
    """
    n_groups, _, n_filters = groups.shape
    for f in range(n_filters):
        row[f] = bias[f]
    for t in range(singles.shape[0]):  # full indexing, no views: a view's reference count is shared across threads
        letter = ext[first + n_groups * step + t * dilation]
        for f in range(n_filters):
            row[f] += singles[t, letter, f]
    for i in range(n_groups):
        code = grouped[first + i * step]
        for f in range(n_filters):
            row[f] += groups[i, code, f]


@kernel(parallel=True)
def _sequence_maxima(codes, groups, singles, bias, start, stride, dilation, group, n_out, span):  # pragma: no cover
    """(N, F) float32: each sequence's largest kernel value of each filter over its ``n_out`` positions."""
    n_seq = codes.shape[0]
    n_filters = bias.shape[0]
    n_letters = singles.shape[1] - 1
    out = np.empty((n_seq, n_filters), np.float32)
    for n in prange(n_seq):
        ext, grouped = _extended(codes, np.int64(n), start, span, n_letters, group, dilation)
        row = np.empty(n_filters, np.float32)
        best = np.full(n_filters, -np.inf, np.float32)
        for p in range(n_out):
            _position(ext, grouped, groups, singles, bias, p * stride, dilation, group * dilation, row)
            for f in range(n_filters):
                best[f] = max(best[f], row[f])
        for f in range(n_filters):  # a loop, not a row copy: no compiled shape-mismatch error path
            out[n, f] = best[f]
    return out


@kernel()
def _add_window(counts, sites, c, f, ext, first, step):  # pragma: no cover - compiled
    """Add ``step`` to chunk ``c``'s counts of filter ``f`` for the letters of the window at ``first``, and to its
    number of sites."""
    n_letters, width = counts.shape[2], counts.shape[3]
    sites[c, f] += step
    for w in range(width):
        letter = ext[first + w]
        if letter < n_letters:
            counts[c, f, letter, w] += step


@kernel(parallel=True)
def _site_counts(
    codes,
    groups,
    singles,
    table,
    bias,
    start,
    stride,
    dilation,
    group,
    span,
    width,
    cutoff,
    below,
    margin,
    gamma,
    first_p,
    stop_p,
    n_chunks,
):  # pragma: no cover - compiled
    """Counts (F, A, width) and numbers of sites (F,) of the sequences whose sites the kernel decides, and a mask
    (N,) of the sequences handed back. Sequences are split into ``n_chunks`` interleaved chunks, one per thread,
    each with its own integer counts.

    A kernel value within ``margin`` of its cutoff (and so above ``below``, a float32 at or under cutoff - margin)
    is recomputed in float64 from ``table`` (K, A + 1, F), with the bound ``gamma`` x the sum of its terms'
    magnitudes on the layer's rounding; a sequence with a value still undecided is handed back.
    """
    n_seq = codes.shape[0]
    n_taps, n_symbols, n_filters = table.shape
    n_letters = n_symbols - 1
    counts = np.zeros((n_chunks, n_filters, n_letters, width), np.int64)
    sites = np.zeros((n_chunks, n_filters), np.int64)
    handed_back = np.zeros(n_seq, np.bool_)
    hi = cutoff + margin
    for c in prange(n_chunks):
        row = np.empty(n_filters, np.float32)
        found = np.empty(2 * max(0, stop_p - first_p) * n_filters, np.int32)  # (position, filter) of each site
        for n in range(c, n_seq, n_chunks):
            ext, grouped = _extended(codes, np.int64(n), start, span, n_letters, group, dilation)
            undecided, n_found = False, 0
            for p in range(first_p, stop_p):
                _position(ext, grouped, groups, singles, bias, p * stride, dilation, group * dilation, row)
                for f in range(n_filters):
                    if row[f] <= below[f]:
                        continue
                    value = np.float64(row[f])
                    site = value > hi[f]
                    if not site and value > cutoff[f] - margin[f]:
                        exact, size = np.float64(bias[f]), abs(np.float64(bias[f]))
                        for j in range(n_taps):
                            term = table[j, ext[p * stride + j * dilation], f]
                            exact += term
                            size += abs(term)
                        site = exact - gamma * size > cutoff[f]
                        undecided |= not site and exact + gamma * size > cutoff[f]
                    if site:
                        _add_window(counts, sites, c, f, ext, p * stride, 1)
                        found[n_found], found[n_found + 1] = p, f
                        n_found += 2
            if undecided:  # rare: take the sequence's sites back out and hand it back
                handed_back[n] = True
                for k in range(0, n_found, 2):
                    _add_window(counts, sites, c, np.int64(found[k + 1]), ext, found[k] * stride, -1)
    total_counts = np.zeros((n_filters, n_letters, width), np.int64)  # the chunks' sums, in loops: cheaper to
    total_sites = np.zeros(n_filters, np.int64)  # compile than sum(axis=0)
    for chunk in range(n_chunks):
        for f in range(n_filters):
            total_sites[f] += sites[chunk, f]
            for a in range(n_letters):
                for w in range(width):
                    total_counts[f, a, w] += counts[chunk, f, a, w]
    return total_counts, total_sites, handed_back


@kernel()  # serial: parallel, it ran 20% faster but added 1.3 s to the first call, for a few ms per 10k x 1 kb
def _letter_codes(X):  # pragma: no cover - compiled
    """(N, L) int8 index of each column's letter (A where the column is empty) and whether every column is 0/1
    one-hot with at most one letter."""
    n_seq, n_letters, length = X.shape
    codes = np.full((n_seq, length), n_letters, np.int8)
    valid = np.ones(n_seq, np.bool_)
    for n in range(n_seq):
        ones = np.zeros(length, np.int32)
        for a in range(n_letters):  # rows in memory order
            for i in range(length):
                x = X[n, a, i]
                if x == 1:
                    codes[n, i] = a
                    ones[i] += 1
                elif x != 0:
                    valid[n] = False
        valid[n] &= ones.max() <= 1 if length else True
    return codes, valid.all()


def _codes(xb: torch.Tensor, verbose: bool) -> np.ndarray | None:
    """(B, L) int8 letter index of each column (A where the column is empty); None unless every column is one-hot."""
    with torch_threads_kept(), compiling("filter table-lookup", verbose):
        codes, valid = _letter_codes(xb.numpy())
    return codes if valid else None


def _precise_fp32() -> bool:
    """Whether torch computes float32 convolutions in float32 (no TF32 / bfloat16 shortcuts allowed by the user)."""
    backends = torch.backends
    levels = [
        getattr(backends, "fp32_precision", "none"),
        getattr(getattr(backends, "mkldnn", None), "fp32_precision", "none"),
        getattr(getattr(getattr(backends, "mkldnn", None), "conv", None), "fp32_precision", "none"),
    ]
    return torch.get_float32_matmul_precision() == "highest" and all(level in ("none", "ieee") for level in levels)


def _hooked(module: nn.Module) -> bool:
    from torch.nn.modules import module as module_globals

    tables = (module._forward_hooks, module._forward_pre_hooks)
    global_tables = (module_globals._global_forward_hooks, module_globals._global_forward_pre_hooks)
    return any(len(t) for t in tables + global_tables)


class OneHotConv:
    """The table-lookup form of a first ``nn.Conv1d`` (see the module docstring); build with :meth:`for_layer`."""

    def __init__(self, model: nn.Module, module: nn.Conv1d, window: Window, n_out: int) -> None:
        weight = module.weight.detach().cpu()  # (F, A, K)
        n_filters, n_letters, n_taps = weight.shape
        bias = module.bias.detach().cpu() if module.bias is not None else torch.zeros(n_filters)
        table = torch.zeros(n_taps, n_letters + 1, n_filters)  # the last letter is "none": adds zero
        table[:, :n_letters] = weight.permute(2, 1, 0)
        group = max(g for g in range(1, n_taps + 1) if (n_letters + 1) ** g <= _MAX_GROUP_CODES) if n_taps else 1
        n_groups = n_taps // group
        groups = table[0 : n_groups * group : group]
        for k in range(1, group):  # add tap k of every group along a new letter axis (rounded in float32)
            groups = groups[:, :, None] + table[k : n_groups * group : group, None]
            groups = groups.reshape(n_groups, -1, n_filters)
        scale = bias.double().abs() + table.double().abs().amax(dim=1).sum(dim=0)
        self.model, self.module, self.window, self.n_out = model, module, window, n_out
        self.dilation = int(module.dilation[0])
        self.span = (n_out - 1) * window.jump + window.width
        self.table = table.double().numpy()
        self.group = group
        self.groups = groups.contiguous().numpy()
        self.singles = table[n_groups * group :].contiguous().numpy()
        self.bias = bias.contiguous().numpy()
        # |kernel value - layer output| <= margin: both sum the same K + 1 terms (the rest are exact zeros)
        self.margin = (2 * _gamma(n_taps) * scale).numpy()
        self.gamma = _gamma(n_taps) + n_taps * 2.0**-53 / (1 - n_taps * 2.0**-53)  # the layer's and float64's rounding

    @classmethod
    def for_layer(cls, run: Run, module: nn.Module, window: Window) -> OneHotConv | None:
        """The fast form of ``module`` of the run's model, or None when its output is not plainly a float32
        convolution on the CPU.

        Whether the layer reads the model's input tensor itself, and whether that input is one-hot, is checked batch
        by batch in :meth:`maxima`.
        """
        model, X, device = run.model, run.X, run.device
        plain = (
            device.type == "cpu"
            and X.device.type == "cpu"
            and type(module).forward is nn.Conv1d.forward
            and type(module)._conv_forward is nn.Conv1d._conv_forward
            and module.padding_mode == "zeros"
            and module.groups == 1
            and module.weight.dtype == torch.float32
            and X.dtype == torch.float32
            and X.shape[1] == module.in_channels < 127
            and not _hooked(module)
            and _precise_fp32()
        )
        if not plain:
            return None
        n_out = module(X[:1].to(device)).shape[-1]
        return cls(model, module, window, n_out) if n_out > 0 else None

    def _kernel_args(self) -> tuple[Any, ...]:
        return self.window.start, self.window.jump, self.dilation, self.group, self.n_out, self.span

    def maxima(
        self, X: torch.Tensor, batch_size: int, *, prepare: Prepare | None = None, verbose: bool = False
    ) -> torch.Tensor | None:
        """Each filter's maximum of the layer's output over X (each batch mapped by ``prepare`` first, e.g. to add
        reverse complements), (F,) float32; None (nothing decided) as soon as a batch is not one-hot, or the layer
        does not receive the model's input tensor itself, or autocast is on there."""
        best = np.full(len(self.bias), -np.inf, np.float32)
        rows = X[:0]  # the sequences that may hold a maximum, with their kernel maxima
        values = np.empty((0, len(self.bias)), np.float32)
        for sl in batches(len(X), batch_size, verbose=verbose, desc="filter maxima"):
            xb = X[sl] if prepare is None else prepare(X[sl])
            codes = _codes(xb, verbose)
            first_input, autocast = layer_call(self.model, self.module, xb)
            if codes is None or first_input is not xb or autocast:
                return None
            with torch_threads_kept(), compiling("filter table-lookup", verbose):
                seq_max = _sequence_maxima(codes, self.groups, self.singles, self.bias, *self._kernel_args())
            best = np.maximum(best, seq_max.max(axis=0))
            values = np.concatenate([values, seq_max])
            near = (values >= best - 2 * self.margin).any(axis=1)
            kept, new = torch.from_numpy(near[: len(rows)]), torch.from_numpy(near[len(rows) :])
            rows, values = torch.cat([rows[kept], xb[new]]), values[near]  # copies only the rows kept
        # the layer's maximum lies in a sequence whose kernel maximum is within 2 margins of the best kernel maximum
        maxima = torch.full((len(self.bias),), float("-inf"))
        for sl in batches(len(rows), batch_size):
            maxima = torch.maximum(maxima, self.module(rows[sl]).amax(dim=(0, 2)))
        return maxima

    def sites(
        self,
        X: torch.Tensor,
        cutoff: torch.Tensor,
        first_p: int,
        stop_p: int,
        batch_size: int,
        *,
        prepare: Prepare | None = None,
        verbose: bool = False,
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]]:
        """Per batch (mapped by ``prepare`` as in :meth:`maxima`): the batch, the counts (F, A, width) int64 and
        numbers of sites (F,) of the sites the kernel decided (activation > cutoff, positions
        ``first_p <= p < stop_p``), and the mask of the sequences handed back: for those the caller counts from the
        layer's output."""
        cut = cutoff.double().numpy()  # an infinite cutoff (no sites) stays infinite
        below = (cut - self.margin).astype(np.float32)
        below = np.where(below > cut - self.margin, np.nextafter(below, np.float32(-np.inf)), below)
        for sl in batches(len(X), batch_size, verbose=verbose, desc="filter sites"):
            xb = X[sl] if prepare is None else prepare(X[sl])
            n_chunks = max(1, min(len(xb), numba.get_num_threads()))
            with torch_threads_kept(), compiling("filter table-lookup", verbose):
                counts, n_sites, back = _site_counts(
                    _codes(xb, verbose), self.groups, self.singles, self.table, self.bias, self.window.start,
                    self.window.jump, self.dilation, self.group, self.span, self.window.width, cut, below,
                    self.margin, self.gamma, first_p, stop_p, n_chunks,
                )  # fmt: skip
            yield xb, torch.from_numpy(counts), torch.from_numpy(n_sites), torch.from_numpy(back)
