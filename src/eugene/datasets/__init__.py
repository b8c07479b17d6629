"""eugene.datasets: loaders for real data files (and a planted-motif generator with known ground truth)."""

from eugene.datasets.loaders import elavl1_clipseq, load_clip_fasta, load_deepbind_tsv, srf_chipseq
from eugene.datasets.planted import (
    KOO_EDDY_2019,
    N_MOTIFS_P,
    PlantedMotifs,
    attribution_auroc,
    ground_truth_auroc,
    planted_motifs,
)

__all__ = [
    "KOO_EDDY_2019",
    "N_MOTIFS_P",
    "PlantedMotifs",
    "attribution_auroc",
    "elavl1_clipseq",
    "ground_truth_auroc",
    "load_clip_fasta",
    "load_deepbind_tsv",
    "planted_motifs",
    "srf_chipseq",
]
