"""Ensembles: every interpret method given several models equals the mean of its per-model results (brute force),
DeepLIFT stays exact, the models' state is restored, memory follows the batch, and bad ensembles are refused."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import xarray as xr
from torch import nn
from zoo import make, random_onehot, randomize

import eugene as eu
from eugene.interpret import attribute, gia_implant, ism, predict
from eugene.interpret import sdata as sd
from eugene.interpret.attribution import METHODS
from eugene.models import Ensemble
from threaded import in_threads

N, L = 3, 24


@pytest.fixture(scope="module")
def folds():
    """Three 'cross-validation folds': one architecture, three weight draws, in float64."""
    return [make("gated", seq_len=L, seed=seed).double() for seed in range(3)]


@pytest.fixture(scope="module")
def X():
    return random_onehot(N, seq_len=L, seed=1).double()


def _options(method: str) -> dict:
    return {"n_references": 3, "n_steps": 8, "n_samples": 4} if method != "ism" else {}


@pytest.mark.parametrize("method", METHODS)
def test_attribution_of_ensemble_is_mean_of_models(folds, X, method):
    options = _options(method)
    options = {k: v for k, v in options.items() if k != "n_references" or method == "deeplift_shap"}
    if method == "integrated_gradients":
        options["n_references"] = 2
    together = attribute(folds, X, method, seed=3, verbose=False, **options)
    each = torch.stack([attribute(m, X, method, seed=3, verbose=False, **options) for m in folds])
    torch.testing.assert_close(together, each.mean(dim=0), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("hypothetical", [False, True])
def test_deeplift_shap_on_ensemble_sums_to_delta(folds, X, hypothetical, recwarn):
    attributions, delta = attribute(
        folds, X, "deeplift_shap", n_references=4, seed=0, return_delta=True, hypothetical=hypothetical, verbose=False
    )
    references = eu.interpret.make_references(X, "dinucleotide_shuffle", 4, seed=0)
    f = Ensemble(folds)
    fx = f(X)[:, 0].detach()
    fr = f(references.flatten(0, 1))[:, 0].detach().view(N, 4)
    scale = (fx[:, None] - fr).abs().max()
    assert delta.abs().max() <= 1e-9 * scale
    if not hypothetical:  # the contributions themselves sum to the mean of f(x) - f(r) over the references
        torch.testing.assert_close(attributions.sum(dim=(1, 2)), (fx[:, None] - fr).mean(dim=1), rtol=1e-9, atol=1e-12)
    assert not [w for w in recwarn if issubclass(w.category, eu.interpret.deeplift.DeepLiftWarning)]


def test_ensemble_of_different_architectures_two_heads():
    """Branches with nothing in common (Basset and DeepSTARR) and a tuple output: the mean is taken per head."""
    models = [
        randomize(eu.models.build("basset", seq_len=60, n_outputs=2), 0).double().eval(),
        randomize(eu.models.build("deepstarr", seq_len=60, n_outputs=2), 1).double().eval(),
    ]
    X = random_onehot(3, seq_len=60, seed=2).double()
    together = attribute(models, X, "deeplift_shap", target=[0, 1], n_references=3, seed=1, verbose=False)
    each = torch.stack(
        [attribute(m, X, "deeplift_shap", target=[0, 1], n_references=3, seed=1, verbose=False) for m in models]
    )
    torch.testing.assert_close(together, each.mean(dim=0), rtol=1e-9, atol=1e-12)
    two_headed = [make("two_headed", seq_len=L, seed=s).double() for s in range(2)]
    X = X[:, :, :L]
    out = Ensemble(two_headed)(X)
    for k in range(2):
        torch.testing.assert_close(out[k], (two_headed[0](X)[k] + two_headed[1](X)[k]) / 2)


@pytest.mark.parametrize("fast", [True, False])
def test_ism_fast_and_naive_on_ensemble_equal_mean_of_models(folds, X, fast):
    together = ism(folds, X, fast=fast, batch_size=16)
    each = torch.stack([ism(m, X, fast=False, batch_size=16) for m in folds]).mean(dim=0)
    torch.testing.assert_close(together, each, rtol=1e-9, atol=1e-12)


def test_predict_gia_and_variant_effect_average_over_models(folds, X):
    torch.testing.assert_close(predict(folds, X), torch.stack([predict(m, X) for m in folds]).mean(dim=0))
    effects, _ = gia_implant(folds, X, "TGACTCA", position=10, seed=0)
    each = np.mean([gia_implant(m, X, "TGACTCA", position=10, seed=0)[0] for m in folds], axis=0)
    np.testing.assert_allclose(effects, each, rtol=1e-9, atol=1e-12)
    variants = [(0, 5, "A"), (1, 7, "C"), (2, 20, "G")]
    table = eu.interpret.variant_effect(folds, X, variants, target=1)
    tables = [eu.interpret.variant_effect(m, X, variants, target=1) for m in folds]
    for column in ("ref_pred", "alt_pred", "diff"):  # linear in the output (log2_fc, a ratio, is not)
        np.testing.assert_allclose(table[column], np.mean([t[column] for t in tables], axis=0), rtol=1e-9, atol=1e-12)


class _Counting(nn.Module):
    """Records the rows of every batch it sees."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.net = make("gated", seq_len=L, seed=seed)
        self.rows: list[int] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.rows.append(x.shape[0])
        return self.net(x)


@pytest.mark.parametrize(("method", "rows"), [("saliency", 3), ("deeplift_shap", 6), ("ism", 40)])
def test_one_streaming_pass_bounded_by_batch(method, rows):
    models = [_Counting(seed) for seed in range(2)]
    X = random_onehot(5, seq_len=L, seed=3)
    attribute(models, X, method, batch_size=rows, n_references=2, seed=0, verbose=False) if method != "ism" else ism(
        models, X, batch_size=rows, fast=False
    )
    assert models[0].rows == models[1].rows  # each batch goes through every model, once
    assert max(models[0].rows) <= rows
    if method == "saliency":
        assert sum(models[0].rows) == len(X)  # one pass over the data


def test_models_state_restored_on_success_and_error(X):
    models = [make("gated", seq_len=L, seed=s).double() for s in range(2)]
    models[0].train()
    models[1].stem.weight.requires_grad_(False) if hasattr(models[1], "stem") else None
    flags = [[m.training for m in model.modules()] for model in models]
    grads = [[p.requires_grad for p in model.parameters()] for model in models]
    attribute(models, X, "deeplift_shap", n_references=2, seed=0, verbose=False)
    with pytest.raises(ValueError):
        attribute(models, X, "deeplift_shap", references=torch.zeros(N + 1, 4, L), verbose=False)
    assert [[m.training for m in model.modules()] for model in models] == flags
    assert [[p.requires_grad for p in model.parameters()] for model in models] == grads


def test_explicit_ensemble_and_nested_ensembles_equal_the_list(folds, X):
    as_list = attribute(folds, X, "saliency", verbose=False)
    torch.testing.assert_close(attribute(Ensemble(folds), X, "saliency", verbose=False), as_list)
    nested = Ensemble([Ensemble(folds[:2]), folds[2]])  # the mean of (mean of two) and one: weights 1/4, 1/4, 1/2
    expected = (
        attribute(folds[:2], X, "saliency", verbose=False) / 2 + attribute(folds[2], X, "saliency", verbose=False) / 2
    )
    torch.testing.assert_close(attribute(nested, X, "saliency", verbose=False), expected)


def _conv(alphabet_size: int = 4, out: int = 2, length: int = L) -> nn.Module:
    return nn.Sequential(nn.Conv1d(alphabet_size, 3, 5), nn.Flatten(), nn.Linear(3 * (length - 4), out))


@pytest.mark.parametrize(
    ("models", "error", "words"),
    [
        ([], TypeError, "non-empty list"),
        ([_conv(), "model.pt"], TypeError, r"models\[1\] must be a torch.nn.Module"),
        (
            [_conv(), _conv().double()],
            ValueError,
            r"one dtype: models\[0\] has torch.float32, models\[1\] has torch.float64",
        ),
        ([_conv(), _conv().to("meta")], ValueError, r"one device: models\[0\] has cpu, models\[1\] has meta"),
        ([_conv(), _conv(alphabet_size=5)], ValueError, r"one alphabet size.*models\[1\] has 5"),
    ],
)
def test_bad_ensembles_are_refused_naming_the_model(models, error, words):
    X = random_onehot(2, seq_len=L)
    with pytest.raises(error, match=words):
        predict(models, X)


def test_models_that_disagree_on_output_are_refused():
    X = random_onehot(2, seq_len=L)
    with pytest.raises(
        ValueError,
        match=r"one shape: models\[0\]'s output is Tensor of shape \(2, 2\).*models\[1\]'s is Tensor of shape \(2, 3\)",
    ):
        predict([_conv(), _conv(out=3)], X)
    with pytest.raises(ValueError, match="one structure"):
        predict(
            [make("two_headed", seq_len=L), _conv()],
            X,
            target=lambda out: out[0].sum(-1) if isinstance(out, tuple) else out[:, 0],
        )
    with pytest.raises(RuntimeError, match=r"raised by models\[1\] of the ensemble"):
        predict([_conv(), _conv(length=L + 10)], X)


def test_ensemble_checked_again_when_a_model_changed():
    models = [_conv(), _conv()]
    ensemble = Ensemble(models)
    models[1].double()
    with pytest.raises(ValueError, match="one dtype"):
        predict(ensemble, random_onehot(2, seq_len=L))


def test_layer_analyses_refuse_ensembles():
    X = random_onehot(2, seq_len=L)
    for call in (
        lambda m: eu.interpret.filter_pfms(m, X),
        lambda m: eu.interpret.layer_activations(m, X, "0"),
        lambda m: eu.interpret.filter_influence(m, X, "0", target=0),
    ):
        with pytest.raises(TypeError, match="take one model"):
            call([_conv(), _conv()])


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
def test_deeplift_refuses_an_ensemble_holding_a_torchscript_model():
    X = random_onehot(2, seq_len=L)
    scripted = torch.jit.script(_conv())
    with pytest.raises(TypeError, match="needs a Python nn.Module"):
        attribute([_conv(), scripted], X, "deeplift", verbose=False)
    assert attribute([_conv(), scripted], X, "saliency", verbose=False).shape == X.shape


def test_sdata_store_of_an_ensemble_knows_its_models(tmp_path):
    """A store computed with some folds refuses a resume with other folds (the fingerprint holds every model's
    weights), and its values equal the in-memory ensemble's."""
    folds = [_conv(), _conv(), _conv()]
    letters = np.array(list("ACGT"))[np.random.default_rng(0).integers(0, 4, (4, L))]
    sdata = xr.Dataset({"seq": ("_sequence", np.array(["".join(row) for row in letters]))})
    store = tmp_path / "folds.zarr"
    out = sd.attribute_sdata(folds[:2], sdata, "saliency", chunk_size=2, store=store, copy=True)
    X = eu.seq.one_hot(list(sdata["seq"].values))
    np.testing.assert_allclose(out["saliency_attrs"].values, attribute(folds[:2], X, "saliency"), rtol=1e-6)
    with pytest.raises(ValueError, match="differs in"):
        sd.attribute_sdata([folds[0], folds[2]], sdata, "saliency", chunk_size=2, store=store)


def test_threads_sharing_a_model_between_ensembles_get_serial_results_and_leave_it_as_it_was():
    """Six threads, each with its own ensemble around one shared model (entered by each thread's own state block),
    give the serial results, and the shared model's flags come back as the user left them."""
    shared = make("gated", seq_len=L, seed=0).train()
    others = [make("gated", seq_len=L, seed=s) for s in range(1, 4)]
    X = random_onehot(3, seq_len=L, seed=4)
    serial = [attribute([shared, others[i % 3]], X, "deeplift_shap", n_references=2, seed=0) for i in range(6)]
    results = in_threads(6, lambda i: attribute([shared, others[i % 3]], X, "deeplift_shap", n_references=2, seed=0))
    for got, expected in zip(results, serial):
        torch.testing.assert_close(got, expected)
    assert all(m.training for m in shared.modules()) and all(p.requires_grad for p in shared.parameters())
