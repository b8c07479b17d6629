"""Convolution filters as motifs, the DeepBind / deepRAM way: count the sequence under every strongly activated site.

For each filter ``f`` of a convolutional layer, with activation ``a[n, f, p]`` (the layer's output for sequence ``n``
at position ``p``) and threshold ``t_f``, the position frequency matrix is

    counts[f, :, j] = sum over sites (n, p) with a[n, f, p] > t_f of X[n, :, start + p * jump + j]

where ``[start + p * jump, start + p * jump + width)`` is the receptive field of position ``p`` in the input
(:mod:`eugene.interpret._receptive`); columns outside the sequence add nothing. The rule of Alipanahi et al. (2015,
DeepBind, Nat. Biotechnol. 33:831) and Trabelsi, Chaabane & Ben-Hur (2019, deepRAM, Bioinformatics 35:i269) is
``t_f = 0.5 * max_f``; Kelley, Snoek & Rinn (2016, Basset, Genome Res. 26:990) use ``mean_f + 0.65 (max_f - mean_f)``.

Two streaming passes over the data keep memory at one batch of activations: the first finds each filter's maximum
(and mean), the second counts: the input windows of a batch's sites are gathered and added per filter
(:func:`_count_sites`), so counting costs in proportion to the number of sites; no Python loop runs over sites or
positions. (The same sum is the weight gradient of a convolution,
but oneDNN's backward kernel slows down by 10-50x when the CPU is shared, and it costs as much as a forward pass.)
For a first ``nn.Conv1d`` on one-hot input on the CPU (the default rule), both passes run as table lookups instead of
forward passes, with the same sites (:mod:`eugene.interpret._onehot_conv`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .._validate import check_bool, check_fraction, check_positive_int, describe
from ..seq.alphabets import get_alphabet
from ._engine import Run, get_layer, layer_outputs
from ._onehot_conv import OneHotConv
from ._receptive import Window, receptive_field

__all__ = ["filter_pfms"]

_RULE_DEFAULTS = {"max_fraction": 0.5, "basset": 0.65}


def _span(X: torch.Tensor, window: Window, n_out: int) -> torch.Tensor:
    """The input columns the windows of ``n_out`` positions cover, zero-padded where they leave the sequence.

    Window ``p`` of the result starts at column ``p * jump``: (B, A, (n_out - 1) * jump + width).
    """
    stop = window.start + (n_out - 1) * window.jump + window.width
    left, right = max(0, -window.start), max(0, stop - X.shape[-1])
    padded = F.pad(X, (left, right)) if left or right else X
    first = window.start + left
    return padded[..., first : first + stop - window.start]


def _windows(X: torch.Tensor, window: Window, n_out: int) -> torch.Tensor:
    """The input window of every output position, (B, A, n_out, width): a strided view, nothing copied."""
    return _span(X, window, n_out).unfold(2, window.width, window.jump)


_SITE_CHUNK = 1 << 17  # sites gathered at a time by the sparse count: (chunk, A, W) floats


def _count_sites(X: torch.Tensor, weights: torch.Tensor, window: Window) -> torch.Tensor:
    """counts[f, a, j] = sum_{n, p} weights[n, f, p] * X[n, a, start + p * jump + j] (zero outside the sequence).

    Sites are few (a filter fires on a small fraction of positions), so the windows of the non-zero weights are
    gathered and added per filter: work and memory grow with the number of sites, not with N x F x positions. When
    more than a tenth of the weights are non-zero, one matrix product of the (filters x positions) weights with the
    unfolded input is cheaper.
    """
    windows = _windows(X, window, weights.shape[2])  # (B, A, P, W), a view
    n_filters = weights.shape[1]
    b, f, p = weights.nonzero(as_tuple=True)
    if len(b) > 0.1 * weights.numel():
        return torch.einsum("bfp,bapw->faw", weights, windows)
    counts = torch.zeros(n_filters, X.shape[1], window.width, dtype=X.dtype, device=X.device)
    for chunk in range(0, len(b), _SITE_CHUNK):
        rows = slice(chunk, chunk + _SITE_CHUNK)
        gathered = windows[b[rows], :, p[rows], :]  # (S, A, W)
        counts.index_add_(0, f[rows], gathered * weights[b[rows], f[rows], p[rows]][:, None, None])
    return counts


def _keep_top(
    values: torch.Tensor, windows: torch.Tensor, new_values: torch.Tensor, new_windows: torch.Tensor, k: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per filter, the ``k`` highest of the running and the new sites: values (F, k), windows (F, k, A, W)."""
    values = torch.cat([values, new_values], dim=1)
    windows = torch.cat([windows, new_windows], dim=1)
    top, idx = values.topk(min(k, values.shape[1]), dim=1)
    return top, windows[torch.arange(len(idx), device=idx.device)[:, None], idx]


def _batch_top(act: torch.Tensor, sites: torch.Tensor, X: torch.Tensor, window: Window, k: int):
    """The ``k`` highest-activating sites of each filter in one batch: values (F, k') with -inf for none, windows."""
    n_batch, n_filters, n_out = act.shape
    masked = act.masked_fill(~sites, float("-inf")).permute(1, 0, 2).reshape(n_filters, -1)
    values, idx = masked.topk(min(k, masked.shape[1]), dim=1)
    windows = _span(X, window, n_out).unfold(2, window.width, window.jump)[
        idx // n_out, :, idx % n_out, :
    ]  # (F, k', A, W)
    return values, windows


def _check_threshold(threshold: Any, rule: str) -> float:
    if rule not in _RULE_DEFAULTS:
        raise ValueError(f"rule must be one of {sorted(_RULE_DEFAULTS)}; got {describe(rule)}")
    if threshold is None:
        return _RULE_DEFAULTS[rule]
    return check_fraction(threshold, "threshold", what="of the filter's maximum")


def filter_counts(
    model: nn.Module,
    X: Any,
    layer: str | nn.Module | None = None,
    threshold: float | None = None,
    rule: str = "max_fraction",
    *,
    top_k: int | None = None,
    weighted: bool = False,
    drop_edges: bool = False,
    reverse_complement: bool = False,
    alphabet: Any = None,
    batch_size: int = 128,
    device: str | torch.device | None = None,
    verbose: bool | None = None,
) -> dict[str, Any]:
    """The array core of :func:`filter_pfms`: a dict with ``counts`` (F, A, W) float64, ``n_sites`` (F,) int64,
    ``max`` (F,) and ``threshold`` (F,) per filter, ``dead`` (F,) bool (maximum <= 0), ``window`` and ``layer``.

    Parameters are those of :func:`filter_pfms`.
    """
    threshold = _check_threshold(threshold, rule)
    top_k = check_positive_int(top_k, "top_k", allow_none=True)
    weighted, drop_edges = check_bool(weighted, "weighted"), check_bool(drop_edges, "drop_edges")
    reverse_complement = check_bool(reverse_complement, "reverse_complement")
    run = Run(model, X, None, batch_size=batch_size, device=device, verbose=verbose, raw=True)
    Xt, batch_size, dev, verbose = run.X, run.batch_size, run.device, run.verbose  # verbose: resolved once
    if len(Xt) == 0:
        raise ValueError(
            f"X must hold at least one sequence to find each filter's maximum; got shape {tuple(Xt.shape)}"
        )
    alpha = get_alphabet(alphabet, size=Xt.shape[1])
    if reverse_complement:
        from ..seq.encode import reverse_complement as revcomp

        alpha.complement_indices()  # raises for an alphabet without complement
    name, module = get_layer(model, layer)
    length = Xt.shape[-1]

    with run, torch.no_grad():

        def both_strands(xb: torch.Tensor) -> torch.Tensor:
            return torch.cat([xb, revcomp(xb, alpha)])

        def activations(desc: str) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
            for xb, act in layer_outputs(
                model, module, Xt, dev, batch_size, name=name, verbose=verbose, desc=desc, prepare=prepare
            ):
                if act.ndim != 3 or act.shape[0] != len(xb):
                    raise ValueError(f"layer {name!r} must output (N, filters, positions); got {tuple(act.shape)}")
                yield xb, act

        window = receptive_field(model, module, Xt[:1].to(dev), name=name)
        simple = rule == "max_fraction" and top_k is None and not weighted
        fast = OneHotConv.for_layer(run, module, window) if simple else None
        prepare = both_strands if reverse_complement else None
        # pass 1: each filter's maximum and mean over all sequences (both strands) and positions
        maxima = fast.maxima(Xt, batch_size, prepare=prepare, verbose=verbose) if fast is not None else None
        if maxima is None:
            fast = None
            maxima, sums, n_values = None, None, 0
            for _, act in activations("filter maxima"):
                batch_max = act.amax(dim=(0, 2))
                maxima = batch_max if maxima is None else torch.maximum(maxima, batch_max)
                if rule == "basset":
                    batch_sum = act.sum(dim=(0, 2)).double()
                    sums = batch_sum if sums is None else sums + batch_sum
                n_values += act.shape[0] * act.shape[2]
        n_filters = len(maxima)
        if rule == "basset":
            mean = (sums / n_values).to(maxima.dtype)
            cutoff = mean + threshold * (maxima - mean)
        else:
            cutoff = threshold * maxima
        dead = maxima <= 0
        cutoff = cutoff.masked_fill(dead, float("inf"))  # a filter that never fires has no sites

        # pass 2: count the windows of the sites
        counts = torch.zeros(n_filters, Xt.shape[1], window.width, dtype=torch.float64)
        n_sites = torch.zeros(n_filters, dtype=torch.int64)
        top_values = torch.empty(n_filters, 0, dtype=maxima.dtype, device=dev)
        top_windows = torch.empty(n_filters, 0, Xt.shape[1], window.width, dtype=Xt.dtype, device=dev)

        def add_sites(xb: torch.Tensor, act: torch.Tensor) -> None:
            nonlocal counts, n_sites, top_values, top_windows
            sites = act > cutoff[None, :, None]
            if drop_edges:
                sites &= window.inside(act.shape[2], length, dev)
            if top_k is not None:
                values, windows = _batch_top(act, sites, xb, window, top_k)
                top_values, top_windows = _keep_top(top_values, top_windows, values, windows, top_k)
                return
            weights = sites.to(xb.dtype)
            n_sites += weights.sum(dim=(0, 2)).round().long().cpu()  # exact: a batch has far fewer than 2**24 sites
            if weighted:
                weights *= act
            counts += _count_sites(xb, weights, window).double().cpu()

        if fast is not None:
            inside = window.inside(fast.n_out, length) if drop_edges else torch.ones(fast.n_out, dtype=torch.bool)
            positions = inside.nonzero().flatten().tolist() or [0, -1]  # a contiguous range (or none)
            for xb, batch_counts, batch_sites, back in fast.sites(
                Xt, cutoff, positions[0], positions[-1] + 1, batch_size, prepare=prepare, verbose=verbose
            ):
                counts += batch_counts
                n_sites += batch_sites
                if back.any():
                    add_sites(xb[back], module(xb[back]))
        else:
            for xb, act in activations("filter sites"):
                add_sites(xb, act)
        if top_k is not None:
            found = torch.isfinite(top_values)
            factor = torch.where(found, top_values, 0.0) if weighted else found.to(top_windows.dtype)
            counts = torch.einsum("fk,fkaw->faw", factor.to(top_windows.dtype), top_windows).double().cpu()
            n_sites = found.sum(dim=1).cpu()
    return {
        "counts": counts,
        "n_sites": n_sites,
        "max": maxima.cpu(),
        "threshold": cutoff.cpu(),
        "dead": dead.cpu(),
        "window": window,
        "layer": name,
        "alphabet": alpha,
    }


def filter_pfms(
    model: nn.Module,
    X: Any,
    layer: str | nn.Module | None = None,
    threshold: float | None = None,
    rule: str = "max_fraction",
    *,
    top_k: int | None = None,
    weighted: bool = False,
    drop_edges: bool = False,
    min_sites: int = 0,
    reverse_complement: bool = False,
    alphabet: Any = None,
    batch_size: int = 128,
    device: str | torch.device | None = None,
    verbose: bool | None = None,
) -> Any:
    """Position frequency matrices of a convolutional layer's filters, from the sequences that activate them.

    For each filter, every (sequence, position) whose activation is greater than the filter's threshold is a site;
    the site's window is that position's receptive field in the input (stride, padding and dilation respected,
    through every conv/pool layer before ``layer``); the counts sum the one-hot input over all sites' windows.
    Columns of a window outside the sequence contribute nothing. Exact, vectorized, and streaming: memory is one
    batch of activations.

    Parameters
    ----------
    model
        A torch module taking (N, A, L) one-hot input.
    X
        One-hot sequences (N, A, L), numpy or torch.
    layer
        The layer (module or qualified name such as ``"conv1"`` or ``"body.0"``); None means the first nn.Conv1d.
        Its activation is exactly what the module returns, with no activation function applied: for a Conv1d
        followed by a ReLU this is the DeepBind/deepRAM convention, and since a site must exceed a positive fraction
        of a positive maximum, the raw and the rectified output select the same sites (rule ``"max_fraction"``).
        Name the ReLU module instead to threshold its output (this changes the mean of rule ``"basset"``).
    threshold
        The fraction in [0, 1]; None means the rule's default (0.5 for ``"max_fraction"``, 0.65 for ``"basset"``).
    rule
        ``"max_fraction"``: a site has activation > threshold x max (DeepBind, deepRAM). ``"basset"``: activation >
        mean + threshold x (max - mean), mean and max over all sequences and positions (Basset). A filter whose
        maximum is <= 0 never fires: it gets no sites (zero counts) and a warning.
    top_k
        Keep only each filter's ``top_k`` highest-activating sites among those passing the rule (ties broken
        arbitrarily). Use ``threshold=0`` for the plain top-k sites.
    weighted
        Weight each site's window by its activation instead of 1.
    drop_edges
        Drop sites whose window crosses an end of the sequence (e.g. with "same" padding).
    min_sites
        Leave out filters with fewer sites than this; names keep the filter index (``"filter_7"``).
    reverse_complement
        Also scan the reverse complement of every sequence (for strand-symmetric models): maxima and sites come from
        both strands, each site's window read on the strand where it was found.
    alphabet
        The alphabet of X's channels ("DNA", "RNA", "protein", letters, or an Alphabet); None: DNA for 4 channels,
        protein for 20.
    batch_size, device, verbose
        Sequences per batch, where to compute (default: where the model is), and a progress bar.

    Returns
    -------
    MotifSet
        ``.counts`` (F, A, W) raw site counts (no pseudocounts), ``.n_sites`` (F,), names ``"filter_0"``, ...;
        ready for :func:`eugene.motifs.tomtom`, :func:`eugene.motifs.write_meme` and :func:`eugene.plot.filter_logos`.

    Examples
    --------
    >>> import eugene as eu
    >>> model = eu.models.build("deepbind", alphabet_size=4, seq_len=101, n_outputs=1)
    >>> X = eu.interpret.gc_backgrounds(50, 101, seed=0)                  # stand-in for your sequences
    >>> motifs = eu.interpret.filter_pfms(model, X)
    >>> motifs.counts.shape                                               # 16 filters of width 11
    (16, 4, 11)
    >>> hits = eu.motifs.tomtom(motifs, eu.motifs.jaspar())
    """
    from ..motifs import MotifSet

    min_sites = int(check_positive_int(min_sites, "min_sites")) if min_sites else 0
    result = filter_counts(
        model,
        X,
        layer,
        threshold,
        rule,
        top_k=top_k,
        weighted=weighted,
        drop_edges=drop_edges,
        reverse_complement=reverse_complement,
        alphabet=alphabet,
        batch_size=batch_size,
        device=device,
        verbose=verbose,
    )
    dead = result["dead"].nonzero().flatten().tolist()
    if dead:
        warnings.warn(
            f"{len(dead)} filter(s) of layer {result['layer']!r} never have a positive activation and get no sites: "
            f"filter {', '.join(map(str, dead[:20]))}{' ...' if len(dead) > 20 else ''}",
            UserWarning,
            stacklevel=2,
        )
    n_sites = result["n_sites"].numpy()
    chosen = [f for f in range(len(n_sites)) if n_sites[f] >= min_sites]
    return MotifSet.from_counts(
        result["counts"].numpy()[chosen],
        alphabet=result["alphabet"].letters,
        names=[f"filter_{f}" for f in chosen],
        nsites=n_sites[chosen],
        name=f"filters of {result['layer']}",
        source=f"eugene.interpret.filter_pfms(layer={result['layer']!r}, rule={rule!r}, threshold={threshold})",
    )
