"""TOMTOM motif comparison (Gupta et al. 2007) reproducing the MEME suite's p-values: scores, p-values, q-values."""

from eugene.motifs.tomtom.api import tomtom
from eugene.motifs.tomtom.qvalues import estimate_pi0, qvalues

__all__ = ["tomtom", "qvalues", "estimate_pi0"]
