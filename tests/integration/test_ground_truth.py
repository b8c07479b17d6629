"""Attributions of the demo model find the planted motifs: DeepLiftShap and ISM beat random scores by a clear margin.

The protocol of Koo and Ploenzke (2021): per sequence, the AUROC of |attribution x input| against the positions of
the planted instances of the motif whose output is attributed (eugene.evaluate.ground_truth_auroc).
"""

from __future__ import annotations

import numpy as np
import pytest

import eugene as eu


@pytest.fixture(scope="module")
def setup():
    model = eu.models.load_demo_model()
    data = eu.models.demo_sequences().subset(slice(0, 60))
    return model, data


@pytest.fixture(scope="module")
def random_auroc(setup) -> float:
    model, data = setup
    scores = eu.evaluate.ground_truth_auroc(model, data, "random", seed=0)
    assert len(scores) == int(data.y.sum())  # one row per (sequence, motif present)
    return float(scores.auroc.mean())


def test_random_scores_sit_at_chance(random_auroc):
    assert abs(random_auroc - 0.5) < 0.05


@pytest.mark.parametrize(("method", "options"), [("deeplift_shap", {"n_references": 10}), ("ism", {"fast": False})])
def test_method_beats_random_by_a_clear_margin(setup, random_auroc, method, options):
    model, data = setup
    scores = eu.evaluate.ground_truth_auroc(model, data, method, seed=0, **options)
    assert np.isfinite(scores.auroc).all()
    assert scores.auroc.mean() > random_auroc + 0.2, scores.groupby("name").auroc.mean()
