"""The bundled demo model: it loads safely, is small, and reproduces its card's held-out AUROC on the bundled set."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
import torch

import eugene as eu
from eugene.models.demo import CARD_FILE, SEQUENCES_FILE, WEIGHTS_FILE, demo_model_card


@pytest.fixture(scope="module")
def model() -> torch.nn.Module:
    return eu.models.load_demo_model()


@pytest.fixture(scope="module")
def data() -> eu.datasets.PlantedMotifs:
    return eu.models.demo_sequences()


def _pairwise_auroc(scores: np.ndarray, labels: np.ndarray) -> float:
    pos, neg = scores[labels], scores[~labels]
    return float(((pos[:, None] > neg[None]).sum() + 0.5 * (pos[:, None] == neg[None]).sum()) / (len(pos) * len(neg)))


def test_bundled_files_are_small_and_the_weights_load_without_pickle():
    folder = resources.files("eugene.models").joinpath("data")
    sizes = {name: len(folder.joinpath(name).read_bytes()) for name in (WEIGHTS_FILE, SEQUENCES_FILE, CARD_FILE)}
    assert sum(sizes.values()) < 2_000_000, sizes
    state = torch.load(folder.joinpath(WEIGHTS_FILE), weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in state.values())


def test_model_is_the_card_architecture_in_eval_mode(model, data):
    card = demo_model_card()
    assert not model.training
    assert isinstance(model, eu.models.Basset)
    assert model.conv1.kernel_size == (19,) and model.conv1.out_channels == 32
    assert model.task_names == card["tasks"] == data.motif_names
    assert list(model.planted_motifs) == list(data.motifs)
    with torch.no_grad():
        out = model(torch.from_numpy(data.X[:8]))
    assert out.shape == (8, 12)
    again = eu.models.load_demo_model()
    with torch.no_grad():
        assert torch.equal(again(torch.from_numpy(data.X[:8])), out)


def test_reproduces_the_held_out_auroc_in_the_card(model, data):
    card = demo_model_card()
    assert card["held_out"]["n"] == len(data) == 500
    with torch.no_grad():
        scores = model(torch.from_numpy(data.X)).numpy()
    labels = data.y.astype(bool)
    measured = [_pairwise_auroc(scores[:, k], labels[:, k]) for k in range(12)]
    recorded = [card["held_out"]["auroc"][name] for name in data.motif_names]
    np.testing.assert_allclose(measured, recorded, atol=2e-3)
    assert np.mean(measured) == pytest.approx(card["held_out"]["mean_auroc"], abs=2e-3)
    assert np.mean(measured) > 0.8  # far above chance on every run of the script


def test_bundled_sequences_are_the_generator_output_for_the_card_seed(data):
    spec = demo_model_card()["data"]["test"]
    fresh = eu.datasets.planted_motifs(n=spec["n"], length=spec["length"], seed=spec["seed"])
    assert np.array_equal(fresh.X, data.X)
    assert np.array_equal(fresh.y, data.y)
    assert np.array_equal(fresh.mask, data.mask)
    assert fresh.sites.equals(data.sites)
    assert data.X.dtype == np.float32 and data.X.shape == (500, 4, 200)
