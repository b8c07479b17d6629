"""Figures of annotated motif sites: seqlets per motif (:func:`eugene.interpret.motif_counts`) and the spacing of
co-occurring motifs (:func:`eugene.interpret.motif_spacing`).

The module is not named after a function it exports (``eu.pl.motif_counts``, ``eu.pl.spacing_histogram``).
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["motif_counts", "spacing_histogram"]

_ORIENTATION_COLOURS = {"++": "#1f77b4", "--": "#aec7e8", "+-": "#d62728", "-+": "#ff9896"}


def _table(value: Any, name: str, columns: list[str], made_by: str) -> pd.DataFrame:
    if not isinstance(value, pd.DataFrame):
        raise TypeError(f"{name} must be the DataFrame {made_by} returns; got {type(value).__name__}")
    missing = [c for c in columns if c not in value.columns]
    if missing:
        raise ValueError(f"{name} must have columns {columns} (from {made_by}); missing {missing}")
    return value


def motif_counts(counts: pd.DataFrame, *, top: int | None = 20, ax: plt.Axes | None = None) -> plt.Axes:
    """Seqlets per motif as horizontal bars, most seqlets on top.

    Parameters
    ----------
    counts
        :func:`eugene.interpret.motif_counts`'s table (``motif``, ``motif_name``, ``n_seqlets``).
    top
        Show the ``top`` motifs with most seqlets; None shows all.
    ax
        Axes to draw on; a new figure sized to the motifs when None.

    Returns
    -------
    The Axes.

    Examples
    --------
    >>> table = pd.DataFrame({"motif": ["MA0083.3", "MA0058.4"], "motif_name": ["SRF", "MAX"], "n_seqlets": [40, 12]})
    >>> ax = motif_counts(table)
    """
    table = _table(counts, "counts", ["motif", "n_seqlets"], "eu.interpret.motif_counts")
    if top is not None and (isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1):
        raise ValueError(f"top must be a positive int or None; got {top!r}")
    table = table.sort_values("n_seqlets", ascending=False, kind="stable").head(len(table) if top is None else top)
    names = table["motif_name"].fillna("") if "motif_name" in table else pd.Series("", index=table.index)
    labels = [f"{n} ({m})" if n and n != m else str(m) for m, n in zip(table["motif"], names, strict=True)]
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 0.8 + 0.3 * max(len(table), 1)))
    ax.barh(np.arange(len(table)), table["n_seqlets"].to_numpy(), color="#4c72b0")
    ax.set_yticks(np.arange(len(table)), labels)
    ax.invert_yaxis()  # most seqlets on top
    ax.set_xlabel("annotated seqlets (count)")
    ax.set_ylabel("motif")
    return ax


def spacing_histogram(
    spacing: pd.DataFrame,
    pair: tuple[str, str] | None = None,
    *,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Distances between two co-occurring motifs as a histogram, one bar per base, stacked by the sites' strands.

    Parameters
    ----------
    spacing
        :func:`eugene.interpret.motif_spacing`'s table (``motif_a``, ``motif_b``, ``distance``, ``orientation``,
        ``count``).
    pair
        ``(left motif, right motif)`` as in ``motif_a`` / ``motif_b``; None: the pair with most co-occurrences.
    ax
        Axes to draw on; a new figure when None.

    Returns
    -------
    The Axes; the legend (strands of the left and the right site) sits beside it.

    Examples
    --------
    >>> table = pd.DataFrame({"motif_a": "SRF", "motif_b": "MAX", "distance": [3, 3, 10], "orientation": ["++", "+-",
    ...                       "++"], "count": [5, 2, 1]})
    >>> ax = spacing_histogram(table)
    """
    table = _table(
        spacing, "spacing", ["motif_a", "motif_b", "distance", "orientation", "count"], "eu.interpret.motif_spacing"
    )
    if table.empty:
        raise ValueError("spacing has no pairs of co-occurring motifs to plot")
    totals = table.groupby(["motif_a", "motif_b"], sort=True)["count"].sum()
    if pair is None:
        pair = totals.idxmax()
    elif tuple(pair) not in totals.index:
        raise ValueError(
            f"pair must be a (motif_a, motif_b) of spacing; got {pair!r}; most frequent: {totals.idxmax()}"
        )
    chosen = table[(table["motif_a"] == pair[0]) & (table["motif_b"] == pair[1])]
    grid = chosen.pivot_table(index="distance", columns="orientation", values="count", aggfunc="sum", fill_value=0)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 3.0))
    bottom = np.zeros(len(grid))
    for orientation in grid.columns:
        heights = grid[orientation].to_numpy()
        colour = _ORIENTATION_COLOURS.get(orientation, "#7f7f7f")
        ax.bar(grid.index.to_numpy(), heights, width=1.0, bottom=bottom, color=colour, label=orientation)
        bottom += heights
    ax.set_xlabel("spacing between motifs (bp)")
    ax.set_ylabel("co-occurring pairs (count)")
    ax.set_title(f"{pair[0]} \u2192 {pair[1]}")
    ax.legend(title="strands", frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), alignment="left")
    return ax
