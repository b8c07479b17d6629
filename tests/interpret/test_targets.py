"""Profile and count targets of BPNet-style models: the definition against numpy, exact DeepLiftShap, the two
variants' gradients, every method accepting them, ensembles of two-headed models, and clear errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from zoo import random_onehot, randomize

import eugene as eu
from eugene.interpret import attribute, count_target, ism, profile_target
from eugene.interpret.deeplift import DeepLiftWarning

N, L = 3, 32


def _bpnet(seed: int = 0, **kwargs) -> torch.nn.Module:
    options = {"seq_len": L, "n_outputs": 2, "count_outputs": 1, "n_filters": 8, "n_layers": 2} | kwargs
    return randomize(eu.models.build("bpnet", **options), seed).double().eval()


@pytest.fixture(scope="module")
def model():
    return _bpnet()


@pytest.fixture(scope="module")
def X():
    return random_onehot(N, seq_len=L, seed=1).double()


def _numpy_profile_target(profile: np.ndarray) -> np.ndarray:
    """The definition, written out: flatten strands and positions, centre, weight by the softmax, sum."""
    z = profile.reshape(len(profile), -1)
    centred = z - z.mean(axis=1, keepdims=True)
    weights = np.exp(centred - centred.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    return (weights * centred).sum(axis=1)


@pytest.mark.parametrize("variant", ["bpnet-lite", "chrombpnet"])
@pytest.mark.parametrize("shape", [(5, 40), (5, 1, 40), (5, 2, 40)])
def test_profile_target_equals_the_definition_in_numpy(variant, shape):
    profile = np.random.default_rng(0).normal(size=shape) * 3
    counts = np.random.default_rng(1).normal(size=(5, 1))
    value = profile_target(variant=variant)((torch.from_numpy(profile), torch.from_numpy(counts)))
    np.testing.assert_allclose(value.numpy(), _numpy_profile_target(profile), rtol=1e-12)
    # a shift of all logits changes nothing (the mean-normalization), the counts head is not read
    shifted = profile_target(variant=variant)((torch.from_numpy(profile + 7.0), torch.zeros(5, 1)))
    torch.testing.assert_close(shifted, value)


def test_heads_by_position_key_or_alone_and_tasks_select_tracks():
    profile = np.random.default_rng(2).normal(size=(4, 4, 30))
    t = torch.from_numpy(profile)
    expected = _numpy_profile_target(profile[:, [2, 3]])
    torch.testing.assert_close(profile_target(tasks=[2, 3])((t, torch.zeros(4, 1))), torch.from_numpy(expected))
    torch.testing.assert_close(profile_target("profile", tasks=[2, 3])({"profile": t}), torch.from_numpy(expected))
    torch.testing.assert_close(profile_target(None, tasks=[2, 3])(t), torch.from_numpy(expected))
    counts = torch.from_numpy(np.random.default_rng(3).normal(size=(4, 3)))
    torch.testing.assert_close(count_target(tasks=1)((t, counts)), counts[:, 1])
    torch.testing.assert_close(count_target(tasks=[0, 2])((t, counts)), counts[:, 0] + counts[:, 2])
    torch.testing.assert_close(count_target(None)(counts[:, 0]), counts[:, 0])


def test_deeplift_shap_with_profile_target_is_exact(model, X):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeepLiftWarning)
        attributions, delta = attribute(
            model, X, "deeplift_shap", target=profile_target(), n_references=4, seed=0, return_delta=True
        )
        counts_delta = attribute(
            model, X, "deeplift_shap", target=count_target(), n_references=4, seed=0, return_delta=True
        )[1]
    references = eu.interpret.make_references(X, "dinucleotide_shuffle", 4, seed=0)
    with torch.no_grad():
        fx = profile_target()(model(X))
        fr = profile_target()(model(references.flatten(0, 1))).view(N, 4)
    assert delta.abs().max() <= 1e-10 * (fx[:, None] - fr).abs().max()
    assert counts_delta.abs().max() <= 1e-10
    torch.testing.assert_close(attributions.sum(dim=(1, 2)), (fx[:, None] - fr).mean(dim=1), rtol=1e-9, atol=1e-12)


def test_variants_differ_only_in_the_gradient_of_the_weights(model, X):
    """bpnet-lite differentiates the softmax weights; chrombpnet holds them constant (stop_gradient)."""
    x = X.clone().requires_grad_(True)
    profile = model(x)[0].flatten(1)
    centred = profile - profile.mean(dim=1, keepdim=True)
    constant = torch.softmax(centred, dim=1).detach()
    (full,) = torch.autograd.grad((centred * torch.softmax(centred, dim=1)).sum(), x, retain_graph=True)
    (held,) = torch.autograd.grad((centred * constant).sum(), x)
    torch.testing.assert_close(attribute(model, X, "saliency", target=profile_target()), full)
    torch.testing.assert_close(attribute(model, X, "saliency", target=profile_target(variant="chrombpnet")), held)
    assert not torch.allclose(full, held)


def test_chrombpnet_variant_deeplift_sums_to_reference_weighted_logit_change(model, X):
    """As documented: with constant weights, DeepLIFT explains sum_i p_i(r) (z~_i(x) - z~_i(r)), not f(x) - f(r)."""
    references = eu.interpret.make_references(X, "dinucleotide_shuffle", 1, seed=2)[:, 0]
    # the warning says why (the weights are constants), not that a rule failed
    with pytest.warns(DeepLiftWarning, match="holds the softmax weights p constant"):
        attributions = attribute(
            model, X, "deeplift", target=profile_target(variant="chrombpnet"), references=references
        )
    with torch.no_grad():
        zx, zr = (model(s)[0].flatten(1) for s in (X, references))
        zx, zr = zx - zx.mean(dim=1, keepdim=True), zr - zr.mean(dim=1, keepdim=True)
        expected = (torch.softmax(zr, dim=1) * (zx - zr)).sum(dim=1)
    torch.testing.assert_close(attributions.sum(dim=(1, 2)), expected, rtol=1e-9, atol=1e-12)


def test_every_method_takes_the_targets(model, X):
    """ISM with the profile target equals the definition on mutants predicted one by one; the other methods run."""
    effects = ism(model, X[:1], target=profile_target(), start=10, end=13)
    base = X[:1]
    with torch.no_grad():
        reference = _numpy_profile_target(model(base)[0].numpy())[0]
        for pos in range(10, 13):
            for letter in range(4):
                mutant = base.clone()
                mutant[0, :, pos] = 0
                mutant[0, letter, pos] = 1
                value = _numpy_profile_target(model(mutant)[0].numpy())[0] - reference
                assert effects[0, letter, pos].item() == pytest.approx(value, abs=1e-10)
    for method in ("integrated_gradients", "smoothgrad", "input_x_gradient"):
        assert attribute(model, X, method, target=count_target(), n_samples=2, n_steps=4).shape == X.shape
    table = eu.interpret.variant_effect(model, X, [(0, 4, "A"), (2, 9, "T")], target=profile_target())
    assert np.isfinite(table["diff"]).all()
    effects, _ = eu.interpret.gia_implant(model, X, "TGACTCA", position=5, target=count_target())
    assert np.isfinite(effects).all()


def test_ensemble_of_bpnets_with_profile_target_is_mean_and_exact(X):
    folds = [_bpnet(seed) for seed in range(2)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeepLiftWarning)
        together = attribute(folds, X, "deeplift_shap", target=profile_target(), n_references=3, seed=1)
    with torch.no_grad():
        mean_profile = (folds[0](X)[0] + folds[1](X)[0]) / 2
    # the target reads the ensemble's mean profile (not the mean of the folds' targets)
    torch.testing.assert_close(
        eu.interpret.predict(folds, X, target=profile_target()), profile_target(None)(mean_profile)
    )
    assert together.shape == X.shape


@pytest.mark.parametrize(
    ("make", "output", "error", "words"),
    [
        (lambda: profile_target(variant="basepair"), None, ValueError, "variant must be one of"),
        (lambda: profile_target(head=1.5), None, TypeError, "head must be an int"),
        (lambda: profile_target(tasks="01"), None, TypeError, "tasks must be None, an int or a non-empty list"),
        (lambda: profile_target(head=2), (torch.zeros(2, 2, 5), torch.zeros(2, 1)), ValueError, "index the model's 2"),
        (lambda: profile_target(head="profile"), {"logits": torch.zeros(2, 5)}, ValueError, "no head 'profile'"),
        (lambda: profile_target(), torch.zeros(2, 2, 5), TypeError, "Use head=None"),
        (lambda: profile_target(None), torch.zeros(2, 2, 5, 3), ValueError, r"\(N, L\) or \(N, S, L\)"),
        (lambda: profile_target(tasks=[0, 4]), (torch.zeros(2, 2, 5),), ValueError, "out of range"),
        (lambda: count_target(), (torch.zeros(2, 2, 5), torch.zeros(2, 3)), ValueError, "choose them with tasks"),
    ],
)
def test_errors_name_the_problem(make, output, error, words):
    with pytest.raises(error, match=words):
        make()(output)
