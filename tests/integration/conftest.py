"""Models trained once per session on the real data in ../shared/data, for every end-to-end test that needs them.

Each is a small seeded DeepBind-style CNN (16 filters) trained for 3 epochs with Adam, the same every time; a test
that needs another model trains its own. Skipped without ../shared/data (the ``shared_data`` fixture).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

import eugene as eu


def train_deepbind(X: np.ndarray, y: np.ndarray, filter_size: int, epochs: int = 3) -> torch.nn.Module:
    """A seeded 16-filter DeepBind with one output, trained on (X, y) by Adam in shuffled batches of 64."""
    torch.manual_seed(0)
    model = eu.models.build(
        "deepbind", alphabet_size=4, seq_len=X.shape[-1], n_outputs=1, n_filters=16, filter_size=filter_size
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    Xt, yt = torch.as_tensor(X), torch.as_tensor(y)
    order = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        for idx in torch.randperm(len(Xt), generator=order).split(64):
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(Xt[idx])[:, 0], yt[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model.eval()


@pytest.fixture(scope="session")
def srf_model(shared_data: Path) -> SimpleNamespace:
    """SRF ChIP-seq training peaks (label 1) against one dinucleotide shuffle of each (label 0), length 101, and a
    DeepBind (filter size 14) trained on them: ``X``, ``y``, ``model``."""
    from eugene.datasets.loaders import srf_chipseq

    X, y = srf_chipseq("train", data_dir=shared_data, shuffled_negatives=1, seed=0)
    return SimpleNamespace(X=X, y=y, model=train_deepbind(X, y, filter_size=14))


@pytest.fixture(scope="session")
def elavl1_model(shared_data: Path) -> SimpleNamespace:
    """4000 ELAVL1 PAR-CLIP training sites and 4000 negatives drawn with seed 0 (length 101), and a DeepBind (filter
    size 10) trained on them: ``X``, ``y``, ``model``."""
    from eugene.datasets.loaders import elavl1_clipseq

    X, y = elavl1_clipseq("train", data_dir=shared_data)
    rng = np.random.default_rng(0)
    keep = np.concatenate(
        [rng.choice(np.flatnonzero(y == 1), 4000, replace=False), rng.choice(np.flatnonzero(y == 0), 4000, False)]
    )
    X, y = X[keep], y[keep]
    return SimpleNamespace(X=X, y=y, model=train_deepbind(X, y, filter_size=10))
