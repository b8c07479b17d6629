"""FASTA / DeepBind TSV / CLIP FASTA readers on temporary files (plain and gzip) and on the real data."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from eugene.seq import load_fasta, one_hot, parse_clip_header, read_clip_fasta, read_deepbind_tsv, read_fasta

_FASTA = ">seq one\nACGT\nacgn\n\n>two  \nGG TT\n>empty\n"
_RECORDS = [("seq one", "ACGTacgn"), ("two", "GGTT"), ("empty", "")]


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
