"""Variant effects against direct predictions of hand-edited sequences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from zoo import make

from eugene.interpret import predict, variant_effect
from eugene.seq import decode, one_hot


def _setup():
    model = make("residual", seq_len=30)
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), 30)) for _ in range(3)]
    return model, seqs, one_hot(seqs)


def test_snvs_match_direct_predictions() -> None:
    model, seqs, X = _setup()
    variants = [(0, 4, "A" if seqs[0][4] != "A" else "C"), (2, 29, seqs[2][29], "G" if seqs[2][29] != "G" else "T")]
    table = variant_effect(model, X, variants)
    for i, (s, p, *alleles) in enumerate(variants):
        edited = seqs[s][:p] + alleles[-1] + seqs[s][p + 1 :]
        expected = predict(model, one_hot([edited]), 0)[0]
        assert table.loc[i, "alt_pred"] == pytest.approx(expected, rel=1e-5)
        assert table.loc[i, "ref_pred"] == pytest.approx(predict(model, X[s : s + 1], 0)[0], rel=1e-5)
        assert table.loc[i, "ref"] == seqs[s][p]
    np.testing.assert_allclose(table["diff"], table["alt_pred"] - table["ref_pred"])


def test_indels_keep_length_and_log_fold_change() -> None:
    model, seqs, X = _setup()
    table = pd.DataFrame({"seq": [1, 1], "pos": [10, 10], "ref": [seqs[1][10:13], seqs[1][10]], "alt": ["-", "TTTT"]})
    positive = variant_effect(model, X, table, target=lambda out: torch.exp(out[:, 0]))
    deletion = seqs[1][:10] + seqs[1][13:] + "NNN"
    insertion = (seqs[1][:10] + "TTTT" + seqs[1][11:])[:30]
    direct = np.exp(predict(model, one_hot([deletion, insertion]), 0))
    np.testing.assert_allclose(positive["alt_pred"], direct, rtol=1e-5)
    np.testing.assert_allclose(positive["log2_fc"], np.log2(positive["alt_pred"] / positive["ref_pred"]))
    assert decode(one_hot([deletion]))[0].endswith("NNN")


def test_bad_variants() -> None:
    model, seqs, X = _setup()
    wrong = "A" if seqs[0][4] != "A" else "C"
    with pytest.raises(ValueError, match="does not match"):
        variant_effect(model, X, [(0, 4, wrong, "G")])
    with pytest.raises(ValueError, match="pos must be"):
        variant_effect(model, X, [(0, 30, "G")])
    with pytest.raises(TypeError, match="variants must be"):
        variant_effect(model, X, "chr1:100A>G")


def test_variant_table_plots() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import eugene as eu

    model, seqs, X = _setup()
    table = variant_effect(model, X, [(0, 4, "A" if seqs[0][4] != "A" else "C"), (1, 7, "-")])
    ax = eu.plot.variant_effects(table)
    assert len(ax.patches) == 2 and ax.get_xlabel() == "alt - ref (Δ prediction)"  # the column diff, with its unit
    plt.close("all")


def test_any_input_kind_and_an_empty_batch() -> None:
    model, seqs, X = _setup()
    variants = [(0, 4, "A" if seqs[0][4] != "A" else "C"), (2, 9, "-")]
    expected = variant_effect(model, X, variants)
    for kind, given in {
        "float64 numpy": X.astype(np.float64),
        "bool numpy": X.astype(bool),
        "reversed view": np.ascontiguousarray(X[:, :, ::-1])[:, :, ::-1],
        "tensor that requires grad": torch.from_numpy(X).requires_grad_(True),
    }.items():
        pd.testing.assert_frame_equal(variant_effect(model, given, variants), expected, obj=kind)
    empty = variant_effect(model, X[:0], [])
    assert len(empty) == 0 and list(empty.columns) == list(expected.columns)
    with pytest.raises(ValueError, match=r"seq must be a row of X in \[0, 0\)"):
        variant_effect(model, X[:0], [(0, 4, "A")])


def test_a_bool_is_not_a_row_or_position() -> None:
    model, seqs, X = _setup()
    with pytest.raises(ValueError, match="seq must be a row of X in .0, 3.; got True"):
        variant_effect(model, X, [(True, 4, "A")])
    with pytest.raises(ValueError, match="pos must be in .0, 30.; got False"):
        variant_effect(model, X, [(0, False, "A")])


# ---- attributions of ref and alt (issue 13 item 7) ------------------------------------------------------------------
def _hand_built(seqs):
    """Variants (SNV, insertion, deletion, two on one row) and their alt sequences written out by hand."""
    s0, s1 = seqs[0], seqs[1]
    snv = "A" if s0[4] != "A" else "C"
    variants = pd.DataFrame(
        {
            "seq": [0, 1, 1, 0],
            "pos": [4, 10, 12, 20],
            "ref": [s0[4], s1[10], s1[12:15], s0[20]],
            "alt": [snv, s1[10] + "GG", "-", "T"],
        }
    )
    alts = [
        s0[:4] + snv + s0[5:],
        (s1[:10] + s1[10] + "GG" + s1[11:])[:30],
        s1[:12] + s1[15:] + "NNN",
        s0[:20] + "T" + s0[21:],
    ]
    return variants, one_hot([seqs[s] for s in variants["seq"]]), one_hot(alts)


@pytest.mark.parametrize("method", ["deeplift_shap", "deeplift", "integrated_gradients", "saliency", "ism"])
def test_attributions_equal_explicit_attribute_calls_on_hand_built_sequences(method) -> None:
    from eugene.interpret import VariantAttributions, attribute, make_references

    model, seqs, X = _setup()
    variants, X_ref, X_alt = _hand_built(seqs)
    options = {"deeplift_shap": {"n_references": 3}, "integrated_gradients": {"n_steps": 6}}.get(method, {})
    result = variant_effect(model, X, variants, attributions=method, attribution_options=options, seed=5)
    assert isinstance(result, VariantAttributions)
    pd.testing.assert_frame_equal(result.table, variant_effect(model, X, variants))
    kw = {"seed": 5, "verbose": False, **({"n_steps": 6} if method == "integrated_gradients" else {})}
    if method in ("deeplift_shap", "deeplift", "integrated_gradients"):  # the documented rule: the ref's references
        kind = {"deeplift_shap": "dinucleotide_shuffle"}.get(method, "zero")
        kw["references"] = make_references(X_ref, kind, n=3 if method == "deeplift_shap" else 1, seed=5)
    np.testing.assert_array_equal(result.X_ref, X_ref)
    np.testing.assert_array_equal(result.X_alt, X_alt)
    np.testing.assert_allclose(result.ref, attribute(model, X_ref, method, **kw), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(result.alt, attribute(model, X_alt, method, **kw), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(result.diff, result.alt - result.ref)


def test_exact_attributions_of_the_difference_sum_to_the_prediction_difference() -> None:
    model, seqs, X = _setup()
    variants, _, _ = _hand_built(seqs)
    for method in ("deeplift_shap", "deeplift"):
        result = variant_effect(
            model, X, variants, attributions=method, seed=1, attribution_options={"n_references": 4}
        )
        np.testing.assert_allclose(result.diff.sum(axis=(1, 2)), result.table["diff"], rtol=1e-3, atol=1e-4)


def test_given_references_are_shared_by_ref_and_alt_and_torch_in_gives_torch_out() -> None:
    from eugene.interpret import attribute

    model, seqs, X = _setup()
    variants, X_ref, X_alt = _hand_built(seqs)
    refs = np.random.default_rng(3).dirichlet(np.ones(4), size=(4, 2, 30)).transpose(0, 1, 3, 2).astype(np.float32)
    result = variant_effect(
        model, torch.from_numpy(X), variants, attributions="deeplift_shap", attribution_options={"references": refs}
    )
    assert isinstance(result.ref, torch.Tensor) and isinstance(result.X_alt, torch.Tensor)
    expected = attribute(model, X_alt, "deeplift_shap", references=refs, verbose=False)
    np.testing.assert_allclose(result.alt.numpy(), expected, rtol=1e-6, atol=1e-7)


def test_every_output_scored_separately_with_target_none() -> None:
    model = make("residual", seq_len=30)
    _, seqs, X = _setup()
    variants, _, _ = _hand_built(seqs)
    n_outputs = predict(model, X).shape[1]
    table = variant_effect(model, X, variants, target=None)
    assert len(table) == len(variants) * n_outputs and table["target"].tolist() == list(range(n_outputs)) * 4
    for t in range(n_outputs):
        one = variant_effect(model, X, variants, target=t)
        part = table[table["target"] == t].drop(columns="target").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, one)


def test_attribution_arguments_are_checked() -> None:
    model, seqs, X = _setup()
    variants = [(0, 4, "A" if seqs[0][4] != "A" else "C")]
    with pytest.raises(ValueError, match="attributions must be None or one of .*got 'deepshap'"):
        variant_effect(model, X, variants, attributions="deepshap")
    with pytest.raises(ValueError, match="attributions need one target"):
        variant_effect(model, X, variants, target=None, attributions="saliency")
    with pytest.raises(ValueError, match="may not hold return_delta"):
        variant_effect(model, X, variants, attributions="deeplift", attribution_options={"return_delta": True})
    with pytest.raises(ValueError, match="give X .* or genome .*, not both"):
        variant_effect(model, X, variants, genome="genome.fa")
