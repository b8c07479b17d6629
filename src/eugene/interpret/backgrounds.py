"""Background sequences for global importance analysis (Koo, Majdandzic, Ploenzke, Anand & Shi 2021, "Global
importance analysis: an interpretability method to quantify importance of genomic features in deep neural networks",
PLoS Comput Biol 17:e1008925).

Three kinds, all one-hot (n, A, L):

- :func:`dinucleotide_backgrounds`: dinucleotide-shuffled copies of given sequences (keeps local composition);
- :func:`profile_backgrounds`: each position drawn independently from the base frequencies at that position across
  given sequences (the position-specific profile, the default of Koo et al. 2021);
- :func:`gc_backgrounds`: independent bases with a set GC content.

``seed`` is an int (default 0: the same call gives the same backgrounds), a numpy Generator (drawn from, as is), or
None for fresh randomness.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .._validate import check_fraction, check_positive_int, describe
from ..seq import dinucleotide_shuffle, sample_onehot
from ._engine import as_tensor, like_input

__all__ = ["dinucleotide_backgrounds", "profile_backgrounds", "gc_backgrounds"]


def dinucleotide_backgrounds(X: Any, n: int = 1, seed: int | np.random.Generator | None = 0) -> Any:
    """``n`` dinucleotide-shuffled copies of each sequence, stacked: (N * n, A, L), the kind X was.

    Rows ``i * n ... (i + 1) * n - 1`` are shuffles of ``X[i]`` (Altschul & Erickson 1985, via
    :func:`eugene.seq.dinucleotide_shuffle`).

    Examples
    --------
    >>> from eugene.seq import one_hot
    >>> dinucleotide_backgrounds(one_hot(["ACGTTGCAAC", "GGGCCCATAT"]), n=3, seed=0).shape
    (6, 4, 10)
    """
    check_positive_int(n, "n")
    shuffled = dinucleotide_shuffle(X, n=n, seed=seed)
    return shuffled.reshape(-1, *shuffled.shape[2:])


def profile_backgrounds(X: Any, n: int, seed: int | np.random.Generator | None = 0, *, pseudocount: float = 0.0) -> Any:
    """``n`` sequences (n, A, L) drawn position by position from the base frequencies of ``X`` at that position.

    The position-specific profile of Koo et al. (2021): it keeps positional biases of the data set (e.g. GC-rich
    centres) while breaking motifs. ``pseudocount`` is added to each count before normalising.

    Examples
    --------
    >>> from eugene.seq import one_hot
    >>> profile_backgrounds(one_hot(["ACGT", "AGGT"]), n=5, seed=0)[:, 0, 0].tolist()   # position 0 is always A
    [1.0, 1.0, 1.0, 1.0, 1.0]
    """
    n = check_positive_int(n, "n")
    if isinstance(pseudocount, bool) or not isinstance(pseudocount, (int, float)) or pseudocount < 0:
        raise ValueError(f"pseudocount must be a number >= 0; got {describe(pseudocount)}")
    Xt = as_tensor(X)
    if len(Xt) == 0:
        raise ValueError(
            f"X must hold at least one sequence to take base frequencies from; got shape {tuple(Xt.shape)}"
        )
    counts = Xt.sum(dim=0).double().cpu().numpy() + pseudocount
    empty = counts.sum(axis=0) == 0
    counts[:, empty] = 1.0  # positions with no observed base: uniform
    result = sample_onehot(counts / counts.sum(axis=0), n, seed)
    return like_input(torch.from_numpy(result).to(Xt.dtype), X)


def gc_backgrounds(n: int, length: int, gc: float = 0.5, seed: int | np.random.Generator | None = 0) -> np.ndarray:
    """``n`` random DNA sequences (n, 4, length) float32 with independent bases at GC content ``gc`` (ACGT order).

    Examples
    --------
    >>> float(gc_backgrounds(2, 8, gc=1.0, seed=0)[:, [0, 3]].sum())   # no A or T
    0.0
    """
    n, length = check_positive_int(n, "n"), check_positive_int(length, "length")
    gc = check_fraction(gc, "gc")
    column = np.array([(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2])
    return sample_onehot(np.repeat(column[:, None], length, axis=1), n, seed)
