"""Streaming readers for sequence files: FASTA, DeepBind/deepRAM TSV, CLIP FASTA with ``class:N`` headers.

Every reader opens plain or gzip files alike (recognised by content, not by name) and yields one record at a time,
so files of any size can be read; ``load_fasta`` collects a whole file.
"""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Iterator
from typing import IO, NamedTuple

import numpy as np

from eugene.seq.alphabets import Alphabet
from eugene.seq.encode import OnAmbiguous, Pad
from eugene.seq.encode import one_hot as _one_hot

PathLike = str | os.PathLike


class DeepBindRecord(NamedTuple):
    """One row of a DeepBind/deepRAM ``.seq`` TSV file (columns ``FoldID EventID seq Bound``)."""

    fold_id: str
    event_id: str
    seq: str
    bound: int


class ClipRecord(NamedTuple):
    """One sequence of a CLIP FASTA file with headers ``chrom,strand,start,end; class:N``."""

    chrom: str
    strand: str
    start: int
    end: int
    seq: str
    label: int


def _open_text(path: PathLike) -> IO[str]:
    """Open ``path`` for reading text, decompressing gzip when the file starts with the gzip magic bytes."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike; got {type(path).__name__}")
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="ascii", newline=None)
    return open(path, encoding="ascii", newline=None)  # closed by the caller's with-block


def read_fasta(path: PathLike) -> Iterator[tuple[str, str]]:
    """Yield ``(name, seq)`` for each record of a FASTA file (plain or gzip), one at a time.

    ``name`` is the whole header line after ``>`` (stripped); ``seq`` joins the record's lines with whitespace
    removed, case kept. Blank lines are skipped; text before the first header raises ValueError.

    Examples
    --------
    >>> _ = open("sequences.fa", "w").write(">seq1\\nACGTAC\\nGT\\n>seq2\\nGGCC\\n")
    >>> for name, seq in read_fasta("sequences.fa"):
    ...     print(name, len(seq))
    seq1 8
    seq2 4
    """
    with _open_text(path) as handle:
        name: str | None = None
        pieces: list[str] = []
        for line_number, line in enumerate(handle, start=1):
            if line.startswith(">"):
                if name is not None:
                    yield name, "".join(pieces)
                name, pieces = line[1:].strip(), []
            elif line.strip():
                if name is None:
                    raise ValueError(
                        f"{path} is not FASTA: line {line_number} holds sequence before any '>' header: {line[:60]!r}"
                    )
                pieces.append("".join(line.split()))
        if name is not None:
            yield name, "".join(pieces)


def load_fasta(
    path: PathLike,
    *,
    one_hot: bool = False,
    alphabet: str | Alphabet = "DNA",
    on_ambiguous: OnAmbiguous = "zero",
    pad: Pad | None = None,
    length: int | None = None,
) -> tuple[list[str], list[str] | np.ndarray]:
    """Read a whole FASTA file: ``(names, seqs)``, with ``seqs`` one-hot ``(N, A, L)`` when ``one_hot=True``.

    The encoding options are those of :func:`eugene.seq.one_hot`.

    Examples
    --------
    >>> _ = open("sequences.fa", "w").write(">seq1\\nACGTACGT\\n>seq2\\nGGCC\\n")
    >>> names, X = load_fasta("sequences.fa", one_hot=True, pad="right")
    >>> names, X.shape
    (['seq1', 'seq2'], (2, 4, 8))
    """
    names, seqs = [], []
    for name, seq in read_fasta(path):
        names.append(name)
        seqs.append(seq)
    if not one_hot:
        return names, seqs
    return names, _one_hot(seqs, alphabet, on_ambiguous=on_ambiguous, pad=pad, length=length)


def read_deepbind_tsv(path: PathLike) -> Iterator[DeepBindRecord]:
    """Yield the rows of a DeepBind/deepRAM ``.seq`` file (tab-separated, header ``FoldID EventID seq Bound``).

    The columns are found by their header names, in any order; ``bound`` is an int (0 or 1). Plain or gzip.

    Examples
    --------
    >>> _ = open("peaks.seq", "w").write("FoldID\\tEventID\\tseq\\tBound\\nA\\tpeak1\\tACGTTGCA\\t1\\n")
    >>> rows = list(read_deepbind_tsv("peaks.seq"))
    >>> rows[0].seq, rows[0].bound
    ('ACGTTGCA', 1)
    """
    wanted = ("FoldID", "EventID", "seq", "Bound")
    with _open_text(path) as handle:
        header = handle.readline().rstrip("\n").split("\t")
        missing = [c for c in wanted if c not in header]
        if missing:
            raise ValueError(
                f"{path} must be a tab-separated file with header columns {' '.join(wanted)}; "
                f"got header {header!r} (missing {missing})"
            )
        columns = [header.index(c) for c in wanted]
        for line_number, line in enumerate(handle, start=2):
            if not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            try:
                fold, event, seq, bound = (fields[c] for c in columns)
                yield DeepBindRecord(fold, event, seq.strip(), int(bound))
            except (IndexError, ValueError) as err:
                raise ValueError(
                    f"{path} line {line_number}: expected {len(header)} tab-separated fields with an integer Bound; "
                    f"got {line[:80]!r}"
                ) from err


def parse_clip_header(header: str) -> tuple[str, str, int, int, int]:
    """Split a CLIP FASTA header ``chr1,+,866159,866259; class:0`` into ``(chrom, strand, start, end, label)``.

    Examples
    --------
    >>> parse_clip_header("chr1,+,866159,866259; class:0")
    ('chr1', '+', 866159, 866259, 0)
    """
    try:
        location, label_field = header.split(";")
        chrom, strand, start, end = (x.strip() for x in location.split(","))
        key, label = label_field.strip().split(":")
        if key != "class":
            raise ValueError(key)
        return chrom, strand, int(start), int(end), int(label)
    except ValueError as err:
        raise ValueError(f"header must look like 'chr1,+,866159,866259; class:0'; got {header!r}") from err


def read_clip_fasta(path: PathLike) -> Iterator[ClipRecord]:
    """Yield :class:`ClipRecord` for each sequence of a CLIP FASTA file (GraphProt/iONMF/deepRAM style).

    Headers look like ``chr1,+,866159,866259; class:0``; ``label`` is the class. Plain or gzip.

    Examples
    --------
    >>> _ = open("clip.fa", "w").write(">chr1,+,866159,866259; class:1\\nACGUACGU\\n")
    >>> [r.label for r in read_clip_fasta("clip.fa")]
    [1]
    """
    for name, seq in read_fasta(path):
        try:
            chrom, strand, start, end, label = parse_clip_header(name)
        except ValueError as err:
            raise ValueError(f"{path}: {err}") from None
        yield ClipRecord(chrom, strand, start, end, seq, label)
