"""FASTA / DeepBind TSV / CLIP FASTA / one-per-line readers and read_sequences, on temporary files (plain and gzip),
hostile files (binary, BOM, truncated gzip, empty records) and the real data."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from eugene.seq import (
    load_fasta,
    one_hot,
    parse_clip_header,
    read_clip_fasta,
    read_deepbind_tsv,
    read_fasta,
    read_sequences,
)

_FASTA = ">seq one\nACGT\nacgn\n\n>two  \nGG TT\n>last\nA\n"
_RECORDS = [("seq one", "ACGTacgn"), ("two", "GGTT"), ("last", "A")]


def _write(path: Path, text: str, compress: bool) -> Path:
    if compress:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


@pytest.mark.parametrize("compress", [False, True])
def test_read_fasta_plain_and_gzip(tmp_path: Path, compress: bool) -> None:
    path = _write(tmp_path / "x.fa", _FASTA, compress)  # gzip recognised by content, not by name
    assert list(read_fasta(path)) == _RECORDS
    assert list(read_fasta(str(path))) == _RECORDS


def test_read_fasta_streams(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.fa.gz", "".join(f">s{i}\nACGT\n" for i in range(5000)), True)
    records = read_fasta(path)
    assert next(records) == ("s0", "ACGT")  # a generator: nothing read beyond what is asked
    assert sum(1 for _ in records) == 4999


def test_load_fasta(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.fa.gz", ">a\nACGT\n>b\nAC\n", True)
    assert load_fasta(path) == (["a", "b"], ["ACGT", "AC"])
    names, X = load_fasta(path, one_hot=True, pad="right")
    assert names == ["a", "b"]
    np.testing.assert_array_equal(X, one_hot(["ACGT", "AC"], pad="right"))
    with pytest.raises(ValueError, match="pad="):
        load_fasta(path, one_hot=True)


def test_read_fasta_rejects_non_fasta(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.txt", "ACGT\n>a\nAC\n", False)
    with pytest.raises(ValueError, match="line 1 holds sequence before any '>' header"):
        list(read_fasta(path))
    with pytest.raises(TypeError, match="path must be"):
        list(read_fasta(3))
    with pytest.raises(FileNotFoundError):
        list(read_fasta(tmp_path / "missing.fa"))


def test_read_deepbind_tsv(tmp_path: Path) -> None:
    text = "EventID\tseq\tBound\tFoldID\nseq_1\tACGT\t1\tA\nseq_2\tGGCC\t0\tB\n"
    rows = list(read_deepbind_tsv(_write(tmp_path / "x.seq.gz", text, True)))
    assert [tuple(r) for r in rows] == [("A", "seq_1", "ACGT", 1), ("B", "seq_2", "GGCC", 0)]
    assert rows[0].seq == "ACGT" and rows[1].bound == 0
    with pytest.raises(ValueError, match=r"missing \['Bound'\]"):
        list(read_deepbind_tsv(_write(tmp_path / "y.seq", "FoldID\tEventID\tseq\nA\ts\tAC\n", False)))
    with pytest.raises(ValueError, match="line 2"):
        list(read_deepbind_tsv(_write(tmp_path / "z.seq", "FoldID\tEventID\tseq\tBound\nA\ts\tAC\tyes\n", False)))


def test_clip_headers(tmp_path: Path) -> None:
    assert parse_clip_header("chr1,+,866159,866259; class:0") == ("chr1", "+", 866159, 866259, 0)
    assert parse_clip_header("chrX,-,5,106;class:1") == ("chrX", "-", 5, 106, 1)
    with pytest.raises(ValueError, match="header must look like"):
        parse_clip_header("chr1:866159-866259")
    path = _write(tmp_path / "c.fa.gz", "> chr2,-,10,14; class:1\nACGT\n", True)
    (record,) = read_clip_fasta(path)
    assert tuple(record) == ("chr2", "-", 10, 14, "ACGT", 1) and record.label == 1
    with pytest.raises(ValueError, match="c2.fa"):
        list(read_clip_fasta(_write(tmp_path / "c2.fa", ">no label\nAC\n", False)))


def test_real_files(shared_data: Path) -> None:
    rows = list(read_deepbind_tsv(shared_data / "chipseq" / "SRF_H1-hESC_SRF_HudsonAlpha_B.seq.gz"))
    assert len(rows) == 1000 and sum(r.bound for r in rows) == 500
    assert {len(r.seq) for r in rows} == {101}
    clip = list(read_clip_fasta(shared_data / "clipseq" / "ELAVL1_PARCLIP_test.fa.gz"))
    assert len(clip) == 10_000 and {len(r.seq) for r in clip} == {101}
    assert {r.label for r in clip} == {0, 1} and all(r.end - r.start == 100 for r in clip)
    names, X = load_fasta(shared_data / "clipseq" / "ELAVL1_PARCLIP_test.fa.gz", one_hot=True)
    assert X.shape == (10_000, 4, 101) and names[0].endswith(("class:0", "class:1"))


# ---- strict reading: every error names the file and the line -------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        (">\nACGT\n", 1, "lone '>'"),
        (">a\nACGT\n>  \nAC\n", 3, "lone '>'"),
        (">a\nACGT\n>b\n>c\nGG\n", 3, "record 'b' has no sequence"),
        (">a\nACGT\n>b\n\n", 3, "record 'b' has no sequence"),
    ],
)
def test_fasta_empty_records_name_file_and_line(tmp_path: Path, text: str, line: int, what: str) -> None:
    path = _write(tmp_path / "e.fa", text, False)
    with pytest.raises(ValueError, match=rf"e\.fa, line {line}: .*{what}"):
        list(read_fasta(path))


def test_binary_file_names_file_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "model.fa"
    path.write_bytes(b">a\nACGT\n\x80\x02\x8a\nrest\n")  # e.g. a pickle passed as --sequences
    with pytest.raises(ValueError, match=r"model\.fa, line 3: byte 0x80 at column 1 is not ASCII"):
        list(read_fasta(path))
    path.write_bytes(b">a\nAC\x00GT\n")
    with pytest.raises(ValueError, match=r"line 2: byte 0x00 at column 3"):
        list(read_fasta(path))
    path.write_bytes(">caf\u00e9\nACGT\n".encode())  # UTF-8 beyond ASCII: refused, not garbled
    with pytest.raises(ValueError, match=r"line 1: byte 0xc3 at column 5"):
        list(read_fasta(path))


@pytest.mark.parametrize("compress", [False, True])
def test_utf8_byte_order_mark_is_skipped(tmp_path: Path, compress: bool) -> None:
    fasta = _write(tmp_path / "bom.fa", "\ufeff" + _FASTA, compress)  # as Windows editors save "UTF-8"
    assert fasta.read_bytes()[:3] == b"\xef\xbb\xbf" or compress
    assert list(read_fasta(fasta)) == _RECORDS
    tsv = _write(tmp_path / "bom.seq", "\ufeffFoldID\tEventID\tseq\tBound\nA\te\tACGT\t1\n", compress)
    assert [r.seq for r in read_deepbind_tsv(tsv)] == ["ACGT"]
    assert read_sequences(tsv).format == "deepbind"


def test_truncated_and_corrupt_gzip_name_the_file(tmp_path: Path) -> None:
    text = "".join(f">s{i}\n{'ACGT' * 50}\n" for i in range(2000))
    whole = gzip.compress(text.encode())
    path = tmp_path / "cut.fa.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ValueError, match=r"cut\.fa\.gz, after line \d+: the gzip data is truncated or corrupt"):
        list(read_fasta(path))
    corrupt = bytearray(whole)
    corrupt[-6] ^= 0xFF  # the CRC / length trailer no longer matches
    path.write_bytes(bytes(corrupt))
    with pytest.raises(ValueError, match=r"cut\.fa\.gz, after line \d+: the gzip data is truncated or corrupt"):
        list(read_fasta(path))


def test_deepbind_rows_are_checked(tmp_path: Path) -> None:
    header = "FoldID\tEventID\tseq\tBound\n"
    for row, line in [("A\ts\tACGT\t1\textra\n", 2), ("A\ts\t\t1\n", 2), ("A\ts\tAC\t1\nA\tt\tAC\n", 3)]:
        path = _write(tmp_path / "r.seq", header + row, False)
        with pytest.raises(ValueError, match=rf"r\.seq, line {line}: expected 4 tab-separated fields"):
            list(read_deepbind_tsv(path))


def test_clip_header_errors_name_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.fa", "> chr2,-,10,14; class:1\nACGT\n>chr2:10-14\nAC\n", False)
    with pytest.raises(ValueError, match=r"c\.fa, line 3: header must look like"):
        list(read_clip_fasta(path))


# ---- read_sequences --------------------------------------------------------------------------------------------------
_LINES = "ACGTAC\nggccta\n\nNNACGT\n"


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("name", ["x.txt", "x.tsv", "x.seq", "x.fa"])  # the name never decides the format
def test_read_sequences_detects_one_sequence_per_line(tmp_path: Path, compress: bool, name: str) -> None:
    reads = read_sequences(_write(tmp_path / name, _LINES, compress))
    assert reads.format == "lines" and reads.labels is None
    assert reads.seqs == ["ACGTAC", "ggccta", "NNACGT"] and reads.names == ["seq0", "seq1", "seq2"]
    assert len(reads) == 3 and reads.source == str(tmp_path / name)


def test_read_sequences_detects_each_format(tmp_path: Path) -> None:
    fasta = _write(tmp_path / "a.txt", _FASTA, True)
    reads = read_sequences(fasta)
    assert (reads.format, reads.names, reads.seqs, reads.labels) == ("fasta", *map(list, zip(*_RECORDS)), None)
    tsv = _write(tmp_path / "b.txt", "EventID\tseq\tBound\tFoldID\ne1\tACGT\t1\tA\ne2\tGGCC\t0\tB\n", False)
    reads = read_sequences(tsv)
    assert (reads.format, reads.names, reads.seqs) == ("deepbind", ["A:e1", "B:e2"], ["ACGT", "GGCC"])
    np.testing.assert_array_equal(reads.labels, [1, 0])
    assert reads.labels.dtype == np.int64
    clip = _write(tmp_path / "c.fa", ">chr1,+,10,14; class:1\nACGU\n>chr2,-,5,9; class:0\nGGCC\n", False)
    assert read_sequences(clip).format == "fasta"  # a CLIP file is valid FASTA; its labels need format="clip"
    reads = read_sequences(clip, "clip", alphabet="RNA")
    assert reads.names == ["chr1:10-14(+)", "chr2:5-9(-)"] and reads.labels.tolist() == [1, 0]


def test_read_sequences_stated_format_and_limit(tmp_path: Path) -> None:
    path = _write(tmp_path / "l.fa", _LINES, False)
    assert read_sequences(path, "lines", max_sequences=2).seqs == ["ACGTAC", "ggccta"]
    with pytest.raises(ValueError, match="line 1 holds sequence before any '>' header"):
        read_sequences(path, "fasta")
    fasta = _write(tmp_path / "f.fa", _FASTA, False)
    with pytest.raises(ValueError, match=r"f\.fa, line 1: expected one sequence per line"):
        read_sequences(fasta, "lines")
    with pytest.raises(ValueError, match="max_sequences must be a positive integer"):
        read_sequences(path, max_sequences=0)
    with pytest.raises(ValueError, match="format must be one of 'auto', 'fasta'"):
        read_sequences(path, "csv")


@pytest.mark.parametrize(
    "text",
    [
        "seq\nACGT\nGGCC\n",  # a one-column table with a header
        "ACGT\t1\nGGCC\t0\n",  # a TSV without the DeepBind header
        "ACGT 1\n",  # sequence and value separated by a space
        "name,seq\nx,ACGT\n",  # CSV
    ],
)
def test_read_sequences_refuses_to_guess(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path / "amb.txt", text, False)
    with pytest.raises(ValueError, match=r"cannot tell the format of .*amb\.txt: line 1 .*format='lines'.*--format"):
        read_sequences(path)


def test_read_sequences_checks_letters_with_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "p.fa", ">a\nACGT\n>b\nAC\nGTXA\n", False)
    with pytest.raises(ValueError, match=r"p\.fa, line 3: sequence 'b' has 'X' at position 4.*alphabet DNA"):
        read_sequences(path)
    assert read_sequences(path, alphabet="protein").seqs == ["ACGT", "ACGTXA"]
    lines = _write(tmp_path / "p.txt", "ACGT\nACGU\nAC-T\n", False)  # U is DNA's alias, '-' no letter
    with pytest.raises(ValueError, match=r"p\.txt, line 3: sequence 'seq2' has '-' at position 2"):
        read_sequences(lines)


def test_read_sequences_from_strings() -> None:
    reads = read_sequences(["ACGT", "ggnn", "ACGU"])
    assert (reads.names, reads.seqs, reads.labels, reads.format) == (
        ["seq0", "seq1", "seq2"],
        ["ACGT", "ggnn", "ACGU"],
        None,
        "list",
    )
    assert read_sequences(("AC", "GT"), max_sequences=1).seqs == ["AC"]
    with pytest.raises(ValueError, match=r"path\[1\] has 'Z' at position 2"):
        read_sequences(["ACGT", "ACZ"])
    with pytest.raises(ValueError, match=r"path\[0\] has an empty string"):
        read_sequences([""])
    with pytest.raises(TypeError, match=r"path\[1\] must be a str"):
        read_sequences(["ACGT", 3])
    with pytest.raises(ValueError, match="empty list"):
        read_sequences([])
    with pytest.raises(ValueError, match="'auto' or 'lines' for a list"):
        read_sequences(["ACGT"], "fasta")


def test_read_sequences_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_sequences(tmp_path / "missing.fa")
    with pytest.raises(FileNotFoundError, match="is not a regular file"):
        read_sequences(tmp_path)
    with pytest.raises(ValueError, match="is empty"):
        read_sequences(_write(tmp_path / "e.txt", "\n\n", False))
    with pytest.raises(ValueError, match="holds no sequences"):
        read_sequences(_write(tmp_path / "h.seq", "FoldID\tEventID\tseq\tBound\n", False))
    with pytest.raises(TypeError, match="path must be a file path .* or a list of strings; got int 3"):
        read_sequences(3)
    with pytest.raises(FileNotFoundError, match=r"pass a list: read_sequences\(\['ACGTTA', ...\]\)"):
        read_sequences("ACGTTA")


def test_read_sequences_real_files(shared_data: Path) -> None:
    chip = shared_data / "chipseq" / "SRF_H1-hESC_SRF_HudsonAlpha_B.seq.gz"
    reads = read_sequences(chip)
    rows = list(read_deepbind_tsv(chip))
    assert reads.format == "deepbind" and reads.seqs == [r.seq for r in rows]
    assert reads.labels.tolist() == [r.bound for r in rows]
    clip = read_sequences(shared_data / "clipseq" / "ELAVL1_PARCLIP_test.fa.gz", "clip", max_sequences=50)
    assert len(clip) == 50 and set(clip.labels.tolist()) <= {0, 1}


def test_load_fasta_encoding_errors_name_the_file_line_and_record(tmp_path: Path) -> None:
    """Before, a bad letter said only 'seqs[0] has ...', naming neither the file nor the line."""
    path = tmp_path / "letters.fa"
    path.write_text(">ok\nACGT\n>bad one\nAC\nGT!!QZ\n")
    assert load_fasta(path) == (["ok", "bad one"], ["ACGT", "ACGT!!QZ"])  # raw text: no alphabet to check
    with pytest.raises(ValueError, match=r"letters\.fa, line 3: sequence 'bad one' has '!' at position 4"):
        load_fasta(path, one_hot=True)
    path.write_text(">a\nACGT\n>b\nACG\n")
    with pytest.raises(ValueError, match=r"letters\.fa: .*pad"):  # lengths differ without pad=
        load_fasta(path, one_hot=True)
    path.write_text(">a\nACNT\n")
    with pytest.raises(ValueError, match=r"letters\.fa: .*ambiguity code"):
        load_fasta(path, one_hot=True, on_ambiguous="error")
    names, X = load_fasta(path, one_hot=True)
    np.testing.assert_array_equal(X, one_hot(["ACNT"]))


@pytest.mark.parametrize("compress", [False, True])
def test_utf8_lines_take_any_character_but_name_a_bad_byte(tmp_path: Path, compress: bool) -> None:
    """The strict opening in its UTF-8 mode (motif, BED and VCF files): names and comments may hold any character,
    a byte that is not UTF-8 or a NUL is refused by file, line and column, a BOM is skipped."""
    from eugene.seq.io import _numbered_lines

    path = _write(tmp_path / ("u.txt.gz" if compress else "u.txt"), "\ufeffMOTIF caf\u00e9\n\u00b5 1\n", compress)
    assert list(_numbered_lines(path, "utf-8")) == [(1, "MOTIF caf\u00e9"), (2, "\u00b5 1")]
    data = b"ok\nbad \xff byte\n"
    path.write_bytes(gzip.compress(data) if compress else data)
    with pytest.raises(ValueError, match=r"u\.txt(\.gz)?, line 2: byte 0xff at column 5 is not UTF-8 text"):
        list(_numbered_lines(path, "utf-8"))
    path.write_bytes(gzip.compress(b"a\x00b\n") if compress else b"a\x00b\n")
    with pytest.raises(ValueError, match=r"line 1: byte 0x00 at column 2"):
        list(_numbered_lines(path, "utf-8"))
