"""eugene.datasets: loaders for real data files (and a planted-motif generator with known ground truth).

Scoring a model or its attributions against the planted truth runs interpret, a layer above datasets, and lives in
:mod:`eugene.evaluate` (``ground_truth_auroc`` moved there); :func:`attribution_auroc` on given arrays stays here too.
"""

from typing import Any

from eugene.datasets.loaders import elavl1_clipseq, load_clip_fasta, load_deepbind_tsv, srf_chipseq
from eugene.datasets.planted import KOO_EDDY_2019, N_MOTIFS_P, PlantedMotifs, attribution_auroc, planted_motifs

__all__ = [
    "KOO_EDDY_2019",
    "N_MOTIFS_P",
    "PlantedMotifs",
    "attribution_auroc",
    "elavl1_clipseq",
    "load_clip_fasta",
    "load_deepbind_tsv",
    "planted_motifs",
    "srf_chipseq",
]

_MOVED = {"ground_truth_auroc": "eugene.evaluate"}


def __getattr__(name: str) -> Any:
    if name in _MOVED:  # a pointer, not an import: datasets may not import the layers above it
        raise AttributeError(f"eugene.datasets.{name} moved to {_MOVED[name]}.{name} (it runs eugene.interpret)")
    raise AttributeError(f"module 'eugene.datasets' has no attribute {name!r}")
