"""Loaders for the real data files in ``../shared/data`` (DeepBind SRF ChIP-seq, ELAVL1 PAR-CLIP; see its README).

``load_deepbind_tsv`` and ``load_clip_fasta`` read any file of those formats into a pandas DataFrame;
``srf_chipseq`` and ``elavl1_clipseq`` find the bundled splits and return model-ready ``(X, y)``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from eugene._validate import check_positive_int
from eugene.seq import ClipRecord, DeepBindRecord, dinucleotide_shuffle, read_clip_fasta, read_deepbind_tsv
from eugene.seq import one_hot as _one_hot
from eugene.seq.io import PathLike

_SRF_FILES = {
    "train": "chipseq/SRF_H1-hESC_SRF_HudsonAlpha_AC.seq.gz",
    "test": "chipseq/SRF_H1-hESC_SRF_HudsonAlpha_B.seq.gz",
}
_ELAVL1_FILES = {"train": "clipseq/ELAVL1_PARCLIP_train.fa.gz", "test": "clipseq/ELAVL1_PARCLIP_test.fa.gz"}


def _default_data_dir() -> Path:
    """``../shared/data`` beside the repository root (this file is ``<root>/src/eugene/datasets/loaders.py``)."""
    return Path(__file__).resolve().parents[3].parent / "shared" / "data"


def _data_file(files: dict[str, str], split: str, data_dir: PathLike | None, dataset: str) -> Path:
    if split not in files:
        raise ValueError(f"split must be one of {sorted(files)}; got {split!r}")
    root = _default_data_dir() if data_dir is None else Path(data_dir)
    path = root / files[split]
    if not path.is_file():
        where = "data_dir" if data_dir is not None else "the default data folder (../shared/data beside the repository)"
        raise FileNotFoundError(
            f"{dataset} {split} split not found: {path} does not exist in {where}; pass data_dir= pointing to a folder "
            f"that holds {files[split]}"
        )
    return path


def load_deepbind_tsv(path: PathLike) -> pd.DataFrame:
    """Read a DeepBind/deepRAM ``.seq`` TSV (plain or gzip) into a DataFrame.

    Columns: ``fold_id``, ``event_id``, ``seq``, ``bound`` (int).

    Examples
    --------
    >>> df = load_deepbind_tsv("../shared/data/chipseq/SRF_H1-hESC_SRF_HudsonAlpha_B.seq.gz")  # doctest: +SKIP
    """
    return pd.DataFrame.from_records(list(read_deepbind_tsv(path)), columns=DeepBindRecord._fields)


def load_clip_fasta(path: PathLike) -> pd.DataFrame:
    """Read a CLIP FASTA with ``chrom,strand,start,end; class:N`` headers (plain or gzip) into a DataFrame.

    Columns: ``chrom``, ``strand``, ``start``, ``end``, ``seq``, ``label`` (int).

    Examples
    --------
    >>> df = load_clip_fasta("../shared/data/clipseq/ELAVL1_PARCLIP_test.fa.gz")  # doctest: +SKIP
    """
    return pd.DataFrame.from_records(list(read_clip_fasta(path)), columns=ClipRecord._fields)


def srf_chipseq(
    split: str = "train",
    *,
    data_dir: PathLike | None = None,
    one_hot: bool = True,
    shuffled_negatives: int = 0,
    seed: int | None = 0,
) -> tuple[np.ndarray | list[str], np.ndarray]:
    """SRF ChIP-seq peaks from DeepBind (Alipanahi et al. 2015), 101 bp: ``(X, y)``.

    ``"train"`` holds 4,605 bound peaks only (DeepBind made negatives by dinucleotide shuffling); ``"test"`` holds
    500 bound and 500 unbound sequences.

    Parameters
    ----------
    split
        ``"train"`` or ``"test"``.
    data_dir
        Folder holding ``chipseq/``; default ``../shared/data`` beside the repository. FileNotFoundError if absent.
    one_hot
        True: ``X`` is one-hot ``(N, 4, 101)`` float32 (DNA); False: a list of strings.
    shuffled_negatives
        Append this many dinucleotide shuffles (:func:`eugene.seq.dinucleotide_shuffle`) of every bound sequence,
        labelled 0, after the file's sequences.
    seed
        Seed of those shuffles.

    Returns
    -------
    X, y
        ``y`` is float32 ``(N,)``, 1 for bound.

    Examples
    --------
    >>> X, y = srf_chipseq("train", shuffled_negatives=1)  # doctest: +SKIP
    >>> X.shape, y.mean()  # doctest: +SKIP
    ((9210, 4, 101), 0.5)
    """
    frame = load_deepbind_tsv(_data_file(_SRF_FILES, split, data_dir, "SRF ChIP-seq"))
    seqs = frame["seq"].tolist()
    y = frame["bound"].to_numpy(dtype=np.float32)
    X: np.ndarray | list[str] = _one_hot(seqs) if one_hot else seqs
    if shuffled_negatives:
        n = check_positive_int(shuffled_negatives, "shuffled_negatives")
        bound = np.flatnonzero(y == 1)
        if one_hot:
            negatives = dinucleotide_shuffle(X[bound], n=n, seed=seed)
            X = np.concatenate([X, negatives.reshape(-1, *X.shape[1:])])
        else:
            negatives = dinucleotide_shuffle([seqs[i] for i in bound], n=n, seed=seed)
            X = seqs + [s for group in negatives for s in group]
        y = np.concatenate([y, np.zeros(len(bound) * n, dtype=np.float32)])
    return X, y


def elavl1_clipseq(
    split: str = "train", *, data_dir: PathLike | None = None, one_hot: bool = True
) -> tuple[np.ndarray | list[str], np.ndarray]:
    """ELAVL1 (HuR) PAR-CLIP sites (GraphProt/iONMF benchmark, as used by deepRAM), 101 nt: ``(X, y)``.

    ``"train"``: 30,000 sequences (6,000 bound); ``"test"``: 10,000. Sequences are written with T; one-hot channels
    are A, C, G, T (the same array as A, C, G, U). ``N`` becomes an all-zero column.

    Parameters
    ----------
    split
        ``"train"`` or ``"test"``.
    data_dir
        Folder holding ``clipseq/``; default ``../shared/data`` beside the repository. FileNotFoundError if absent.
    one_hot
        True: ``X`` is one-hot ``(N, 4, 101)`` float32; False: a list of strings.

    Returns
    -------
    X, y
        ``y`` is float32 ``(N,)``, the ``class:`` of each header (1 = bound site).

    Examples
    --------
    >>> X, y = elavl1_clipseq("test")  # doctest: +SKIP
    """
    frame = load_clip_fasta(_data_file(_ELAVL1_FILES, split, data_dir, "ELAVL1 CLIP-seq"))
    seqs = frame["seq"].tolist()
    return (_one_hot(seqs) if one_hot else seqs), frame["label"].to_numpy(dtype=np.float32)
