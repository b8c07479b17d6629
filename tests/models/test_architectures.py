"""Reference architectures: shapes for any alphabet, odd lengths and output counts; eval-mode determinism; bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import eugene as eu
from eugene.models import Basset, BPNet, DanQ, DeepBind, DeepSTARR

NAMES = ["deepbind", "basset", "deepstarr", "bpnet", "danq"]


def _expected_shapes(name: str, n: int, n_outputs: int, seq_len: int) -> list[tuple[int, ...]]:
    if name == "bpnet":
        return [(n, n_outputs, seq_len), (n, n_outputs)]
    return [(n, n_outputs)]


def _as_list(output: torch.Tensor | tuple[torch.Tensor, ...]) -> list[torch.Tensor]:
    return list(output) if isinstance(output, tuple) else [output]


def _random_onehot(n: int, alphabet_size: int, seq_len: int, seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    index = torch.randint(alphabet_size, (n, seq_len), generator=generator)
    return nn.functional.one_hot(index, alphabet_size).transpose(1, 2).float()


def _randomize_batchnorm(model: nn.Module, seed: int) -> None:
    """Give BatchNorm layers non-trivial running statistics, so eval-mode checks exercise them."""
    generator = torch.Generator().manual_seed(seed)
    for module in model.modules():
        if isinstance(module, nn.BatchNorm1d):
            module.running_mean.copy_(torch.randn(module.num_features, generator=generator))
            module.running_var.copy_(torch.rand(module.num_features, generator=generator) + 0.5)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("alphabet_size", [4, 20])
@pytest.mark.parametrize("seq_len", [97, 151])
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_shapes_for_any_alphabet_length_and_outputs(name, alphabet_size, seq_len, n_outputs):
    torch.manual_seed(0)
    model = eu.models.build(name, alphabet_size=alphabet_size, seq_len=seq_len, n_outputs=n_outputs).eval()
    X = _random_onehot(5, alphabet_size, seq_len, seed=1)
    with torch.no_grad():
        outputs = _as_list(model(X))
    assert [tuple(o.shape) for o in outputs] == _expected_shapes(name, 5, n_outputs, seq_len)
    assert all(o.dtype == torch.float32 and torch.isfinite(o).all() for o in outputs)
    first_conv = next(m for m in model.modules() if isinstance(m, nn.Conv1d))
    assert first_conv is model.conv1 and first_conv.in_channels == alphabet_size
    assert (model.alphabet_size, model.seq_len, model.n_outputs) == (alphabet_size, seq_len, n_outputs)


@pytest.mark.parametrize("name", NAMES)
def test_eval_mode_is_deterministic_and_batch_independent(name):
    torch.manual_seed(0)
    model = eu.models.build(name, seq_len=81, n_outputs=2)
    _randomize_batchnorm(model, seed=2)
    model.eval()
    X = _random_onehot(6, 4, 81, seed=3)
    with torch.no_grad():
        first, second = _as_list(model(X)), _as_list(model(X))
        singles = [_as_list(model(X[i : i + 1])) for i in range(len(X))]
    for a, b in zip(first, second):
        assert torch.equal(a, b)
    for k, batched in enumerate(first):
        stacked = torch.cat([single[k] for single in singles])
        torch.testing.assert_close(batched, stacked, rtol=1e-5, atol=1e-6)
    # The output depends on the input: different sequences give different predictions.
    assert not torch.allclose(first[-1][0], first[-1][1])


@pytest.mark.parametrize("name", NAMES)
def test_dropout_active_only_in_training(name):
    torch.manual_seed(0)
    model = eu.models.build(name, seq_len=64)
    has_dropout = any(isinstance(m, nn.Dropout) and m.p > 0 for m in model.modules())
    X = _random_onehot(4, 4, 64, seed=4)
    model.train()
    with torch.no_grad():
        a, b = _as_list(model(X))[-1], _as_list(model(X))[-1]
    assert torch.equal(a, b) != has_dropout


def test_length_free_models_accept_other_lengths():
    torch.manual_seed(0)
    deepbind, bpnet = DeepBind(seq_len=50).eval(), BPNet(seq_len=50, n_outputs=2).eval()
    with torch.no_grad():
        assert deepbind(torch.zeros(2, 4, 77)).shape == (2, 1)
        profile, counts = bpnet(torch.zeros(2, 4, 33))
    assert profile.shape == (2, 2, 33) and counts.shape == (2, 2)


def test_bpnet_lite_layout_stranded_profile_and_one_total_count():
    """bpnet-lite's layout: a profile per strand (N, 2, L) and one count head over both strands (N, 1); the counts
    head reads the average-pooled trunk, so it equals its Linear layer on the trunk's mean over positions."""
    model = eu.models.build("bpnet", seq_len=48, n_outputs=2, count_outputs=1, n_layers=3).eval()
    X = _random_onehot(3, 4, 48, seed=1)
    trunk = []
    handle = model.count_pool.register_forward_hook(lambda module, inputs, output: trunk.append(inputs[0]))
    with torch.no_grad():
        profile, counts = model(X)
    handle.remove()
    assert profile.shape == (3, 2, 48) and counts.shape == (3, 1)
    torch.testing.assert_close(counts, model.count_head(trunk[0].mean(dim=2)))
    assert [conv.dilation[0] for conv in model.dilated_convs] == [2, 4, 8]


def test_global_max_pool_deepbind_is_translation_invariant():
    """With max pooling only, moving a motif inside a flat background leaves DeepBind's output unchanged."""
    torch.manual_seed(0)
    model = DeepBind(seq_len=60, pool="max").eval()
    motif = _random_onehot(1, 4, 8, seed=5)
    X = torch.zeros(2, 4, 60)
    X[0, :, 10:18], X[1, :, 40:48] = motif[0], motif[0]
    with torch.no_grad():
        out = model(X)
    torch.testing.assert_close(out[0], out[1])


def test_sizes_accept_ints_and_per_block_sequences():
    model = Basset(seq_len=120, n_filters=8, filter_size=(5, 3, 3), pool_size=2, hidden=16)
    convs = [m for m in model.modules() if isinstance(m, nn.Conv1d)]
    assert [c.out_channels for c in convs] == [8, 8, 8] and [c.kernel_size[0] for c in convs] == [5, 3, 3]
    deepstarr = DeepSTARR(seq_len=64, n_filters=(4, 5, 6, 7), hidden=())
    assert [m.out_channels for m in deepstarr.modules() if isinstance(m, nn.Conv1d)] == [4, 5, 6, 7]
    assert deepstarr.eval()(torch.zeros(1, 4, 64)).shape == (1, 2)


def test_registry_lists_and_builds_every_model():
    assert eu.models.list_models() == sorted(NAMES)
    classes = {"deepbind": DeepBind, "basset": Basset, "deepstarr": DeepSTARR, "bpnet": BPNet, "danq": DanQ}
    for name in NAMES:
        assert type(eu.models.build(name)) is classes[name]
        assert eu.models.zoo.REGISTRY[name] is classes[name]
        assert getattr(eu.models.zoo, name) is classes[name]
    assert isinstance(eu.models.build("BASSET"), Basset)
    assert DeepSTARR().n_outputs == 2


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: eu.models.build("resnet"), ValueError, ["name", "basset", "'resnet'"]),
        (lambda: eu.models.build(3), TypeError, ["name", "int"]),
        (lambda: eu.models.build("basset", n_filter=8), TypeError, ["n_filter", "n_filters"]),
        (lambda: Basset(alphabet_size=0), ValueError, ["alphabet_size", "positive integer", "0"]),
        (lambda: Basset(seq_len=40), ValueError, ["seq_len", "48", "40"]),
        (lambda: DeepSTARR(seq_len=10), ValueError, ["seq_len", "16", "10"]),
        (lambda: DanQ(seq_len=15), ValueError, ["seq_len", "18", "15"]),
        (lambda: DeepBind(seq_len=5), ValueError, ["seq_len", "11", "5"]),
        (lambda: Basset(n_filters=(8, 8)), ValueError, ["n_filters", "3 ints", "length 2"]),
        (lambda: Basset(filter_size=(5, 0, 3)), ValueError, ["filter_size[1]", "positive integer"]),
        (lambda: DeepSTARR(dropout=1.5), ValueError, ["dropout", "[0, 1)", "1.5"]),
        (lambda: DeepSTARR(dropout=1.0), ValueError, ["dropout", "[0, 1)", "1.0"]),
        (lambda: DeepBind(dropout=float("nan")), ValueError, ["dropout", "[0, 1)", "nan"]),
        (lambda: Basset(dropout="0.2"), ValueError, ["dropout", "[0, 1)", "'0.2'"]),
        (lambda: DeepBind(pool="mean"), ValueError, ["pool", "max_avg", "mean"]),
        (lambda: BPNet(n_outputs=2.0), ValueError, ["n_outputs", "positive integer", "float"]),
        (lambda: BPNet(count_outputs=0), ValueError, ["count_outputs", "positive integer", "0"]),
    ],
)
def test_bad_arguments_name_argument_expectation_and_value(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_dropout_takes_numpy_floats_as_the_shared_fraction_check_does():
    assert DeepBind(dropout=np.float32(0.25)).drop.p == pytest.approx(0.25)
