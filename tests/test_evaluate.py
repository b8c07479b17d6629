"""eugene.evaluate: the checks against planted truth, computed the long way round and compared."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import eugene as eu
from eugene.evaluate import attribution_auroc, ground_truth_auroc, held_out_auroc


@pytest.fixture(scope="module")
def demo():
    return eu.models.load_demo_model(), eu.models.demo_sequences().subset(slice(0, 40))


def _pairwise_auroc(scores: np.ndarray, labels: np.ndarray) -> float:
    pos, neg = scores[labels], scores[~labels]
    if len(pos) == 0 or len(neg) == 0:
        return np.nan
    return float(((pos[:, None] > neg[None]).sum() + 0.5 * (pos[:, None] == neg[None]).sum()) / (len(pos) * len(neg)))


def test_held_out_auroc_is_the_pairwise_auroc_of_each_output(demo):
    model, data = demo
    with torch.no_grad():
        scores = model(torch.from_numpy(data.X)).numpy()
    labels = data.y.astype(bool)
    expected = [_pairwise_auroc(scores[:, k], labels[:, k]) for k in range(labels.shape[1])]
    np.testing.assert_allclose(held_out_auroc(model, data, batch_size=7), expected, atol=1e-9)


def test_held_out_auroc_rejects_a_model_with_other_outputs(demo):
    _, data = demo
    wrong = eu.models.build("deepbind", seq_len=200, n_outputs=3).eval()
    with pytest.raises(ValueError, match=r"model must give one output per motif, shape \(40, 12\); got \(40, 3\)"):
        held_out_auroc(wrong, data)


def test_ground_truth_auroc_scores_each_motif_output_on_the_sequences_holding_it(demo):
    model, data = demo
    data = data.subset(slice(0, 12))
    got = ground_truth_auroc(model, data, "saliency")
    rows = []
    for m in range(data.y.shape[1]):  # the long way: attribute output m on its sequences, score its planted letters
        for n in np.flatnonzero(data.y[:, m] > 0):
            attr = eu.interpret.attribute(model, data.X[n : n + 1], "saliency", target=m)[0]
            rows.append((n, m, _pairwise_auroc(np.abs(attr * data.X[n]).sum(axis=0), data.mask[n] == m)))
    assert list(zip(got["sequence"], got["motif"])) == [(n, m) for n, m, _ in rows]
    assert got["name"].tolist() == [data.motif_names[m] for _, m, _ in rows]
    np.testing.assert_allclose(got["auroc"], [a for _, _, a in rows], rtol=1e-9)


def test_names_stay_reachable_and_a_moved_one_says_where_it_went():
    assert eu.evaluate.attribution_auroc is eu.datasets.attribution_auroc is attribution_auroc
    with pytest.raises(AttributeError, match=r"eugene.datasets.ground_truth_auroc moved to eugene.evaluate"):
        eu.datasets.ground_truth_auroc  # noqa: B018
    with pytest.raises(AttributeError, match="module 'eugene.datasets' has no attribute 'no_such_name'"):
        eu.datasets.no_such_name  # noqa: B018
