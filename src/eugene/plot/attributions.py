"""Attribution plots: a logo of one sequence's attributions over a window, and a per-position track."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from .logos import logo

__all__ = ["attribution_logo", "attribution_track"]


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
        The window of positions to show.

    Examples
    --------
    >>> ax = attribution_logo(np.random.default_rng(0).normal(size=(4, 30)))
    """
    values = _window(attributions, index, start, end)
    return logo(values, alphabet, ax, start=start, title=title, ylabel="attribution")


def attribution_track(
    attributions: Any,
    ax: plt.Axes | None = None,
    *,
    index: int = 0,
    start: int = 0,
    end: int | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Per-position attribution (summed over the alphabet) as a bar track, for long sequences.

    Examples
    --------
    >>> ax = attribution_track(np.random.default_rng(0).normal(size=(2, 4, 500)), index=1)
    """
    values = _window(attributions, index, start, end).sum(axis=0)
    if ax is None:
        _, ax = plt.subplots(figsize=(min(16, 2 + values.size / 40), 2))
    positions = np.arange(start, start + values.size)
    ax.bar(positions, values, width=1.0, color=np.where(values >= 0, "tab:red", "tab:blue"))
    ax.axhline(0, color="black", linewidth=0.5)
    ax.set_xlim(positions[0] - 0.5, positions[-1] + 0.5)
    ax.set_xlabel("position")
    ax.set_ylabel("attribution")
    if title:
        ax.set_title(title)
    return ax
