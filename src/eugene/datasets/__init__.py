"""eugene.datasets: loaders for real data files (and a planted-motif generator with known ground truth)."""

from eugene.datasets.loaders import elavl1_clipseq, load_clip_fasta, load_deepbind_tsv, srf_chipseq

__all__ = ["elavl1_clipseq", "load_clip_fasta", "load_deepbind_tsv", "srf_chipseq"]
