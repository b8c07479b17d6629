"""A small synthetic genome (seeded) written as FASTA, and brute-force windows of it to test against."""

from __future__ import annotations

from pathlib import Path

import numpy as np

_COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")


def random_genome(seed: int = 0, sizes: dict[str, int] | None = None) -> dict[str, str]:
    """Chromosome name -> sequence, with a run of N and a soft-masked (lower case) stretch on the first one."""
    rng = np.random.default_rng(seed)
    sizes = sizes or {"chr1": 503, "chr2": 300, "chrM": 37}
    seqs = {name: "".join(rng.choice(list("ACGT"), size=n)) for name, n in sizes.items()}
    first = next(iter(seqs))
    s = seqs[first]
    seqs[first] = s[:40] + "N" * 7 + s[47:90] + s[90:120].lower() + s[120:]
    return seqs


def write_fasta(path: Path, seqs: dict[str, str], width: int = 60) -> Path:
    with open(path, "w") as handle:
        for name, seq in seqs.items():
            handle.write(f">{name} some description\n")
            handle.writelines(seq[i : i + width] + "\n" for i in range(0, len(seq), width))
    return path


def brute_window(seqs: dict[str, str], chrom: str, start: int, length: int) -> str:
    """The window base by base, N off the chromosome, upper case."""
    seq = seqs[chrom]
    return "".join(seq[p] if 0 <= p < len(seq) else "N" for p in range(start, start + length)).upper()


def revcomp(s: str) -> str:
    return s.translate(_COMPLEMENT)[::-1]
