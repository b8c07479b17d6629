"""eu.seq.sample_onehot: columns drawn independently from their own letter probabilities."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from eugene.seq import sample_onehot


def test_each_column_follows_its_probabilities() -> None:
    probs = np.array([[0.7, 0.0, 0.25], [0.1, 0.0, 0.25], [0.2, 1.0, 0.25], [0.0, 0.0, 0.25]])
    X = sample_onehot(probs, 20_000, seed=0)
    assert X.shape == (20_000, 4, 3) and X.dtype == np.float32
    np.testing.assert_array_equal(X.sum(axis=1), 1.0)  # exactly one letter per column
    assert np.abs(X.mean(axis=0) - probs).max() < 0.015  # frequencies within ~4 standard errors
    # columns are independent: joint frequency of (column 0 = A, column 2 = C) is the product
    joint = (X[:, 0, 0] * X[:, 1, 2]).mean()
    assert abs(joint - 0.7 * 0.25) < 0.015


def test_counts_are_normalized_and_seeds_reproduce() -> None:
    counts = np.array([[3.0, 0.0], [1.0, 5.0], [0.0, 0.0], [0.0, 0.0]])
    a = sample_onehot(counts, 500, seed=3)
    np.testing.assert_array_equal(a, sample_onehot(counts / counts.sum(axis=0), 500, seed=3))
    np.testing.assert_array_equal(a, sample_onehot(torch.from_numpy(counts), 500, seed=np.random.default_rng(3)))
    assert not np.array_equal(a, sample_onehot(counts, 500, seed=4))
    assert np.all(a[:, 2:] == 0) and np.all(a[:, 1, 1] == 1)
    assert sample_onehot(counts, 0, seed=0).shape == (0, 4, 2)


@pytest.mark.parametrize(
    ("probs", "n", "seed", "parts"),
    [
        (np.full((4, 3), np.nan), 2, 0, ["probs", "finite"]),
        (-np.ones((4, 3)), 2, 0, ["probs", "non-negative"]),
        (np.zeros((4, 3)), 2, 0, ["probs", "positive sum", "column"]),
        (np.ones(4), 2, 0, ["probs", "(A, W)", "(4,)"]),
        (np.ones((4, 3)), -1, 0, ["n", "non-negative", "-1"]),
        (np.ones((4, 3)), 2, -1, ["seed", "non-negative", "-1"]),
        (np.ones((4, 3)), 2, 1.5, ["seed", "1.5"]),
    ],
)
def test_bad_arguments_name_themselves(probs, n, seed, parts) -> None:
    with pytest.raises(ValueError) as err:
        sample_onehot(probs, n, seed=seed)
    for part in parts:
        assert part in str(err.value)
