"""TOMTOM's parallel numba kernel leaves torch's thread count as it found it (no global state changes)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("torch")

_SCRIPT = """
import numpy as np, torch
import eugene as eu
before = torch.get_num_threads()
motifs = eu.motifs.MotifSet.from_counts(np.random.default_rng(0).integers(1, 9, (3, 4, 8)).astype(float))
eu.motifs.tomtom(motifs, motifs)
print(before, torch.get_num_threads())
"""


def test_tomtom_keeps_torch_thread_count():
    env = {**os.environ, "OMP_NUM_THREADS": "1"}  # the case where numba's OpenMP layer used to raise it
    out = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, check=True)
    before, after = out.stdout.split()
    assert before == after == "1"
