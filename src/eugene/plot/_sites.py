"""Marking known sites (e.g. planted motifs) on position axes: shaded spans labelled above the axes."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt

SITE_COLOR = "#f2c14e"  # a light amber span behind the data
LABEL_COLOR = "#8a6100"  # its darker shade for labels and outlines


def site_spans(sites: Any) -> list[tuple[int, int, str]]:
    """``(start, end, label)`` of each site: from a table with ``start``, ``end`` (exclusive) and optionally ``name``
    columns (e.g. rows of :attr:`eugene.datasets.PlantedMotifs.sites`), or from ``(start, end[, label])`` tuples."""
    if sites is None:
        return []
    if hasattr(sites, "columns"):
        if not {"start", "end"} <= set(sites.columns):
            raise ValueError(f"sites must have columns 'start' and 'end'; got {list(sites.columns)}")
        names = sites["name"] if "name" in sites.columns else [""] * len(sites)
        return [(int(s), int(e), str(n)) for s, e, n in zip(sites["start"], sites["end"], names)]
    spans = []
    for site in sites:
        if not 2 <= len(site) <= 3:
            raise ValueError(f"sites must be (start, end) or (start, end, label) tuples; got {site!r}")
        spans.append((int(site[0]), int(site[1]), str(site[2]) if len(site) == 3 else ""))
    return spans


def mark_sites(ax: plt.Axes, sites: Any, *, labels: bool = True, outline: bool = False) -> None:
    """Shade each site's positions behind the data (``outline``: a frame in front, for opaque images) and write its
    label just above the axes (never over the data)."""
    for start, end, label in site_spans(sites):
        if outline:
            ax.axvspan(start - 0.5, end - 0.5, facecolor="none", edgecolor=LABEL_COLOR, lw=1.2, zorder=3)
        else:
            ax.axvspan(start - 0.5, end - 0.5, color=SITE_COLOR, alpha=0.45, lw=0, zorder=0)
        if labels and label:
            ax.text(
                (start + end - 1) / 2,
                1.0,
                label,
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=7,
                color=LABEL_COLOR,
                clip_on=False,
            )
