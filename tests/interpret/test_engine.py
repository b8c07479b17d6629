"""The shared engine: kinds in and out, model state restored on every path, targets, batches, layers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from eugene.interpret import _engine as engine
from eugene.interpret import predict


def _onehot(n: int, length: int, seed: int = 0) -> np.ndarray:
    idx = np.random.default_rng(seed).integers(0, 4, (n, length))
    return np.eye(4, dtype=np.float32)[idx].transpose(0, 2, 1)


def _model(n_out: int = 3) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv1d(4, 5, 3), nn.BatchNorm1d(5), nn.ReLU(), nn.Flatten(), nn.Linear(5 * 8, n_out))


def test_predict_matches_plain_forward_and_keeps_kind():
    model, X = _model(), _onehot(7, 10)
    expected = model.eval()(torch.from_numpy(X)).detach()
    out = predict(model, X, batch_size=3)
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, expected.numpy(), rtol=1e-6)
    out_t = predict(model, torch.from_numpy(X), target=[0, 2], batch_size=2)
    assert isinstance(out_t, torch.Tensor)
    torch.testing.assert_close(out_t, expected[:, 0] + expected[:, 2])


def test_model_state_restored_even_on_error():
    model = _model()
    model.train()
    model[0].weight.requires_grad_(True)
    model[1].bias.requires_grad_(False)
    hooks_before = len(model[2]._forward_hooks)
    with pytest.raises(RuntimeError):
        with engine.model_state(model) as m:
            assert not m.training and not any(p.requires_grad for p in m.parameters())
            m[2].register_forward_hook(lambda *a: None)
            raise RuntimeError("boom")
    assert all(mod.training for mod in model.modules())
    assert model[0].weight.requires_grad and not model[1].bias.requires_grad
    assert len(model[2]._forward_hooks) == hooks_before


def test_target_callable_on_tuple_output():
    select = engine.resolve_target(lambda out: out[1][:, 0])
    value = select((torch.zeros(4, 2, 5), torch.arange(8.0).reshape(4, 2)))
    torch.testing.assert_close(value, torch.tensor([0.0, 2.0, 4.0, 6.0]))


@pytest.mark.parametrize(
    ("target", "output", "error", "words"),
    [
        (5, torch.zeros(2, 3), ValueError, "out of range for a model with 3 outputs"),
        (0, (torch.zeros(2, 3),), TypeError, "give target as a callable"),
        (0, torch.zeros(2, 3, 4), ValueError, "(N,) or (N, T)"),
        (lambda out: out, torch.zeros(2, 3), ValueError, "one value per sequence"),
        (0, torch.tensor([[float("nan")], [1.0]]), ValueError, "NaN or inf"),
        ("0", None, TypeError, "target must be an int"),
        (True, None, TypeError, "target must be an int"),
    ],
)
def test_target_errors_name_the_problem(target, output, error, words):
    with pytest.raises(error, match=f"(?i){words.replace('(', '.').replace(')', '.')}"):
        engine.resolve_target(target)(output)


def test_input_checks():
    model, X = _model(), _onehot(2, 10)
    with pytest.raises(ValueError, match=r"did you mean X.transpose\(1, 2\)"):
        predict(model, X.transpose(0, 2, 1))
    with pytest.raises(TypeError, match="numpy array or torch tensor"):
        predict(model, X.tolist())
    with pytest.warns(UserWarning, match="not one-hot"):
        predict(model, X * 0.5)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        predict(model, X, batch_size=0)


def test_batches_cover_range_once():
    covered = np.concatenate([np.arange(10)[sl] for sl in engine.batches(10, 3)])
    np.testing.assert_array_equal(covered, np.arange(10))


def test_get_layer_by_default_name_and_object():
    model = _model()
    assert engine.get_layer(model) == ("0", model[0])
    assert engine.get_layer(model, "2") == ("2", model[2])
    assert engine.get_layer(model, model[4])[0] == "4"
    with pytest.raises(ValueError, match="layer must name a submodule"):
        engine.get_layer(model, "conv9")
    with pytest.raises(ValueError, match="has none"):
        engine.get_layer(nn.Sequential(nn.Flatten()))


def _kinds(X: np.ndarray) -> dict[str, object]:
    """The same sequences in every kind and dtype a user may hand in."""
    return {
        "float64 numpy (np.eye without dtype)": X.astype(np.float64),
        "int numpy": X.astype(np.int64),
        "bool numpy": X.astype(bool),
        "float16 tensor": torch.from_numpy(X).half(),
        "reversed numpy view": np.ascontiguousarray(X[:, :, ::-1])[:, :, ::-1],
        "transposed numpy view": np.ascontiguousarray(X.transpose(0, 2, 1)).transpose(0, 2, 1),
        "tensor that requires grad": torch.from_numpy(X).requires_grad_(True),
    }


@pytest.mark.parametrize("kind", list(_kinds(_onehot(1, 10))))
def test_predict_takes_every_input_kind_in_the_models_dtype(kind):
    model, X = _model(), _onehot(6, 10)
    expected = model.eval()(torch.from_numpy(X)).detach()
    given = _kinds(X)[kind]
    out = predict(model, given, target=[0, 1], batch_size=4)
    assert isinstance(out, type(given))
    assert out.dtype in (np.float32, torch.float32)  # the model's dtype, whatever the input's
    np.testing.assert_allclose(np.asarray(out), (expected[:, 0] + expected[:, 1]).numpy(), rtol=1e-6)


def test_float32_input_to_a_float64_model_is_computed_in_float64():
    model, X = _model().double(), _onehot(3, 10)
    out = predict(model, X, target=0)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, model.eval()(torch.from_numpy(X).double())[:, 0].detach().numpy())


def test_empty_batch_gives_empty_results_of_the_right_shape():
    model, X = _model(), _onehot(2, 10)
    raw = predict(model, X[:0])
    assert isinstance(raw, np.ndarray) and raw.shape == (0, 3) and raw.dtype == np.float32
    picked = predict(model, torch.from_numpy(X[:0]), target=1)
    assert isinstance(picked, torch.Tensor) and picked.shape == (0,)
    run = engine.Run(model, X[:0], target=0)
    with run:
        assert run.gradient(run.X).shape == (0, 4, 10)


def test_run_gradient_matches_autograd_and_restores_the_model():
    model, X = _model(), torch.from_numpy(_onehot(5, 10))
    model.train()
    rows = X.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(model.eval()(rows)[:, 2].sum(), rows)
    model.train()
    run = engine.Run(model, X, target=2, batch_size=2)
    with run:
        assert not model.training
        grads = run.gradient(run.X)
        scores = run.predict(run.X, size=3)
    assert all(m.training for m in model.modules()) and all(p.requires_grad for p in model.parameters())
    torch.testing.assert_close(grads, expected)
    torch.testing.assert_close(scores, model.eval()(X)[:, 2].detach())


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"seed": -1}, ValueError, "seed must be None or a non-negative integer; got int -1"),
        ({"seed": 1.5}, ValueError, "seed must be None or a non-negative integer"),
        # torch's generator took the seed and failed with "Overflow when unpacking long long"
        ({"seed": 2**70}, ValueError, r"seed must be below 2\*\*64"),
        ({"verbose": "yes"}, TypeError, "verbose must be True, False or None .*; got str 'yes'"),
        ({"batch_size": 0}, ValueError, "batch_size must be a positive integer"),
    ],
)
def test_run_checks_its_arguments(kwargs, error, words):
    with pytest.raises(error, match=words.replace("(", ".").replace(")", ".")):
        engine.Run(_model(), _onehot(2, 10), **kwargs)


def test_run_refuses_what_is_not_a_model():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module; got str"):
        engine.Run("model.pt", _onehot(2, 10))


def test_meta_device_is_refused_before_the_model_moves():
    # moving to 'meta' drops the weights and cannot be undone: the model used to come back broken for every later call
    model, X = _model(), _onehot(2, 10)
    before = predict(model, X)
    with pytest.raises(ValueError, match="device.*'meta'"):
        predict(model, X, device="meta")
    np.testing.assert_array_equal(predict(model, X), before)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex_input_is_refused_not_cut_to_its_real_part(dtype):
    # complex X used to be computed on its real part without a word
    with pytest.raises(TypeError, match=f"X must hold real numbers .*got dtype {np.dtype(dtype).name}"):
        predict(_model(), _onehot(2, 10).astype(dtype))
