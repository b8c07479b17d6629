"""Alphabets of motifs: names, equivalence (DNA = RNA for comparison) and complements.

An alphabet is a plain string of core letters in matrix order ("ACGT", "ACGU", the 20 amino acids, or a custom set).
Complementable alphabets carry a complement string: letter ``i`` pairs with ``complement[i]``.
"""

from __future__ import annotations

import numpy as np

DNA = "ACGT"
RNA = "ACGU"
PROTEIN = "ACDEFGHIKLMNPQRSTVWY"

_KNOWN_COMPLEMENTS = {DNA: "TGCA", RNA: "UGCA"}


def default_complement(alphabet: str) -> str | None:
    """The complement string of DNA and RNA; None for alphabets without a known pairing (protein, custom)."""
    return _KNOWN_COMPLEMENTS.get(alphabet)


def alphabet_name(alphabet: str) -> str:
    """A readable name for error messages: DNA, RNA, protein or the letters themselves."""
    return {DNA: "DNA", RNA: "RNA", PROTEIN: "protein"}.get(alphabet, f"custom ({alphabet})")


def comparable_key(alphabet: str) -> str:
    """Key under which alphabets compare as one: RNA is read as DNA (U = T)."""
    return DNA if alphabet == RNA else alphabet


def complement_order(alphabet: str, complement: str) -> np.ndarray:
    """Index array ``idx`` such that ``probs[idx]`` holds the complement of each letter in matrix order."""
    lookup = {letter: i for i, letter in enumerate(alphabet)}
    try:
        return np.array([lookup[c] for c in complement], dtype=np.int64)
    except KeyError as err:
        raise ValueError(
            f"complement must use the letters of alphabet {alphabet!r}; got {complement!r} (unknown letter {err})"
        ) from None
