"""Motif file formats: round trips, the shared MEME/JASPAR files, and errors naming file and line."""

from __future__ import annotations

import numpy as np
import pytest

from eugene.motifs import (
    Motif,
    MotifSet,
    read_homer,
    read_jaspar,
    read_meme,
    read_motifs,
    read_transfac,
    write_homer,
    write_jaspar,
    write_meme,
)


def _set(alphabet="ACGT", n=3, seed=0):
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 30, size=(n, len(alphabet), 6)).astype(float) + 1
    return MotifSet.from_counts(counts, alphabet=alphabet, names=[f"m{i}" for i in range(n)])


@pytest.mark.parametrize("alphabet", ["ACGT", "ACGU", "ACDEFGHIKLMNPQRSTVWY"])
def test_meme_round_trip(tmp_path, alphabet):
    ms = _set(alphabet)
    ms[0].alt_name = "TF0"
    path = tmp_path / "x.meme"
    write_meme(ms, path)
    back = read_meme(path)
    assert back.names == ms.names and back[0].alt_name == "TF0"
    assert back.alphabet == alphabet
    for a, b in zip(ms, back, strict=True):
        np.testing.assert_allclose(a.probs, b.probs, atol=2e-6)
        assert a.nsites == b.nsites


def test_meme_custom_alphabet_round_trip(tmp_path):
    rng = np.random.default_rng(5)
    m = Motif("c", rng.dirichlet(np.ones(4), size=3).T, alphabet="MCGA", complement="AGCM")
    path = tmp_path / "c.meme"
    write_meme([m], path)
    back = read_meme(path)
    assert back.alphabet == "ACGM" and back[0].complement == "MGCA"
    np.testing.assert_allclose(back[0].probs, m.probs[[3, 1, 2, 0]], atol=2e-6)


def test_meme_background_and_nsites_are_read(tmp_path):
    path = tmp_path / "bg.meme"
    path.write_text(
        "MEME version 4\n\nALPHABET= ACGT\n\nBackground letter frequencies\nA 0.3 C 0.2 G 0.2 T 0.3\n\n"
        "MOTIF one alt\nletter-probability matrix: alength= 4 w= 2 nsites= 17 E= 0\n"
        " 0.1 0.2 0.3 0.4\n 0.25 0.25 0.25 0.25\n"
    )
    ms = read_meme(path)
    np.testing.assert_allclose(ms.background, [0.3, 0.2, 0.2, 0.3])
    assert ms["one"].nsites == 17 and ms["one"].alt_name == "alt"
    np.testing.assert_allclose(ms["one"].probs[:, 0], [0.1, 0.2, 0.3, 0.4])


def test_shared_meme_files_load(shared_data):
    jaspar = read_meme(shared_data / "motifs" / "jaspar2024_core_vertebrates.meme")
    assert len(jaspar) == 879 and jaspar["MA0004.1"].alt_name == "Arnt"
    rna = read_meme(shared_data / "motifs" / "Ray2013_rbp_RNA.meme")
    assert rna.alphabet == "ACGU" and len(rna) == 102 and rna[0].url.startswith("http")


@pytest.mark.parametrize("fmt", ["jaspar", "pfm"])
def test_jaspar_round_trip(tmp_path, fmt):
    ms = _set()
    path = tmp_path / f"x.{fmt}"
    write_jaspar(ms, path, format=fmt)
    back = read_motifs(path)
    assert back.names == ms.names
    for a, b in zip(ms, back, strict=True):
        np.testing.assert_allclose(a.counts, b.counts)


def test_jaspar_single_pfm_without_header(tmp_path):
    path = tmp_path / "MA9999.1.pfm"
    path.write_text("1 2 3\n4 5 6\n7 8 9\n1 1 1\n")
    ms = read_jaspar(path)
    assert ms.names == ["MA9999"] or ms.names == ["MA9999.1"]
    np.testing.assert_allclose(ms[0].counts[:, 0], [1, 4, 7, 1])


def test_homer_round_trip(tmp_path):
    ms = _set()
    path = tmp_path / "x.motif"
    write_homer(ms, path)
    back = read_homer(path)
    assert back.names == ms.names
    for a, b in zip(ms, back, strict=True):
        np.testing.assert_allclose(a.probs, b.probs, atol=2e-6)


def test_transfac_read(tmp_path):
    path = tmp_path / "x.transfac"
    path.write_text(
        "AC M00001\nXX\nID V$TEST\nXX\nP0      A      C      G      T\n01      1      2      3      4      N\n"
        "02      0      0      10     0      G\nXX\n//\n"
    )
    ms = read_transfac(path)
    assert ms.names == ["M00001"] and ms[0].alt_name == "V$TEST"
    np.testing.assert_allclose(ms[0].counts[:, 0], [1, 2, 3, 4])


def test_malformed_meme_names_file_and_line(tmp_path):
    path = tmp_path / "bad.meme"
    path.write_text(
        "MEME version 4\n\nALPHABET= ACGT\n\nMOTIF one\nletter-probability matrix: alength= 4 w= 2\n"
        " 0.1 0.2 0.3 0.4\n 0.25 0.25 x 0.25\n"
    )
    with pytest.raises(ValueError, match=r"bad\.meme, line 8"):
        read_meme(path)


def test_malformed_row_count_and_zero_width(tmp_path):
    path = tmp_path / "short.meme"
    path.write_text("MEME version 4\n\nMOTIF one\nletter-probability matrix: alength= 4 w= 3\n 0.1 0.2 0.3 0.4\n\n")
    with pytest.raises(ValueError, match=r"short\.meme, line 4.*w=3"):
        read_meme(path)
    path.write_text("MEME version 4\n\nMOTIF one\nletter-probability matrix: alength= 4 w= 0\n\n")
    with pytest.raises(ValueError, match="width 0"):
        read_meme(path)


def test_unnormalized_rows_warn_on_read(tmp_path):
    path = tmp_path / "un.meme"
    path.write_text("MEME version 4\n\nMOTIF one\nletter-probability matrix: alength= 4 w= 1\n 1 1 1 1\n")
    with pytest.warns(UserWarning, match="renormalized"):
        ms = read_meme(path)
    np.testing.assert_allclose(ms[0].probs[:, 0], 0.25)


def test_unknown_extension_asks_for_format(tmp_path):
    path = tmp_path / "x.weird"
    path.write_text("")
    with pytest.raises(ValueError, match="format="):
        read_motifs(path)
