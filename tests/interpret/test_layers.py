"""layer_activations, filter_influence and embeddings against direct computations on small seeded models."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from zoo import INPUT_CONVERSIONS

from eugene.interpret.layers import embeddings, filter_influence, layer_activations


def _onehot(n: int, length: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.eye(4, dtype=np.float32)[rng.integers(0, 4, (n, length))].transpose(0, 2, 1).copy()


def _model(seed: int = 0) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv1d(4, 6, 5), nn.ReLU(), nn.MaxPool1d(2), nn.Flatten(), nn.Linear(6 * 8, 3)
    )  # for L=20: (20 - 4) // 2 = 8 positions


def test_layer_activations_equal_the_submodel_output():
    model, X = _model(), _onehot(11, 20, 0)
    with torch.no_grad():
        direct = model[:3](torch.as_tensor(X)).numpy()
    got = layer_activations(model, X, "2", batch_size=4)
    np.testing.assert_allclose(got, direct, rtol=1e-6)
    np.testing.assert_allclose(layer_activations(model, X, "2", reduce="max"), direct.max(-1), rtol=1e-6)
    np.testing.assert_allclose(layer_activations(model, X, "2", reduce="mean"), direct.mean(-1), rtol=1e-5)
    assert isinstance(layer_activations(model, torch.as_tensor(X), "2"), torch.Tensor)
    with pytest.raises(ValueError, match="reduce"):
        layer_activations(model, X, "2", reduce="sum")


@pytest.mark.parametrize("replace", ["mean", "zero"])
def test_filter_influence_equals_knocking_out_by_hand(replace):
    model, X = _model(1), _onehot(9, 20, 1)
    Xt = torch.as_tensor(X)
    with torch.no_grad():
        conv = model[0](Xt)
        fill = conv.mean(dim=(0, 2)) if replace == "mean" else torch.zeros(6)
        intact = model(Xt)
        expected = np.zeros((9, 6, 3), dtype=np.float32)
        for f in range(6):
            h = conv.clone()
            h[:, f] = fill[f]
            expected[:, f] = (intact - model[1:](h)).numpy()
    got = filter_influence(model, X, replace=replace, per_sequence=True, batch_size=4)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    np.testing.assert_allclose(filter_influence(model, X, replace=replace), expected.mean(0), atol=1e-5)
    one = filter_influence(model, X, target=[0, 2], replace=replace, batch_size=4)
    np.testing.assert_allclose(one, expected[..., [0, 2]].sum(-1).mean(0), atol=1e-5)
    assert all(p.requires_grad for p in model.parameters()) and not model[0]._forward_hooks


def test_filter_influence_is_positive_for_a_filter_that_supports_the_output():
    """A filter that only raises output 0 and only lowers output 1 reads positive on 0, negative on 1 (issue 15)."""
    model = nn.Sequential(nn.Conv1d(4, 2, 3), nn.ReLU(), nn.AdaptiveMaxPool1d(1), nn.Flatten(), nn.Linear(2, 2))
    with torch.no_grad():
        model[0].weight.fill_(0.0)
        model[0].weight[0, 0] = 1.0  # filter 0 counts A's (> 0 on every sequence with an A), filter 1 is always 0
        model[0].bias.fill_(0.0)
        model[4].weight.copy_(torch.tensor([[2.0, 0.0], [-3.0, 0.0]]))
        model[4].bias.fill_(0.0)
    influence = filter_influence(model, _onehot(8, 12, 5), replace="zero")
    assert influence[0, 0] > 0 and influence[0, 1] < 0
    np.testing.assert_array_equal(influence[1], 0.0)


def test_pca_embedding_matches_numpy_svd_and_is_sign_stable():
    model, X = _model(2), _onehot(40, 20, 2)
    emb = embeddings(model, X, "1", n_components=3, reduce="mean")
    feats = layer_activations(model, X, "1", reduce="mean").astype(np.float64)
    centered = feats - feats.mean(0)
    s = np.linalg.svd(centered, compute_uv=False)
    np.testing.assert_allclose(emb.explained_variance_ratio, s[:3] ** 2 / (s**2).sum(), rtol=1e-5)
    # coordinates are the projections on the principal axes: their covariance is diagonal with the variances
    cov = np.cov(emb.coords.T.astype(np.float64), bias=True)
    np.testing.assert_allclose(cov, np.diag(s[:3] ** 2 / len(X)), atol=1e-4 * s[0] ** 2 / len(X))
    again = embeddings(model, X[::-1].copy(), "1", n_components=3, reduce="mean")
    np.testing.assert_allclose(again.coords[::-1], emb.coords, atol=1e-4)


def test_umap_embedding_is_seeded():
    pytest.importorskip("umap")
    model, X = _model(3), _onehot(40, 20, 3)
    a = embeddings(model, X, "1", method="umap", seed=1, n_neighbors=5)
    b = embeddings(model, X, "1", method="umap", seed=1, n_neighbors=5)
    assert a.coords.shape == (40, 2) and a.method == "umap"
    np.testing.assert_allclose(a.coords, b.coords)


# ---- edges (issue 11): each failed on the old code ----


@pytest.mark.parametrize("convert", INPUT_CONVERSIONS)
def test_any_input_dtype_gives_the_float32_results(convert):
    model, X = _model(), _onehot(7, 20, 3)
    np.testing.assert_allclose(
        np.asarray(layer_activations(model, convert(X), "2")), layer_activations(model, X, "2"), rtol=1e-6
    )
    np.testing.assert_allclose(
        np.asarray(filter_influence(model, convert(X), target=1)), filter_influence(model, X, target=1)
    )
    np.testing.assert_allclose(embeddings(model, convert(X), "1").coords, embeddings(model, X, "1").coords, atol=1e-5)


def test_empty_input_gives_empty_activations_and_clear_errors_elsewhere():
    model, X = _model(), _onehot(3, 20, 0)[:0]
    assert layer_activations(model, X, "2").shape == (0, 6, 8)  # was a crash inside torch.cat
    assert layer_activations(model, X, "2", reduce="max").shape == (0, 6)
    assert isinstance(layer_activations(model, torch.from_numpy(X), "2"), torch.Tensor)
    with pytest.raises(ValueError, match="X must hold at least one sequence"):
        filter_influence(model, X)
    with pytest.raises(ValueError, match="X must hold at least one sequence"):
        embeddings(model, X)


def test_unchecked_flags_are_refused_by_name():
    model, X = _model(), _onehot(3, 20, 0)
    with pytest.raises(TypeError, match="per_sequence"):
        filter_influence(model, X, per_sequence="yes")
    with pytest.raises(TypeError, match="verbose"):
        layer_activations(model, X, verbose="no")


@pytest.mark.parametrize(("n", "n_components"), [(3, 4), (1, 2)])
def test_pca_refuses_more_components_than_it_can_give(n, n_components):
    # it used to return min(N, features) columns without a word when more were asked for
    model = nn.Sequential(nn.Conv1d(4, 6, 3), nn.ReLU(), nn.Flatten(), nn.Linear(6 * 8, 1))
    X = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (n, 10))].transpose(0, 2, 1)
    with pytest.raises(
        ValueError, match=f"n_components must be at most {n} for PCA of {n} sequences.*got {n_components}"
    ):
        embeddings(model, X, "1", n_components=n_components)


def test_embeddings_checks_its_seed():
    model = nn.Sequential(nn.Conv1d(4, 6, 3), nn.ReLU(), nn.Flatten(), nn.Linear(6 * 8, 1))
    with pytest.raises(ValueError, match="seed must be None or a non-negative integer; got int -1"):
        embeddings(model, np.zeros((3, 4, 10), np.float32), "1", seed=-1)
