"""JASPAR from pyjaspar's bundled database, checked against the shared MEME export of the same release."""

from __future__ import annotations

import numpy as np
import pytest

import eugene.motifs as em


def test_jaspar_2024_core_vertebrates_matches_the_meme_export(shared_data):
    pytest.importorskip("pyjaspar")
    db = em.jaspar(2024, "CORE", "vertebrates")
    meme = em.read_meme(shared_data / "motifs" / "jaspar2024_core_vertebrates.meme")
    assert len(db) == len(meme) == 879
    assert set(db.names) == set(meme.names)
    for name in ["MA0004.1", meme.names[500], meme.names[-1]]:
        np.testing.assert_allclose(db[name].probs, meme[name].probs, atol=1e-6)
        assert db[name].counts is not None and db[name].alt_name == meme[name].alt_name


def test_unknown_release_is_a_clear_error():
    pytest.importorskip("pyjaspar")
    with pytest.raises(ValueError, match="release"):
        em.jaspar(1999)
