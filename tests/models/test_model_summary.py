"""summary: one row per leaf-layer call with correct shapes and parameter counts; the model is left as it was."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import eugene as eu


@pytest.mark.parametrize("name", ["deepbind", "basset", "deepstarr", "bpnet", "danq"])
def test_parameter_counts_add_up_and_state_is_restored(name):
    model = eu.models.build(name, alphabet_size=20, seq_len=67, n_outputs=3).train()
    table = eu.models.summary(model)
    assert list(table.columns) == ["layer", "type", "output_shape", "n_params"]
    total = sum(p.numel() for p in model.parameters())
    assert table.attrs["total_params"] == total == table.drop_duplicates("layer")["n_params"].sum()
    assert table.attrs["input_shape"] == (1, 20, 67)
    assert model.training and all(m.training for m in model.modules())
    assert all(not m._forward_hooks for m in model.modules())
    first = table.iloc[0]
    assert first["layer"] == "conv1" and first["output_shape"][:2] == (1, model.conv1.out_channels)


def test_output_shapes_match_a_real_forward_pass():
    model = eu.models.build("basset", seq_len=101, n_outputs=4)
    table = eu.models.summary(model, seq_len=101, alphabet_size=4).set_index("layer")
    model.eval()
    with torch.no_grad():
        h = model.conv1(torch.zeros(1, 4, 101))
        assert table.loc["conv1", "output_shape"] == tuple(h.shape) == (1, 32, 101)
        pooled = model.pool1(model.relu1(model.bn1(h)))
    assert table.loc["pool1", "output_shape"] == tuple(pooled.shape) == (1, 32, 33)
    assert table.loc["out", "output_shape"] == (1, 4)
    assert table.loc["conv1", "n_params"] == 4 * 32 * 19 + 32


def test_tuple_outputs_are_reported_nested():
    table = eu.models.summary(eu.models.build("danq", seq_len=60)).set_index("layer")
    assert table.loc["lstm", "output_shape"][0] == (1, (60 - 13 + 1) // 6, 32)


@pytest.mark.filterwarnings("ignore:`torch.jit:DeprecationWarning")
def test_bad_input():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module; got list"):
        eu.models.summary([1, 2], seq_len=10)
    with pytest.raises(ValueError, match="seq_len must be a positive integer; got NoneType"):
        eu.models.summary(nn.Conv1d(4, 2, 3))
    with pytest.raises(ValueError, match="alphabet_size must be a positive integer; got int 0"):
        eu.models.summary(nn.Conv1d(4, 2, 3), seq_len=10, alphabet_size=0)
    scripted = torch.jit.script(nn.Conv1d(4, 2, 3))
    with pytest.raises(TypeError, match="TorchScript"):
        eu.models.summary(scripted, seq_len=10)


def test_summary_from_several_threads_matches_serial_and_restores_the_model():
    # summary used to save/restore model.training itself and hook every thread's forward pass: overlapping calls
    # left the model in eval mode or recorded other threads' layers in their tables
    import threading

    model = eu.models.build("basset", seq_len=50, n_outputs=2).train()
    model.conv1.weight.requires_grad_(False)
    serial = eu.models.summary(model)
    tables, errors = [], []

    def work() -> None:
        try:
            for _ in range(15):
                tables.append(eu.models.summary(model))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(tables) == 90
    for table in tables:
        assert table.equals(serial) and table.attrs == serial.attrs
    assert serial.attrs["trainable_params"] == sum(p.numel() for p in model.parameters()) - model.conv1.weight.numel()
    assert all(m.training for m in model.modules())
    assert [p.requires_grad for p in model.parameters()].count(False) == 1
    assert all(not m._forward_hooks for m in model.modules())
