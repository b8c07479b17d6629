"""attribute(): kinds, shapes, the gradient family against Captum and brute force, hypothetical contributions,
references, and bad input (clear errors, model left as it came)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from zoo import make, random_onehot

from eugene.interpret import attribute, make_references

N, L = 5, 40


@pytest.fixture
def model():
    return make("gated")


@pytest.fixture
def X():
    return random_onehot(N, seq_len=L, seed=1)


@pytest.mark.parametrize("method", ["saliency", "input_x_gradient", "integrated_gradients", "smoothgrad", "deeplift"])
def test_numpy_in_numpy_out_same_shape(model, X, method):
    out = attribute(model, X.numpy(), method, seed=0, verbose=False)
    assert isinstance(out, np.ndarray) and out.shape == X.shape and out.dtype == np.float32
    out_t = attribute(model, X, method, seed=0, verbose=False)
    assert isinstance(out_t, torch.Tensor)
    np.testing.assert_allclose(out, out_t.numpy(), rtol=1e-5, atol=1e-6)


def test_saliency_matches_finite_differences(model, X):
    X64 = X.double()
    model = model.double()
    grad = attribute(model, X64, "saliency", verbose=False)
    eps = 1e-6
    for a, pos in [(0, 3), (2, 17), (3, 39)]:
        bumped = X64.clone()
        bumped[:, a, pos] += eps
        with torch.no_grad():
            fd = (model(bumped)[:, 0] - model(X64)[:, 0]) / eps
        torch.testing.assert_close(grad[:, a, pos], fd, rtol=1e-4, atol=1e-6)


def test_batch_size_and_seed_do_not_change_results(model, X):
    a = attribute(model, X, "deeplift_shap", n_references=4, batch_size=3, seed=7, verbose=False)
    b = attribute(model, X, "deeplift_shap", n_references=4, batch_size=128, seed=7, verbose=False)
    torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("method", ["deeplift", "deeplift_shap", "integrated_gradients", "input_x_gradient"])
def test_hypothetical_times_input_gives_actual(model, X, method):
    kwargs = dict(references="dinucleotide_shuffle", n_references=3) if method == "deeplift_shap" else {}
    actual = attribute(model, X, method, seed=3, verbose=False, **kwargs)
    hyp = attribute(model, X, method, seed=3, hypothetical=True, verbose=False, **kwargs)
    torch.testing.assert_close((hyp * X).sum(dim=1), actual.sum(dim=1), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(hyp * X, actual, rtol=1e-5, atol=1e-6)


def test_integrated_gradients_delta_is_exact_and_shrinks_with_steps(model, X):
    model, X = model.double(), X.double()
    ref = make_references(X, "shuffle", n=1, seed=0)[:, 0]
    with torch.no_grad():
        diff = model(X)[:, 0] - model(ref)[:, 0]
    errors = []
    for n_steps in (4, 128):
        attr, delta = attribute(
            model, X, "integrated_gradients", references=ref, n_steps=n_steps, return_delta=True, verbose=False
        )
        torch.testing.assert_close(delta[:, 0], attr.sum(dim=(1, 2)) - diff)
        errors.append(float(delta.abs().max()))
    assert errors[1] < errors[0] / 4


def test_gradient_correction_centres_each_position(model, X):
    grad = attribute(model, X, "saliency", gradient_correction=True, verbose=False)
    torch.testing.assert_close(grad.mean(dim=1), torch.zeros(N, L), atol=1e-6, rtol=0)
    raw = attribute(model, X, "saliency", verbose=False)
    torch.testing.assert_close(grad, raw - raw.mean(dim=1, keepdim=True))


def test_callable_and_list_targets():
    model = make("two_headed")
    X = random_onehot(N, seed=2)
    profile = attribute(model, X, "saliency", target=lambda out: out[0].sum(-1), verbose=False)
    parts = [attribute(model, X, "saliency", target=lambda out, i=i: out[0][:, i], verbose=False) for i in range(L)]
    torch.testing.assert_close(profile, torch.stack(parts).sum(0), rtol=1e-4, atol=1e-5)
    summed = attribute(make("functional_activations"), X, "saliency", target=[0, 2], verbose=False)
    single = [attribute(make("functional_activations"), X, "saliency", target=t, verbose=False) for t in (0, 2)]
    torch.testing.assert_close(summed, single[0] + single[1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["dinucleotide_shuffle", "shuffle", "zero", "uniform", "gc"])
def test_reference_kinds(X, kind):
    refs = make_references(X.numpy(), kind, n=3, seed=0)
    assert refs.shape == (N, 3, 4, L) and isinstance(refs, np.ndarray)
    again = make_references(X.numpy(), kind, n=3, seed=0)
    np.testing.assert_array_equal(refs, again)
    if kind in ("dinucleotide_shuffle", "shuffle"):
        np.testing.assert_array_equal(refs.sum(axis=-1), np.repeat(X.numpy().sum(axis=-1)[:, None], 3, axis=1))
    if kind == "gc":
        gc = X[:, 1:3].sum(dim=(1, 2)) / L
        np.testing.assert_allclose(refs[:, 0, 1, 0], gc.numpy() / 2, rtol=1e-6)


def test_callable_references(model, X):
    def background(x, n, rng):
        return torch.full((x.shape[0], n, *x.shape[1:]), 0.25)

    a = attribute(model, X, "deeplift_shap", references=background, n_references=2, verbose=False)
    b = attribute(model, X, "deeplift_shap", references="uniform", n_references=1, verbose=False)
    torch.testing.assert_close(a, b)


# --- peers -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["gated", "pooling", "reused_module"])
def test_gradient_methods_agree_with_captum(name):
    captum = pytest.importorskip("captum.attr", reason="captum (bench extra) not installed")
    model = make(name).double()
    X = random_onehot(N, seed=5).double()
    ref = make_references(X, "shuffle", n=1, seed=0)[:, 0]
    ours = attribute(model, X, "saliency", verbose=False)
    theirs = captum.Saliency(model).attribute(X.clone().requires_grad_(), target=0, abs=False)
    torch.testing.assert_close(ours, theirs.detach(), rtol=1e-5, atol=1e-8)
    ours = attribute(model, X, "input_x_gradient", verbose=False)
    theirs = captum.InputXGradient(model).attribute(X.clone().requires_grad_(), target=0)
    torch.testing.assert_close(ours, theirs.detach(), rtol=1e-5, atol=1e-8)
    ours = attribute(model, X, "integrated_gradients", references=ref, n_steps=20, verbose=False)
    theirs = captum.IntegratedGradients(model).attribute(X, baselines=ref, target=0, n_steps=20)
    projected = X * theirs.detach().sum(dim=1, keepdim=True)  # ours places each position's total on its letter
    torch.testing.assert_close(ours, projected, rtol=1e-5, atol=1e-8)


# --- bad input -------------------------------------------------------------------------------------------------------


def test_wrong_shape_and_alphabet(model, X):
    with pytest.raises(ValueError, match="transpose"):
        attribute(model, X.transpose(1, 2), "saliency", verbose=False)
    with pytest.raises(ValueError, match=r"\(N, A, L\)"):
        attribute(model, X[0], "saliency", verbose=False)
    with pytest.raises(ValueError, match="method must be one of"):
        attribute(model, X, "deepshap", verbose=False)


def test_non_one_hot_warns(model, X):
    with pytest.warns(UserWarning, match="not one-hot"):
        attribute(model, X * 0.5, "saliency", verbose=False)


def test_target_out_of_range(model, X):
    with pytest.raises(ValueError, match="out of range"):
        attribute(model, X, "deeplift_shap", target=5, n_references=2, verbose=False)


def test_references_of_wrong_shape(model, X):
    with pytest.raises(ValueError, match="references must have shape"):
        attribute(model, X, "deeplift_shap", references=torch.zeros(N, 3, 4, L + 1), verbose=False)
    with pytest.raises(ValueError, match="one reference per sequence"):
        attribute(model, X, "deeplift", references=torch.zeros(N, 3, 4, L), verbose=False)
    with pytest.raises(ValueError, match=r"references \(kind\) must be one of"):
        attribute(model, X, "deeplift_shap", references="dinuc", verbose=False)


class _NaN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 2, 3)
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        return self.drop(torch.log(self.conv(x).flatten(1) - 100.0))


@pytest.mark.parametrize("method", ["saliency", "deeplift_shap", "integrated_gradients"])
def test_nan_output_raises_and_model_is_restored(method, X):
    model = _NaN().train()
    model.conv.bias.requires_grad_(False)
    handle = model.register_forward_hook(lambda *args: None)
    with pytest.raises(ValueError, match="NaN or inf"):
        attribute(model, X, method, n_references=2, verbose=False)
    assert model.training and model.drop.training
    assert model.conv.weight.requires_grad and not model.conv.bias.requires_grad
    assert list(model._forward_hooks) == [handle.id]


def test_method_ism_is_saturation_mutagenesis(model, X):
    from eugene.interpret import ism

    expected = ism(model, X, target=0, fast=False)
    torch.testing.assert_close(attribute(model, X, "ism", target=0, verbose=False), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.filterwarnings("ignore:`torch.jit.trace.*` is deprecated:DeprecationWarning")
def test_deeplift_refuses_torchscript(model, X):
    scripted = torch.jit.trace(model.eval(), X[:2])
    with pytest.raises(TypeError, match="needs a Python nn.Module"):
        attribute(scripted, X, "deeplift_shap", verbose=False)


# --- the registry and the edges ----------------------------------------------------------------------------------

from eugene.interpret.attribution import METHODS, REGISTRY, Method, Step, methods  # noqa: E402

CHEAP = dict(n_references=2, n_steps=3, n_samples=2, seed=0, verbose=False)


def test_methods_are_the_registry_and_listed_in_the_docs():
    assert methods() == METHODS == tuple(REGISTRY)
    for name in METHODS:
        assert f"- {name!r}: " in attribute.__doc__


def test_a_new_method_is_one_record_and_one_function(model, X, monkeypatch):
    def doubled(run, x, refs, options):
        return Step(2 * run.gradient(x)[:, None])

    monkeypatch.setitem(REGISTRY, "doubled_saliency", Method(doubled, "twice the gradient"))
    got = attribute(model, X, "doubled_saliency", verbose=False)
    torch.testing.assert_close(got, 2 * attribute(model, X, "saliency", verbose=False))
    with pytest.raises(ValueError, match=r"hypothetical=True applies to \['input_x_gradient', "):
        attribute(model, X, "doubled_saliency", hypothetical=True, verbose=False)


def _edge_kinds(X: torch.Tensor) -> dict[str, object]:
    x = X.numpy()
    return {
        "float64 numpy": x.astype(np.float64),
        "int numpy": x.astype(np.int64),
        "bool tensor": X.bool(),
        "reversed view": np.ascontiguousarray(x[:, :, ::-1])[:, :, ::-1],
        "requires grad": X.clone().requires_grad_(True),
    }


@pytest.mark.parametrize("method", METHODS)
def test_every_method_takes_every_input_kind_in_the_models_dtype(model, method):
    X = random_onehot(2, seq_len=L, seed=4)
    expected = attribute(model, X, method, **CHEAP)
    for kind, given in _edge_kinds(X).items():
        got = attribute(model, given, method, **CHEAP)
        assert isinstance(got, type(given)) and got.dtype in (np.float32, torch.float32), kind
        np.testing.assert_allclose(np.asarray(got), expected.numpy(), rtol=1e-5, atol=1e-6, err_msg=kind)


@pytest.mark.parametrize("method", METHODS)
def test_every_method_gives_an_empty_result_for_an_empty_batch(model, X, method):
    delta = {"return_delta": True} if REGISTRY[method].delta else {}
    out = attribute(model, X.numpy()[:0], method, **delta, **CHEAP)
    attributions, deltas = out if delta else (out, None)
    assert isinstance(attributions, np.ndarray) and attributions.shape == (0, 4, L)
    assert attributions.dtype == np.float32
    if delta:
        assert deltas.shape == (0, 1 if method == "deeplift" else 2)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"method": "integrated_gradients", "n_steps": 0}, ValueError, "n_steps must be a positive integer; got int 0"),
        ({"method": "smoothgrad", "n_samples": 0}, ValueError, "n_samples must be a positive integer"),
        ({"method": "smoothgrad", "noise": -0.1}, ValueError, "noise must be a finite number >= 0"),
        ({"method": "smoothgrad", "noise": float("nan")}, ValueError, "noise must be a finite number >= 0"),
        (
            {"method": "deeplift_shap", "seed": -1},
            ValueError,
            "seed must be None or a non-negative integer; got int -1",
        ),
        ({"method": "deeplift", "hypothetical": "yes"}, TypeError, "hypothetical must be True or False; got str"),
        ({"method": "deeplift", "return_delta": 1}, TypeError, "return_delta must be True or False; got int 1"),
        ({"method": "saliency", "references": "zero"}, ValueError, "references applies to .'integrated_gradients'"),
        ({"method": "saliency", "return_delta": True}, ValueError, r"return_delta=True applies to .*got method='sal"),
        ({"method": "deeplift", "gradient_correction": True}, ValueError, "gradient_correction=True applies to"),
        ({"method": None}, ValueError, "method must be one of"),
    ],
)
def test_options_are_checked_with_clear_errors(model, X, kwargs, error, words):
    with pytest.raises(error, match=words):
        attribute(model, X, **{"verbose": False, **kwargs})


def test_smoothgrad_seed_fixes_the_noise(model, X):
    a, b = (attribute(model, X, "smoothgrad", n_samples=3, seed=5, verbose=False) for _ in range(2))
    torch.testing.assert_close(a, b)
    c = attribute(model, X, "smoothgrad", n_samples=3, seed=6, verbose=False)
    assert not torch.allclose(a, c)
