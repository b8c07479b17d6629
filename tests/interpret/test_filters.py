"""filter_pfms / filter_counts against a brute-force per-site loop of the same rule, and the receptive fields."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from zoo import INPUT_CONVERSIONS

from eugene.interpret._receptive import receptive_field
from eugene.interpret.filters import filter_counts


def _onehot(n: int, a: int, length: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.eye(a)[rng.integers(0, a, (n, length))].transpose(0, 2, 1).astype(np.float64)


def _activations(model: nn.Module, module: nn.Module, X: np.ndarray) -> np.ndarray:
    out = []
    handle = module.register_forward_hook(
        lambda m, i, o: out.append(o.detach().to(torch.promote_types(o.dtype, torch.float32)).numpy())
    )
    with torch.no_grad():
        model(torch.as_tensor(X))
    handle.remove()
    return out[0]


def _brute(X, act, width, jump, start, rule="max_fraction", t=0.5, weighted=False, drop_edges=False, top_k=None):
    """The rule, one site at a time: every (n, p) above the filter's cutoff adds its window column by column."""
    n, a, length = X.shape
    counts = np.zeros((act.shape[1], a, width))
    n_sites = np.zeros(act.shape[1], dtype=int)
    for f in range(act.shape[1]):
        mx, mean = act[:, f].max(), act[:, f].mean()
        if mx <= 0:
            continue
        cutoff = t * mx if rule == "max_fraction" else mean + t * (mx - mean)
        sites = [(act[i, f, p], i, p) for i in range(n) for p in range(act.shape[2]) if act[i, f, p] > cutoff]
        if drop_edges:
            sites = [s for s in sites if start + s[2] * jump >= 0 and start + s[2] * jump + width <= length]
        if top_k is not None:
            sites = sorted(sites, reverse=True)[:top_k]
        for value, i, p in sites:
            n_sites[f] += 1
            for j in range(width):
                col = start + p * jump + j
                if 0 <= col < length:
                    counts[f, :, j] += X[i, :, col] * (value if weighted else 1.0)
    return counts, n_sites


def _conv(a, k, **kw):
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv1d(a, 6, k, **kw), nn.ReLU()).double()


def _deep():
    torch.manual_seed(1)
    return nn.Sequential(
        nn.Conv1d(4, 6, 5, padding=2), nn.ReLU(), nn.MaxPool1d(3), nn.Conv1d(6, 5, 3, padding=1), nn.ReLU()
    ).double()


# (model, layer index, alphabet size, expected window (width, jump, start)) worked out by hand
CASES = {
    "k7_valid": (lambda: _conv(4, 7), 0, 4, (7, 1, 0)),
    "k7_same": (lambda: _conv(4, 7, padding="same"), 0, 4, (7, 1, -3)),
    "k8_same": (lambda: _conv(4, 8, padding="same"), 0, 4, (8, 1, -3)),
    "k5_pad3": (lambda: _conv(4, 5, padding=3), 0, 4, (5, 1, -3)),
    "k5_stride2": (lambda: _conv(4, 5, stride=2, padding=1), 0, 4, (5, 2, -1)),
    "k4_dilation2_same": (lambda: _conv(4, 4, dilation=2, padding="same"), 0, 4, (7, 1, -3)),
    "protein_k6": (lambda: _conv(20, 6, padding=2), 0, 20, (6, 1, -2)),
    "deeper_layer": (_deep, 3, 4, (13, 3, -5)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_receptive_field_matches_hand_arithmetic(case):
    build, index, a, expected = CASES[case]
    model = build()
    with torch.no_grad():
        window = receptive_field(model, model[index], torch.zeros(1, a, 40, dtype=torch.float64))
    assert (window.width, window.jump, window.start) == expected


def test_receptive_field_matches_jacobian_support():
    """An all-linear stack (avg pooling): output position p depends exactly on columns within its window."""
    torch.manual_seed(3)
    model = nn.Sequential(
        nn.Conv1d(4, 3, 4, padding=2, dilation=2), nn.AvgPool1d(2), nn.Conv1d(3, 2, 3, stride=2, padding=1)
    ).double()
    x = torch.randn(1, 4, 30, dtype=torch.float64)
    with torch.no_grad():
        window = receptive_field(model, model[2], x)
    jac = torch.autograd.functional.jacobian(lambda z: model(z)[0, 0], x)[:, 0].abs().sum(1)  # (P, L)
    for p in range(jac.shape[0]):
        touched = jac[p].nonzero().flatten()
        first = window.start + p * window.jump
        assert touched.min() >= first and touched.max() <= first + window.width - 1
        inside = [c for c in (first, first + window.width - 1) if 0 <= c < 30]
        assert all(jac[p, c] > 0 for c in inside)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("rule", ["max_fraction", "basset"])
def test_counts_equal_brute_force(case, rule):
    build, index, a, (width, jump, start) = CASES[case]
    model = build()
    X = _onehot(23, a, 41, seed=len(case))
    act = _activations(model, model[index], X)
    expected, sites = _brute(X, act, width, jump, start, rule=rule, t=0.5 if rule == "max_fraction" else 0.65)
    got = filter_counts(model, X, layer=str(index), rule=rule, batch_size=7)
    np.testing.assert_allclose(got["counts"].numpy(), expected, atol=1e-9)
    np.testing.assert_array_equal(got["n_sites"].numpy(), sites)
    assert got["counts"].shape == (act.shape[1], a, width)


@pytest.mark.parametrize("case", ["k7_same", "k5_stride2", "deeper_layer"])
@pytest.mark.parametrize(
    "options",
    [
        {"weighted": True},
        {"drop_edges": True},
        {"top_k": 5},
        {"top_k": 4, "weighted": True, "threshold": 0.0},
        {"threshold": 0.0},  # dense sites: the matmul path
        {"threshold": 0.9},
    ],
)
def test_options_equal_brute_force(case, options):
    build, index, a, (width, jump, start) = CASES[case]
    model = build()
    X = _onehot(19, a, 37, seed=5)
    act = _activations(model, model[index], X)
    brute_kw = {k: v for k, v in options.items() if k != "threshold"}
    expected, sites = _brute(X, act, width, jump, start, t=options.get("threshold", 0.5), **brute_kw)
    got = filter_counts(model, X, layer=str(index), batch_size=6, **options)
    np.testing.assert_allclose(got["counts"].numpy(), expected, atol=1e-9)
    np.testing.assert_array_equal(got["n_sites"].numpy(), sites)


def test_reverse_complement_pools_both_strands():
    model = _conv(4, 6, padding=1)
    X = _onehot(15, 4, 30, seed=8)
    both = np.concatenate([X, X[:, ::-1, ::-1]])  # ACGT: complement is the reversed channel order
    act = _activations(model, model[0], both)
    expected, sites = _brute(both, act, 6, 1, -1)
    got = filter_counts(model, X, reverse_complement=True, batch_size=4)
    np.testing.assert_allclose(got["counts"].numpy(), expected, atol=1e-9)
    np.testing.assert_array_equal(got["n_sites"].numpy(), sites)


def test_dead_filter_gets_no_sites_and_no_division():
    model = _conv(4, 5)
    with torch.no_grad():
        model[0].bias[2] = -100.0
    X = _onehot(10, 4, 30, seed=2)
    got = filter_counts(model, X, layer="0")
    assert got["dead"].tolist() == [f == 2 for f in range(6)]
    assert got["n_sites"][2] == 0 and np.all(got["counts"][2].numpy() == 0)
    assert np.isfinite(got["counts"].numpy()).all()


class _Functional(nn.Module):
    """Conv -> BatchNorm -> functional ReLU -> functional global max pool -> linear."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv1d(4, 6, 5, padding="same")
        self.bn = nn.BatchNorm1d(6)
        self.fc = nn.Linear(6, 2)

    def forward(self, x):
        h = F.relu(self.bn(self.conv(x)))
        return self.fc(F.max_pool1d(h, h.shape[-1]).flatten(1))


@pytest.mark.parametrize("layer", ["conv", "bn", None])
def test_functional_activation_and_batchnorm(layer):
    torch.manual_seed(4)
    model = _Functional().double()
    with torch.no_grad():
        model.bn.running_mean.uniform_(-1, 1)
        model.bn.running_var.uniform_(0.5, 2)
    model.train()
    X = _onehot(12, 4, 33, seed=4)
    module = model.conv if layer in ("conv", None) else model.bn
    model.eval()
    act = _activations(model, module, X)
    model.train()
    expected, sites = _brute(X, act, 5, 1, -2)
    got = filter_counts(model, X, layer=layer, batch_size=5)
    np.testing.assert_allclose(got["counts"].numpy(), expected, atol=1e-9)
    assert model.training and all(m.training for m in model.modules())  # state restored


def test_first_conv_inside_nested_sequential_is_the_default():
    torch.manual_seed(6)
    model = nn.Sequential(nn.Sequential(nn.Conv1d(4, 3, 5), nn.ReLU()), nn.Flatten(), nn.LazyLinear(1)).double()
    X = _onehot(8, 4, 20, seed=6)
    model(torch.as_tensor(X))
    got = filter_counts(model, X)
    assert got["layer"] == "0.0"
    act = _activations(model, model[0][0], X)
    np.testing.assert_allclose(got["counts"].numpy(), _brute(X, act, 5, 1, 0)[0], atol=1e-9)


def test_functional_pooling_before_a_deeper_layer_raises():
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.c1, self.c2 = nn.Conv1d(4, 3, 3), nn.Conv1d(3, 2, 3)

        def forward(self, x):
            return self.c2(F.max_pool1d(self.c1(x), 2))

    with pytest.raises(ValueError, match="functional"):
        filter_counts(Net(), _onehot(4, 4, 20, seed=0).astype(np.float32), layer="c2")


def test_numpy_and_torch_input_agree_and_bad_arguments_are_named():
    model = _conv(4, 5).float()
    X = _onehot(6, 4, 25, seed=1).astype(np.float32)
    a = filter_counts(model, X)["counts"]
    b = filter_counts(model, torch.as_tensor(X))["counts"]
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(ValueError, match="threshold"):
        filter_counts(model, X, threshold=1.5)
    with pytest.raises(ValueError, match="rule"):
        filter_counts(model, X, rule="mean")
    with pytest.raises(ValueError, match="transpose"):
        filter_counts(model, X.transpose(0, 2, 1))


def test_filter_pfms_returns_a_motifset_of_the_raw_counts(tmp_path):
    import eugene as eu
    from eugene.interpret import filter_pfms

    model = _conv(4, 5).float()
    with torch.no_grad():
        model[0].bias[1] = -100.0
    X = _onehot(12, 4, 30, seed=3).astype(np.float32)
    core = filter_counts(model, X)
    with pytest.warns(UserWarning, match="filter 1"):
        motifs = filter_pfms(model, X)
    assert motifs.names == [f"filter_{f}" for f in range(6)]
    np.testing.assert_array_equal(motifs.counts[[0, 2, 3, 4, 5]], core["counts"].numpy()[[0, 2, 3, 4, 5]])
    np.testing.assert_array_equal(motifs.n_sites, core["n_sites"].numpy())
    fewest = int(core["n_sites"][core["n_sites"] > 0].min())
    with pytest.warns(UserWarning):
        kept = filter_pfms(model, X, min_sites=fewest + 1)
    assert "filter_1" not in kept.names and len(kept) < 5
    eu.motifs.write_meme(kept, tmp_path / "filters.meme")
    assert len(eu.motifs.read_meme(tmp_path / "filters.meme")) == len(kept)


# ---- edges (issue 11): each failed on the old code ----


@pytest.mark.parametrize("convert", INPUT_CONVERSIONS)
def test_any_input_dtype_gives_the_float32_counts(convert):
    model = _conv(4, 5).float()
    X = _onehot(6, 4, 25, seed=1).astype(np.float32)
    expected = filter_counts(model, X)
    got = filter_counts(model, convert(X))
    np.testing.assert_array_equal(got["counts"].numpy(), expected["counts"].numpy())
    np.testing.assert_array_equal(got["n_sites"].numpy(), expected["n_sites"].numpy())


def test_empty_input_and_unchecked_flags_are_refused_by_name():
    model = _conv(4, 5).float()
    X = _onehot(6, 4, 25, seed=1).astype(np.float32)
    with pytest.raises(ValueError, match="X must hold at least one sequence"):  # was a crash on len(None)
        filter_counts(model, X[:0])
    for flag in ("weighted", "drop_edges", "reverse_complement", "verbose"):
        with pytest.raises(TypeError, match=flag):  # a string such as "no" was taken as True
            filter_counts(model, X, **{flag: "no"})
    with pytest.raises(ValueError, match=r"threshold must be a fraction in \[0, 1\]"):
        filter_counts(model, X, threshold=float("nan"))
    with pytest.raises(ValueError, match="alphabet must have 4 letters"):
        filter_counts(model, X, alphabet="protein")
