"""Motif transforms: counts -> PPM, PPM -> PWM (log-odds), information content, consensus, reverse complement.

Trimming is in :mod:`eugene.motifs.trimming`.

All functions accept a :class:`Motif` or an ``(A, W)`` array (letters first). With information content in bits,
``IC_j = sum_a p_aj log2(p_aj / b_a)`` (Schneider et al. 1986, J Mol Biol 188:415).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from eugene._validate import describe
from eugene.motifs._alphabet import DNA
from eugene.motifs.motif import Motif, _normalize_columns

__all__ = ["to_ppm", "to_pwm", "information_content", "consensus", "reverse_complement"]

# IUPAC codes for DNA letter sets (Cornish-Bowden 1985, Nucleic Acids Res 13:3021)
_IUPAC = {
    frozenset("A"): "A", frozenset("C"): "C", frozenset("G"): "G", frozenset("T"): "T",
    frozenset("AG"): "R", frozenset("CT"): "Y", frozenset("CG"): "S", frozenset("AT"): "W",
    frozenset("GT"): "K", frozenset("AC"): "M", frozenset("CGT"): "B", frozenset("AGT"): "D",
    frozenset("ACT"): "H", frozenset("ACG"): "V", frozenset("ACGT"): "N",
}  # fmt: skip


def _matrix(motif: Motif | Any, name: str = "motif") -> np.ndarray:
    """The (A, W) matrix of a Motif (its probabilities) or of an array, which must be finite and non-negative; an
    array of probabilities (``name="motif"``) is normalized column by column as a Motif's would be (a column summing
    to 0 is an error, one off 1 is renormalized with a warning)."""
    if isinstance(motif, Motif):
        return motif.probs
    arr = np.asarray(motif, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise ValueError(f"{name} must be a Motif or an (A, W) array with W >= 1; got {describe(arr)}")
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"{name} must hold finite non-negative values; got {describe(arr)} with NaN, inf or < 0")
    return _normalize_columns(arr, name) if name == "motif" else arr


def _background(background: Any, size: int, motif: Motif | Any) -> np.ndarray:
    if background is None and isinstance(motif, Motif) and motif.background is not None:
        return motif.background
    if background is None:
        return np.full(size, 1.0 / size)
    bg = np.asarray(background, dtype=np.float64)
    if bg.shape != (size,) or not np.isfinite(bg).all() or (bg <= 0).any():
        raise ValueError(f"background must be {size} finite positive frequencies; got {describe(bg)}: {bg.tolist()}")
    return bg / bg.sum()


def to_ppm(counts: Motif | Any, pseudocount: float = 0.0, background: Any = None) -> np.ndarray:
    """Position probability matrix from counts: ``(n_aj + pseudocount * b_a) / (N_j + pseudocount)``.

    Examples
    --------
    >>> to_ppm(np.array([[3.0], [1.0], [0.0], [0.0]]), pseudocount=4).ravel().tolist()
    [0.5, 0.25, 0.125, 0.125]
    """
    if isinstance(counts, Motif):
        counts = counts.counts if counts.counts is not None else counts.probs * (counts.nsites or 1.0)
    arr = _matrix(counts, "counts")
    if pseudocount < 0:
        raise ValueError(f"pseudocount must be >= 0; got {pseudocount}")
    bg = _background(background, arr.shape[0], None)
    total = arr.sum(axis=0) + pseudocount
    if (total <= 0).any():
        raise ValueError("counts has all-zero columns; give a pseudocount > 0")
    return (arr + pseudocount * bg[:, None]) / total


def to_pwm(motif: Motif | Any, background: Any = None, pseudocount: float = 1e-3) -> np.ndarray:
    """Position weight matrix: log2 odds ``log2((p_aj + eps) / b_a)`` with ``eps = pseudocount`` renormalized.

    Examples
    --------
    >>> to_pwm(np.full((4, 2), 0.25)).tolist()
    [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
    """
    probs = _matrix(motif)
    bg = _background(background, probs.shape[0], motif)
    smoothed = (probs + pseudocount) / (1.0 + pseudocount * probs.shape[0])
    return np.log2(smoothed / bg[:, None])


def information_content(motif: Motif | Any, background: Any = None) -> np.ndarray:
    """Information content of each position in bits, shape ``(W,)`` (0 log 0 = 0).

    Examples
    --------
    >>> information_content(np.eye(4)).tolist()
    [2.0, 2.0, 2.0, 2.0]
    """
    probs = _matrix(motif)
    bg = _background(background, probs.shape[0], motif)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(probs > 0, probs * np.log2(probs / bg[:, None]), 0.0)
    return terms.sum(axis=0)


def consensus(motif: Motif | Any, alphabet: str | None = None, iupac: bool = False, threshold: float = 0.5) -> str:
    """Consensus string: the most probable letter per position (the first on ties, as MEME).

    With ``iupac=True`` (DNA/RNA only) each position takes the IUPAC code of the smallest letter set, taken in order
    of probability, whose total reaches ``threshold`` (a letter alone when it reaches it; N when none of up to three
    do).

    Examples
    --------
    >>> consensus(np.array([[0.9, 0.5], [0.05, 0.5], [0.05, 0.0], [0.0, 0.0]]), iupac=True, threshold=0.8)
    'AM'
    """
    probs = _matrix(motif)
    if alphabet is None:
        alphabet = motif.alphabet if isinstance(motif, Motif) else DNA
    if len(alphabet) != probs.shape[0]:
        raise ValueError(f"alphabet {alphabet!r} has {len(alphabet)} letters; the matrix has {probs.shape[0]} rows")
    if not iupac:
        return "".join(alphabet[i] for i in probs.argmax(axis=0))
    if len(alphabet) != 4:
        raise ValueError(f"IUPAC consensus needs a DNA or RNA motif; got alphabet {alphabet!r}")
    dna = DNA if alphabet[3] == "U" else alphabet
    out = []
    for col in probs.T:
        order = np.argsort(-col, kind="stable")
        code = "N"
        for k in range(1, 4):
            if col[order[:k]].sum() >= threshold:
                code = _IUPAC[frozenset(dna[i] for i in order[:k])]
                break
        out.append("U" if code == "T" and alphabet[3] == "U" else code)
    return "".join(out)


def reverse_complement(motif: Motif) -> Motif:
    """The motif on the opposite strand (see :meth:`Motif.reverse_complement`)."""
    if not isinstance(motif, Motif):
        raise TypeError(f"motif must be a Motif; got {describe(motif)}")
    return motif.reverse_complement()
