"""Layer analyses: what a layer outputs, how much each of its filters matters, and where sequences sit in its space.

- :func:`layer_activations`: a layer's output for every sequence, batched, optionally reduced over positions.
- :func:`filter_influence`: knock each filter out (its output replaced by its mean over the data, or zero) and measure
  how much the model's prediction drops (positive: the filter supports the output), after Kelley, Snoek & Rinn
  (2016, Basset, Genome Res. 26:990).
- :func:`embeddings`: a layer's per-sequence representation projected to a few dimensions by PCA or UMAP
  (McInnes, Healy & Melville 2018, arXiv:1802.03426).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from .._threads import this_thread_only
from .._validate import check_bool, check_positive_int, check_seed, describe
from ._engine import Run, Target, get_layer, layer_output, layer_outputs, like_input

__all__ = ["layer_activations", "filter_influence", "embeddings", "Embedding"]

_REDUCTIONS = (None, "max", "mean")


def _reduce(out: torch.Tensor, reduce: str | None) -> torch.Tensor:
    """Reduce every axis after the channel axis (positions) by max or mean; None keeps them."""
    if reduce is None or out.ndim <= 2:
        return out
    dims = tuple(range(2, out.ndim))
    return out.amax(dim=dims) if reduce == "max" else out.mean(dim=dims)


def _check_reduce(reduce: Any) -> str | None:
    if reduce not in _REDUCTIONS:
        raise ValueError(f"reduce must be None, 'max' or 'mean'; got {describe(reduce)}")
    return reduce


def layer_activations(
    model: nn.Module,
    X: Any,
    layer: str | nn.Module | None = None,
    *,
    reduce: str | None = None,
    batch_size: int = 128,
    device: str | torch.device | None = None,
    verbose: bool | None = None,
) -> Any:
    """The output of any layer for every sequence, computed in batches (the layers after it are not run).

    Parameters
    ----------
    model
        A torch module taking (N, A, L) one-hot input.
    X
        One-hot sequences (N, A, L), numpy or torch.
    layer
        A module or its qualified name (``"conv1"``, ``"body.0"``); None means the first nn.Conv1d. The activation is
        what the module returns (a tuple output gives its first element, e.g. an LSTM's sequence output).
    reduce
        None keeps the full output, e.g. (N, F, L'); ``"max"`` or ``"mean"`` reduces every axis after the channel
        axis, giving (N, F) and keeping memory at N x F.
    batch_size, device, verbose
        Sequences per batch, where to compute (default: where the model is), and a progress bar.

    Returns
    -------
    The activations as the kind X was (numpy or torch).

    Examples
    --------
    >>> model = torch.nn.Sequential(torch.nn.Conv1d(4, 8, 5), torch.nn.ReLU())
    >>> X = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (3, 20))].transpose(0, 2, 1)
    >>> layer_activations(model, X, "1", reduce="max").shape
    (3, 8)
    """
    reduce = _check_reduce(reduce)
    run = Run(model, X, None, batch_size=batch_size, device=device, verbose=verbose, raw=True)
    name, module = get_layer(model, layer)
    with run, torch.no_grad():
        # an empty X gives an empty result of the layer's shape, read from one all-zero probe sequence
        rows = run.X if len(run.X) else torch.zeros(1, *run.X.shape[1:], dtype=run.dtype)
        outputs = [
            _reduce(out, reduce).cpu()
            for _, out in layer_outputs(
                model, module, rows, run.device, run.batch_size, name=name, verbose=run.verbose, desc="activations"
            )
        ]
    return run.output(torch.cat(outputs)[: len(run.X)])


def _channel_means(run: Run, module: nn.Module, name: str) -> torch.Tensor:
    """Each channel's mean output over all of the run's sequences and positions, shape (F,)."""
    total, count = None, 0
    outputs = layer_outputs(
        run.model, module, run.X, run.device, run.batch_size, name=name, verbose=run.verbose, desc="filter means"
    )
    for _, out in outputs:
        if out.ndim < 2:
            raise ValueError(f"layer {name!r} must output (N, channels, ...); got shape {tuple(out.shape)}")
        dims = (0, *range(2, out.ndim))
        batch_total = out.sum(dim=dims).double()
        total = batch_total if total is None else total + batch_total
        count += out.numel() // out.shape[1]
    return (total / count).to(out.dtype)


def filter_influence(
    model: nn.Module,
    X: Any,
    layer: str | nn.Module | None = None,
    target: Target | None = None,
    *,
    replace: str = "mean",
    per_sequence: bool = False,
    batch_size: int = 128,
    device: str | torch.device | None = None,
    verbose: bool | None = None,
) -> Any:
    """How much each filter of ``layer`` supports the model's prediction: the drop when it is knocked out, Basset-style.

    Filter ``f`` is knocked out by replacing its whole output channel, at every position, with a constant: its mean
    over all sequences and positions (``replace="mean"``, Kelley et al. 2016) or zero. The influence is
    ``prediction(intact) - prediction(knocked out)``, per sequence and target, averaged over sequences unless
    ``per_sequence``: positive when the filter supports (raises) the output, negative when it lowers it. Cost: F + 1
    forward passes over X (F + 2 with ``"mean"``).

    Parameters
    ----------
    model
        A torch module taking (N, A, L) one-hot input.
    X
        One-hot sequences (N, A, L), numpy or torch.
    layer
        A module or qualified name whose output is (N, F, ...); None means the first nn.Conv1d.
    target
        None: every output of a model returning (N,) or (N, T); otherwise an int, list of ints (summed) or callable on
        the output, as everywhere in eugene (:func:`eugene.interpret._engine.resolve_target`).
    replace
        ``"mean"`` or ``"zero"``.
    per_sequence
        Return each sequence's change instead of the mean over sequences.
    batch_size, device, verbose
        Sequences per batch, where to compute (default: where the model is), and a progress bar.

    Returns
    -------
    (F, T) with ``target=None`` ((N, F, T) when ``per_sequence``); (F,) or (N, F) with a target. The kind X was.

    Examples
    --------
    >>> model = torch.nn.Sequential(torch.nn.Conv1d(4, 8, 5), torch.nn.ReLU(), torch.nn.Flatten(),
    ...                             torch.nn.Linear(8 * 16, 2))
    >>> X = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (6, 20))].transpose(0, 2, 1)
    >>> filter_influence(model, X).shape
    (8, 2)
    """
    if replace not in ("mean", "zero"):
        raise ValueError(f"replace must be 'mean' or 'zero'; got {describe(replace)}")
    per_sequence = check_bool(per_sequence, "per_sequence")
    run = Run(model, X, target, batch_size=batch_size, device=device, verbose=verbose, raw=True)
    if len(run.X) == 0:
        raise ValueError(
            f"X must hold at least one sequence to measure filter influence; got shape {tuple(run.X.shape)}"
        )
    Xt, dev = run.X, run.device
    name, module = get_layer(model, layer)

    def prediction(xb: torch.Tensor) -> torch.Tensor:
        out = run.predict(xb, size=len(xb))
        if run.select is not None:
            return out[:, None]
        if out.ndim not in (1, 2):
            raise TypeError("target=None needs a model returning one tensor of shape (N,) or (N, T); give a target")
        return out if out.ndim == 2 else out[:, None]

    knocked: list[int] = []
    values: list[torch.Tensor] = []

    def knockout(mod: nn.Module, inputs: Any, output: Any) -> torch.Tensor:
        if not isinstance(output, torch.Tensor) or output.ndim < 2:
            raise TypeError(f"layer {name!r} must return a tensor of shape (N, F, ...) to knock filters out")
        output = output.clone()
        output[:, knocked[0]] = values[0][knocked[0]]
        return output

    changes = []
    with run, torch.no_grad():
        n_filters = None
        if replace == "mean":
            values.append(_channel_means(run, module, name))
            n_filters = len(values[0])
        for sl in run.batches(desc="filter influence"):
            xb = Xt[sl].to(dev)
            if n_filters is None:
                n_filters = layer_output(model, module, xb[:1], name=name).shape[1]
                values.append(torch.zeros(n_filters, device=dev))
            intact = prediction(xb)
            delta = torch.empty(len(xb), n_filters, intact.shape[1], dtype=intact.dtype)
            handle = module.register_forward_hook(this_thread_only(knockout))
            try:
                for f in range(n_filters):
                    knocked[:] = [f]
                    delta[:, f] = (intact - prediction(xb)).cpu()
            finally:
                handle.remove()
            changes.append(delta)
    result = torch.cat(changes)
    if not per_sequence:
        result = result.mean(dim=0)
    if run.select is not None:
        result = result[..., 0]
    return run.output(result)


@dataclass
class Embedding:
    """Sequences projected from a layer's representation: ``coords`` (N, k), the method, and for PCA the fraction of
    variance each component explains."""

    coords: Any
    method: str
    layer: str
    explained_variance_ratio: np.ndarray | None = None


def _pca(features: torch.Tensor, n_components: int) -> tuple[torch.Tensor, np.ndarray]:
    """Exact PCA by SVD of the centered features; each component's sign makes its largest loading positive."""
    centered = (features - features.mean(dim=0)).double()
    u, s, vt = torch.linalg.svd(centered, full_matrices=False)
    k = min(n_components, s.shape[0])
    signs = torch.sign(vt[:k].gather(1, vt[:k].abs().argmax(dim=1, keepdim=True)))[:, 0]
    coords = u[:, :k] * s[:k] * signs
    variance = s**2
    ratio = (variance[:k] / variance.sum()).numpy() if variance.sum() > 0 else np.zeros(k)
    return coords.float(), ratio


def embeddings(
    model: nn.Module,
    X: Any,
    layer: str | nn.Module | None = None,
    *,
    method: str = "pca",
    n_components: int = 2,
    reduce: str | None = "max",
    seed: int = 0,
    batch_size: int = 128,
    device: str | torch.device | None = None,
    verbose: bool | None = None,
    **umap_kwargs: Any,
) -> Embedding:
    """Embed each sequence's representation at ``layer`` in ``n_components`` dimensions by PCA or UMAP.

    Parameters
    ----------
    model, X, layer
        As in :func:`layer_activations`.
    method
        ``"pca"`` (exact, by SVD; deterministic) or ``"umap"`` (needs umap-learn; seeded with ``seed``).
    n_components
        Output dimensions.
    reduce
        How positions are summarised before embedding: ``"max"`` (default), ``"mean"``, or None to flatten the whole
        output (N x F x L' features).
    seed
        Seed for UMAP.
    batch_size, device, verbose
        Sequences per batch, where to compute, and a progress bar.
    umap_kwargs
        Passed to ``umap.UMAP`` (e.g. ``n_neighbors``, ``min_dist``).

    Returns
    -------
    Embedding
        ``coords`` (N, n_components) as the kind X was, ``method``, ``layer``, and ``explained_variance_ratio`` for PCA.
        Plot with :func:`eugene.plot.embedding`.

    Examples
    --------
    >>> model = torch.nn.Sequential(torch.nn.Conv1d(4, 8, 5), torch.nn.ReLU())
    >>> X = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (30, 20))].transpose(0, 2, 1)
    >>> embeddings(model, X, "1").coords.shape
    (30, 2)
    """
    if method not in ("pca", "umap"):
        raise ValueError(f"method must be 'pca' or 'umap'; got {describe(method)}")
    n_components = check_positive_int(n_components, "n_components")
    seed = check_seed(seed)
    name, _ = get_layer(model, layer)
    if getattr(X, "shape", (1,))[0] == 0:
        raise ValueError(f"X must hold at least one sequence to embed; got shape {tuple(X.shape)}")
    acts = layer_activations(
        model, X, name, reduce=_check_reduce(reduce), batch_size=batch_size, device=device, verbose=verbose
    )
    features = torch.as_tensor(acts).cpu().reshape(len(acts), -1).float()
    if method == "pca":
        if n_components > min(features.shape):
            raise ValueError(
                f"n_components must be at most {min(features.shape)} for PCA of {features.shape[0]} sequences with "
                f"{features.shape[1]} features each; got {n_components}"
            )
        coords, ratio = _pca(features, n_components)
        return Embedding(like_input(coords, X), "pca", name, ratio)
    try:
        import umap
    except ImportError as err:
        raise ImportError("method='umap' needs umap-learn: pip install umap-learn") from err
    reducer = umap.UMAP(n_components=n_components, random_state=seed, **umap_kwargs)
    coords = torch.as_tensor(reducer.fit_transform(features.numpy()), dtype=torch.float32)
    return Embedding(like_input(coords, X), "umap", name)
