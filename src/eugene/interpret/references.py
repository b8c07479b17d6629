"""Reference (baseline) sequences for DeepLIFT, DeepLiftShap and integrated gradients, made in batch.

A reference is what "no signal" means for a sequence. Dinucleotide shuffles (Altschul & Erickson 1985) keep the
local composition the model may respond to; "zero" and "uniform" are the flat baselines of Captum; "gc" puts each
sequence's GC content at every position.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from .._validate import check_positive_int, check_seed, describe
from ._engine import as_tensor, like_input

KINDS = ("dinucleotide_shuffle", "shuffle", "zero", "uniform", "gc")

__all__ = ["make_references"]


def _gc(X: torch.Tensor) -> torch.Tensor:
    """Each sequence's GC fraction, spread over C and G (and its complement over A and T), at every position."""
    if X.shape[1] != 4:
        raise ValueError(f"references='gc' needs a 4-letter nucleotide alphabet (A, C, G, T); got A={X.shape[1]}")
    counts = X.sum(dim=2)  # (N, 4)
    gc = (counts[:, 1] + counts[:, 2]) / counts.sum(dim=1).clamp_min(1)
    column = torch.stack([(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2], dim=1)
    return column[:, :, None].expand(X.shape).contiguous()


def generate(X: torch.Tensor, kind: str | Callable, n: int, rng: np.random.Generator) -> torch.Tensor:
    """``n`` references per sequence of ``X`` (N, A, L): a tensor (N, n, A, L) of X's dtype and device."""
    if callable(kind):
        refs = kind(X, n, rng)
        if not isinstance(refs, (np.ndarray, torch.Tensor)):
            raise TypeError(f"a references callable must return an array (N, n, A, L); got {describe(refs)}")
        refs = torch.as_tensor(refs, dtype=X.dtype, device=X.device)
        if refs.shape == X.shape:
            refs = refs[:, None]
        if refs.shape[0] != X.shape[0] or refs.shape[2:] != X.shape[1:]:
            raise ValueError(
                f"the references callable must return shape (N, n, A, L) = ({X.shape[0]}, {n}, {X.shape[1]}, "
                f"{X.shape[2]}); got {tuple(refs.shape)}"
            )
        return refs
    if kind in ("dinucleotide_shuffle", "shuffle"):
        from eugene.seq import dinucleotide_shuffle, shuffle

        shuffler = dinucleotide_shuffle if kind == "dinucleotide_shuffle" else shuffle
        return torch.as_tensor(shuffler(X.cpu().numpy(), n=n, seed=rng), dtype=X.dtype, device=X.device)
    if kind == "zero":
        return torch.zeros(X.shape[0], n, *X.shape[1:], dtype=X.dtype, device=X.device)
    if kind == "uniform":
        return torch.full((X.shape[0], n, *X.shape[1:]), 1.0 / X.shape[1], dtype=X.dtype, device=X.device)
    if kind == "gc":
        return _gc(X).unsqueeze(1).expand(X.shape[0], n, *X.shape[1:]).clone()
    raise ValueError(f"references (kind) must be one of {list(KINDS)}, an array or a callable; got {kind!r}")


def check_array(references: Any, X: torch.Tensor) -> torch.Tensor:
    """Given references (N, A, L) or (N, R, A, L) as a tensor (N, R, A, L) matching ``X``; clear errors otherwise."""
    refs = as_tensor(references, "references", check=False).to(dtype=X.dtype)
    if refs.ndim == 3:
        refs = refs[:, None]
    if refs.ndim != 4 or refs.shape[0] != X.shape[0] or refs.shape[2:] != X.shape[1:]:
        raise ValueError(
            f"references must have shape (N, A, L) or (N, R, A, L) matching X {tuple(X.shape)}; "
            f"got {tuple(references.shape)}"
        )
    if not torch.isfinite(refs).all():
        raise ValueError("references must be finite; they contain NaN or inf")
    return refs


def make_references(X: Any, kind: str | Callable = "dinucleotide_shuffle", n: int = 20, seed: int | None = 0) -> Any:
    """Reference sequences for attribution: ``n`` per sequence, shape (N, n, A, L), numpy or torch as ``X`` is.

    Parameters
    ----------
    X
        One-hot sequences (N, A, L).
    kind
        "dinucleotide_shuffle" (keeps dinucleotide counts), "shuffle" (keeps letter counts), "zero", "uniform"
        (1/A everywhere), "gc" (each sequence's GC content at every position; A=4 in ACGT order), or a callable
        ``f(X, n, rng) -> (N, n, A, L)`` with ``rng`` a numpy Generator.
    n
        References per sequence.
    seed
        Seed for the shuffles (default 0; None: fresh randomness); the same seed gives the same references.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (2, 30))].transpose(0, 2, 1)
    >>> make_references(X, "dinucleotide_shuffle", n=5, seed=0).shape
    (2, 5, 4, 30)
    """
    n = check_positive_int(n, "n")
    Xt = as_tensor(X)
    return like_input(generate(Xt, kind, n, np.random.default_rng(check_seed(seed))), X)
