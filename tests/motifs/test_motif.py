"""Motif and MotifSet: construction, normalization, indexing, stacking, reverse complement."""

from __future__ import annotations

import numpy as np
import pytest

from eugene.motifs import Motif, MotifSet


def _counts(rng, f=3, a=4, w=7):
    return rng.integers(0, 20, size=(f, a, w)).astype(float) + 1


def test_from_counts_round_trips_counts_and_nsites():
    rng = np.random.default_rng(0)
    counts = _counts(rng)
    ms = MotifSet.from_counts(counts, names=["a", "b", "c"])
    np.testing.assert_array_equal(ms.counts, counts)
    np.testing.assert_allclose(ms.probs, counts / counts.sum(axis=1, keepdims=True))
    np.testing.assert_array_equal(ms.n_sites, counts.sum(axis=1).max(axis=1))
    assert ms.names == ["a", "b", "c"]


def test_from_counts_explicit_nsites_and_default_names():
    counts = _counts(np.random.default_rng(1), f=2)
    ms = MotifSet.from_counts(counts, nsites=[5, 6])
    assert ms.n_sites.tolist() == [5.0, 6.0]
    assert ms.names == ["motif_0", "motif_1"]


def test_from_counts_rejects_wrong_layout_with_hint():
    counts = _counts(np.random.default_rng(2)).transpose(0, 2, 1)
    with pytest.raises(ValueError, match="transpose"):
        MotifSet.from_counts(counts)


def test_indexing_by_name_position_slice_mask():
    ms = MotifSet.from_counts(_counts(np.random.default_rng(3), f=4), names=list("wxyz"))
    assert ms["y"] is ms[2]
    assert ms[-1].name == "z"
    assert ms[1:3].names == ["x", "y"]
    assert ms[np.array([True, False, True, False])].names == ["w", "y"]
    assert ms[["z", "w"]].names == ["z", "w"]
    assert [m.name for m in ms] == list("wxyz")
    assert "x" in ms and "q" not in ms
    with pytest.raises(KeyError, match="q"):
        ms["q"]


def test_rows_not_summing_to_one_are_renormalized_with_warning():
    probs = np.array([[0.5, 0.25], [0.5, 0.25], [0.5, 0.25], [0.5, 0.25]])
    with pytest.warns(UserWarning, match="renormalized"):
        m = Motif("m", probs)
    np.testing.assert_allclose(m.probs.sum(axis=0), 1.0)


def test_zero_width_and_bad_alphabet_size_are_clear_errors():
    with pytest.raises(ValueError, match="width 0"):
        Motif("m", np.zeros((4, 0)))
    with pytest.raises(ValueError, match=r"\.T"):
        Motif("m", np.full((5, 4), 0.25))


def test_mixing_dna_and_protein_in_a_set_is_an_error():
    dna = Motif("d", np.full((4, 3), 0.25))
    prot = Motif("p", np.full((20, 3), 0.05), alphabet="ACDEFGHIKLMNPQRSTVWY")
    with pytest.raises(ValueError, match="protein"):
        MotifSet([dna, prot])


def test_reverse_complement_is_an_involution_and_complements_letters():
    rng = np.random.default_rng(4)
    counts = _counts(rng, f=1)[0]
    m = Motif("m", counts=counts)
    rc = m.reverse_complement()
    np.testing.assert_allclose(rc.probs[0, 0], m.probs[3, -1])  # A at the start = T at the end
    np.testing.assert_allclose(rc.reverse_complement().probs, m.probs)
    np.testing.assert_allclose(rc.counts, counts[::-1, ::-1])
    rna = Motif("r", counts=counts, alphabet="ACGU")
    np.testing.assert_allclose(rna.reverse_complement().probs, rc.probs)
    with pytest.raises(ValueError, match="no complement"):
        Motif("p", np.full((20, 2), 0.05), alphabet="ACDEFGHIKLMNPQRSTVWY").reverse_complement()


def test_stacking_needs_one_width():
    a = Motif("a", np.full((4, 3), 0.25))
    b = Motif("b", np.full((4, 5), 0.25))
    with pytest.raises(ValueError, match="one width"):
        _ = MotifSet([a, b]).probs
