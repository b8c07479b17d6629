"""Motif sites in one-hot sequences: exact matches of a string, or windows whose PWM score passes a threshold.

The score of the window starting at position ``p`` of sequence ``n`` is the sum of the PWM's log-odds entries of its
letters, ``s = sum_j sum_a PWM[a, j] X[n, a, p + j]`` (Stormo 2000, "DNA binding sites: representation and discovery",
Bioinformatics 16:16). A window is a site when ``s`` is at least ``threshold`` of the way from the lowest to the
highest score any window can have, ``s >= min + threshold * (max - min)``; the relative score
``(s - min) / (max - min)`` is reported. Both strands are scanned: the minus strand with the reverse complement of the
motif, in the coordinates of the given (plus) strand.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from eugene._validate import check_fraction, check_onehot, describe
from eugene.motifs.motif import Motif
from eugene.motifs.transforms import to_pwm
from eugene.seq.alphabets import Alphabet, get_alphabet
from eugene.seq.encode import one_hot

__all__ = ["scan"]

_COLUMNS = {"seq": np.int64, "start": np.int64, "end": np.int64, "strand": object, "score": np.float64}
_TOLERANCE = 1e-9  # a score equal to the cutoff up to rounding counts as a site


def _weights(motif: Any, alphabet: Alphabet, background: Any) -> tuple[np.ndarray, float, float]:
    """The scanning matrix (A, W) and the lowest and highest window score: a string's one-hot, or a motif's PWM."""
    if isinstance(motif, str):
        if not motif:
            raise ValueError("motif must be a non-empty string, a Motif or an (A, W) matrix; got ''")
        kernel = one_hot(motif, alphabet, on_ambiguous="error")[0].astype(np.float64)
        return kernel, 0.0, float(len(motif))  # the number of matching letters
    if not isinstance(motif, Motif):
        probs = getattr(motif, "probs", motif)
        if hasattr(probs, "detach"):
            probs = probs.detach().cpu().numpy()
        try:
            probs = np.asarray(probs, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise TypeError(f"motif must be a string, a Motif or an (A, W) matrix; got {describe(motif)}") from err
        if probs.ndim != 2:
            raise ValueError(f"motif must be a string, a Motif or an (A, W) matrix; got {describe(motif)}")
        motif = Motif("motif", probs, alphabet=alphabet.letters, complement=alphabet.complement)
    if motif.probs.shape[0] != alphabet.size:
        raise ValueError(
            f"motif must have A={alphabet.size} rows, one per channel of X; got a motif of shape {motif.probs.shape}"
        )
    pwm = to_pwm(motif, background)
    return pwm, float(pwm.min(axis=0).sum()), float(pwm.max(axis=0).sum())


def _scores(X: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """(N, L - W + 1) float64: the score of every window, one column of the kernel at a time (no (N, L, W) copy)."""
    width = kernel.shape[1]
    n_windows = X.shape[2] - width + 1
    scores = np.zeros((X.shape[0], n_windows))
    for j in range(width):
        scores += np.einsum("a,nap->np", kernel[:, j], X[:, :, j : j + n_windows])
    return scores


def scan(
    X: Any,
    motif: Any,
    threshold: float = 0.8,
    *,
    alphabet: str | Alphabet | None = None,
    reverse_complement: bool = True,
    background: Any = None,
) -> pd.DataFrame:
    """Sites of ``motif`` in one-hot sequences ``X``: exact matches of a string, or PWM scores above a threshold.

    Parameters
    ----------
    X
        One-hot sequences (N, A, L), numpy or torch.
    motif
        A string (exact matches only; its letters encoded with ``alphabet``), or a :class:`Motif` or (A, W) matrix of
        letter probabilities (or counts), scanned as its PWM (:func:`to_pwm`).
    threshold
        For a PWM, the fraction in [0, 1] of the way from the lowest to the highest possible score a window must reach
        (1: only the best-scoring windows). Ignored for a string.
    alphabet
        The alphabet of X's channels (a name, letters or an :class:`eugene.seq.Alphabet`); None: DNA for 4 channels,
        protein for 20 (:func:`eugene.seq.get_alphabet`).
    reverse_complement
        Also scan the minus strand (needs an alphabet with a complement). A site of a palindromic string is listed
        once, on ``+``.
    background
        Letter background of the PWM; None: the motif's own, else uniform.

    Returns
    -------
    pandas.DataFrame
        One row per site, ordered by ``seq, start, strand``: ``seq`` (row of X), ``start`` and ``end`` (the window
        ``[start, end)`` on the plus strand), ``strand`` (``"+"`` or ``"-"``) and ``score`` (the relative score in
        [0, 1]; 1.0 for every exact match of a string).

    Examples
    --------
    >>> import eugene as eu
    >>> X = eu.seq.one_hot(["AATGACTCAAA", "TGAGTCATTTT"])     # the second holds TGACTCA's reverse complement
    >>> scan(X, "TGACTCA")[["seq", "start", "end", "strand"]].values.tolist()
    [[0, 2, 9, '+'], [1, 0, 7, '-']]
    """
    threshold = check_fraction(threshold, "threshold", what="of the PWM's score range")
    check_onehot(X, "X")
    alpha = get_alphabet(getattr(motif, "alphabet", None) if alphabet is None else alphabet, size=X.shape[1])
    if not isinstance(reverse_complement, bool):
        raise TypeError(f"reverse_complement must be True or False; got {describe(reverse_complement)}")
    values = X.detach().cpu().numpy() if hasattr(X, "detach") else np.asarray(X)
    values = values.astype(np.float64, copy=False)
    kernel, low, high = _weights(motif, alpha, background)
    if kernel.shape[1] > values.shape[2]:
        raise ValueError(
            f"motif of width {kernel.shape[1]} is longer than the sequences of X (length {values.shape[2]}); "
            "it fits nowhere"
        )
    cutoff = high if isinstance(motif, str) else low + threshold * (high - low)
    strands = [("+", kernel)]
    if reverse_complement:
        minus = kernel[alpha.complement_indices(), ::-1]  # raises for an alphabet without complement
        if not (isinstance(motif, str) and np.array_equal(minus, kernel)):
            strands.append(("-", minus))
    parts = []
    for strand, weights in strands:
        scores = _scores(values, weights)
        seq, start = np.nonzero(scores >= cutoff - _TOLERANCE)
        relative = (scores[seq, start] - low) / (high - low) if high > low else np.ones(len(seq))
        parts.append((seq, start, np.full(len(seq), strand, dtype=object), np.clip(relative, 0.0, 1.0)))
    seq, start, strand, score = (np.concatenate(column) for column in zip(*parts))
    order = np.lexsort((strand == "-", start, seq))
    table = pd.DataFrame(
        {
            "seq": seq[order],
            "start": start[order],
            "end": start[order] + kernel.shape[1],
            "strand": strand[order],
            "score": score[order],
        }
    )
    return table.astype(_COLUMNS)
