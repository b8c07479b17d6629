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
