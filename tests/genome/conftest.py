"""Fixtures: a small synthetic genome written as FASTA."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthetic_genome import random_genome, write_fasta


@pytest.fixture
def genome_seqs() -> dict[str, str]:
    return random_genome()


@pytest.fixture
def genome_fasta(tmp_path: Path, genome_seqs: dict[str, str]) -> Path:
    folder = tmp_path / "genome"
    folder.mkdir()
    return write_fasta(folder / "genome.fa", genome_seqs)
