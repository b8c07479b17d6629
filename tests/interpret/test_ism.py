"""ISM against a brute-force mutate-and-predict loop, on the test zoo and the reference architectures."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from zoo import TWO_HEADED, ZOO, make, random_onehot, reference_models

import eugene as eu
from eugene.interpret import ism
from eugene.interpret._engine import Run, resolve_target
from eugene.interpret._fastism import FastISM
from eugene.interpret.mutagenesis import FAST_MARGIN, Mutagenesis


def brute_force(model: nn.Module, X: torch.Tensor, target) -> torch.Tensor:
    """One sequence, one position, one base at a time: the definition of ISM."""
    select = resolve_target(target)
    out = torch.zeros_like(X)
    with torch.no_grad():
        for n in range(X.shape[0]):
            ref = select(model(X[n : n + 1]))[0]
            for pos in range(X.shape[2]):
                for base in range(X.shape[1]):
                    if X[n, base, pos] == 1:
                        continue
                    x = X[n : n + 1].clone()
                    x[0, :, pos] = 0
                    x[0, base, pos] = 1
                    out[n, base, pos] = select(model(x))[0] - ref
    return out


def _target(name: str):
    return (lambda out: out[0][:, 3] + out[1][:, 0]) if name in TWO_HEADED else 0


@pytest.mark.parametrize("name", sorted(ZOO))
def test_ism_equals_brute_force_on_zoo(name: str) -> None:
    model = make(name, seq_len=20).double()
    X = random_onehot(2, seq_len=20, seed=1).double()
    expected = brute_force(model, X, _target(name))
    for fast in (False, True, "auto"):
        try:
            got = ism(model, X, target=_target(name), fast=fast, batch_size=29)
        except ValueError as err:  # fast=True may refuse a model it cannot use; auto must fall back instead
            assert fast is True and "fast=True cannot be used" in str(err)
            continue
        torch.testing.assert_close(got, expected, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("name", sorted(reference_models(seq_len=48)))
def test_ism_equals_brute_force_on_reference_architectures(name: str) -> None:
    model = reference_models(seq_len=48)[name].double()
    X = random_onehot(1, seq_len=48, seed=2).double()
    target = 1 if name != "bpnet" else (lambda out: out[0][:, 0, 10:20].sum(1) if isinstance(out, tuple) else out[:, 1])
    expected = brute_force(model, X, target)
    for fast in (False, True):
        torch.testing.assert_close(ism(model, X, target=target, fast=fast, batch_size=50), expected)


@pytest.mark.parametrize("name", ["dilated_strided", "residual", "pooling", "batchnorm_eval", "functional_activations"])
def test_fast_path_really_works_on_windows(name: str) -> None:
    """The fast path must run convolutions on windows, not silently compute everything in full."""
    model = make(name, seq_len=60)
    engine = FastISM(model, torch.device("cpu"))
    X = random_onehot(1, seq_len=60)
    seq, base, pos = torch.zeros(3, dtype=torch.long), torch.tensor([0, 1, 2]), torch.tensor([0, 30, 59])
    with torch.no_grad():
        engine.run(X, seq, base, pos, resolve_target(0), 8, False)
    assert "local" in set(engine.plan.kind.values())


def test_fast_matches_naive_in_float32_on_larger_basset() -> None:
    models = reference_models(seq_len=300)
    if "basset" not in models:
        pytest.skip("eugene.models has no basset yet")
    X = random_onehot(2, seq_len=300, seed=3)
    naive = ism(models["basset"], X, fast=False)
    fast = ism(models["basset"], X, fast=True)
    scale = torch.as_tensor(models["basset"](X)).abs().max()
    assert (naive - fast).abs().max() <= 1e-5 * scale


def test_window_zero_outside_and_zero_at_reference() -> None:
    model = make("residual", seq_len=30)
    X = random_onehot(3, seq_len=30, seed=4)
    full = ism(model, X)
    part = ism(model, X, start=5, end=-7)
    assert torch.all(part[:, :, :5] == 0) and torch.all(part[:, :, -7:] == 0)
    torch.testing.assert_close(part[:, :, 5:-7], full[:, :, 5:-7])
    assert torch.all(full[X == 1] == 0)


def test_all_zero_column_mutates_every_base() -> None:
    model = make("reused_module", seq_len=20).double()
    X = random_onehot(1, seq_len=20, seed=5).double()
    X[0, :, 7] = 0
    got = ism(model, X)
    torch.testing.assert_close(got, brute_force(model, X, 0))
    assert torch.all(got[0, :, 7] != 0)


def test_centre_and_log_ratio() -> None:
    model = make("pooling", seq_len=30).double()
    X = random_onehot(2, seq_len=30, seed=6).double()
    centred = ism(model, X, centre=True)
    torch.testing.assert_close(centred.mean(dim=1), torch.zeros(2, 30, dtype=torch.float64))
    torch.testing.assert_close(centred, ism(model, X) - ism(model, X).mean(dim=1, keepdim=True))

    def positive(out):
        return torch.exp(out[:, 0])

    log_ratio = ism(model, X, target=positive, log_ratio=True)
    # log(exp(a) / exp(b)) = a - b: the log-ratio of exp(output) is the plain difference of the output
    torch.testing.assert_close(log_ratio, ism(model, X, target=0))
    with pytest.raises(ValueError, match="positive"):
        ism(model, X, target=lambda out: -torch.exp(out[:, 0]), log_ratio=True)


def test_taylor_is_exact_for_a_linear_model() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv1d(4, 6, 5, padding=2), nn.Flatten(), nn.Linear(6 * 25, 2)).double().eval()
    X = random_onehot(3, seq_len=25, seed=7).double()
    torch.testing.assert_close(ism(model, X, target=1, fast="taylor"), ism(model, X, target=1, fast=False))
    part = ism(model, X, target=1, fast="taylor", start=3, end=10)
    assert torch.all(part[:, :, :3] == 0) and torch.all(part[:, :, 10:] == 0)


def test_numpy_in_numpy_out_and_model_state_restored() -> None:
    model = make("batchnorm_eval", seq_len=20).train()
    X = random_onehot(2, seq_len=20).numpy()
    got = ism(model, X)
    assert isinstance(got, np.ndarray) and got.shape == X.shape
    assert model.training and all(p.requires_grad for p in model.parameters())
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_untraceable_model_falls_back_or_refuses() -> None:
    class DataDependent(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv1d(4, 3, 3)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            h = self.conv(x)
            # control flow on data: torch.fx cannot trace it. Always true, so each row's output does not depend on
            # the other rows of its batch (``h.sum() > 0`` did, which made the comparison depend on the weights)
            if h.abs().sum() >= 0:
                h = h * 2
            return h.mean(dim=2)

    torch.manual_seed(0)
    model = DataDependent().double().eval()
    X = random_onehot(2, seq_len=15).double()
    torch.testing.assert_close(ism(model, X, fast="auto"), brute_force(model, X, 0))
    with pytest.raises(ValueError, match="fast=True cannot be used"):
        ism(model, X, fast=True)


def test_bad_arguments() -> None:
    model = make("residual", seq_len=20)
    X = random_onehot(1, seq_len=20)
    with pytest.raises(ValueError, match="fast must be"):
        ism(model, X, fast="yes")
    with pytest.raises(ValueError, match="leave no positions"):
        ism(model, X, start=10, end=5)
    with pytest.raises(ValueError, match="batch_size"):
        ism(model, X, batch_size=0)
    with pytest.raises(ValueError, match="A=4"):
        ism(model, X.transpose(1, 2))


def test_ism_heatmap_plots() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import eugene as eu

    X = random_onehot(1, seq_len=30)
    effects = ism(make("residual", seq_len=30), X)
    ax = eu.plot.ism_heatmap(effects[0], mark_reference=X[0], start=100)
    assert ax.get_xlim()[0] == pytest.approx(99.5)
    with pytest.raises(ValueError, match="shape"):
        eu.plot.ism_heatmap(effects)
    plt.close("all")


@pytest.mark.parametrize("fast", [False, True, "taylor"])
def test_streaming_over_chunks_gives_each_sequences_own_result(fast) -> None:
    model = make("pooling", seq_len=12).double()
    X = random_onehot(19, seq_len=12, seed=8).double()  # two chunks of sequences, the last one partial
    kwargs = dict(fast=fast, batch_size=16, start=2, end=11, centre=True)
    got = ism(model, X, **kwargs)
    shifted = torch.cat([ism(model, X[:3], **kwargs), ism(model, X[3:], **kwargs)])  # other chunk boundaries
    torch.testing.assert_close(got, shifted, rtol=1e-9, atol=1e-10)
    if fast != "taylor":  # and the exact paths are ISM itself, on the rows of both chunks
        rows = [0, 18]
        expected = torch.zeros_like(X[rows])
        window = brute_force(model, X[rows], 0)[:, :, 2:11]
        expected[:, :, 2:11] = window - window.mean(dim=1, keepdim=True)
        torch.testing.assert_close(got[rows], expected, rtol=1e-9, atol=1e-10)


def test_every_input_kind_and_an_empty_batch() -> None:
    model = make("residual", seq_len=20)
    X = random_onehot(3, seq_len=20, seed=9)
    expected = ism(model, X, fast=False)
    x = X.numpy()
    for kind, given in {
        "float64 numpy": x.astype(np.float64),
        "int numpy": x.astype(np.int32),
        "bool numpy": x.astype(bool),
        "reversed view": np.ascontiguousarray(x[:, :, ::-1])[:, :, ::-1],
        "requires grad": X.clone().requires_grad_(True),
    }.items():
        got = ism(model, given, fast=False)
        assert isinstance(got, type(given)) and got.dtype in (np.float32, torch.float32), kind
        np.testing.assert_allclose(np.asarray(got), expected.numpy(), rtol=1e-5, atol=1e-6, err_msg=kind)
    for fast in (False, True, "taylor"):
        empty = ism(model, x[:0], fast=fast)
        assert isinstance(empty, np.ndarray) and empty.shape == (0, 4, 20) and empty.dtype == np.float32


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"centre": "yes"}, TypeError, "centre must be True or False; got str 'yes'"),
        ({"log_ratio": 1}, TypeError, "log_ratio must be True or False; got int 1"),
        ({"fast": 1}, ValueError, "fast must be 'auto', True, False or 'taylor'; got 1"),
        ({"start": 2.0}, TypeError, "start must be None or an int position"),
        ({"verbose": "yes"}, TypeError, "verbose must be True, False or None"),
    ],
)
def test_flags_are_checked(kwargs, error, words) -> None:
    with pytest.raises(error, match=words):
        ism(make("residual", seq_len=20), random_onehot(1, seq_len=20), **kwargs)


# --- fast="auto": the faster exact path by a cost estimate, the same for the same shapes -----------------------------


def _auto(model: nn.Module, X: torch.Tensor, target=0, **kwargs):
    """ism(fast="auto") as the API runs it, keeping the Mutagenesis to read the path it took (``choice``)."""
    run = Run(model, X, target, batch_size=kwargs.pop("batch_size", 256), verbose=False)
    mutagenesis = Mutagenesis(run, fast="auto", **kwargs)
    with run:
        return mutagenesis(run.X), mutagenesis.choice


def _dense_first(length: int) -> nn.Module:
    """A 1x1 convolution, then dense layers over the whole sequence: the fast path can shorten nothing that costs."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv1d(4, 4, 1), nn.Flatten(), nn.Linear(4 * length, 64), nn.ReLU(), nn.Linear(64, 2))


def _dilated(length: int) -> nn.Module:
    """Dilated residual stack whose receptive field (255) covers the whole sequence after a few layers."""

    class Dilated(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.stem = nn.Conv1d(4, 16, 3, padding=1)
            self.convs = nn.ModuleList(nn.Conv1d(16, 16, 3, dilation=2**i, padding=2**i) for i in range(7))
            self.head = nn.Linear(16, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            h = torch.relu(self.stem(x))
            for conv in self.convs:
                h = h + torch.relu(conv(h))
            return self.head(h.mean(dim=2))

    torch.manual_seed(0)
    return Dilated().eval()


def _assert_exact(got: torch.Tensor, model: nn.Module, X: torch.Tensor, **kwargs) -> None:
    """auto's result is naive ISM's up to float32 rounding (relative to the model's output)."""
    naive = ism(model, X, fast=False, **kwargs)
    with torch.no_grad():
        scale = float(model(X).abs().max())
    assert float((got - naive).abs().max()) <= 1e-5 * scale


@pytest.mark.parametrize(
    ("name", "make_model", "length", "n", "window"),
    [
        ("dense after a 1x1 convolution", _dense_first, 60, 4, {}),
        ("dilated stack covering the sequence", _dilated, 64, 2, {}),
        (
            "one position of one sequence",
            lambda L: eu.models.build("basset", seq_len=L).eval(),
            200,
            1,
            {"start": 100, "end": 101},
        ),
    ],
)
def test_auto_takes_the_naive_path_where_it_is_estimated_faster(name, make_model, length, n, window) -> None:
    torch.manual_seed(0)
    model = make_model(length).eval()
    X = random_onehot(n, seq_len=length, seed=11)
    got, choice = _auto(model, X, **window)
    assert choice.path == "naive", f"{name}: {choice}"
    assert choice.fast_seconds > FAST_MARGIN * choice.naive_seconds
    _assert_exact(got, model, X, **window)


def test_auto_takes_the_fast_path_where_it_saves_most_of_the_work() -> None:
    torch.manual_seed(0)
    model = eu.models.build("basset", seq_len=200).eval()
    X = random_onehot(4, seq_len=200, seed=12)
    got, choice = _auto(model, X)
    assert choice.path == "fast" and choice.fast_seconds <= FAST_MARGIN * choice.naive_seconds, str(choice)
    _assert_exact(got, model, X)
    # the same model on one position of one sequence: the fast path's fixed costs (padding every reference
    # activation it gathers from, more calls per batch) are no longer worth it
    assert _auto(model, X[:1], start=100, end=101)[1].path == "naive"


def test_auto_choice_depends_on_shapes_only() -> None:
    """The estimate reads shapes, never timings: other sequences, a copy of the model and a rerun get the same
    estimates and path, exactly."""
    import copy

    torch.manual_seed(0)
    model = eu.models.build("deepbind", seq_len=101, n_filters=16).eval()
    choices = [
        _auto(m, random_onehot(20, seq_len=101, seed=seed), start=10, end=90)[1]
        for m, seed in ((model, 1), (model, 1), (model, 2), (copy.deepcopy(model), 3))
    ]
    assert choices[0] is not None and all(choice == choices[0] for choice in choices)


def test_auto_says_which_path_when_verbose(capsys) -> None:
    model = _dense_first(30)
    X = random_onehot(2, seq_len=30, seed=13)
    ism(model, X, fast="auto", verbose=True)
    assert "ism fast='auto': the naive path" in capsys.readouterr().err
    ism(model, X, fast="auto", verbose=False)
    assert "fast='auto'" not in capsys.readouterr().err


def test_cost_estimate_counts_every_multiply_add() -> None:
    """The naive path's multiply-adds per mutant are the convolutions' and dense layers' (counted here from their
    shapes); the fast path's are fewer, and at least those of the dense layers it must run in full."""
    L = 40
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv1d(4, 8, 5, padding=2),
        nn.ReLU(),
        nn.Conv1d(8, 6, 3, dilation=2, padding=2),
        nn.ReLU(),
        nn.MaxPool1d(2),
        nn.Flatten(),
        nn.Linear(6 * L // 2, 3),
    ).eval()
    engine = FastISM(model, torch.device("cpu"))
    with torch.no_grad():
        costs = engine.prepare(random_onehot(2, seq_len=L), resolve_target(0)).costs
    dense = 6 * L // 2 * 3
    assert costs.naive_mutant.macs == 8 * L * 4 * 5 + 6 * L * 8 * 3 + dense
    assert dense <= costs.fast_mutant.macs < costs.naive_mutant.macs
