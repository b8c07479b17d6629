"""Inputs of the CLI tests: a DeepBind zoo model's weights and a FASTA file (plain and gzip) of its sequences."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
import torch


@pytest.fixture(scope="package")
def inputs(tmp_path_factory):
    """A DeepBind zoo model's weights, a FASTA file of 10 sequences (length 30) and its gzip copy."""
    from eugene.models import build

    root = tmp_path_factory.mktemp("cli")
    torch.manual_seed(0)
    model = build("deepbind", seq_len=30, n_filters=4).eval()
    torch.save(model.state_dict(), root / "weights.pt")
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), 30)) for _ in range(10)]
    text = "".join(f">seq{i} sample\n{s[:15]}\n{s[15:]}\n" for i, s in enumerate(seqs))
    (root / "seqs.fa").write_text(text)
    with gzip.open(root / "seqs.fa.gz", "wt") as handle:
        handle.write(text)
    return {"root": root, "model": model, "seqs": seqs, "weights": str(root / "weights.pt")}
