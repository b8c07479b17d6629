"""eugene.genome: genome coordinates in, genome tracks out.

Regions of a reference genome (BED / narrowPeak + FASTA) become fixed-length one-hot windows with their coordinates;
variants of a VCF become ref / alt windows; per-base values and scored intervals go back out as bigWig and BED in
genome coordinates, and variant scores as VCF INFO fields. Reading a genome needs the ``genome`` extra (pyfaidx),
writing bigWig needs it too (pybigtools): ``pip install "eugene-interpret[genome]"``.

Examples
--------
>>> import eugene as eu
>>> import pandas as pd
>>> from pathlib import Path
>>> _ = Path("tiny.fa").write_text(">chr1\\nACGTACGTAC\\n")
>>> bed = pd.DataFrame({"chrom": ["chr1"], "start": [2], "end": [6]})
>>> regions = eu.genome.read_regions(bed, "tiny.fa", length=4)
>>> regions.X.shape, eu.seq.decode(regions.X)
((1, 4, 4), ['GTAC'])
"""

from eugene.genome._fasta import Genome
from eugene.genome.regions import Regions, iter_regions, read_bed, read_regions, regions_dataset
from eugene.genome.tracks import merge_intervals, observed_base_values, windows_to_genome, write_bed, write_bigwig
from eugene.genome.variants import VariantWindows, read_vcf, variant_intervals, variant_windows, write_vcf

__all__ = [
    "Genome",
    "Regions",
    "VariantWindows",
    "iter_regions",
    "merge_intervals",
    "observed_base_values",
    "read_bed",
    "read_regions",
    "read_vcf",
    "regions_dataset",
    "variant_intervals",
    "variant_windows",
    "windows_to_genome",
    "write_bed",
    "write_bigwig",
    "write_vcf",
]
