"""eugene.plot (alias eu.pl): logos, tracks, heatmaps, filter grids, GIA curves.

Plot functions take ``ax=None``, return the Axes or Figure, and never call ``plt.show()``. Public names resolve lazily
to the module that defines them; add new ones to ``_EXPORTS``.
"""

from .._lazy import lazy_exports

_EXPORTS = {
    "logo": "logos",
    "attribution_logo": "attributions",
    "attribution_track": "attributions",
    "attribution_overview": "attributions",
    "informative_window": "attributions",
    "MATCH_FDR": "filters",
    "filter_logos": "filters",
    "influence_heatmap": "filters",
    "embedding": "filters",
    "ism_heatmap": "perturbation",
    "gia_curve": "perturbation",
    "variant_effects": "perturbation",
    "motif_counts": "motif_spacing",
    "spacing_histogram": "motif_spacing",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
