"""The logo primitive: letters stacked by height, one column per position, for motifs and attribution tracks."""

from __future__ import annotations

from typing import Any

import logomaker
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..seq.alphabets import get_alphabet

__all__ = ["logo"]

_NUCLEOTIDE_COLORS = {"A": "#109648", "C": "#255C99", "G": "#F7B32B", "T": "#D62839", "U": "#D62839"}


def logo(
    values: Any,
    alphabet: Any = "DNA",
    ax: plt.Axes | None = None,
    *,
    start: int = 0,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    color_scheme: str | dict | None = None,
) -> plt.Axes:
    """Draw a sequence logo whose letter heights are ``values`` (shape (A, W); negative heights point down).

    Parameters
    ----------
    values
        Heights, alphabet first: information content x probability for a motif, or attribution x one-hot for a track.
    alphabet
        "DNA", "RNA", "protein", an ``eugene.seq`` Alphabet, or a string of letters in the row order of ``values``
        (:func:`eugene.seq.get_alphabet`).
    ax
        Axes to draw on; a new figure sized to the width when None.
    start
        Position label of the first column.
    title, xlabel, ylabel
        Labels; ``color_scheme`` is a logomaker scheme name or a {letter: colour} dict (nucleotides get the usual
        green/blue/orange/red by default, other alphabets logomaker's "chemistry" or "classic").

    Returns
    -------
    The Axes.

    Examples
    --------
    >>> import numpy as np
    >>> ax = logo(np.eye(4)[:, [0, 1, 2, 3, 0]] * 2.0, "DNA")
    """
    letters = get_alphabet(alphabet).letters
    heights = np.asarray(values, dtype=float)
    if heights.ndim != 2 or heights.shape[0] != len(letters):
        raise ValueError(
            f"values must have shape (A, W) with A={len(letters)} for alphabet {letters}; got {heights.shape}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(max(2.0, 0.25 * heights.shape[1]), 1.6))
    if color_scheme is None:
        if set(letters) <= set(_NUCLEOTIDE_COLORS):
            color_scheme = {c: _NUCLEOTIDE_COLORS[c] for c in letters}
        else:
            color_scheme = "chemistry" if len(letters) == 20 else "classic"
    frame = pd.DataFrame(heights.T, columns=list(letters), index=np.arange(start, start + heights.shape[1]))
    logomaker.Logo(frame, ax=ax, color_scheme=color_scheme, flip_below=False)
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title(title, fontsize=9)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    return ax
