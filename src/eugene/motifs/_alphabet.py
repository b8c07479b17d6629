"""What motifs need of alphabets, on top of :mod:`eugene.seq.alphabets` (the one place letters and pairings live).

A motif's alphabet is a plain string of letters in matrix order ("ACGT", "ACGU", the 20 amino acids, or custom).
"""

from __future__ import annotations

import numpy as np

from eugene.seq.alphabets import DNA as _DNA
from eugene.seq.alphabets import PROTEIN as _PROTEIN
from eugene.seq.alphabets import RNA as _RNA
from eugene.seq.alphabets import Alphabet

DNA = _DNA.letters
RNA = _RNA.letters
PROTEIN = _PROTEIN.letters


def default_complement(alphabet: str) -> str | None:
    """The complement string of DNA and RNA; None for alphabets without a known pairing (protein, custom)."""
    return {DNA: _DNA.complement, RNA: _RNA.complement}.get(alphabet)


def alphabet_name(alphabet: str) -> str:
    """A readable name for error messages: DNA, RNA, protein or the letters themselves."""
    return {DNA: "DNA", RNA: "RNA", PROTEIN: "protein"}.get(alphabet, f"custom ({alphabet})")


def comparable_key(alphabet: str) -> str:
    """Key under which alphabets compare as one: RNA is read as DNA (U = T)."""
    return DNA if alphabet == RNA else alphabet


def complement_order(alphabet: str, complement: str) -> np.ndarray:
    """Index array ``idx`` such that ``probs[idx]`` holds the complement of each letter in matrix order."""
    return np.array(Alphabet(alphabet, alphabet, complement=complement).complement_indices(), dtype=np.int64)
