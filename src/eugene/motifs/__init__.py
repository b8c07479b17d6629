"""eugene.motifs: motifs and motif sets, file formats, transforms, JASPAR offline, and TOMTOM.

import eugene as eu
jaspar = eu.motifs.jaspar(2024, "CORE", "vertebrates")
filters = eu.motifs.MotifSet.from_counts(counts)            # (F, A, W) counts
hits = eu.motifs.tomtom(filters, jaspar, thresh=0.05)       # MEME tomtom's columns and numbers
"""

from eugene.motifs.databases import jaspar
from eugene.motifs.io import (
    read_homer,
    read_jaspar,
    read_meme,
    read_motifs,
    read_transfac,
    write_homer,
    write_jaspar,
    write_meme,
)
from eugene.motifs.modisco_io import ModiscoPattern, read_modisco, write_modisco
from eugene.motifs.motif import Motif, MotifSet
from eugene.motifs.scanning import scan
from eugene.motifs.tomtom import tomtom
from eugene.motifs.transforms import consensus, information_content, reverse_complement, to_ppm, to_pwm
from eugene.motifs.trimming import trim, trim_window

__all__ = [
    "Motif",
    "MotifSet",
    "read_meme",
    "write_meme",
    "read_jaspar",
    "write_jaspar",
    "read_homer",
    "write_homer",
    "read_transfac",
    "read_motifs",
    "read_modisco",
    "write_modisco",
    "ModiscoPattern",
    "jaspar",
    "to_ppm",
    "to_pwm",
    "information_content",
    "consensus",
    "trim",
    "trim_window",
    "reverse_complement",
    "scan",
    "tomtom",
]
