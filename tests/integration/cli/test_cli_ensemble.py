"""Several --weights (e.g. cross-validation folds) explain the ensemble that averages the models' outputs."""

from __future__ import annotations

import numpy as np
import torch

from eugene.cli import main

ZOO = ["--model", "eugene.models.zoo:deepbind", "--model-arg", "seq_len=30", "--model-arg", "n_filters=4"]


def test_repeated_weights_give_the_mean_of_the_folds(inputs, tmp_path):
    from eugene.interpret import attribute, ism
    from eugene.models import build
    from eugene.seq import one_hot

    torch.manual_seed(1)
    other = build("deepbind", seq_len=30, n_filters=4).eval()
    torch.save(other.state_dict(), tmp_path / "fold1.pt")
    folds = ["--weights", inputs["weights"], "--weights", str(tmp_path / "fold1.pt")]
    X = one_hot(inputs["seqs"])
    source = ["--sequences", str(inputs["root"] / "seqs.fa"), "--quiet"]
    for command, compute, key in [
        ("attribute", lambda m: attribute(m, X, method="deeplift_shap", n_references=3, seed=0), "attributions"),
        ("ism", lambda m: ism(m, X), "ism"),
    ]:
        out = tmp_path / f"{command}.npz"
        options = ["--method", "deeplift_shap", "--n-references", "3"] if command == "attribute" else []
        assert main([command, *ZOO, *folds, *source, *options, "--out", str(out)]) == 0
        per_fold = [compute(model) for model in (inputs["model"], other)]
        assert not np.allclose(per_fold[0], per_fold[1])  # two different folds, so the mean is not either one
        np.testing.assert_allclose(np.load(out)[key], (per_fold[0] + per_fold[1]) / 2, rtol=1e-5, atol=1e-7)
