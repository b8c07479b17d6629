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
