"""Attribution plots: a logo of one sequence's attributions over a window, a per-position track, and the two together
(the full track, with the most informative window shown as a logo)."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from ._sites import mark_sites
from .logos import logo

__all__ = ["attribution_logo", "attribution_track", "attribution_overview", "informative_window"]

POSITION_LABEL = "position (bp)"


def _window(attributions: Any, index: int, start: int, end: int | None) -> np.ndarray:
    values = np.asarray(attributions.detach().cpu() if hasattr(attributions, "detach") else attributions)
    if values.ndim == 3:
        values = values[index]
    if values.ndim != 2:
        raise ValueError(f"attributions must have shape (N, A, L) or (A, L); got {values.shape}")
    return values[:, start:end]


def attribution_logo(
    attributions: Any,
    alphabet: Any = "DNA",
    ax: plt.Axes | None = None,
    *,
    index: int = 0,
    start: int = 0,
    end: int | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Logo of one sequence's attributions (letter height = attribution; negative letters point down).

    Parameters
    ----------
    attributions
        (N, A, L) from :func:`eugene.interpret.attribute` (``index`` picks the sequence) or (A, L).
    alphabet, ax
        Letters of the alphabet axis; the Axes to draw on (a new one when None).
    start, end
        The window of positions to show (:func:`informative_window` finds the one worth reading).

    Examples
    --------
    >>> ax = attribution_logo(np.random.default_rng(0).normal(size=(4, 30)))
    """
    values = _window(attributions, index, start, end)
    return logo(values, alphabet, ax, start=start, title=title, xlabel=POSITION_LABEL, ylabel="attribution")


def attribution_track(
    attributions: Any,
    ax: plt.Axes | None = None,
    *,
    index: int = 0,
    start: int = 0,
    end: int | None = None,
    title: str | None = None,
    sites: Any = None,
) -> plt.Axes:
    """Per-position attribution (summed over the alphabet) as a bar track, for long sequences.

    ``sites`` (``(start, end[, label])`` tuples or a table with ``start``, ``end``, ``name``, end exclusive, e.g. the
    planted motifs of :class:`eugene.datasets.PlantedMotifs`) are shaded and labelled above the track.

    Examples
    --------
    >>> ax = attribution_track(np.random.default_rng(0).normal(size=(2, 4, 500)), index=1, sites=[(100, 116, "SRF")])
    """
    values = _window(attributions, index, start, end).sum(axis=0)
    if ax is None:
        _, ax = plt.subplots(figsize=(min(16, 2 + values.size / 40), 2))
    positions = np.arange(start, start + values.size)
    mark_sites(ax, sites)
    ax.bar(positions, values, width=1.0, color=np.where(values >= 0, "tab:red", "tab:blue"))
    ax.axhline(0, color="black", linewidth=0.5)
    ax.set_xlim(positions[0] - 0.5, positions[-1] + 0.5)
    ax.set_xlabel(POSITION_LABEL)
    ax.set_ylabel("attribution")
    if title:
        ax.set_title(title)
    return ax


def informative_window(attributions: Any, width: int = 40, *, index: int = 0) -> tuple[int, int]:
    """``(start, end)`` of the ``width`` positions holding the most total |attribution| (the first such window).

    Examples
    --------
    >>> values = np.zeros((4, 100)); values[2, 60:64] = 1.0
    >>> informative_window(values, 10)
    (57, 67)
    """
    values = np.abs(_window(attributions, index, 0, None)).sum(axis=0)
    width = int(min(max(1, width), values.size))
    sums = np.convolve(values, np.ones(width), mode="valid")  # sums[i]: positions i .. i + width - 1
    best = np.flatnonzero(sums >= sums.max() - 1e-12 * max(1.0, sums.max()))
    start = int(best[len(best) // 2])  # ties (a peak narrower than the window): the peak centred
    return start, start + width


def attribution_overview(
    attributions: Any,
    alphabet: Any = "DNA",
    *,
    index: int = 0,
    width: int = 40,
    sites: Any = None,
    title: str | None = None,
) -> plt.Figure:
    """The full attribution track (window shaded, ``sites`` marked) above a readable logo of its most informative
    ``width`` positions (:func:`informative_window`): long sequences stay legible without losing the whole.

    Parameters
    ----------
    attributions
        (N, A, L) (``index`` picks the sequence) or (A, L); attribution x one-hot gives the usual logo.
    alphabet
        Letters of the alphabet axis.
    width
        Positions shown in the logo.
    sites
        Known sites to mark on the track, as for :func:`attribution_track`.
    title
        Figure title.

    Returns
    -------
    The Figure (track Axes first, logo Axes second).

    Examples
    --------
    >>> fig = attribution_overview(np.random.default_rng(0).normal(size=(4, 200)), width=30, sites=[(50, 60, "m")])
    """
    values = _window(attributions, index, 0, None)
    start, end = informative_window(values, width)
    fig, (track, zoom) = plt.subplots(
        2,
        1,
        figsize=(min(16.0, max(6.0, 2.0 + 0.2 * (end - start))), 3.6),
        height_ratios=(1.0, 1.3),
        layout="constrained",
    )
    attribution_track(values, track, sites=sites)
    track.axvspan(start - 0.5, end - 0.5, facecolor="none", edgecolor="0.2", lw=1.0, ls="--", zorder=3)
    track.set_xlabel(f"{POSITION_LABEL}; dashed box: the window shown below")
    attribution_logo(values, alphabet, zoom, start=start, end=end)
    mark_sites(zoom, sites, labels=False)
    zoom.set_xlim(start - 0.5, end - 0.5)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
