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


def test_rows_off_by_rounding_are_renormalized_with_a_warning(tmp_path):
    path = tmp_path / "un.meme"
    path.write_text("MEME version 4\n\nMOTIF one\nletter-probability matrix: alength= 4 w= 1\n 0.26 0.25 0.25 0.25\n")
    with pytest.warns(UserWarning, match="renormalized"):
        ms = read_meme(path)
    np.testing.assert_allclose(ms[0].probs[:, 0], np.array([0.26, 0.25, 0.25, 0.25]) / 1.01)


_MEME_HEAD = "MEME version 4\n\nALPHABET= ACGT\n\n"  # 4 lines; MOTIF is line 5, the matrix line 6


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        # more rows than w= (the old reader kept w rows and dropped the rest silently)
        ("letter-probability matrix: alength= 4 w= 2\n" + " 0.25 0.25 0.25 0.25\n" * 3, 6, r"w=2 but 3 rows follow"),
        ("letter-probability matrix: alength= 4 w= 3\n" + " 0.25 0.25 0.25 0.25\n" * 2, 6, r"w=3 but 2 rows follow"),
        # NaN / inf rows are named as such (the old reader said "has no matrix rows")
        ("letter-probability matrix: alength= 4 w= 2\n 0.25 0.25 0.25 0.25\n nan 0.5 0.25 0.25\n", 8, "NaN or inf"),
        ("letter-probability matrix: alength= 4 w= 1\n inf 0 0 0\n", 7, "NaN or inf"),
        ("letter-probability matrix: alength= 4 w= 1\n 0.5 -0.1 0.3 0.3\n", 7, "non-negative.*-0.1"),
        # counts where the format says probabilities
        ("letter-probability matrix: alength= 4 w= 1\n 3 1 0 16\n", 7, "must sum to 1; this one sums to 20"),
        ("letter-probability matrix: alength= 4 w= -1\n 0.25 0.25 0.25 0.25\n", 6, "width -1"),
        ("letter-probability matrix: alength= 4 w= 2\n\n 0.25 0.25 0.25 0.25\n", 6, "has no matrix rows"),
        (
            "letter-probability matrix: alength= 4 w= 1\n 0.25 0.25 0.25 0.25\n"
            "letter-probability matrix: alength= 4 w= 1\n 0.25 0.25 0.25 0.25\n",
            8,
            "second letter-probability matrix",
        ),
    ],
)
def test_meme_matrix_is_checked_against_what_it_declares(tmp_path, body, line, message):
    path = tmp_path / "bad.meme"
    path.write_text(_MEME_HEAD + "MOTIF one\n" + body + "\nMOTIF two\nletter-probability matrix: w= 1\n 1 0 0 0\n")
    with pytest.raises(ValueError, match=rf"bad\.meme, line {line}: .*{message}"):
        read_meme(path)


def test_meme_motif_without_matrix_line_is_an_error(tmp_path):
    path = tmp_path / "nomatrix.meme"
    rows = " 0.25 0.25 0.25 0.25\n" * 2
    path.write_text(_MEME_HEAD + "MOTIF one\n" + rows + "\nMOTIF two\n" + rows)  # old: 0 motifs, no error
    with pytest.raises(ValueError, match=r"nomatrix\.meme, line 5: motif 'one' has no 'letter-probability matrix"):
        read_meme(path)
    path.write_text(_MEME_HEAD + "MOTIF one\nletter-probability matrix: w= 1\n 1 0 0 0\n\nMOTIF two\n" + rows)
    with pytest.raises(ValueError, match=r"line 9: motif 'two' has no 'letter-probability matrix"):
        read_meme(path)


@pytest.mark.parametrize(
    ("header", "line", "message"),
    [
        ("ALPHABET= A\n", 2, "at least 2 distinct letters"),
        ("ALPHABET= ACGA\n", 2, "at least 2 distinct letters"),
        ("ALPHABET= ACGT\nBackground letter frequencies\nA nan C 0.2 G 0.3 T 0.25\n", 4, "NaN or inf"),
        ("ALPHABET= ACGT\nBackground letter frequencies\nA -0.2 C 0.4 G 0.4 T 0.4\n", 4, "non-negative"),
        ("ALPHABET= ACGT\nBackground letter frequencies\nA 1 C 1 G 1 T 1\n", 3, "sum to 1; they sum to 4"),
    ],
)
def test_meme_alphabet_and_background_are_checked(tmp_path, header, line, message):
    path = tmp_path / "bg.meme"
    path.write_text("MEME version 4\n" + header + "\nMOTIF one\nletter-probability matrix: w= 1\n 1 0 0 0\n")
    with pytest.raises(ValueError, match=rf"bg\.meme, line {line}: .*{message}"):
        read_meme(path)


def test_transfac_records_must_be_separated(tmp_path):
    one = "AC M00001\nID V$ONE\nP0 A C G T\n01 1 2 3 4 N\n02 5 0 0 0 A\n"
    two = "AC M00002\nID V$TWO\nP0 A C G T\n01 0 0 9 1 G\n"
    path = tmp_path / "x.transfac"
    path.write_text(one + two + "//\n")  # the '//' between the two is missing: the old reader merged them
    with pytest.raises(ValueError, match=r"x\.transfac, line 6: a second AC line .*begun at line 1.*'//'"):
        read_transfac(path)
    path.write_text(one + "P0 A C G T\n01 0 0 9 1 G\n//\n")
    with pytest.raises(ValueError, match=r"line 6: a second P0 matrix header"):
        read_transfac(path)
    path.write_text(one + "//\n" + two)  # the file ends without the last '//'
    with pytest.raises(ValueError, match=r"line 10: the file ends inside the record begun at line 7"):
        read_transfac(path)
    path.write_text("AC M00001\nP0 A C G T\n01 1 2 3 4\n03 1 2 3 4\n//\n")
    with pytest.raises(ValueError, match=r"line 4: expected matrix row 2; got row number 03"):
        read_transfac(path)
    path.write_text("AC M00001\nP0 A C G T\n//\n")
    with pytest.raises(ValueError, match=r"line 2: motif 'M00001' has a P0 header but no count rows"):
        read_transfac(path)
    path.write_text("AC M00001\nP0 A C G T\n01 1 nan 3 4\n//\n")
    with pytest.raises(ValueError, match=r"line 3: expected finite numbers"):
        read_transfac(path)
    path.write_text(one + "//\n" + two + "//\n")
    ms = read_transfac(path)
    assert ms.names == ["M00001", "M00002"] and ms[1].alt_name == "V$TWO"
    np.testing.assert_array_equal(ms[1].counts[:, 0], [0, 0, 9, 1])


@pytest.mark.parametrize(
    ("fmt", "text", "line", "message"),
    [
        ("jaspar", ">MA1\tX\nA [ 1 2 ]\nC [ 1 nan ]\nG [ 1 1 ]\nT [ 1 1 ]\n", 3, "NaN or inf"),
        ("jaspar", ">MA1\tX\nA [ 1 2 ]\nC [ 1 -3 ]\nG [ 1 1 ]\nT [ 1 1 ]\n", 3, "non-negative"),
        ("pfm", "1 2\n1 inf\n1 1\n1 1\n", 2, "NaN or inf"),
        ("homer", ">ACGT\tone\t5\n0.25 0.25 0.25 0.25\n0.25 nan 0.25 0.5\n", 3, "NaN or inf"),
        ("homer", ">ACGT\tone\t5\n0.25 0.25 0.25\n", 2, "expected 4 numbers"),
        ("homer", ">\n0.25 0.25 0.25 0.25\n", 1, "lone '>'"),
        ("jaspar", ">\nA [ 1 ]\nC [ 1 ]\nG [ 1 ]\nT [ 1 ]\n", 1, "lone '>'"),
        # two matrices without the '>' between them (the old message said "expected the row of letter None")
        ("jaspar", ">MA1\n" + "A [ 1 ]\nC [ 1 ]\nG [ 1 ]\nT [ 1 ]\n" * 2, 6, "'MA1' already has its 4 rows"),
    ],
)
def test_count_and_probability_values_are_checked_by_line(tmp_path, fmt, text, line, message):
    path = tmp_path / f"bad.{fmt}"
    path.write_text(text)
    with pytest.raises(ValueError, match=rf"bad\.{fmt}, line {line}: .*{message}"):
        read_motifs(path)


def test_binary_and_bom_motif_files(tmp_path):
    path = tmp_path / "x.meme"
    path.write_bytes(b"MEME version 4\n\x89PNG\r\n\x1a\n")
    with pytest.raises(ValueError, match=r"x\.meme, line 2: byte 0x89 at column 1 is not UTF-8 text"):
        read_meme(path)
    ms = _set()
    for fmt, writer in [("meme", write_meme), ("jaspar", write_jaspar), ("motif", write_homer)]:
        path = tmp_path / f"bom.{fmt}"
        writer(ms, path)
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # as Windows editors save "UTF-8"
        assert read_motifs(path).names == ms.names


def _written_and_read(ms, tmp_path, fmt):
    path = tmp_path / f"round.{fmt}"
    if fmt == "meme":
        write_meme(ms, path)
    elif fmt == "motif":
        write_homer(ms, path)
    else:
        write_jaspar(ms, path, format=fmt)
    return read_motifs(path)


@pytest.mark.parametrize("fmt", ["meme", "jaspar", "pfm", "motif"])
def test_every_writer_round_trips_through_its_reader(tmp_path, fmt):
    rng = np.random.default_rng(3)
    counts = rng.random((4, 4, 7)) * rng.integers(1, 1000, size=(4, 1, 1))  # non-integer counts, scales 1 to 1000
    ms = MotifSet.from_counts(counts, names=[f"m{i}" for i in range(4)])
    back = _written_and_read(ms, tmp_path, fmt)
    assert back.names == ms.names and back.alphabet == ms.alphabet
    for a, b in zip(ms, back, strict=True):
        if fmt in ("jaspar", "pfm"):  # counts are written exactly
            np.testing.assert_array_equal(b.counts, a.counts)
            np.testing.assert_array_equal(b.probs, a.probs)
        else:  # probabilities with 6 decimals
            np.testing.assert_allclose(b.probs, a.probs, atol=5.1e-7 * 4)
        if fmt == "meme":
            assert b.nsites == pytest.approx(a.nsites, rel=1e-5)


def test_unknown_extension_asks_for_format(tmp_path):
    path = tmp_path / "x.weird"
    path.write_text("")
    with pytest.raises(ValueError, match="format="):
        read_motifs(path)


def test_transfac_rows_need_their_p0_header_and_every_record_its_closing_slashes(tmp_path):
    """A record whose rows came without a P0 header was skipped without a word, and a file cut inside a record that
    had not reached its P0 header read as the records before it (the reliability probe's two silent results)."""
    path = tmp_path / "x.transfac"
    path.write_text("AC M00001\nXX\n01 1 2 3 4\n02 4 3 2 1\nXX\n//\nAC M00002\nP0 A C G T\n01 5 0 0 0\n//\n")
    with pytest.raises(ValueError, match=r"x\.transfac, line 3: matrix row 01 before the record's P0 header"):
        read_transfac(path)
    path.write_text("AC M00001\nP0 A C G T\n01 1 2 3 4\n//\nAC M00002\nXX\n 0.1")
    with pytest.raises(
        ValueError, match=r"line 7: the file ends inside the record begun at line 5 without its closing"
    ):
        read_transfac(path)
    path.write_text("VV  TRANSFAC MATRIX TABLE\nXX\n//\nAC M00001\nP0 A C G T\n01 1 2 3 4\n//\n")  # a header record
    assert read_transfac(path).names == ["M00001"]


def test_meme_files_need_the_version_line_first(tmp_path):
    """The MEME suite reads a file as MEME only after its 'MEME version' line; without it the reader took the motifs
    of any text that looked like MEME."""
    body = "ALPHABET= ACGT\n\nMOTIF one\nletter-probability matrix: alength= 4 w= 1\n 0.1 0.2 0.3 0.4\n"
    path = tmp_path / "x.meme"
    path.write_text(body)
    with pytest.raises(ValueError, match=r"x\.meme, line 1: expected the 'MEME version N' line .*got 'ALPHABET= ACGT'"):
        read_meme(path)
    path.write_text("# made by hand\n\nMOTIF one\nletter-probability matrix: alength= 4 w= 1\n 0.1 0.2 0.3 0.4\n")
    with pytest.raises(ValueError, match=r"line 3: expected the 'MEME version N' line"):
        read_meme(path)
    banner = "*" * 80 + "\nMEME - Motif discovery tool\n" + "*" * 80 + "\nMEME version 5.5.0 (Release date: x)\n\n"
    path.write_text(banner + body)  # MEME's own text output: the version line comes after a banner
    assert read_meme(path).names == ["one"]


def test_gzip_motif_files_read_like_plain_ones_and_a_cut_one_is_named(tmp_path):
    import gzip

    ms = _set()
    for fmt, writer in [("meme", write_meme), ("jaspar", write_jaspar), ("motif", write_homer)]:
        plain = tmp_path / f"m.{fmt}"
        writer(ms, plain)
        packed = tmp_path / f"m.{fmt}.gz"
        packed.write_bytes(gzip.compress(plain.read_bytes()))
        reader = {"meme": read_meme, "jaspar": read_jaspar, "motif": read_homer}[fmt]
        back = reader(packed)
        assert back.names == reader(plain).names
        np.testing.assert_array_equal(back.probs, reader(plain).probs)
        data = packed.read_bytes()
        packed.write_bytes(data[: len(data) // 2])
        with pytest.raises(ValueError, match=rf"m\.{fmt}\.gz, after line \d+: the gzip data is truncated"):
            reader(packed)
