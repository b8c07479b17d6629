"""DeepLIFT's rules against the field's: tangermeme's deep_lift_shap on module-only models (its rules are per module),
a brute-force cross max for the spellings tangermeme cannot see, and summation-to-delta in float64 throughout."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from zoo import random_onehot, randomize

from eugene.interpret import attribute
from eugene.interpret.deeplift import DeepLiftWarning

N, L, R = 3, 48, 3
CONV_OUT = L - 4  # length after the first convolution (kernel 5, no padding)


def _data(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Sequences (N, A, L) and references (N, R, A, L) that share the first third of each sequence with it, so some
    windows are identical on both sides (ties and Δ = 0 at the arg-max)."""
    X = random_onehot(N, seq_len=L, seed=seed).double()
    refs = torch.stack([random_onehot(N, seq_len=L, seed=seed + 1 + j) for j in range(R)], dim=1).double()
    refs[..., : L // 3] = X[:, None, :, : L // 3]
    return X, refs


def _f(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return model(X)[:, 0]


def _ours(model: nn.Module, X: torch.Tensor, refs: torch.Tensor) -> torch.Tensor:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeepLiftWarning)
        attr = attribute(model, X, "deeplift_shap", references=refs, target=0, verbose=False)
    delta = _f(model, X)[:, None] - _f(model, refs.flatten(0, 1)).view(N, R)
    scale = float(delta.abs().max())
    assert float((attr.sum(dim=(1, 2)) - delta.mean(dim=1)).abs().max()) <= 1e-9 * scale, "summation-to-delta"
    return attr


def _tangermeme(model: nn.Module, X: torch.Tensor, refs: torch.Tensor) -> torch.Tensor:
    tangermeme = pytest.importorskip("tangermeme.deep_lift_shap", reason="tangermeme (bench extra) not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tangermeme.deep_lift_shap(model, X, references=refs, target=0, batch_size=8, verbose=False)


def _assert_same(ours: torch.Tensor, theirs: torch.Tensor, rtol: float = 1e-5) -> None:
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=0, atol=rtol * float(theirs.abs().max()))


def _built(model: nn.Module, seed: int = 0) -> nn.Module:
    model(torch.zeros(1, 4, L))  # materialise lazy layers
    return randomize(model, seed).double().eval()


class _Lambda(nn.Module):
    """A function as a module (a module given as the function stays a submodule, so hooks still see it)."""

    def __init__(self, fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x)


def _pooled(pool: nn.Module, seed: int = 0) -> nn.Module:
    return _built(
        nn.Sequential(
            nn.Conv1d(4, 6, 5),
            nn.ReLU(),
            pool,
            nn.Conv1d(6, 6, 3, padding=1),
            nn.ReLU(),
            nn.Flatten(),
            nn.LazyLinear(2),
        ),
        seed,
    )


def _integer_weights(model: nn.Module) -> nn.Module:
    """First convolution with small integer weights and no bias: its outputs tie exactly inside windows."""
    conv = model[0]
    generator = torch.Generator().manual_seed(3)
    with torch.no_grad():
        conv.weight.copy_(torch.randint(-1, 2, conv.weight.shape, generator=generator).double())
        conv.bias.zero_()
    return model


MAX_POOLS = {
    "window = stride": lambda: _pooled(nn.MaxPool1d(3)),
    "overlapping": lambda: _pooled(nn.MaxPool1d(4, 2)),
    "padding": lambda: _pooled(nn.MaxPool1d(3, 2, padding=1)),
    "dilated": lambda: _pooled(nn.MaxPool1d(3, 1, dilation=2)),
    "ceil_mode": lambda: _pooled(nn.MaxPool1d(3, 2, padding=1, dilation=2, ceil_mode=True)),
    "global": lambda: _pooled(nn.MaxPool1d(CONV_OUT)),
    "ties": lambda: _integer_weights(_pooled(nn.MaxPool1d(4, 2))),
    "2d": lambda: _built(
        nn.Sequential(
            nn.Unflatten(1, (1, 4)),
            nn.Conv2d(1, 6, (2, 5)),
            nn.ReLU(),
            nn.MaxPool2d((2, 3), stride=(1, 2), padding=(1, 1), dilation=(1, 2)),
            nn.Flatten(),
            nn.LazyLinear(2),
        )
    ),
}


SPELLINGS = {  # spelling -> (function, its nn.MaxPool1d twin)
    "F.max_pool1d": (lambda h: F.max_pool1d(h, 4, 2), nn.MaxPool1d(4, 2)),
    "F.max_pool1d return_indices": (lambda h: F.max_pool1d(h, 4, 2, return_indices=True)[0], nn.MaxPool1d(4, 2)),
    "nn.MaxPool1d return_indices": (lambda h: nn.MaxPool1d(4, 2, return_indices=True)(h)[0], nn.MaxPool1d(4, 2)),
    "F.max_pool2d": (lambda h: F.max_pool2d(h[:, :, None], (1, 4), (1, 2))[:, :, 0], nn.MaxPool1d(4, 2)),
    "adaptive_max_pool1d": (lambda h: F.adaptive_max_pool1d(h, CONV_OUT // 4), nn.MaxPool1d(4)),
    "AdaptiveMaxPool1d(1)": (nn.AdaptiveMaxPool1d(1), nn.MaxPool1d(CONV_OUT)),
    "amax": (lambda h: h.amax(dim=-1, keepdim=True), nn.MaxPool1d(CONV_OUT)),
    "Tensor.max(dim)": (lambda h: h.max(dim=-1).values[..., None], nn.MaxPool1d(CONV_OUT)),
    "torch.max(x, dim)": (lambda h: torch.max(h, -1, keepdim=True)[0], nn.MaxPool1d(CONV_OUT)),
    "-amin(-x)": (lambda h: -torch.amin(-h, dim=-1, keepdim=True), nn.MaxPool1d(CONV_OUT)),
}


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_every_max_pool_spelling_equals_tangermeme_on_the_module(spelling):
    """tangermeme hooks only nn.MaxPool1d/2d; written any other way, the pooling must still get the same rule."""
    pool, twin = SPELLINGS[spelling]
    model = _pooled(_Lambda(pool))
    module_model = _pooled(_Lambda(twin))
    X, refs = _data(seed=2)
    _assert_same(_ours(model, X, refs), _tangermeme(module_model, X, refs))


def test_max_dim_returns_the_reference_side_indices():
    """Under DeepLIFT the model runs on the references; Tensor.max(dim) must return their arg-max."""
    seen = []

    def pool(h: torch.Tensor) -> torch.Tensor:
        result = h.max(dim=-1, keepdim=True)
        seen.append((h.argmax(dim=-1, keepdim=True), result.indices))
        return result.values

    model = _pooled(_Lambda(pool))
    X, refs = _data(seed=3)
    seen.clear()
    _ours(model, X, refs)
    assert seen
    for expected, indices in seen:
        torch.testing.assert_close(indices, expected, rtol=0, atol=0)


def _cross_max(u_x: np.ndarray, u_r: np.ndarray, windows: list[np.ndarray], upstream: np.ndarray) -> np.ndarray:
    """Multipliers of the cross-max rule, written out window by window (Shrikumar et al. 2017; Captum's maxpool)."""
    routed, gradient = np.zeros_like(u_x), np.zeros_like(u_x)
    for window, g in zip(windows, upstream):
        jx, jr = window[np.argmax(u_x[window])], window[np.argmax(u_r[window])]
        y_x, y_r = u_x[jx], u_r[jr]
        top = max(y_x, y_r)
        routed[jx] += g * (top - y_r)
        routed[jr] += g * (y_x - top)
        gradient[jx] += g
    delta = u_x - u_r
    return np.where(delta == 0, gradient, routed / np.where(delta == 0, 1, delta))


def _brute_deeplift(layers: nn.Module, multipliers: Callable, X: torch.Tensor, ref: torch.Tensor) -> torch.Tensor:
    """DeepLIFT of ``fc(pool(layers(x)))`` with ``layers`` linear: multipliers of the pool, back through the layers."""
    with torch.no_grad():
        h_x, h_r = layers(X), layers(ref)
    m = torch.as_tensor(multipliers(h_x.numpy(), h_r.numpy()))
    inputs = ref.clone().requires_grad_(True)
    (m_in,) = torch.autograd.grad(layers(inputs), inputs, grad_outputs=m)
    return X * (m_in * (X - ref)).sum(dim=1, keepdim=True)


@pytest.mark.parametrize("out", [7, 13, 1])
def test_adaptive_max_pool_with_uneven_windows_is_the_cross_max(out):
    """Adaptive windows of unequal, overlapping sizes (length not a multiple of the output): tangermeme has no rule
    for them (it uses the gradient, which is not exact); ours is the cross max, checked window by window."""
    conv, fc = nn.Conv1d(4, 3, 5), nn.Linear(3 * out, 1)
    model = _built(nn.Sequential(conv, nn.AdaptiveMaxPool1d(out), nn.Flatten(), fc))
    _integer_weights(model)
    X, refs = _data(seed=4)
    ref = refs[:, 0]
    w = fc.weight.detach().view(3, out).numpy()
    windows = [np.arange(i * CONV_OUT // out, -(-(i + 1) * CONV_OUT // out)) for i in range(out)]

    def multipliers(h_x: np.ndarray, h_r: np.ndarray) -> np.ndarray:
        m = np.zeros_like(h_x)
        for n in range(h_x.shape[0]):
            for c in range(h_x.shape[1]):
                m[n, c] = _cross_max(h_x[n, c], h_r[n, c], windows, w[c])
        return m

    got = attribute(model, X, "deeplift", references=ref, target=0, verbose=False)
    torch.testing.assert_close(got, _brute_deeplift(conv, multipliers, X, ref), rtol=1e-9, atol=1e-12)


class _Maximum(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a, self.b = nn.Conv1d(4, 3, 5), nn.Conv1d(4, 3, 5)
        self.fc = nn.Linear(3 * CONV_OUT, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.maximum(self.a(x), self.b(x)).flatten(1))


def test_elementwise_maximum_is_the_cross_max_of_its_two_operands():
    model = _built(_Maximum())
    X, refs = _data(seed=5)
    ref = refs[:, 0]
    w = model.fc.weight.detach().view(3, CONV_OUT).numpy()
    pair = [np.array([0, 1])]

    def multipliers(h_x: np.ndarray, h_r: np.ndarray) -> np.ndarray:  # h: (N, 2, 3, L') stacked a, b
        m = np.zeros_like(h_x)
        for n, c, j in np.ndindex(h_x.shape[0], h_x.shape[2], h_x.shape[3]):
            m[n, :, c, j] = _cross_max(h_x[n, :, c, j], h_r[n, :, c, j], pair, w[c, j : j + 1])
        return m

    got = attribute(model, X, "deeplift", references=ref, target=0, verbose=False)
    expected = _brute_deeplift(lambda x: torch.stack([model.a(x), model.b(x)], dim=1), multipliers, X, ref)
    torch.testing.assert_close(got, expected, rtol=1e-9, atol=1e-12)
    swapped = _built(_Maximum())
    swapped.a, swapped.b = model.b, model.a
    torch.testing.assert_close(attribute(swapped, X, "deeplift", references=ref, verbose=False), got)


class _Bilinear(nn.Module):
    """Two convolutions combined by tangermeme's BilinearOp (its only rule for a product of two inputs)."""

    def __init__(self, equation: str | None) -> None:
        super().__init__()
        from tangermeme.deep_lift_shap import BilinearOp

        self.a, self.b = nn.Conv1d(4, 6, 5), nn.Conv1d(4, 6, 5)
        self.op = BilinearOp(equation)
        self.fc = nn.LazyLinear(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b = self.b(x) if self.op.equation else self.b(x).transpose(1, 2)
        return self.fc(self.op(self.a(x), b).flatten(1))


def _after_conv(*layers: nn.Module, width: int = 6) -> Callable[[], nn.Module]:
    return lambda: _built(
        nn.Sequential(nn.Conv1d(4, 6, 5), *layers, nn.Conv1d(width, 6, 3), nn.Flatten(), nn.LazyLinear(2))
    )


RULES = {
    **{f"MaxPool {name}": build for name, build in MAX_POOLS.items()},
    **{
        type(act).__name__: _after_conv(act)
        for act in [
            nn.ReLU(),
            nn.ReLU6(),
            nn.LeakyReLU(0.1),
            nn.PReLU(6),
            nn.ELU(),
            nn.SELU(),
            nn.CELU(),
            nn.GELU(),
            nn.SiLU(),
            nn.Mish(),
            nn.Sigmoid(),
            nn.Tanh(),
            nn.Softplus(),
            nn.Softshrink(),
            nn.LogSigmoid(),
        ]
    },
    "GLU": _after_conv(nn.GLU(dim=1), width=3),
    "LayerNorm": _after_conv(nn.Tanh(), nn.LayerNorm(CONV_OUT)),
    "LayerNorm (2 dims)": _after_conv(nn.LayerNorm([6, CONV_OUT])),
    "RMSNorm": _after_conv(nn.RMSNorm(CONV_OUT)),
    "BatchNorm1d (eval)": _after_conv(nn.BatchNorm1d(6), nn.ReLU()),
    "AvgPool1d": _after_conv(nn.ReLU(), nn.AvgPool1d(3, 2, padding=1)),
    "AdaptiveAvgPool1d": _after_conv(nn.ReLU(), nn.AdaptiveAvgPool1d(7)),
    "BilinearOp (product)": lambda: _built(_Bilinear("...,...->...")),
    "BilinearOp (matmul)": lambda: _built(_Bilinear(None)),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_rule_equals_tangermeme(rule):
    """Max pooling by the cross max, as tangermeme (and Captum, SHAP's DeepExplainer) apply it to MaxPool1d / 2d, in
    every configuration; every other rule tangermeme has, on the module it hooks."""
    pytest.importorskip("tangermeme.deep_lift_shap", reason="tangermeme (bench extra) not installed")
    model = RULES[rule]()
    X, refs = _data(seed=1)
    _assert_same(_ours(model, X, refs), _tangermeme(model, X, refs))


@pytest.mark.parametrize("dim", [1, -1])
def test_softmax_rule_is_exact_near_tangermeme_and_the_same_written_by_hand(dim):
    """Ours decomposes softmax into exp, sum, reciprocal and a two-player Shapley product (docs/attribution.md), so a
    softmax written by hand gets the same attributions; tangermeme routes the product through log-ratio multipliers.
    Both are exact; the split differs by 1-3% of the largest attribution on this model."""
    model = _after_conv(nn.Softmax(dim=dim))()
    by_hand = _after_conv(_Lambda(lambda h: torch.exp(h) / torch.exp(h).sum(dim=dim, keepdim=True)))()
    X, refs = _data(seed=7)
    ours, theirs = _ours(model, X, refs), _tangermeme(model, X, refs)
    torch.testing.assert_close(_ours(by_hand, X, refs), ours, rtol=1e-9, atol=1e-12)
    torch.testing.assert_close(ours.sum(dim=(1, 2)), theirs.sum(dim=(1, 2)), rtol=1e-9, atol=1e-12)
    assert float((ours - theirs).abs().max()) < 0.05 * float(theirs.abs().max())


class _MaskedSoftmax(nn.Module):
    """Softmax attention over positions, scores a product of two input-dependent factors, some positions masked:
    by a -inf added to the scores, by masked_fill with -inf, by a -inf bias that baddbmm adds to the product (as
    nn.MultiheadAttention applies a float mask), or by dropping the positions before the softmax."""

    def __init__(self, how: str) -> None:
        super().__init__()
        self.how = how
        self.conv = nn.Conv1d(4, 9, 5)
        self.keep = torch.rand(CONV_OUT, generator=torch.Generator().manual_seed(4)) > 0.4
        self.fc = nn.Linear(3, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b, values = self.conv(x).chunk(3, dim=1)
        bias = torch.zeros(CONV_OUT, dtype=x.dtype).masked_fill(~self.keep, -torch.inf)
        if self.how == "dropped":
            scores, values = a[..., self.keep] * b[..., self.keep], values[..., self.keep]
        elif self.how == "-inf added":
            scores = a * b + bias
        elif self.how == "masked_fill":
            scores = (a * b).masked_fill(~self.keep, -torch.inf)
        else:  # baddbmm over 1 x 1 matrices, one per (sequence, channel, position)
            scores = torch.baddbmm(bias.expand_as(a).reshape(-1, 1, 1), a.reshape(-1, 1, 1), b.reshape(-1, 1, 1))
            scores = scores.view_as(a)
        return self.fc((torch.softmax(scores, dim=-1) * values).sum(dim=-1))


@pytest.mark.parametrize("how", ["-inf added", "masked_fill", "baddbmm"])
def test_masked_positions_get_what_dropping_them_gives(how):
    """A masked score is -inf on both sides, so its Δ is undefined (NaN): the rescale rule takes the derivative there
    (0 for exp at -inf) and the product rule keeps the value, so masking positions gives the attributions of dropping
    them, exactly, and no NaN."""
    X, refs = _data(seed=8)
    masked, dropped = _built(_MaskedSoftmax(how), seed=2), _built(_MaskedSoftmax("dropped"), seed=2)
    torch.testing.assert_close(_ours(masked, X, refs), _ours(dropped, X, refs), rtol=1e-9, atol=1e-12)
