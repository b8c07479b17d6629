"""DeepLIFT / DeepLiftShap: summation-to-delta on every zoo model, rule equivalences, flagged ops, peers."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from zoo import EXACT, FLAGGED, MODULE_ONLY, TWO_HEADED, make, random_onehot, reference_models

from eugene.interpret import attribute
from eugene.interpret.deeplift import DeepLiftWarning

N, L, R = 4, 40, 3


def _target(name: str):
    if name in TWO_HEADED or name == "bpnet":
        return lambda out: out[1][:, 0]
    return 0


def _f(model: nn.Module, X: torch.Tensor, target) -> torch.Tensor:
    """The target computed directly with the model, independently of the code under test."""
    with torch.no_grad():
        out = model(X)
    return target(out) if callable(target) else out[:, target]


def _relative(got: torch.Tensor, fx: torch.Tensor, fr: torch.Tensor) -> float:
    scale = torch.maximum((fx - fr).abs(), 0.01 * torch.maximum(fx.abs(), fr.abs()))
    return float(((got - (fx - fr)).abs() / scale).max())


CASES = sorted(EXACT) + ["ref:basset", "ref:deepbind", "ref:deepstarr", "ref:bpnet", "ref:danq"]


def _build(case: str, dtype: torch.dtype):
    if case.startswith("ref:"):
        models = reference_models(seq_len=100)
        name = case[4:]
        if name not in models:
            pytest.skip(f"eugene.models has no {name!r} yet")
        return models[name].to(dtype), 100, name
    return make(case, seq_len=L).to(dtype), L, case


@pytest.mark.parametrize("dtype,tol", [(torch.float32, 1e-4), (torch.float64, 1e-9)])
@pytest.mark.parametrize("case", CASES)
def test_deeplift_sums_to_delta(case, dtype, tol):
    model, length, name = _build(case, dtype)
    X = random_onehot(N, seq_len=length, seed=1).to(dtype)
    ref = random_onehot(N, seq_len=length, seed=2).to(dtype)
    target = _target(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeepLiftWarning)
        attr = attribute(model, X, "deeplift", target=target, references=ref, verbose=False)
    fx, fr = _f(model, X, target), _f(model, ref, target)
    assert _relative(attr.sum(dim=(1, 2)), fx, fr) <= tol


@pytest.mark.parametrize("dtype,tol", [(torch.float32, 1e-4), (torch.float64, 1e-9)])
@pytest.mark.parametrize("case", CASES)
def test_deeplift_shap_each_reference_sums_to_delta(case, dtype, tol):
    model, length, name = _build(case, dtype)
    X = random_onehot(N, seq_len=length, seed=3).to(dtype)
    refs = torch.stack([random_onehot(N, seq_len=length, seed=10 + j) for j in range(R)], dim=1).to(dtype)
    target = _target(name)
    attr, delta = attribute(
        model, X, "deeplift_shap", target=target, references=refs, return_delta=True, batch_size=5, verbose=False
    )
    fx = _f(model, X, target)
    fr = torch.stack([_f(model, refs[:, j], target) for j in range(R)], dim=1)
    assert delta.shape == (N, R)
    # the mean attribution sums to f(x) minus the mean reference prediction, and each pair's delta is ~0
    assert _relative(attr.sum(dim=(1, 2)), fx, fr.mean(dim=1)) <= tol
    scale = torch.maximum((fx[:, None] - fr).abs(), 0.01 * fx[:, None].abs())
    assert float((delta.abs() / scale).max()) <= tol


def test_compact_pass_matches_one_reference_at_a_time():
    """DeepLiftShap over R references equals the mean of R single-reference DeepLIFT runs."""
    model = make("softmax_attention").double()
    X = random_onehot(N, seed=4).double()
    refs = torch.stack([random_onehot(N, seed=20 + j) for j in range(R)], dim=1).double()
    together = attribute(model, X, "deeplift_shap", references=refs, verbose=False)
    apart = torch.stack([attribute(model, X, "deeplift", references=refs[:, j], verbose=False) for j in range(R)])
    torch.testing.assert_close(together, apart.mean(dim=0), rtol=1e-9, atol=1e-12)


class _Folded(nn.Module):
    """Folds the batch axis inside the length axis, so input-side values cannot be broadcast by batch."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv1d(4, 6, 5, padding=2)
        self.fc = nn.Linear(6, 1)

    def forward(self, x):
        h = self.conv(x).permute(1, 0, 2).reshape(6, -1)  # (C, L * N) with N inner
        h = torch.sigmoid(h).reshape(6, x.shape[0], -1).permute(1, 0, 2)
        return self.fc(h.mean(-1))


def test_model_folding_the_batch_axis_is_still_exact():
    model = _Folded().double().eval()
    X = random_onehot(N, seed=5).double()
    refs = torch.stack([random_onehot(N, seed=30 + j) for j in range(R)], dim=1).double()
    _, delta = attribute(model, X, "deeplift_shap", references=refs, return_delta=True, verbose=False)
    assert float(delta.abs().max()) < 1e-9


class _Activation(nn.Module):
    def __init__(self, style: str, reuse: bool) -> None:
        super().__init__()
        self.style = style
        self.convs = nn.ModuleList([nn.Conv1d(4, 6, 5, padding=2), nn.Conv1d(6, 6, 3, padding=1)])
        self.fc = nn.Linear(6 * L, 1)
        shared = nn.ReLU()
        self.acts = nn.ModuleList([shared, shared, shared] if reuse else [nn.ReLU(), nn.ReLU(), nn.ReLU()])

    def act(self, i: int, h: torch.Tensor) -> torch.Tensor:
        if self.style == "module":
            return self.acts[i](h)
        if self.style == "functional":
            return F.relu(h)
        if self.style == "method":
            return h.relu()
        return h.relu_()

    def forward(self, x):
        h = self.act(0, self.convs[0](x))
        h = self.act(1, self.convs[1](h))
        return self.fc(self.act(2, h.flatten(1)).flatten(1))


def test_module_functional_method_inplace_and_reused_agree():
    """The same network written five ways gives the same attributions (per call, not per module)."""
    base = _Activation("module", reuse=False)
    torch.nn.init.normal_(base.convs[0].weight)
    X = random_onehot(N, seed=6)
    refs = torch.stack([random_onehot(N, seed=40 + j) for j in range(R)], dim=1)
    expected = attribute(base.eval(), X, "deeplift_shap", references=refs, verbose=False)
    for style, reuse in [("module", True), ("functional", False), ("method", False), ("inplace", False)]:
        variant = _Activation(style, reuse)
        variant.load_state_dict(base.state_dict())
        got = attribute(variant.eval(), X, "deeplift_shap", references=refs, verbose=False)
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)


def test_max_pool_rule_is_exact_with_ties():
    """Identical windows in input and reference (ties, zero Δ at the argmax) keep summation-to-delta exact."""
    model = make("pooling").double()
    X = random_onehot(N, seed=7).double()
    ref = X.clone()
    ref[:, :, 20:] = random_onehot(N, seed=8)[:, :, 20:].double()  # half of each sequence unchanged
    attr = attribute(model, X, "deeplift", references=ref, verbose=False)
    assert _relative(attr.sum(dim=(1, 2)), _f(model, X, 0), _f(model, ref, 0)) < 1e-9


@pytest.mark.parametrize("name", sorted(FLAGGED))
def test_operation_without_rule_is_named(name):
    model = make(name)
    X = random_onehot(N, seed=9)
    with pytest.warns(DeepLiftWarning, match="sort"):
        attribute(model, X, "deeplift_shap", n_references=2, seed=0, verbose=False)


def test_training_mode_dropout_is_flagged():
    class Drop(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv1d(4, 4, 3)
            self.fc = nn.LazyLinear(1)

        def forward(self, x):
            return self.fc(F.dropout(F.relu(self.conv(x)), 0.5).flatten(1))  # training=True by default

    model = Drop()
    model(random_onehot(1))
    with pytest.warns(DeepLiftWarning, match="dropout"):
        attribute(model, random_onehot(N), "deeplift", verbose=False)


def test_model_is_left_as_it_came():
    model = make("batchnorm_eval").train()
    frozen = model.body[0].weight.requires_grad_(False)
    before = copy.deepcopy(model.state_dict())
    attribute(model, random_onehot(N), "deeplift_shap", n_references=2, seed=0, verbose=False)
    assert model.training and all(m.training for m in model.modules())
    assert not frozen.requires_grad and model.body[3].weight.requires_grad
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, before[key])


@pytest.mark.parametrize("name", sorted(MODULE_ONLY))
def test_agrees_with_tangermeme_on_module_only_models(name):
    tangermeme = pytest.importorskip("tangermeme.deep_lift_shap", reason="tangermeme (bench extra) not installed")
    model = make(name).double()
    X = random_onehot(N, seed=11).double()
    refs = torch.stack([random_onehot(N, seed=50 + j) for j in range(R)], dim=1).double()
    ours = attribute(model, X, "deeplift_shap", references=refs, verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = tangermeme.deep_lift_shap(model, X, references=refs, target=0, batch_size=8, verbose=False)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-5 * float(theirs.abs().max()))


def test_pair_multipliers_returns_what_it_flagged():
    from eugene.interpret._engine import model_state, resolve_target
    from eugene.interpret.deeplift import pair_multipliers

    X = random_onehot(2, seed=12)
    refs = torch.stack([random_onehot(2, seed=60 + j) for j in range(R)], dim=1)
    with model_state(make(sorted(FLAGGED)[0])) as flagged_model:
        *_, flagged = pair_multipliers(flagged_model, resolve_target(0), X, refs)
    assert any("sort" in name for name in flagged) and isinstance(flagged, frozenset)
    with model_state(make("gated")) as exact_model:
        multipliers, fx, fr, flagged = pair_multipliers(exact_model, resolve_target(0), X, refs)
    assert flagged == frozenset() and multipliers.shape == refs.shape and fx.shape == (2,) and fr.shape == (2, R)
