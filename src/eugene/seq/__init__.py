"""eugene.seq: alphabets, one-hot encoding, reverse complements, k-mer preserving shuffles and sequence file readers.

Examples
--------
>>> import eugene as eu
>>> X = eu.seq.one_hot(["ACGTAC", "GGCCTA"])              # (2, 4, 6) float32, channels first
>>> refs = eu.seq.dinucleotide_shuffle(X, n=20, seed=0)   # (2, 20, 4, 6)
"""

from eugene.seq.alphabets import DNA, PROTEIN, RNA, Alphabet, get_alphabet
from eugene.seq.encode import decode, one_hot, reverse_complement, to_dna, to_rna
from eugene.seq.io import (
    ClipRecord,
    DeepBindRecord,
    Sequences,
    load_fasta,
    parse_clip_header,
    read_clip_fasta,
    read_deepbind_tsv,
    read_fasta,
    read_sequences,
)
from eugene.seq.sample import sample_onehot
from eugene.seq.shuffle import dinucleotide_shuffle, kmer_shuffle, shuffle

__all__ = [
    "DNA",
    "PROTEIN",
    "RNA",
    "Alphabet",
    "Sequences",
    "ClipRecord",
    "DeepBindRecord",
    "decode",
    "dinucleotide_shuffle",
    "get_alphabet",
    "kmer_shuffle",
    "load_fasta",
    "one_hot",
    "parse_clip_header",
    "read_clip_fasta",
    "read_deepbind_tsv",
    "read_fasta",
    "read_sequences",
    "reverse_complement",
    "sample_onehot",
    "shuffle",
    "to_dna",
    "to_rna",
]
