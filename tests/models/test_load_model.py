"""load_model: every route (module, factory + weights, Lightning checkpoint, TorchScript, trusted pickle), bad input."""

from __future__ import annotations

import argparse
import os
import pickle

import pytest
import torch
from torch import nn

import eugene as eu
from eugene.models import load_model

# TorchScript is deprecated in recent PyTorch; loading it is still a supported route here.
pytestmark = [
    pytest.mark.filterwarnings("ignore:`torch.jit:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning"),
]

KWARGS = {"alphabet_size": 4, "seq_len": 75, "n_outputs": 3}


def _trained_like(name: str = "basset", seed: int = 0, **kwargs) -> nn.Module:
    """A zoo model with seeded weights and non-default BatchNorm statistics, so buffers must be loaded too."""
    torch.manual_seed(seed)
    model = eu.models.build(name, **{**KWARGS, **kwargs})
    for module in model.modules():
        if isinstance(module, nn.BatchNorm1d):
            module.running_mean.normal_()
            module.running_var.uniform_(0.5, 1.5)
    return model.eval()


def _X(seq_len: int = 75, n: int = 4, seed: int = 1) -> torch.Tensor:
    index = torch.randint(4, (n, seq_len), generator=torch.Generator().manual_seed(seed))
    return nn.functional.one_hot(index, 4).transpose(1, 2).float()


def _outputs(model: nn.Module, X: torch.Tensor) -> list[torch.Tensor]:
    with torch.no_grad():
        out = model(X)
    return list(out) if isinstance(out, tuple) else [out]


def _assert_same_predictions(a: nn.Module, b: nn.Module, seq_len: int = 75) -> None:
    X = _X(seq_len)
    for x, y in zip(_outputs(a, X), _outputs(b, X), strict=True):
        assert torch.equal(x, y)


def _lightning_checkpoint(model: nn.Module, prefix: str) -> dict:
    """The dict PyTorch Lightning writes (Lightning itself is not needed to read it)."""
    state = {prefix + k: v for k, v in model.state_dict().items()}
    state["train_auroc.total"] = torch.tensor(5.0)  # a metric buffer outside the model, as Lightning modules have
    return {
        "epoch": 3,
        "global_step": 120,
        "pytorch-lightning_version": "2.4.0",
        "state_dict": state,
        "hyper_parameters": {"lr": 1e-3, **KWARGS},
        "optimizer_states": [],
        "lr_schedulers": [],
    }


def test_module_is_returned_as_is_in_eval_mode():
    model = _trained_like().train()
    loaded = load_model(model)
    assert loaded is model and not loaded.training
    assert all(not m.training for m in loaded.modules())


def test_factory_with_weights_file_reproduces_the_model(tmp_path):
    model = _trained_like()
    torch.save(model.state_dict(), tmp_path / "weights.pt")
    loaded = load_model("eugene.models.zoo:basset", tmp_path / "weights.pt", factory_kwargs=KWARGS)
    assert loaded is not model and not loaded.training
    _assert_same_predictions(model, loaded)


def test_factory_kwargs_reach_the_factory_and_weights_may_be_a_dict():
    model = _trained_like("deepstarr", n_outputs=5)
    loaded = load_model("eugene.models.zoo:deepstarr", model.state_dict(), factory_kwargs={**KWARGS, "n_outputs": 5})
    assert loaded.n_outputs == 5
    _assert_same_predictions(model, loaded)


def test_factory_without_weights_builds_in_eval_mode():
    model = load_model("eugene.models.architectures:DanQ", factory_kwargs={"seq_len": 60})
    assert isinstance(model, eu.models.DanQ) and not model.training


@pytest.mark.parametrize("prefix", ["model.", "net.", "model.net."])
def test_lightning_checkpoint_prefix_is_stripped(tmp_path, prefix):
    model = _trained_like("bpnet")
    torch.save(_lightning_checkpoint(model, prefix), tmp_path / "last.ckpt")
    loaded = load_model("eugene.models.zoo:bpnet", tmp_path / "last.ckpt", factory_kwargs=KWARGS)
    _assert_same_predictions(model, loaded)


def test_explicit_prefix_and_plain_checkpoint_key(tmp_path):
    model = _trained_like("deepbind")
    checkpoint = {"model_state_dict": {"backbone." + k: v for k, v in model.state_dict().items()}, "epoch": 1}
    torch.save(checkpoint, tmp_path / "ckpt.pt")
    loaded = load_model("eugene.models.zoo:deepbind", tmp_path / "ckpt.pt", factory_kwargs=KWARGS, prefix="backbone.")
    _assert_same_predictions(model, loaded)
    with pytest.raises(ValueError, match=r"prefix 'head\.' starts none of the weights keys"):
        load_model("eugene.models.zoo:deepbind", tmp_path / "ckpt.pt", factory_kwargs=KWARGS, prefix="head.")


def test_weights_can_be_loaded_into_a_given_module():
    model = _trained_like(seed=0)
    other = _trained_like(seed=1)
    loaded = load_model(other, {"module." + k: v for k, v in model.state_dict().items()})
    assert loaded is other
    _assert_same_predictions(model, loaded)


@pytest.mark.parametrize("name", ["deepbind", "basset", "deepstarr", "bpnet", "danq"])
def test_torchscript_round_trip_gives_identical_outputs(tmp_path, name):
    model = _trained_like(name)
    torch.jit.save(torch.jit.trace(model, _X(n=2, seed=9)), tmp_path / "model.ts")
    loaded = load_model(tmp_path / "model.ts")
    assert isinstance(loaded, torch.jit.ScriptModule) and not loaded.training
    _assert_same_predictions(model, loaded)


def test_scripted_model_also_loads(tmp_path):
    model = _trained_like("basset")
    torch.jit.save(torch.jit.script(model), tmp_path / "model.pt")
    _assert_same_predictions(model, load_model(str(tmp_path / "model.pt")))


def test_pickled_module_is_refused_without_trust_and_loaded_with_it(tmp_path):
    model = _trained_like("danq")
    torch.save(model, tmp_path / "whole.pt")
    with pytest.raises(ValueError) as info:
        load_model(tmp_path / "whole.pt")
    message = str(info.value)
    assert "source" in message and "whole.pt" in message and "trust=True" in message and "arbitrary code" in message
    loaded = load_model(tmp_path / "whole.pt", trust=True)
    assert isinstance(loaded, eu.models.DanQ) and not loaded.training
    _assert_same_predictions(model, loaded)


def test_checkpoint_with_pickled_objects_needs_trust(tmp_path):
    model = _trained_like("deepbind")
    checkpoint = _lightning_checkpoint(model, "model.")
    checkpoint["hyper_parameters"] = argparse.Namespace(lr=1e-3)  # not a plain container: weights_only refuses it
    torch.save(checkpoint, tmp_path / "odd.ckpt")
    with pytest.raises(ValueError, match=r"weights: .*odd\.ckpt.*trust=True"):
        load_model("eugene.models.zoo:deepbind", tmp_path / "odd.ckpt", factory_kwargs=KWARGS)
    loaded = load_model("eugene.models.zoo:deepbind", tmp_path / "odd.ckpt", factory_kwargs=KWARGS, trust=True)
    _assert_same_predictions(model, loaded)


class _CallsOnLoad:
    """Unpickling it calls os.getcwd (harmless), the way a malicious file calls os.system."""

    def __reduce__(self):
        return os.getcwd, ()


@pytest.mark.parametrize(
    ("payload", "refused"),
    [
        (_CallsOnLoad(), "getcwd"),  # torch: "Trying to load unsupported GLOBAL posix.getcwd whose module ... blocked"
        (argparse.Namespace(lr=1e-3), "argparse.Namespace"),  # torch: "Unsupported global: GLOBAL argparse.Namespace"
    ],
)
def test_every_refusal_wording_of_the_installed_torch_gets_the_trust_advice(tmp_path, payload, refused):
    path = tmp_path / "untrusted.pt"
    torch.save({"state_dict": _trained_like("deepbind").state_dict(), "extra": payload}, path)
    with pytest.raises(pickle.UnpicklingError) as raw:  # what torch itself says, whatever its wording
        torch.load(path, weights_only=True)
    assert refused in str(raw.value)
    for call in (
        lambda: load_model(path),
        lambda: load_model("eugene.models.zoo:deepbind", path, factory_kwargs=KWARGS),
    ):
        with pytest.raises(ValueError) as info:
            call()
        message = str(info.value)
        assert "untrusted.pt" in message and refused in message
        assert "trust=True" in message and "arbitrary code" in message and "weights_only=False" not in message


def test_state_dict_as_source_asks_for_a_factory(tmp_path):
    torch.save(_trained_like().state_dict(), tmp_path / "weights.pt")
    with pytest.raises(ValueError, match=r"needs the architecture: pass a factory"):
        load_model(tmp_path / "weights.pt")


def test_key_mismatch_lists_missing_and_unexpected_keys():
    model = _trained_like()
    state = model.state_dict()
    state.pop("out.weight")
    state["extra.weight"] = torch.zeros(1)
    with pytest.raises(ValueError) as info:
        load_model("eugene.models.zoo:basset", state, factory_kwargs=KWARGS)
    message = str(info.value)
    assert (
        "1 missing" in message and "out.weight" in message and "extra.weight" in message and "strict=False" in message
    )
    loaded = load_model("eugene.models.zoo:basset", state, factory_kwargs=KWARGS, strict=False)
    assert torch.equal(loaded.conv1.weight, model.conv1.weight)
    assert not torch.equal(loaded.out.weight, model.out.weight)


def test_shape_mismatch_names_the_layer_and_shapes():
    state = _trained_like(n_outputs=3).state_dict()
    with pytest.raises(ValueError, match=r"shape mismatches.*out\.weight: model \(5, 64\), weights \(3, 64\)"):
        load_model("eugene.models.zoo:basset", state, factory_kwargs={**KWARGS, "n_outputs": 5})


def test_weights_sharing_no_keys_are_an_error_even_when_not_strict():
    with pytest.raises(ValueError, match="share no keys"):
        load_model(_trained_like(), {"foo.bar": torch.zeros(1)}, strict=False)


def test_device_moves_the_model(tmp_path):
    loaded = load_model("eugene.models.zoo:deepbind", device="cpu")
    assert next(loaded.parameters()).device == torch.device("cpu")


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"source": 42}, TypeError, ["source", "nn.Module", "factory", "int"]),
        ({"source": "no_such_file.pt"}, FileNotFoundError, ["source", "no_such_file.pt"]),
        ({"source": "eugene.models.zoo.basset"}, FileNotFoundError, ["'eugene.models.zoo:basset'"]),
        ({"source": "no_such_pkg_xyz.mod:make"}, ValueError, ["source", "cannot import", "no_such_pkg_xyz.mod"]),
        ({"source": "eugene.models.zoo:resnet"}, ValueError, ["source", "no attribute 'resnet'"]),
        ({"source": "eugene.models.zoo:REGISTRY"}, TypeError, ["source", "callable", "dict"]),
        ({"source": "eugene.models.zoo:list_models"}, TypeError, ["source", "nn.Module", "list"]),
        ({"source": "eugene.models.zoo:basset", "weights": "missing.pt"}, FileNotFoundError, ["weights", "missing.pt"]),
        ({"source": "eugene.models.zoo:basset", "weights": [1, 2]}, TypeError, ["weights", "state dict", "list"]),
        ({"source": "eugene.models.zoo:basset", "weights": {"a": 1}}, ValueError, ["weights", "not tensors", "'a'"]),
        ({"source": "eugene.models.zoo:basset", "trust": "yes"}, TypeError, ["trust", "True or False", "str"]),
        ({"source": "eugene.models.zoo:basset", "factory_kwargs": [1]}, TypeError, ["factory_kwargs", "dict", "list"]),
        ({"source": "eugene.models.zoo:basset", "strict": None}, TypeError, ["strict", "True or False", "None"]),
        ({"source": "eugene.models.zoo:basset", "device": "gpu7"}, ValueError, ["device", "'cuda:0'", "gpu7"]),
        ({"source": nn.Linear(2, 2), "factory_kwargs": {"a": 1}}, TypeError, ["factory_kwargs", "factory source"]),
        ({"source": "eugene.models.zoo:deepbind", "factory_kwargs": {"seq_len": 3}}, ValueError, ["seq_len", "11"]),
    ],
)
def test_bad_input_names_argument_expectation_and_value(kwargs, error, words):
    with pytest.raises(error) as info:
        load_model(**kwargs)
    for word in words:
        assert word in str(info.value)


def test_unreadable_file_is_reported(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"not a torch file at all")
    with pytest.raises(ValueError, match=r"source: cannot read .*junk\.pt"):
        load_model(tmp_path / "junk.pt")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message given when CUDA is absent")
def test_cuda_without_cuda_is_a_clear_error():
    with pytest.raises(ValueError, match="device='cuda' was asked for, but CUDA is not available"):
        load_model("eugene.models.zoo:basset", device="cuda")
