"""``attribute``: one entry point for nucleotide attributions, from gradients to DeepLiftShap to ISM.

Methods and their papers:

- "saliency": the gradient of the target (Simonyan et al. 2014).
- "input_x_gradient": gradient times input (Shrikumar et al. 2016).
- "integrated_gradients": (x - r) times the gradient averaged along the straight path from reference r to x, by
  Gauss-Legendre quadrature with ``n_steps`` nodes (Sundararajan et al. 2017).
- "smoothgrad": the gradient averaged over ``n_samples`` noisy copies of x (Smilkov et al. 2017).
- "deeplift": DeepLIFT's rescale rule against one reference per sequence (Shrikumar et al. 2017), applied per
  torch-function call (see :mod:`eugene.interpret.deeplift`), so its attributions sum exactly to f(x) - f(r).
- "deeplift_shap": DeepLIFT averaged over several references per sequence (Lundberg & Lee 2017).
- "ism": in silico saturation mutagenesis, from :func:`eugene.interpret.ism`.

``gradient_correction=True`` subtracts from the gradient its mean over the alphabet at each position (Majdandzic et
al. 2023, Genome Biology 24:109), removing the off-simplex component that one-hot inputs cannot move along.

For the reference methods a position's contribution, ``sum over letters of multiplier * (x - r)``, is placed on the
letter observed there (as in tangermeme and TF-MoDISco), so a logo shows one letter per position; columns that are
not one-hot (padding) keep the per-letter terms. Summation-to-delta holds either way.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
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
from .deeplift import DeepLiftWarning, pair_multipliers
from .references import check_array, generate

__all__ = ["attribute"]

GRADIENT_METHODS = ("saliency", "input_x_gradient", "integrated_gradients", "smoothgrad")
REFERENCE_METHODS = ("integrated_gradients", "deeplift", "deeplift_shap")
METHODS = (*GRADIENT_METHODS, "deeplift", "deeplift_shap", "ism")
DEFAULT_REFERENCES = {"integrated_gradients": "zero", "deeplift": "zero", "deeplift_shap": "dinucleotide_shuffle"}


def relative_error(delta: torch.Tensor, fx: torch.Tensor, fr: torch.Tensor) -> torch.Tensor:
    """|summation-to-delta error| relative to |f(x) - f(r)|, floored at 1% of the output's magnitude.

    The floor keeps a pair whose prediction barely moves from counting float rounding of f itself as an error.
    """
    scale = torch.maximum((fx - fr).abs(), 0.01 * torch.maximum(fx.abs(), fr.abs())).clamp_min(1e-12)
    return delta.abs() / scale


def _tolerance(dtype: torch.dtype) -> float:
    return 1e-7 if dtype == torch.float64 else 1e-3


def _gradient(model: nn.Module, select: Callable, inputs: torch.Tensor, batch_size: int) -> torch.Tensor:
    """d target / d inputs for any number of rows, ``batch_size`` rows at a time."""
    grads = []
    for sl in batches(len(inputs), batch_size):
        rows = inputs[sl].detach().requires_grad_(True)
        with torch.enable_grad():
            (grad,) = torch.autograd.grad(select(model(rows)).sum(), rows)
        grads.append(grad)
    return torch.cat(grads)


def _predict(model: nn.Module, select: Callable, inputs: torch.Tensor, batch_size: int) -> torch.Tensor:
    with torch.no_grad():
        return torch.cat([select(model(inputs[sl])) for sl in batches(len(inputs), batch_size)])


def _correct(grad: torch.Tensor, on: bool) -> torch.Tensor:
    return grad - grad.mean(dim=-2, keepdim=True) if on else grad


def _hypothetical(multipliers: torch.Tensor, refs: torch.Tensor) -> torch.Tensor:
    """Hypothetical contributions (TF-MoDISco): had base b been at position l, its contribution, averaged over refs."""
    return (multipliers - (multipliers * refs).sum(dim=-2, keepdim=True)).mean(dim=1)


def _projected(contributions: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Mean contributions (n, A, L), each position's total placed on its observed letter (where x is one-hot)."""
    mean = contributions.mean(dim=1)
    one_hot = x.sum(dim=-2, keepdim=True) == 1
    return torch.where(one_hot, x * mean.sum(dim=-2, keepdim=True), mean)


def _gauss_legendre(n_steps: int, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    nodes, weights = np.polynomial.legendre.leggauss(n_steps)
    return (
        torch.as_tensor((nodes + 1) / 2, dtype=like.dtype, device=like.device),
        torch.as_tensor(weights / 2, dtype=like.dtype, device=like.device),
    )


def _integrated_gradients(model, select, x, refs, n_steps, batch_size):
    """Path-averaged gradients (n, R, A, L) along r + alpha (x - r)."""
    alphas, weights = _gauss_legendre(n_steps, x)
    diff = x[:, None] - refs  # (n, R, A, L)
    path = refs[:, :, None] + alphas[:, None, None] * diff[:, :, None]  # (n, R, S, A, L)
    grads = _gradient(model, select, path.flatten(0, 2), batch_size).view(path.shape)
    return (grads * weights[:, None, None]).sum(dim=2)


def _smoothgrad(model, select, x, n_samples, noise, generator, batch_size):
    noisy = x[:, None] + noise * torch.randn(
        (x.shape[0], n_samples, *x.shape[1:]), generator=generator, dtype=x.dtype, device="cpu"
    ).to(x.device)
    return _gradient(model, select, noisy.flatten(0, 1), batch_size).view(noisy.shape).mean(dim=1)


class _References:
    """Per chunk of sequences, their references (n, R, A, L): sliced from an array or generated in batch."""

    def __init__(self, references: Any, X: torch.Tensor, method: str, n_references: int, seed: int | None):
        references = DEFAULT_REFERENCES[method] if references is None else references
        self.rng = np.random.default_rng(seed)
        self.array = None
        self.kind = references
        if isinstance(references, (np.ndarray, torch.Tensor)):
            self.array = check_array(references, X)
            self.count = self.array.shape[1]
        elif isinstance(references, str) or callable(references):
            self.count = 1 if method == "deeplift" else check_positive_int(n_references, "n_references")
        else:
            raise TypeError(
                "references must be a name (e.g. 'dinucleotide_shuffle'), an array (N, A, L) or (N, R, A, L), or a "
                f"callable; got {describe(references)}"
            )
        if method == "deeplift" and self.count != 1:
            raise ValueError(
                f"method='deeplift' takes one reference per sequence (N, A, L); got {self.count} per sequence. "
                "Use method='deeplift_shap' to average over several"
            )

    def __call__(self, sl: slice, x: torch.Tensor) -> torch.Tensor:
        if self.array is not None:
            return self.array[sl].to(x.device)
        return generate(x, self.kind, self.count, self.rng)


def _check_options(method: str, hypothetical: bool, return_delta: bool, gradient_correction: bool) -> None:
    if method not in METHODS:
        raise ValueError(f"method must be one of {list(METHODS)}; got {method!r}")
    if hypothetical and method not in ("input_x_gradient", *REFERENCE_METHODS):
        raise ValueError(
            f"hypothetical=True needs a method with contributions (input_x_gradient, {', '.join(REFERENCE_METHODS)});"
            f" got method={method!r}"
        )
    if return_delta and method not in REFERENCE_METHODS:
        raise ValueError(f"return_delta=True needs one of {list(REFERENCE_METHODS)}; got method={method!r}")
    if gradient_correction and method not in GRADIENT_METHODS:
        raise ValueError(f"gradient_correction=True applies to {list(GRADIENT_METHODS)}; got method={method!r}")


def _warn_inexact(flagged: set[str], worst: float, tolerance: float) -> None:
    if flagged:
        warnings.warn(
            "DeepLIFT has no exact rule for these operations, which touch input-dependent values, so their "
            f"gradient was used instead: {sorted(flagged)}; the largest summation-to-delta error relative to "
            f"f(x) - f(reference) is {worst:.2g}",
            DeepLiftWarning,
            stacklevel=3,
        )
    elif worst > tolerance:
        warnings.warn(
            f"DeepLIFT's summation-to-delta error reached {worst:.2g} of f(x) - f(reference) (tolerance "
            f"{tolerance:g}) although every operation had a rule; the model may change its control flow with its "
            "input. Please report the model",
            DeepLiftWarning,
            stacklevel=3,
        )


def attribute(
    model: nn.Module,
    X: Any,
    method: str = "deeplift_shap",
    target: Target = 0,
    references: Any = None,
    n_references: int = 20,
    batch_size: int = 128,
    device: str | torch.device | None = None,
    hypothetical: bool = False,
    return_delta: bool = False,
    seed: int | None = None,
    verbose: bool = True,
    *,
    n_steps: int = 50,
    n_samples: int = 25,
    noise: float = 0.15,
    gradient_correction: bool = False,
) -> Any:
    """Attribute the model's prediction for each sequence to each position and letter.

    Parameters
    ----------
    model
        A torch module taking one-hot (N, A, L) input; any forward (functional activations, reused modules,
        in-place ops, residuals, BatchNorm, pooling, softmax, LSTMs) is handled.
    X
        One-hot sequences (N, A, L), numpy or torch; the result has the same shape and kind.
    method
        "saliency", "input_x_gradient", "integrated_gradients", "smoothgrad", "deeplift", "deeplift_shap" or "ism".
    target
        An output index, a list of indices (summed), or a callable mapping the model's output to shape (N,).
    references
        For integrated_gradients (default "zero"), deeplift (default "zero") and deeplift_shap (default
        "dinucleotide_shuffle"): a kind ("dinucleotide_shuffle", "shuffle", "zero", "uniform", "gc"), an array
        (N, A, L) or (N, R, A, L), or a callable ``f(X, n, rng) -> (N, n, A, L)``.
    n_references
        References per sequence when ``references`` is a kind or a callable (deeplift uses one).
    batch_size
        Model rows per pass (sequence-reference pairs for deeplift_shap); memory is bounded by it whatever N.
    device
        Where to compute; default where the model is.
    hypothetical
        Return hypothetical contributions (as TF-MoDISco expects): for each letter at each position, its
        contribution had it been there. ``(hypothetical * X).sum(axis=1)`` equals the actual contributions.
    return_delta
        Also return the summation-to-delta error (N, R): attributions summed minus f(x) - f(reference), per pair.
    seed
        Seed for references and noise.
    verbose
        Show a progress bar.
    n_steps, n_samples, noise
        Quadrature nodes for integrated_gradients; noisy copies and noise standard deviation for smoothgrad.
    gradient_correction
        For the gradient methods, subtract the per-position mean over the alphabet from the gradient
        (Majdandzic et al. 2023).

    Returns
    -------
    Attributions (N, A, L) as the kind X was; with ``return_delta``, a tuple ``(attributions, delta)``.

    Warns
    -----
    DeepLiftWarning
        For deeplift methods, when an operation without an exact rule touched an input-dependent value (named in the
        message), or when summation-to-delta fails its tolerance.

    Examples
    --------
    >>> import numpy as np, torch
    >>> model = torch.nn.Sequential(torch.nn.Conv1d(4, 8, 5), torch.nn.ReLU(), torch.nn.Flatten(),
    ...                             torch.nn.Linear(8 * 26, 1))
    >>> X = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (3, 30))].transpose(0, 2, 1)
    >>> attribute(model, X, "deeplift_shap", n_references=5, seed=0, verbose=False).shape
    (3, 4, 30)
    """
    _check_options(method, hypothetical, return_delta, gradient_correction)
    if method == "ism":
        if references is not None:
            raise ValueError("references does not apply to method='ism'; leave it None")
        from .mutagenesis import ism

        return ism(model, X, target=target, batch_size=batch_size, device=device, verbose=verbose)
    if method in ("deeplift", "deeplift_shap") and isinstance(model, torch.jit.ScriptModule):
        raise TypeError(
            f"method={method!r} needs a Python nn.Module: a TorchScript model runs its operations outside Python, "
            "where DeepLIFT's rules cannot reach them. Load the model from its class and state dict, or use "
            "integrated_gradients / ism"
        )
    Xt = as_tensor(X, alphabet_size=model_alphabet_size(model))
    select = resolve_target(target)
    batch_size = check_positive_int(batch_size, "batch_size")
    dev = resolve_device(model, device)
    refs = _References(references, Xt, method, n_references, seed) if method in REFERENCE_METHODS else None
    rows_per_sequence = {"smoothgrad": n_samples, "integrated_gradients": n_steps * getattr(refs, "count", 1)}.get(
        method, getattr(refs, "count", 1)
    )
    chunk = max(1, batch_size // rows_per_sequence)
    generator = torch.Generator().manual_seed(seed) if seed is not None else torch.Generator()
    attributions, deltas, flagged, worst = [], [], set(), 0.0
    with model_state(model, dev):
        for sl in batches(len(Xt), chunk, verbose=verbose, desc=method):
            x = Xt[sl].to(dev)
            if method in ("saliency", "input_x_gradient"):
                grad = _correct(_gradient(model, select, x, batch_size), gradient_correction)
                attributions.append(grad if method == "saliency" or hypothetical else grad * x)
                continue
            if method == "smoothgrad":
                grad = _smoothgrad(
                    model, select, x, check_positive_int(n_samples, "n_samples"), noise, generator, batch_size
                )
                attributions.append(_correct(grad, gradient_correction))
                continue
            r = refs(sl, x)
            if method == "integrated_gradients":
                multipliers = _correct(
                    _integrated_gradients(model, select, x, r, check_positive_int(n_steps, "n_steps"), batch_size),
                    gradient_correction,
                )
            else:
                multipliers, fx, fr = pair_multipliers(model, select, x, r, flagged)
            contributions = multipliers * (x[:, None] - r)
            attributions.append(_hypothetical(multipliers, r) if hypothetical else _projected(contributions, x))
            if method == "integrated_gradients":
                if not return_delta:
                    continue
                fx = _predict(model, select, x, batch_size)
                fr = _predict(model, select, r.flatten(0, 1), batch_size).view(r.shape[:2])
            delta = contributions.sum(dim=(2, 3)) - (fx[:, None] - fr)
            deltas.append(delta)
            if method != "integrated_gradients":
                worst = max(worst, float(relative_error(delta, fx[:, None], fr).max()))
    if method in ("deeplift", "deeplift_shap"):
        _warn_inexact(flagged, worst, _tolerance(Xt.dtype))
    result = like_input(torch.cat(attributions).cpu(), X)
    if return_delta:
        return result, like_input(torch.cat(deltas).cpu(), X)
    return result
