"""Figures for in silico perturbation: the ISM heatmap, GIA curves and the variant-effect plot.

Each takes the arrays / DataFrames that :mod:`eugene.interpret` returns, ``ax=None``, and returns the Axes.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ._sites import mark_sites

__all__ = ["ism_heatmap", "gia_curve", "variant_effects"]


_AXIS_LABELS = {  # the columns of eu.interpret's GIA and variant tables, with their units
    "position": "motif position (bp)",
    "distance": "distance between motifs (bp)",
    "n_sites": "number of motif sites",
    "importance": "importance (\u0394 prediction)",
    "cooperativity": "cooperativity (\u0394 prediction)",
    "diff": "alt - ref (\u0394 prediction)",
    "log2_fc": "log2 fold change (alt / ref)",
}


def _axes(ax: Any, size: tuple[float, float]) -> Any:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def ism_heatmap(
    effects: Any,
    *,
    alphabet: str = "ACGT",
    start: int = 0,
    cmap: str = "RdBu_r",
    mark_reference: Any = None,
    sites: Any = None,
    ax: Any = None,
) -> Any:
    """Heatmap of one sequence's ISM effects (A, L): rows are bases, columns positions, centred colour scale.

    Parameters
    ----------
    effects
        Array (A, L), e.g. ``eu.interpret.ism(model, X)[0]`` (numpy or torch).
    alphabet
        Row labels, one letter per row.
    start
        Position of the first column (for labelling a window).
    cmap
        A diverging colormap; the scale is symmetric around 0.
    mark_reference
        The sequence's one-hot (A, L): the observed base of each column gets a dot.
    sites
        Known sites to mark (``(start, end[, label])`` tuples or a table with ``start``, ``end``, ``name``; end
        exclusive): outlined on the heatmap and labelled above it.
    ax
        Axes to draw on; None makes a new figure.

    Examples
    --------
    >>> ax = ism_heatmap(np.random.default_rng(0).normal(size=(4, 50)))
    """
    values = np.asarray(effects.detach().cpu() if hasattr(effects, "detach") else effects, dtype=float)
    if values.ndim != 2 or values.shape[0] != len(alphabet):
        raise ValueError(f"effects must have shape (A, L) with A={len(alphabet)}; got {values.shape}")
    ax = _axes(ax, (max(4.0, values.shape[1] / 12), 2.0))
    limit = float(np.abs(values).max()) or 1.0
    extent = (start - 0.5, start + values.shape[1] - 0.5, len(alphabet) - 0.5, -0.5)
    image = ax.imshow(values, aspect="auto", cmap=cmap, vmin=-limit, vmax=limit, extent=extent, interpolation="nearest")
    if mark_reference is not None:
        ref = np.asarray(mark_reference.detach().cpu() if hasattr(mark_reference, "detach") else mark_reference)
        rows, cols = np.nonzero(ref == 1)
        ax.scatter(cols + start, rows, s=4, c="k", marker="o")
    mark_sites(ax, sites, outline=True)  # a span behind an opaque heatmap would be hidden
    ax.set_yticks(range(len(alphabet)), list(alphabet))
    ax.set_xlabel("position (bp)")
    ax.set_ylabel("substituted base")
    ax.figure.colorbar(image, ax=ax, label="ISM effect (\u0394 prediction)", fraction=0.03)
    return ax


def gia_curve(
    table: pd.DataFrame,
    x: str | None = None,
    y: str | None = None,
    *,
    hue: str | None = None,
    error: str | None = "sem",
    ax: Any = None,
) -> Any:
    """A GIA summary as a curve: importance against position, distance or number of sites, with error bands.

    Parameters
    ----------
    table
        The table of :func:`eugene.interpret.gia_positional`, :func:`gia_spacing` or :func:`gia_sites`.
    x, y
        Columns to plot; default: the first of ``position`` / ``distance`` / ``n_sites`` and ``importance`` (or
        ``cooperativity`` for a spacing table).
    hue
        Column drawing one line per value; default ``orientation`` when present.
    error
        Column of half-widths for a shaded band (``sem``, ``std``, ``cooperativity_sem``), or None.
    ax
        Axes to draw on; None makes a new figure.

    Examples
    --------
    >>> table = pd.DataFrame({"position": range(10), "importance": np.arange(10.0), "sem": 0.1})
    >>> ax = gia_curve(table)
    """
    x = x or next((c for c in ("position", "distance", "n_sites") if c in table), None)
    y = y or ("cooperativity" if "cooperativity" in table else "importance")
    if x is None or x not in table or y not in table:
        raise ValueError(f"table must have columns x={x!r} and y={y!r}; it has {list(table.columns)}")
    if hue is None and "orientation" in table:
        hue = "orientation"
    if error == "sem" and y == "cooperativity":
        error = "cooperativity_sem"
    ax = _axes(ax, (5.0, 3.0))
    groups = table.groupby(hue) if hue else [(None, table)]
    for label, part in groups:
        part = part.sort_values(x)
        line = ax.plot(part[x], part[y], marker="o", ms=3, label=None if label is None else str(label))[0]
        if error and error in part:
            ax.fill_between(part[x], part[y] - part[error], part[y] + part[error], alpha=0.2, color=line.get_color())
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel(_AXIS_LABELS.get(x, x))
    ax.set_ylabel(_AXIS_LABELS.get(y, y))
    if hue:  # beside the axes, never over a curve
        ax.legend(title=hue, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), alignment="left")
    return ax


def variant_effects(table: pd.DataFrame, value: str = "diff", *, label: str | None = None, ax: Any = None) -> Any:
    """Variant effects as a sorted bar chart (``diff`` or ``log2_fc`` of :func:`eugene.interpret.variant_effect`).

    Parameters
    ----------
    table
        The table of :func:`eugene.interpret.variant_effect`.
    value
        Column to plot.
    label
        Column naming each variant; default ``seq:pos ref>alt``.
    ax
        Axes to draw on; None makes a new figure.

    Examples
    --------
    >>> table = pd.DataFrame({"seq": [0, 1], "pos": [3, 7], "ref": ["A", "C"], "alt": ["G", "T"], "diff": [0.5, -1.0]})
    >>> ax = variant_effects(table)
    """
    if value not in table:
        raise ValueError(f"table must have a column {value!r}; it has {list(table.columns)}")
    ordered = table.sort_values(value)
    if label is None:
        names = [f"{r.seq}:{r.pos} {r.ref}>{r.alt}" for r in ordered.itertuples()]
    else:
        names = ordered[label].astype(str).tolist()
    ax = _axes(ax, (5.0, max(2.0, 0.25 * len(ordered))))
    colors = np.where(ordered[value].to_numpy() >= 0, "tab:red", "tab:blue")
    ax.barh(range(len(ordered)), ordered[value], color=colors)
    ax.set_yticks(range(len(ordered)), names)
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_xlabel(_AXIS_LABELS.get(value, value))
    return ax
