"""Greedy evolution: every step is the best single substitution, and scores only go up."""

from __future__ import annotations

import numpy as np
import torch
from zoo import make, random_onehot

from eugene.interpret import evolve, ism, predict


def test_each_round_applies_the_best_substitution() -> None:
    model = make("pooling", seq_len=30).double()
    X = random_onehot(3, seq_len=30, seed=0).double()
    evolved, history = evolve(model, X, rounds=4)
    current = X.clone()
    for r in range(1, 5):
        step = history[history["round"] == r]
        best = ism(model, current).flatten(1).max(dim=1)
        for _, row in step.iterrows():
            n = int(row["seq"])
            assert row["gain"] == best.values[n].item()
            current[n, :, int(row["position"])] = 0
            current[n, int(row["alt_base"]), int(row["position"])] = 1
    torch.testing.assert_close(evolved, current)
    final = predict(model, evolved, 0)
    last = history.sort_values("round").groupby("seq")["score"].last()
    np.testing.assert_allclose(last.to_numpy(), final.numpy())
    assert (history[history["round"] > 0]["gain"] > 0).all()
    assert np.all(np.diff(history[history["seq"] == 0]["score"].to_numpy()) > 0)


def test_minimise_and_window() -> None:
    model = make("residual", seq_len=25).double()
    X = random_onehot(2, seq_len=25, seed=1).double().numpy()
    evolved, history = evolve(model, X, rounds=3, maximize=False, start=5, end=15)
    assert isinstance(evolved, np.ndarray)
    changed = np.nonzero((evolved != X).any(axis=1))[1]
    assert changed.min() >= 5 and changed.max() < 15
    assert (predict(model, evolved, 0) < predict(model, X, 0)).all()
