"""A tiny model given the way users give theirs (a factory module + a weights file), a FASTA file and a motif file."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

FACTORY_MODULE = "eugene_report_tiny_factory"
FACTORY_SOURCE = textwrap.dedent(
    """
    from torch import nn


    def tiny(n_filters=6, n_outputs=2):
        return nn.Sequential(
            nn.Conv1d(4, n_filters, 7), nn.ReLU(), nn.AdaptiveMaxPool1d(1), nn.Flatten(),
            nn.Linear(n_filters, n_outputs),
        )
    """
)


@pytest.fixture(scope="session")
def tiny_inputs(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """Paths of the factory's directory, its weights, a FASTA file of 16 sequences (length 40) and a MEME file."""
    from eugene.motifs import MotifSet, write_meme

    root = tmp_path_factory.mktemp("tiny")
    (root / f"{FACTORY_MODULE}.py").write_text(FACTORY_SOURCE)
    sys.path.insert(0, str(root))
    try:
        module = __import__(FACTORY_MODULE)
        torch.manual_seed(0)
        model = module.tiny()
        torch.save(model.state_dict(), root / "weights.pt")
        rng = np.random.default_rng(0)
        fasta = root / "seqs.fa"
        fasta.write_text("".join(f">s{i}\n{''.join(rng.choice(list('ACGT'), 40))}\n" for i in range(16)))
        counts = rng.integers(0, 20, size=(60, 4, 8)).astype(float) ** 2  # 60: TOMTOM wants >= 50 targets
        motifs = MotifSet.from_counts(counts + 1, names=[f"m{i}" for i in range(len(counts))])
        write_meme(motifs, root / "db.meme")
        yield SimpleNamespace(
            root=root,
            factory=f"{FACTORY_MODULE}:tiny",
            weights=root / "weights.pt",
            fasta=fasta,
            db=root / "db.meme",
            model=model.eval(),
        )
    finally:
        sys.path.remove(str(root))
        sys.modules.pop(FACTORY_MODULE, None)


@pytest.fixture(scope="session")
def report_argv(tiny_inputs: SimpleNamespace):
    """``report_argv(out, *extra)``: ``eugene report`` arguments for the tiny inputs, quiet, two sequences shown."""
    return lambda out, *extra: _report_argv(tiny_inputs, out, *extra)


def _report_argv(inputs: SimpleNamespace, out: Path, *extra: str) -> list[str]:
    return [
        "report",
        "--model",
        inputs.factory,
        "--weights",
        str(inputs.weights),
        "--model-arg",
        "n_outputs=2",
        "--sequences",
        str(inputs.fasta),
        "--db",
        str(inputs.db),
        "--n-top",
        "2",
        "--target",
        "1",
        "--quiet",
        "--out",
        str(out),
        *extra,
    ]


@pytest.fixture(scope="session")
def built(report_argv, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory of one ``eugene report`` of the tiny inputs, built once and read by several test files."""
    from eugene.cli import main

    out = tmp_path_factory.mktemp("report")
    assert main(report_argv(out)) == 0
    return out
