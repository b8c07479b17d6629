"""Greedy evolution: every step is the best single substitution, and scores only go up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
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


def test_any_input_kind_and_an_empty_batch() -> None:
    model = make("residual", seq_len=25)
    X = random_onehot(2, seq_len=25, seed=2)
    evolved, history = evolve(model, X, rounds=2, fast=False)
    for kind, given in {
        "float64 numpy": X.numpy().astype(np.float64),
        "int numpy": X.numpy().astype(np.int64),
        "reversed view": np.ascontiguousarray(X.numpy()[:, :, ::-1])[:, :, ::-1],
        "tensor that requires grad": X.clone().requires_grad_(True),
    }.items():
        got, got_history = evolve(model, given, rounds=2, fast=False)
        assert isinstance(got, type(given)), kind
        np.testing.assert_array_equal(np.asarray(got), evolved.numpy(), err_msg=kind)
        pd.testing.assert_frame_equal(got_history, history, obj=kind)
    empty, empty_history = evolve(model, X.numpy()[:0], rounds=2)
    assert isinstance(empty, np.ndarray) and empty.shape == (0, 4, 25)
    assert len(empty_history) == 0 and dict(empty_history.dtypes) == dict(history.dtypes)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"maximize": "yes"}, TypeError, "maximize must be True or False; got str 'yes'"),
        ({"min_gain": float("nan")}, ValueError, "min_gain must be a finite number; got float nan"),
        ({"min_gain": None}, ValueError, "min_gain must be a finite number"),
        ({"rounds": 0}, ValueError, "rounds must be a positive integer"),
        ({"fast": "fastest"}, ValueError, "fast must be 'auto', True, False or 'taylor'"),
        ({"start": 30}, ValueError, "leave no positions to mutate"),
    ],
)
def test_arguments_are_checked_even_for_an_empty_batch(kwargs, error, words) -> None:
    model = make("residual", seq_len=25)
    for X in (random_onehot(1, seq_len=25), random_onehot(1, seq_len=25)[:0]):
        with pytest.raises(error, match=words):
            evolve(model, X, **kwargs)
