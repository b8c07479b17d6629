"""In silico saturation mutagenesis (ISM): the change in a model's output for every single-base substitution.

For one-hot sequences ``X`` of shape (N, A, L) and a scalar target ``f`` (see
:func:`eugene.interpret._engine.resolve_target`), ISM returns ``D`` of shape (N, A, L) with

    D[n, a, l] = f(X[n] with base a at position l) - f(X[n])

so ``D`` is 0 at the observed base. Three ways to compute it:

- ``fast=False``: the naive path. All mutants of all sequences are enumerated once and predicted in batches of
  ``batch_size``; there is no loop over sequences or positions.
- ``fast=True`` / ``"auto"``: exact fast ISM (Nair et al. 2022, "fastISM: performant in silico saturation mutagenesis
  for convolutional neural networks", Bioinformatics 38:2397; Yuzu, Schreiber et al. 2022). A substitution changes only
  the positions of each convolution / pooling / element-wise layer that can see it, so those layers are computed on
  small windows around the mutation over cached reference activations; the first layer that mixes all positions
  (flatten + dense, RNN, global pooling) gets the full tensor with the window written in. See
  :mod:`eugene.interpret._fastism`. Results equal the naive path up to float rounding.
- ``fast="taylor"``: the first-order Taylor approximation (TISM; Sasse et al. 2024, "Quick and effective
  approximation of in silico saturation mutagenesis experiments with first-order Taylor expansion", iScience 27:110807)
  ``D[n, a, l] ~ g[n, a, l] - g[n, ref(l), l]`` with ``g`` the gradient of ``f`` at ``X[n]``. Approximate: one backward
  pass per sequence instead of 3L forward passes.
"""

from __future__ import annotations

from typing import Any, Literal

import torch
from torch import nn

from .._validate import check_positive_int, describe
from ._engine import (
    Target,
    as_tensor,
    batches,
    like_input,
    model_alphabet_size,
    model_state,
    resolve_device,
    resolve_target,
)

__all__ = ["ism"]

FastMode = bool | Literal["auto", "taylor"]


def _window(start: int | None, end: int | None, length: int) -> tuple[int, int]:
    """``[start, end)`` as Python slice bounds on ``range(length)``, checked to be a non-empty window."""
    for value, name in ((start, "start"), (end, "end")):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError(f"{name} must be None or an int position; got {describe(value)}")
    lo, hi, _ = slice(start, end).indices(length)
    if lo >= hi:
        raise ValueError(f"start={start}, end={end} leave no positions to mutate in sequences of length {length}")
    return lo, hi


def _mutants(X: torch.Tensor, lo: int, hi: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Every single substitution of ``X`` (N, A, L) in positions ``[lo, hi)``: indices ``(seq, base, pos)``.

    A substitution puts base ``a`` at position ``l`` where ``X[n, a, l] != 1``; at an all-zero column (N, padding)
    every base is a substitution.
    """
    window = X[:, :, lo:hi]
    seq, base, pos = torch.nonzero(window != 1, as_tuple=True)
    return seq, base, pos + lo


def _apply_mutants(X: torch.Tensor, seq: torch.Tensor, base: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
    """The mutant sequences: ``X[seq]`` with column ``pos`` set to the one-hot of ``base``."""
    Xm = X[seq].clone()
    rows = torch.arange(len(seq), device=X.device)
    Xm[rows, :, pos] = 0
    Xm[rows, base, pos] = 1
    return Xm


def _naive(model, X, seq, base, pos, select, batch_size, dev, verbose):
    out = torch.empty(len(seq), dtype=X.dtype)
    for sl in batches(len(seq), batch_size, verbose=verbose, desc="ism"):
        Xm = _apply_mutants(X, seq[sl], base[sl], pos[sl]).to(dev)
        out[sl] = select(model(Xm)).to(out.dtype).cpu()
    return out


def _taylor(model, X, select, batch_size, dev, verbose) -> torch.Tensor:
    grads = []
    with torch.enable_grad():
        for sl in batches(len(X), batch_size, verbose=verbose, desc="taylor ism"):
            x = X[sl].to(dev).requires_grad_(True)
            (g,) = torch.autograd.grad(select(model(x)).sum(), x)
            grads.append(g.detach().cpu())
    g = torch.cat(grads)
    return g - (g * X).sum(dim=1, keepdim=True)


def ism(
    model: nn.Module,
    X: Any,
    target: Target = 0,
    *,
    batch_size: int = 256,
    device: str | torch.device | None = None,
    start: int | None = None,
    end: int | None = None,
    fast: FastMode = "auto",
    centre: bool = False,
    log_ratio: bool = False,
    verbose: bool = False,
) -> Any:
    """In silico saturation mutagenesis: the effect of every single-base substitution on the model's output.

    ``result[n, a, l] = f(X[n] with base a at l) - f(X[n])`` where ``f`` is the model's output for ``target``;
    0 at the observed base. Exact by default, with the fast path of Nair et al. (2022) for convolutional models.

    Parameters
    ----------
    model
        A torch module taking (N, A, L) one-hot input.
    X
        One-hot sequences (N, A, L), numpy or torch. At an all-zero column (N, padding) every base counts as a
        substitution.
    target
        Output index, list of indices (summed) or a callable on the model's output giving shape (N,).
    batch_size
        Mutant sequences per forward pass.
    device
        Where to compute; default where the model is (never moved to a GPU unasked).
    start, end
        Mutate only positions ``[start, end)`` (Python slice semantics, negative values count from the end).
        Positions outside the window get 0.
    fast
        ``"auto"`` (default): the exact fast path when the model can be traced by ``torch.fx`` and starts with
        position-local layers (convolutions, pooling, element-wise ops), else the naive path. ``True``: the fast
        path or a ValueError saying why it cannot be used. ``False``: the naive path (batched mutants).
        ``"taylor"``: the first-order Taylor approximation (gradient differences; approximate, one backward pass
        per sequence).
    centre
        Subtract the mean over the alphabet at each position (the observed base is then no longer 0).
    log_ratio
        Return ``log f(mutant) - log f(X)`` instead of the difference; needs positive outputs (e.g. counts or
        probabilities) and raises ValueError otherwise. Not available with ``fast="taylor"``.
    verbose
        Show a progress bar.

    Returns
    -------
    Array of shape (N, A, L), the kind X was (numpy or torch).

    Examples
    --------
    >>> import numpy as np, torch
    >>> model = torch.nn.Sequential(torch.nn.Conv1d(4, 8, 5), torch.nn.ReLU(), torch.nn.Flatten(),
    ...                             torch.nn.Linear(8 * 16, 2))
    >>> X = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (3, 20))].transpose(0, 2, 1)
    >>> ism(model, X, target=1).shape
    (3, 4, 20)
    """
    from ._fastism import FastISM, FastISMUnsupported

    if fast not in (True, False, "auto", "taylor"):
        raise ValueError(f"fast must be 'auto', True, False or 'taylor'; got {fast!r}")
    batch_size = check_positive_int(batch_size, "batch_size")
    Xt = as_tensor(X, alphabet_size=model_alphabet_size(model))
    if Xt.ndim != 3 or len(Xt) == 0:
        raise ValueError(f"X must have at least one sequence; got shape {tuple(Xt.shape)}")
    lo, hi = _window(start, end, Xt.shape[2])
    if log_ratio and fast == "taylor":
        raise ValueError("log_ratio=True is not available with fast='taylor'; use fast='auto' or False")
    select = resolve_target(target)
    dev = resolve_device(model, device)
    Xc = Xt.detach().cpu()

    with model_state(model, dev):
        if fast == "taylor":
            result = _taylor(model, Xc, select, max(1, batch_size // 8), dev, verbose)
            if lo > 0 or hi < Xc.shape[2]:
                result[:, :, :lo] = 0
                result[:, :, hi:] = 0
        else:
            seq, base, pos = _mutants(Xc, lo, hi)
            computed = None
            with torch.no_grad():
                if fast is not False:
                    try:
                        computed = FastISM(model, dev).run(Xc, seq, base, pos, select, batch_size, verbose)
                    except FastISMUnsupported as err:
                        if fast is True:
                            raise ValueError(f"fast=True cannot be used with this model: {err}") from err
                if computed is None:
                    refs = [select(model(Xc[sl].to(dev))).cpu() for sl in batches(len(Xc), batch_size)]
                    computed = torch.cat(refs), _naive(model, Xc, seq, base, pos, select, batch_size, dev, verbose)
            ref, pred = computed
            ref = ref.to(Xc.dtype)
            if log_ratio:
                if (ref <= 0).any() or (pred <= 0).any():
                    raise ValueError(
                        "log_ratio=True needs positive model outputs for the target; some are <= 0 "
                        "(apply exp/softplus in the target callable, or use log_ratio=False)"
                    )
                effect = pred.log() - ref.log()[seq]
            else:
                effect = pred - ref[seq]
            result = torch.zeros_like(Xc)
            result[seq, base, pos] = effect.to(Xc.dtype)
    if centre:
        window = result[:, :, lo:hi]
        result[:, :, lo:hi] = window - window.mean(dim=1, keepdim=True)
    return like_input(result, X)
