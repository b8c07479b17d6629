"""Real-data loaders: DataFrames and (X, y) from ../shared/data; clear errors when the files are absent."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from eugene.datasets import elavl1_clipseq, load_clip_fasta, load_deepbind_tsv, srf_chipseq
from eugene.seq import decode, one_hot


def test_load_deepbind_tsv_frame(shared_data: Path) -> None:
    df = load_deepbind_tsv(shared_data / "chipseq" / "SRF_H1-hESC_SRF_HudsonAlpha_B.seq.gz")
    assert list(df.columns) == ["fold_id", "event_id", "seq", "bound"]
    assert len(df) == 1000 and df["bound"].sum() == 500


def test_load_clip_fasta_frame(shared_data: Path) -> None:
    df = load_clip_fasta(shared_data / "clipseq" / "ELAVL1_PARCLIP_test.fa.gz")
    assert list(df.columns) == ["chrom", "strand", "start", "end", "seq", "label"]
    assert len(df) == 10_000 and set(df["strand"]) <= {"+", "-"}


def test_srf_chipseq(shared_data: Path) -> None:
    X, y = srf_chipseq("test", data_dir=shared_data)
    assert X.shape == (1000, 4, 101) and X.dtype == np.float32 and y.dtype == np.float32 and y.sum() == 500
    seqs, y2 = srf_chipseq("test", one_hot=False)  # default data_dir finds ../shared/data
    np.testing.assert_array_equal(one_hot(seqs), X)
    np.testing.assert_array_equal(y, y2)
    X, y = srf_chipseq("train", shuffled_negatives=1, seed=0)
    assert X.shape == (2 * 4605, 4, 101) and y.sum() == 4605 and not y[4605:].any()
    first, shuffled = decode(X[:1])[0], decode(X[4605:4606])[0]
    pairs = Counter(zip(first[:-1], first[1:], strict=True))
    assert Counter(zip(shuffled[:-1], shuffled[1:], strict=True)) == pairs and shuffled != first
    seqs, y = srf_chipseq("train", one_hot=False, shuffled_negatives=2, seed=0)
    assert len(seqs) == 3 * 4605 == len(y)


def test_elavl1_clipseq(shared_data: Path) -> None:
    X, y = elavl1_clipseq("test", data_dir=shared_data)
    assert X.shape == (10_000, 4, 101) and set(np.unique(y).tolist()) == {0.0, 1.0}
    seqs, _ = elavl1_clipseq("test", one_hot=False)
    assert decode(X[:50]) == [s.upper() for s in seqs[:50]]


def test_missing_data_and_bad_split(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="pass data_dir="):
        srf_chipseq("train", data_dir=tmp_path)
    with pytest.raises(FileNotFoundError, match="ELAVL1"):
        elavl1_clipseq("test", data_dir=tmp_path)
    with pytest.raises(ValueError, match="split must be one of"):
        srf_chipseq("valid", data_dir=tmp_path)
