"""Transforms checked against direct formulas on random matrices."""

from __future__ import annotations

import numpy as np
import pytest

from eugene.motifs import Motif, consensus, information_content, reverse_complement, to_ppm, to_pwm, trim


@pytest.fixture
def probs():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(4) * 0.5, size=9).T
    return p


def test_ppm_with_pseudocount_matches_formula():
    rng = np.random.default_rng(1)
    counts = rng.integers(0, 10, size=(4, 6)).astype(float)
    bg = np.array([0.3, 0.2, 0.2, 0.3])
    got = to_ppm(counts, pseudocount=2.0, background=bg)
    for j in range(6):
        expected = (counts[:, j] + 2.0 * bg) / (counts[:, j].sum() + 2.0)
        np.testing.assert_allclose(got[:, j], expected)


def test_pwm_and_information_content_agree(probs):
    pwm = to_pwm(probs, pseudocount=0.0)
    np.testing.assert_allclose(pwm, np.log2(probs / 0.25))
    ic = information_content(probs)
    np.testing.assert_allclose(ic, (probs * np.log2(probs / 0.25)).sum(axis=0))
    assert (ic >= -1e-12).all() and (ic <= 2 + 1e-12).all()


def test_consensus_is_argmax_and_iupac_picks_pairs(probs):
    letters = consensus(probs)
    assert letters == "".join("ACGT"[i] for i in probs.argmax(axis=0))
    two = np.array([[0.45, 0.97], [0.45, 0.01], [0.05, 0.01], [0.05, 0.01]])
    assert consensus(two, iupac=True, threshold=0.8) == "MA"
    assert consensus(Motif("r", two, alphabet="ACGU")) == "AA"


def test_trim_drops_only_low_information_flanks():
    core = np.eye(4)[:, [0, 2, 3]]
    flat = np.full((4, 2), 0.25)
    m = Motif("m", np.concatenate([flat, core, flat], axis=1))
    t = trim(m, threshold=0.5)
    np.testing.assert_allclose(t.probs, core)
    assert trim(Motif("f", np.full((4, 5), 0.25)), min_width=2).width == 2


def test_reverse_complement_function(probs):
    m = Motif("m", probs)
    np.testing.assert_allclose(reverse_complement(m).probs, probs[::-1, ::-1])


@pytest.mark.parametrize("background", [[np.nan, 0.3, 0.3, 0.4], [np.inf, 1, 1, 1], [0.5, 0.5, 0.0, 0.0]])
def test_background_must_be_finite_and_positive(background):
    """A NaN background went through (its comparison with 0 is False) and gave NaN scores."""
    with pytest.raises(ValueError, match="background must be 4 finite positive frequencies"):
        to_pwm(np.full((4, 3), 0.25), background=background)


@pytest.mark.parametrize("fn", [to_pwm, information_content, consensus, to_ppm])
def test_raw_arrays_are_checked_as_motifs_are(fn, probs):
    """A raw (A, W) array is read as a Motif of it would be: NaN, inf or negative values and (for probabilities) a
    column summing to 0 are refused (they gave NaN scores, or 'AAA' as consensus); columns off 1 are renormalized."""
    for bad in (np.full((4, 3), np.nan), -np.ones((4, 3)), np.where(probs > 0.5, np.inf, probs)):
        with pytest.raises(ValueError, match="must hold finite non-negative values"):
            fn(bad)
    if fn is not to_ppm:  # counts may have an empty column (a pseudocount fills it)
        with pytest.raises(ValueError, match=r"column\(s\) \[1\] sum to 0"):
            fn(np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]))
        with pytest.warns(UserWarning, match="renormalized"):
            scaled = fn(probs * 3)
        expected = fn(Motif("m", probs))
        assert scaled == expected if isinstance(expected, str) else np.allclose(scaled, expected)
