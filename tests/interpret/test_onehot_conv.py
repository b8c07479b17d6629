"""The table-lookup path of filter_counts (a first Conv1d on one-hot input) selects exactly the layer's sites."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_filters import _activations, _brute
from torch import nn

from eugene.interpret import _onehot_conv
from eugene.interpret._onehot_conv import OneHotConv
from eugene.interpret.filters import filter_counts


@pytest.fixture
def fast_calls(monkeypatch):
    """Record, per filter_counts call, whether the table-lookup path ran and how many sequences it handed back."""
    calls = {"used": [], "handed_back": 0}
    maxima, sites = OneHotConv.maxima, OneHotConv.sites

    def spy_maxima(self, *args, **kwargs):
        result = maxima(self, *args, **kwargs)
        calls["used"].append(result is not None)
        return result

    def spy_sites(self, *args, **kwargs):
        for batch in sites(self, *args, **kwargs):
            calls["handed_back"] += int(batch[3].sum())
            yield batch

    monkeypatch.setattr(OneHotConv, "maxima", spy_maxima)
    monkeypatch.setattr(OneHotConv, "sites", spy_sites)
    return calls


def _onehot32(n: int, a: int, length: int, seed: int, empty: float = 0.0) -> np.ndarray:
    """Random one-hot sequences; a fraction ``empty`` of columns have no letter (N as zeros)."""
    rng = np.random.default_rng(seed)
    X = np.eye(a, dtype=np.float32)[rng.integers(0, a, (n, length))].transpose(0, 2, 1).copy()
    X[:, :, rng.random(length) < empty] = 0
    return X


CONVS = {
    "k7_valid": (4, dict(kernel_size=7)),
    "k8_same": (4, dict(kernel_size=8, padding="same")),
    "k5_pad3": (4, dict(kernel_size=5, padding=3)),
    "k5_stride2": (4, dict(kernel_size=5, stride=2, padding=1)),
    "k4_dilation2_same": (4, dict(kernel_size=4, dilation=2, padding="same")),
    "k1": (4, dict(kernel_size=1)),
    "protein_k6": (20, dict(kernel_size=6, padding=2, bias=False)),
}


def _model(a: int, seed: int = 0, **conv) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv1d(a, 9, **conv), nn.ReLU(), nn.AdaptiveMaxPool1d(1), nn.Flatten(), nn.Linear(9, 1))


@pytest.mark.parametrize("case", sorted(CONVS))
@pytest.mark.parametrize("drop_edges", [False, True])
def test_table_lookup_equals_brute_force(case, drop_edges, fast_calls):
    a, conv = CONVS[case]
    model = _model(a, **conv)
    X = _onehot32(37, a, 53, seed=len(case), empty=0.05)
    window = filter_counts(model, X, batch_size=10)["window"]
    act = _activations(model, model[0], X).astype(np.float64)
    expected, sites = _brute(X.astype(np.float64), act, window.width, window.jump, window.start, drop_edges=drop_edges)
    got = filter_counts(model, X, batch_size=10, drop_edges=drop_edges)
    assert fast_calls["used"] == [True, True]
    np.testing.assert_array_equal(got["counts"].numpy(), expected)
    np.testing.assert_array_equal(got["n_sites"].numpy(), sites)
    np.testing.assert_allclose(got["max"].numpy(), act.max(axis=(0, 2)), rtol=4 * 2.0**-24)  # batch rounding


def test_sequences_handed_back_are_counted_from_the_layer(monkeypatch, fast_calls):
    """With error bounds so wide that the kernel decides nothing, every sequence goes back to the layer: same counts."""
    model = _model(4, kernel_size=9, padding=4)
    X = _onehot32(25, 4, 60, seed=3)
    act = _activations(model, model[0], X).astype(np.float64)
    expected, sites = _brute(X.astype(np.float64), act, 9, 1, -4)
    monkeypatch.setattr(_onehot_conv, "_gamma", lambda m: 10.0)
    got = filter_counts(model, X, batch_size=8)
    assert fast_calls["used"] == [True] and fast_calls["handed_back"] == len(X)
    np.testing.assert_array_equal(got["counts"].numpy(), expected)
    np.testing.assert_array_equal(got["n_sites"].numpy(), sites)


def test_values_exactly_at_the_cutoff_are_not_sites(fast_calls):
    """Integer weights make many activations equal the cutoff exactly; only those above it count, as in the rule."""
    torch.manual_seed(0)
    model = _model(4, kernel_size=4)
    with torch.no_grad():
        model[0].weight.copy_(torch.randint(-1, 3, model[0].weight.shape).float())
        model[0].bias.zero_()
    X = _onehot32(40, 4, 30, seed=4)
    act = _activations(model, model[0], X).astype(np.float64)
    ties = (act == 0.5 * act.max(axis=(0, 2), keepdims=True)).sum()
    assert ties > 0
    expected, sites = _brute(X.astype(np.float64), act, 4, 1, 0)
    got = filter_counts(model, X, batch_size=16)
    assert fast_calls["used"] == [True] and fast_calls["handed_back"] > 0
    np.testing.assert_array_equal(got["counts"].numpy(), expected)
    np.testing.assert_array_equal(got["n_sites"].numpy(), sites)


class _Unusual(nn.Module):
    """A conv that reads a new tensor (x * 1) instead of the model's input, or reads it under bfloat16 autocast."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        torch.manual_seed(2)
        self.conv, self.kind = nn.Conv1d(4, 5, 6), kind

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.kind == "input_transformed":
            return self.conv(x * 1.0).amax(dim=2)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return self.conv(x).float().amax(dim=2)


@pytest.mark.parametrize(
    "kind",
    [
        "soft_input",
        "two_letters",
        "input_transformed",
        "autocast",
        "float64_model",
        "hooked_layer",
        "basset_rule",
        "weighted",
    ],
)
def test_other_cases_take_the_general_path_and_stay_exact(kind, fast_calls):
    model, X, options = _model(4, kernel_size=6), _onehot32(20, 4, 40, seed=5), {}
    if kind == "soft_input":
        X[3, :, 7] = 0.25  # an N read as a uniform column
    elif kind == "two_letters":
        X[3, :2, 7] = 1.0
    elif kind in ("input_transformed", "autocast"):
        model = _Unusual(kind)
    elif kind == "float64_model":
        model, X = model.double(), X.astype(np.float64)
    elif kind == "hooked_layer":
        model[0].register_forward_hook(lambda m, i, o: o * 2)
    elif kind == "basset_rule":
        options = {"rule": "basset"}
    else:
        options = {"weighted": True}
    layer = model.conv if kind in ("input_transformed", "autocast") else model[0]
    act = _activations(model, layer, X).astype(np.float64)
    rule = options.get("rule", "max_fraction")
    expected, sites = _brute(
        X.astype(np.float64),
        act,
        6,
        1,
        0,
        rule=rule,
        t=0.65 if rule == "basset" else 0.5,
        **{k: v for k, v in options.items() if k == "weighted"},
    )
    got = filter_counts(model, X, layer=layer, batch_size=8, **options)
    assert True not in fast_calls["used"]
    np.testing.assert_allclose(got["counts"].numpy(), expected, rtol=1e-6)
    np.testing.assert_array_equal(got["n_sites"].numpy(), sites)


_THREADS_SCRIPT = """
import numpy as np, torch
from torch import nn
from eugene.interpret.filters import filter_counts
torch.manual_seed(0)
model = nn.Sequential(nn.Conv1d(4, 3, 5), nn.ReLU())
X = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (6, 30))].transpose(0, 2, 1).copy()
before = torch.get_num_threads()
filter_counts(model, X)
print(before, torch.get_num_threads())
"""


def test_kernels_keep_torch_thread_count():
    """The parallel kernels run on numba's OpenMP layer, which would otherwise reset torch's thread count."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", _THREADS_SCRIPT], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "1"]


@pytest.mark.parametrize("name", ["basset", "bpnet", "danq", "deepbind", "deepstarr"])
@pytest.mark.parametrize("reverse_complement", [False, True])
def test_reference_architectures_get_the_general_paths_counts(name, reverse_complement, monkeypatch, fast_calls):
    """On every bundled architecture (first conv, BatchNorm or not, float32), on one strand or both, the table
    lookups give the same counts and sites as the two forward passes, and the same maxima and cutoffs up to torch's
    own batch-dependent rounding."""
    from zoo import reference_models

    model = reference_models(seq_len=120, seed=1)[name]
    X = _onehot32(30, 4, 120, seed=6, empty=0.02)
    fast = filter_counts(model, X, batch_size=8, reverse_complement=reverse_complement)
    assert fast_calls["used"] == [True]
    monkeypatch.setattr(OneHotConv, "for_layer", classmethod(lambda cls, *args: None))
    general = filter_counts(model, X, batch_size=8, reverse_complement=reverse_complement)
    for key in ("counts", "n_sites", "dead"):
        np.testing.assert_array_equal(fast[key].numpy(), general[key].numpy(), err_msg=key)
    for key in ("max", "threshold"):  # torch rounds a sequence's output by the batch it is in (here: 1 ulp)
        np.testing.assert_allclose(fast[key].numpy(), general[key].numpy(), rtol=4 * 2.0**-24, err_msg=key)
