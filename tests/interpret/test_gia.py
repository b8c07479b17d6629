"""GIA on hand-built models with known motif detectors, so the expected effects follow from the construction."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import eugene as eu
from eugene.interpret import (
    dinucleotide_backgrounds,
    gc_backgrounds,
    gia_implant,
    gia_occlusion,
    gia_positional,
    gia_sites,
    gia_spacing,
    implant_motif,
    profile_backgrounds,
)
from eugene.seq import decode, one_hot

MOTIF_A, MOTIF_B = "TGACTCA", "CACGTG"
SHUFFLED_A = "CATGTCA"  # the same letters as MOTIF_A in another order


class Detector(nn.Module):
    """Exact-match detectors: channel k is 1 where motif k matches fully, else 0 (weights +1/-1, bias -(W - 1))."""

    def __init__(self, motifs: list[str], combine: str = "max_sum") -> None:
        super().__init__()
        width = max(len(m) for m in motifs)
        self.conv = nn.Conv1d(4, len(motifs), width)
        with torch.no_grad():
            self.conv.weight.zero_()
            for k, m in enumerate(motifs):
                self.conv.weight[k, :, : len(m)] = torch.from_numpy(2 * one_hot(m)[0] - 1)
                self.conv.bias[k] = -(len(m) - 1)
        self.combine = combine

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hits = torch.relu(self.conv(x))
        if self.combine == "count":  # number of sites of motif 0
            return hits[:, :1].sum(dim=2)
        present = hits.amax(dim=2)
        if self.combine == "product":  # fires only when both motifs are present
            return present.prod(dim=1, keepdim=True)
        return present.sum(dim=1, keepdim=True)  # additive: each motif adds 1


def test_backgrounds_shapes_and_composition() -> None:
    X = one_hot(["ACGTTGCAACGGTA", "GGGCCCATATAGCA"])
    shuffled = dinucleotide_backgrounds(X, n=3, seed=0)
    assert shuffled.shape == (6, 4, 14)
    np.testing.assert_array_equal(shuffled[:3].sum(axis=2), np.repeat(X[:1].sum(axis=2), 3, axis=0))
    profile = profile_backgrounds(X, 200, seed=1)
    assert profile.shape == (200, 4, 14) and np.all(profile.sum(axis=1) == 1)
    allowed = X.sum(axis=0) > 0  # a profile draw only uses bases seen at that position
    assert np.all(profile[:, ~allowed] == 0)
    gc = gc_backgrounds(400, 50, gc=0.7, seed=2)
    assert abs(gc[:, 1:3].sum() / (400 * 50) - 0.7) < 0.02
    np.testing.assert_array_equal(gc, gc_backgrounds(400, 50, gc=0.7, seed=2))
    assert isinstance(profile_backgrounds(torch.from_numpy(X), 2, seed=0), torch.Tensor)


def test_implant_motif_string_ppm_and_strand() -> None:
    X = one_hot(["A" * 12, "C" * 12])
    assert decode(implant_motif(X, "TGAC", 3)) == ["AAATGACAAAAA", "CCCTGACCCCCC"]
    assert decode(implant_motif(X, "TGAC", [0, 8], strand="-")) == ["GTCAAAAAAAAA", "CCCCCCCCGTCA"]
    ppm = np.array([[0.0, 1.0], [0.5, 0.0], [0.5, 0.0], [0.0, 0.0]])  # position 0 is C or G, position 1 is A
    implanted = decode(implant_motif(np.repeat(X[:1], 50, axis=0), ppm, 5, seed=0))
    assert {s[5:7] for s in implanted} == {"CA", "GA"}
    with pytest.raises(ValueError, match="leave room"):
        implant_motif(X, "TGAC", 10)


def test_implanted_motif_raises_output_and_shuffled_control_does_not() -> None:
    model = Detector([MOTIF_A]).eval()
    backgrounds = gc_backgrounds(200, 60, seed=3)
    effects, table = gia_implant(model, backgrounds, MOTIF_A)
    assert effects.mean() > 0.95 and len(table) == 200
    np.testing.assert_allclose(table["effect"], table["implanted_pred"] - table["background_pred"])
    control, _ = gia_implant(model, backgrounds, SHUFFLED_A)
    assert abs(control.mean()) < 0.05
    reverse, _ = gia_implant(model, backgrounds, "TGAGTCA", strand="-")  # the reverse complement of MOTIF_A
    np.testing.assert_allclose(reverse, effects)


def test_demo_model_planted_motif() -> None:
    """Implanting a motif the demo model learned (held-out AUROC > 0.9 on its card) raises that motif's output;
    the same motif with its columns shuffled raises it far less."""
    model = eu.models.load_demo_model()
    data = eu.models.demo_sequences()
    aurocs = eu.models.demo.demo_model_card()["held_out"]["auroc"]
    learned = [k for k, name in enumerate(model.task_names) if aurocs[name] > 0.9]
    assert len(learned) >= 5
    backgrounds = gc_backgrounds(100, 200, gc=0.41, seed=0)
    rng = np.random.default_rng(0)
    for k in learned:
        probs = data.motifs[k].probs
        effect, _ = gia_implant(model, backgrounds, probs, target=k, seed=1)
        control, _ = gia_implant(model, backgrounds, probs[:, rng.permutation(probs.shape[1])], target=k, seed=1)
        assert effect.mean() > 1.0, model.task_names[k]
        assert effect.mean() > control.mean() + 3 * control.std() / np.sqrt(len(control)), model.task_names[k]


def test_positional_scan_matches_single_implants() -> None:
    model = Detector([MOTIF_A]).eval()
    backgrounds = gc_backgrounds(20, 40, seed=4)
    effects, table = gia_positional(model, backgrounds, MOTIF_A, step=7)
    assert list(table["position"]) == list(range(0, 34, 7))
    for i, p in enumerate(table["position"]):
        np.testing.assert_allclose(effects[i], gia_implant(model, backgrounds, MOTIF_A, p)[0])
    np.testing.assert_allclose(table["importance"], effects.mean(axis=1))


def test_spacing_cooperativity_is_zero_for_additive_and_one_for_product() -> None:
    backgrounds = gc_backgrounds(30, 60, gc=0.0, seed=5)  # A/T only: no background holds either motif
    rc_free = [MOTIF_A, "TGAGTCA", MOTIF_B]  # both strands of MOTIF_A; MOTIF_B is a palindrome
    coop, table = gia_spacing(Detector(rc_free).eval(), backgrounds, MOTIF_A, MOTIF_B, distances=[0, 5, 20])
    assert coop.shape == (2, 3, 30)
    np.testing.assert_allclose(coop, 0, atol=1e-6)
    product = Detector([MOTIF_A, MOTIF_B], "product").eval()
    coop, table = gia_spacing(product, backgrounds, MOTIF_A, MOTIF_B, [0, 5, 20])
    assert np.all(table["cooperativity"] > 0.9) and np.all(table["effect_ab"] > 0.9)
    assert set(table["orientation"]) == {"+", "-"}


def test_occlusion_finds_planted_sites_and_measures_them() -> None:
    model = Detector([MOTIF_A]).eval()
    X = implant_motif(gc_backgrounds(5, 50, seed=6), MOTIF_A, [3, 10, 20, 30, 40])
    effects, sites = gia_occlusion(model, X, MOTIF_A, n_samples=5, seed=0)
    planted = sites[sites["strand"] == "+"]
    assert list(planted["start"]) == [3, 10, 20, 30, 40]
    assert np.all(effects > 0.5)
    ppm = one_hot(MOTIF_A)[0] * 0.97 + 0.0075  # a PPM close to the consensus finds the same sites
    _, pwm_sites = gia_occlusion(model, X, eu.motifs.Motif("ap1", ppm), threshold=0.9, n_samples=2, seed=0)
    assert set(pwm_sites["start"]) >= {3, 10, 20, 30, 40}


def test_number_of_sites_adds_up_in_a_counting_model() -> None:
    model = Detector([MOTIF_A], "count").eval()
    backgrounds = gc_backgrounds(20, 80, seed=7)
    effects, table = gia_sites(model, backgrounds, MOTIF_A, n_sites=[1, 2, 3])
    np.testing.assert_allclose(table["importance"], [1, 2, 3], atol=0.1)
    assert effects.shape == (3, 20)


def test_gia_tables_plot() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    backgrounds = gc_backgrounds(10, 40, gc=0.0, seed=8)
    _, positional = gia_positional(Detector([MOTIF_A]).eval(), backgrounds, MOTIF_A, step=5)
    ax = eu.plot.gia_curve(positional)
    assert ax.get_xlabel() == "motif position (bp)" and len(ax.lines) >= 1  # axes name the column and its unit
    _, spacing = gia_spacing(Detector([MOTIF_A, MOTIF_B], "product").eval(), backgrounds, MOTIF_A, MOTIF_B, [0, 3])
    ax = eu.plot.gia_curve(spacing)
    assert ax.get_ylabel() == "cooperativity (\u0394 prediction)" and len(ax.get_legend().get_texts()) == 2
    plt.close("all")


# ---- edges: each a silent wrong result or an internal crash before (issue 11) ----


def test_occlusion_without_any_site_gives_an_empty_table_of_the_right_types() -> None:
    model = Detector([MOTIF_A]).eval()
    X = gc_backgrounds(5, 40, gc=0.0, seed=7)  # A/T only: no TGACTCA anywhere (was IndexError)
    effects, sites = gia_occlusion(model, X, MOTIF_A, seed=0)
    assert effects.shape == (0,) and len(sites) == 0
    columns = ["seq", "start", "end", "strand", "score", "prediction", "occluded_prediction", "effect"]
    assert list(sites.columns) == columns
    assert sites["seq"].dtype == np.int64 and sites["effect"].dtype == np.float64
    effects, sites = gia_occlusion(model, X[:0], MOTIF_A)  # no sequences: no sites either (was a torch.cat crash)
    assert effects.shape == (0,) and len(sites) == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda m, bg: gia_positional(m, bg, "TGACTCA" * 10),
        lambda m, bg: gia_implant(m, bg, "TGACTCA" * 10),
        lambda m, bg: gia_sites(m, bg, "TGACTCA" * 10),
    ],
)
def test_motif_longer_than_the_backgrounds_is_refused(call) -> None:
    """gia_positional gave an empty table with exit 0."""
    with pytest.raises(ValueError) as err:
        call(Detector([MOTIF_A]).eval(), gc_backgrounds(4, 40, seed=0))
    assert "width 70" in str(err.value) and "length 40" in str(err.value)


def test_nan_or_ambiguous_motifs_are_refused_not_implanted_as_a_s_or_zeros() -> None:
    model, backgrounds = Detector([MOTIF_A]).eval(), gc_backgrounds(4, 40, seed=0)
    nan_ppm = np.full((4, 6), np.nan)  # was implanted as AAAAAA
    for call in (
        lambda: gia_implant(model, backgrounds, nan_ppm),
        lambda: implant_motif(backgrounds, nan_ppm, 0),
        lambda: gia_occlusion(model, backgrounds, nan_ppm),
    ):
        with pytest.raises(ValueError, match="NaN"):
            call()
    with pytest.raises(ValueError, match="ambiguity code"):  # was implanted with an all-zero column
        implant_motif(backgrounds, "TGANTCA", 0)


def test_empty_backgrounds_are_refused_by_name() -> None:
    """Was a crash inside torch.cat."""
    empty = gc_backgrounds(4, 40, seed=0)[:0]
    for fn in (gia_implant, gia_positional, gia_sites):
        with pytest.raises(ValueError, match="backgrounds must hold at least one sequence"):
            fn(Detector([MOTIF_A]).eval(), empty, MOTIF_A)
    assert implant_motif(empty, MOTIF_A, 0).shape == (0, 4, 40)


@pytest.mark.parametrize(
    "convert",
    [
        lambda x: x.astype(np.float64),  # was "expected scalar type Double but found Float"
        lambda x: x.astype(bool),
        lambda x: x.astype(np.int64),
        lambda x: np.ascontiguousarray(x[:, :, ::-1])[:, :, ::-1],  # a reversed view: not contiguous
        lambda x: torch.from_numpy(x).double().requires_grad_(True),
    ],
)
def test_any_input_dtype_or_layout_gives_the_float32_results(convert) -> None:
    model = Detector([MOTIF_A]).eval()
    backgrounds = gc_backgrounds(6, 40, seed=8)
    expected, table = gia_implant(model, backgrounds, MOTIF_A, 10)
    effects, _ = gia_implant(model, convert(backgrounds), MOTIF_A, 10)
    np.testing.assert_allclose(effects, expected)
    X = implant_motif(backgrounds, MOTIF_A, [3, 20, 5, 9, 11, 0])
    expected_sites = gia_occlusion(model, X, MOTIF_A, seed=0)[1]
    sites = gia_occlusion(model, convert(X), MOTIF_A, seed=0)[1]
    np.testing.assert_allclose(sites["effect"], expected_sites["effect"])
    assert sites["start"].tolist() == [3, 20, 5, 9, 11, 0]


@pytest.mark.parametrize(
    ("call", "error", "parts"),
    [
        (lambda m, bg: gia_implant(m, bg, MOTIF_A, seed=-1), ValueError, ["seed", "non-negative", "-1"]),
        (lambda m, bg: gia_positional(m, bg, MOTIF_A, positions=[0, 2.5]), TypeError, ["positions", "2.5"]),
        (lambda m, bg: gia_spacing(m, bg, MOTIF_A, MOTIF_B, [1.5]), TypeError, ["distances", "1.5"]),
        (lambda m, bg: gia_occlusion(m, bg, MOTIF_A, threshold=True), ValueError, ["threshold", "[0, 1]"]),
        (lambda m, bg: gia_occlusion(m, bg, MOTIF_A, threshold=float("nan")), ValueError, ["threshold", "nan"]),
        (lambda m, bg: gia_positional(m, bg, MOTIF_A, verbose="yes"), TypeError, ["verbose"]),
        (lambda m, bg: gia_implant(m, bg, MOTIF_A, strand="+-"), ValueError, ["strand"]),
    ],
)
def test_bad_arguments_name_themselves(call, error, parts) -> None:
    with pytest.raises(error) as err:
        call(Detector([MOTIF_A]).eval(), gc_backgrounds(4, 40, seed=0))
    for part in parts:
        assert part in str(err.value)


def test_implant_positions_of_the_wrong_count_are_refused_by_name():
    # numpy's broadcast error ("operands could not be broadcast together ...") named no argument
    X = np.zeros((3, 4, 20), np.float32)
    with pytest.raises(ValueError, match=r"position must be an int or one int per sequence \(3\); got 2 values"):
        implant_motif(X, "TGA", [1, 2])
    letters = implant_motif(X, "TGA", [1, 2, 3]).argmax(1)
    for row, start in enumerate([1, 2, 3]):
        np.testing.assert_array_equal(letters[row, start : start + 3], [3, 2, 0])


def test_profile_backgrounds_of_no_sequences_is_refused() -> None:
    """Was a uniform draw, as if the profile had been observed."""
    from eugene.interpret import profile_backgrounds

    with pytest.raises(ValueError, match="X must hold at least one sequence"):
        profile_backgrounds(gc_backgrounds(2, 10, seed=0)[:0], n=3, seed=0)
