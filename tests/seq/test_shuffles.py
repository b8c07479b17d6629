"""k-mer shuffles: exact k-mer counts against brute-force counting, uniformity against brute-force enumeration."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
import torch
from scipy import stats

from eugene.seq import decode, dinucleotide_shuffle, kmer_shuffle, one_hot, shuffle


def _random_onehot(rng: np.random.Generator, n: int, length: int, p_n: float = 0.05) -> np.ndarray:
    """Random DNA one-hot with about p_n all-zero (N) columns."""
    symbols = rng.integers(0, 4, size=(n, length))
    X = np.eye(4, dtype=np.float32)[symbols].transpose(0, 2, 1).copy()
    return X * (rng.random((n, 1, length)) >= p_n)


def _symbols(X: np.ndarray) -> np.ndarray:
    """(..., A, L) one-hot -> (..., L) symbols, A for an all-zero column."""
    return np.where(X.sum(axis=-2) > 0, X.argmax(axis=-2), X.shape[-2])


def _kmer_counts(symbols: np.ndarray, k: int) -> list[Counter]:
    """Counter of k-mers (as tuples) per row, by direct enumeration."""
    return [Counter(tuple(row[i : i + k]) for i in range(len(row) - k + 1)) for row in symbols.tolist()]


@pytest.mark.parametrize("k", [1, 2, 3])
def test_kmer_counts_and_ends_preserved_exactly(k: int) -> None:
    rng = np.random.default_rng(0)
    X = _random_onehot(rng, 1000 if k == 2 else 200, 60)
    out = kmer_shuffle(X, k=k, n=3, seed=1)
    assert out.shape == (X.shape[0], 3, 4, 60) and out.dtype == np.float32
    original, shuffled = _symbols(X), _symbols(out)
    expected = _kmer_counts(original, k)
    for r in range(3):
        assert _kmer_counts(shuffled[:, r], k) == expected
    if k > 1:  # Altschul-Erickson keeps the first and last k-1 letters
        np.testing.assert_array_equal(shuffled[:, :, : k - 1], np.repeat(original[:, None, : k - 1], 3, axis=1))
        np.testing.assert_array_equal(shuffled[:, :, -(k - 1) :], np.repeat(original[:, None, -(k - 1) :], 3, axis=1))
    # valid one-hot: one 1 per column or all zero
    assert set(np.unique(out.sum(axis=2)).tolist()) <= {0.0, 1.0}


def test_dinucleotide_shuffle_is_uniform_over_all_sequences_with_the_same_counts() -> None:
    seq = "AACGTTACGA"
    counts = _kmer_counts(np.array([list(seq)]), 2)[0]
    valid = {
        "".join(c)
        for c in itertools.product("ACGT", repeat=len(seq))
        if c[0] == seq[0] and Counter(zip(c[:-1], c[1:], strict=True)) == counts
    }
    draws = Counter(decode(dinucleotide_shuffle(one_hot(seq), n=20_000, seed=3)[0]))
    assert set(draws) == valid
    observed = np.array([draws[s] for s in sorted(valid)])
    assert stats.chisquare(observed).pvalue > 1e-4


def test_seeded_determinism_and_different_seeds() -> None:
    X = _random_onehot(np.random.default_rng(1), 20, 100)
    a = dinucleotide_shuffle(X, n=4, seed=7)
    np.testing.assert_array_equal(a, dinucleotide_shuffle(X, n=4, seed=7))
    assert not np.array_equal(a, dinucleotide_shuffle(X, n=4, seed=8))
    np.testing.assert_array_equal(
        dinucleotide_shuffle(X, n=4, seed=np.random.default_rng(7)), a
    )  # a Generator seeded alike gives the same draws


def test_shuffles_are_not_the_identity() -> None:
    X = _random_onehot(np.random.default_rng(2), 50, 100)
    for fn in (shuffle, dinucleotide_shuffle):
        out = fn(X, n=2, seed=0)
        same = (out == X[:, None]).all(axis=(2, 3))
        assert same.mean() < 0.05


def test_torch_in_torch_out() -> None:
    X = _random_onehot(np.random.default_rng(3), 5, 40)
    out = dinucleotide_shuffle(torch.from_numpy(X).double(), n=2, seed=0)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float64 and out.shape == (5, 2, 4, 40)
    np.testing.assert_array_equal(out.numpy(), dinucleotide_shuffle(X, n=2, seed=0))


def test_all_n_and_short_sequences() -> None:
    X = np.zeros((2, 4, 30), dtype=np.float32)
    assert not dinucleotide_shuffle(X, n=3, seed=0).any()
    short = one_hot(["AC", "GT"])
    np.testing.assert_array_equal(dinucleotide_shuffle(short, n=2, seed=0), np.repeat(short[:, None], 2, axis=1))
    assert kmer_shuffle(one_hot(["ACG"]), k=5, seed=0).shape == (1, 1, 4, 3)


def test_string_shuffles_keep_characters_and_case() -> None:
    seq = "ACGTNacgtnAACCGGTTNN"
    out = dinucleotide_shuffle(seq, n=5, seed=0)
    assert len(out) == 5
    for s in out:
        assert Counter(zip(s[:-1], s[1:], strict=True)) == Counter(zip(seq[:-1], seq[1:], strict=True))
        assert s[0] == seq[0] and s[-1] == seq[-1]
    nested = shuffle(["AAC", "GGGT"], n=2, seed=0)
    assert [sorted(s) for s in nested[1]] == [sorted("GGGT")] * 2


def test_bad_input() -> None:
    X = one_hot(["ACGT"])
    with pytest.raises(ValueError, match="transpose"):
        dinucleotide_shuffle(one_hot(["ACGTTGCA"]).transpose(0, 2, 1))
    with pytest.raises(ValueError, match=r"\(N, A, L\)"):
        dinucleotide_shuffle(X[0])
    with pytest.raises(ValueError, match="one-hot"):
        dinucleotide_shuffle(one_hot(["ANGT"], on_ambiguous="uniform"))
    with pytest.raises(ValueError, match="n must be a positive integer"):
        dinucleotide_shuffle(X, n=0)
    with pytest.raises(ValueError, match="k must be"):
        kmer_shuffle(X, k=0)
    with pytest.raises(TypeError, match="X must be"):
        dinucleotide_shuffle(12)


@pytest.mark.parametrize("shuffler", [shuffle, dinucleotide_shuffle])
@pytest.mark.parametrize("seed", [-1, 1.5, "x"])
def test_bad_seeds_are_refused_naming_the_seed(shuffler, seed) -> None:
    # numpy's own "expected non-negative integer" named no argument
    with pytest.raises(ValueError, match="seed must be None or a non-negative integer"):
        shuffler(one_hot(["ACGTACGT"]), seed=seed)
