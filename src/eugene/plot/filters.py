"""Figures for filter and layer analyses: a grid of filter logos labelled with their TOMTOM match, and embeddings."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from .logos import logo

__all__ = ["filter_logos", "influence_heatmap", "embedding", "MATCH_FDR"]

MATCH_FDR = 0.05
"""TOMTOM q-value at or below which a match counts: it labels a filter logo here and in :mod:`eugene.report`."""


def _best_matches(matches: Any, q_threshold: float) -> dict[str, str]:
    """Per query, a label for its best TOMTOM match (lowest q-value, then p-value) with q <= ``q_threshold``:
    "name (id) q=..."."""
    needed = {"Query_ID", "Target_ID", "q-value", "p-value"}
    if not needed <= set(getattr(matches, "columns", ())):
        raise ValueError(f"matches must be a TOMTOM table (eugene.motifs.tomtom) with columns {sorted(needed)}")
    if isinstance(q_threshold, bool) or not isinstance(q_threshold, (int, float)) or not 0 <= q_threshold <= 1:
        raise ValueError(f"q_threshold must be a q-value in [0, 1]; got {q_threshold!r}")
    matches = matches[matches["q-value"] <= q_threshold]
    best = matches.sort_values(["q-value", "p-value"]).drop_duplicates("Query_ID")
    labels = {}
    for row in best.to_dict("records"):
        target = str(row["Target_ID"])
        name = str(row.get("Target_Name", "") or "")
        shown = f"{name} ({target})" if name and name != target and name != "nan" else target
        labels[str(row["Query_ID"])] = f"{shown} q={row['q-value']:.1e}"
    return labels


def filter_logos(
    motifs: Any,
    matches: Any = None,
    *,
    ncols: int = 4,
    max_motifs: int | None = None,
    panel_size: tuple[float, float] = (3.0, 1.4),
    q_threshold: float = MATCH_FDR,
) -> plt.Figure:
    """A grid of information-content logos (bits against position), one per motif, titled with its name, site count
    and best significant match.

    Parameters
    ----------
    motifs
        A MotifSet, e.g. from :func:`eugene.interpret.filter_pfms`.
    matches
        Optional TOMTOM table (:func:`eugene.motifs.tomtom`) for these motifs; each logo is labelled with its best
        match (lowest q-value) and the q-value when that q-value is at most ``q_threshold``.
    ncols
        Logos per row.
    max_motifs
        Draw only the first ``max_motifs`` motifs.
    panel_size
        Width and height of one logo in inches.
    q_threshold
        The largest q-value that labels a logo (default :data:`MATCH_FDR`, the report's threshold too).

    Returns
    -------
    The Figure.

    Examples
    --------
    >>> import eugene as eu
    >>> model = eu.models.build("deepbind", seq_len=100, n_filters=4)
    >>> motifs = eu.interpret.filter_pfms(model, eu.interpret.gc_backgrounds(50, 100, seed=0))
    >>> fig = filter_logos(motifs, eu.motifs.tomtom(motifs, eu.motifs.jaspar()))
    """
    from ..motifs.transforms import information_content

    chosen = list(motifs)[:max_motifs] if max_motifs is not None else list(motifs)
    if not chosen:
        raise ValueError("motifs must hold at least one motif to draw")
    labels = _best_matches(matches, q_threshold) if matches is not None else {}
    ncols = max(1, min(ncols, len(chosen)))
    nrows = -(-len(chosen) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows), squeeze=False, layout="constrained"
    )
    for ax, motif in zip(axes.flat, chosen):
        probs = np.asarray(motif.probs, dtype=float)
        heights = probs * information_content(motif)[None, :]
        sites = f", n={int(motif.nsites)}" if getattr(motif, "nsites", None) is not None else ""
        title = f"{motif.name}{sites}"
        if motif.name in labels:
            title += f"\n{labels[motif.name]}"
        logo(heights, alphabet=motif.alphabet, ax=ax, title=title, xlabel="position (bp)", ylabel="bits")
        ax.set_ylim(0, np.log2(probs.shape[0]))
    for ax in axes.flat[len(chosen) :]:
        ax.axis("off")
    return fig


def influence_heatmap(
    influence: Any,
    filters: Any = None,
    outputs: Any = None,
    ax: plt.Axes | None = None,
    *,
    cmap: str = "RdBu_r",
) -> plt.Axes:
    """Filter influence (:func:`eugene.interpret.filter_influence`, (F, T)) as a heatmap: one row per filter, one column
    per output, red where a filter supports the output (positive), blue where it lowers it, on a scale centred at 0.

    Parameters
    ----------
    influence
        (F, T) values, numpy or torch.
    filters, outputs
        Row and column labels (default ``filter_i`` and ``output j``).
    ax
        Axes to draw on; a new figure sized to the table when None.
    cmap
        A diverging colormap.

    Returns
    -------
    The Axes.

    Examples
    --------
    >>> ax = influence_heatmap(np.random.default_rng(0).normal(size=(6, 3)), outputs=["SRF", "MAX", "SP1"])
    """
    values = np.asarray(influence.detach().cpu() if hasattr(influence, "detach") else influence, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"influence must have shape (F, T), one row per filter; got {values.shape}")
    filters = [f"filter_{i}" for i in range(values.shape[0])] if filters is None else [str(f) for f in filters]
    outputs = [f"output {j}" for j in range(values.shape[1])] if outputs is None else [str(o) for o in outputs]
    if (len(filters), len(outputs)) != values.shape:
        raise ValueError(
            f"filters and outputs must label the {values.shape[0]} rows and {values.shape[1]} columns of influence; "
            f"got {len(filters)} and {len(outputs)}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(2.5 + 0.55 * values.shape[1], 1.0 + 0.28 * values.shape[0]))
    limit = float(np.abs(values).max()) or 1.0
    image = ax.imshow(values, aspect="auto", cmap=cmap, vmin=-limit, vmax=limit, interpolation="nearest")
    ax.set_xticks(range(len(outputs)), outputs, rotation=45, ha="right")
    ax.set_yticks(range(len(filters)), filters)
    ax.set_xlabel("model output (task)")
    ax.set_ylabel("first-layer filter")
    ax.figure.colorbar(image, ax=ax, label="influence (\u0394 prediction)", fraction=0.05)
    return ax


def embedding(
    emb: Any,
    labels: Any = None,
    ax: plt.Axes | None = None,
    *,
    dims: tuple[int, int] = (0, 1),
    s: float = 6.0,
    cmap: str | None = None,
) -> plt.Axes:
    """Scatter plot of an embedding (:func:`eugene.interpret.embeddings`), coloured by ``labels``.

    Parameters
    ----------
    emb
        An Embedding, or an (N, k) array of coordinates.
    labels
        Optional (N,) values: categories get one colour each with a legend, numbers a colour bar.
    ax
        Axes to draw on; a new figure when None.
    dims
        Which two components to draw.
    s, cmap
        Marker size and colour map.

    Returns
    -------
    The Axes.

    Examples
    --------
    >>> ax = embedding(np.random.default_rng(0).normal(size=(50, 2)), labels=["a", "b"] * 25)
    """
    coords = np.asarray(getattr(emb, "coords", emb))
    if coords.ndim != 2 or coords.shape[1] <= max(dims):
        raise ValueError(f"emb must have coordinates of shape (N, k) with k > {max(dims)}; got {coords.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3.5))
    x, y = coords[:, dims[0]], coords[:, dims[1]]
    if labels is None:
        ax.scatter(x, y, s=s, color="0.3", linewidths=0)
    else:
        labels = np.asarray(labels)
        if len(labels) != len(coords):
            raise ValueError(f"labels must have one value per point ({len(coords)}); got {len(labels)}")
        if np.issubdtype(labels.dtype, np.number) and len(np.unique(labels)) > 10:
            points = ax.scatter(x, y, c=labels, s=s, cmap=cmap or "viridis", linewidths=0)
            plt.colorbar(points, ax=ax)
        else:
            for value in np.unique(labels):
                keep = labels == value
                ax.scatter(x[keep], y[keep], s=s, label=str(value), linewidths=0)
            ax.legend(frameon=False, markerscale=2, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    method = getattr(emb, "method", "")
    prefix = {"pca": "PC", "umap": "UMAP"}.get(method, "dim ")
    ratio = getattr(emb, "explained_variance_ratio", None)
    for setter, d in ((ax.set_xlabel, dims[0]), (ax.set_ylabel, dims[1])):
        extra = f" ({100 * ratio[d]:.0f}%)" if ratio is not None and d < len(ratio) else ""
        setter(f"{prefix}{d + 1}{extra}")
    ax.spines[["top", "right"]].set_visible(False)
    return ax
