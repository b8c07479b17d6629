"""Streaming readers for sequence files: FASTA, DeepBind/deepRAM TSV, CLIP FASTA with ``class:N`` headers, and
``read_sequences``, which reads any of them or a one-sequence-per-line file, the format stated or detected.

Every reader opens plain or gzip files alike (recognised by content, not by name) and yields one record at a time,
so files of any size can be read; ``load_fasta`` collects a whole file. Files must be ASCII text (a UTF-8 byte order
mark at the start is skipped); every error names the file and the line.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Literal, NamedTuple

import numpy as np

from eugene._validate import check_positive_int, describe
from eugene.seq.alphabets import Alphabet, get_alphabet
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


_GZIP_MAGIC = b"\x1f\x8b"
_BOM = "\udcef\udcbb\udcbf"  # the UTF-8 byte order mark as read by the ascii codec with surrogateescape


def _check_path(path: PathLike, name: str = "path") -> None:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a str or os.PathLike; got {type(path).__name__}")


TextEncoding = Literal["ascii", "utf-8"]


def _open_text(path: PathLike, encoding: TextEncoding = "ascii") -> IO[str]:
    """Open ``path`` as text, decompressing gzip when the file starts with the gzip magic bytes.

    Bytes that are not ``encoding`` come through as lone surrogates (``surrogateescape``) so that
    :func:`_numbered_lines` can name the line that holds them instead of failing somewhere inside the decoder.
    """
    _check_path(path)
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == _GZIP_MAGIC:
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding=encoding, errors="surrogateescape", newline=None)
    return open(path, encoding=encoding, errors="surrogateescape", newline=None)  # closed by the caller


def _numbered_lines(path: PathLike, encoding: TextEncoding = "ascii") -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, line)`` of a text file (plain or gzip), newline removed, checking the bytes as it goes.

    The strict text opening every reader of eugene uses (sequences, motifs, BED, VCF). ``encoding`` is ``"ascii"``
    (sequence files) or ``"utf-8"`` (files whose names and comments may hold any character). A UTF-8 byte order
    mark at the start is skipped. A byte that is not ``encoding`` text, a NUL byte, or a gzip stream that is cut short
    or corrupt raises ValueError naming the file and the line.
    """
    line_number = 0
    try:
        with _open_text(path, encoding) as handle:
            for line_number, line in enumerate(handle, start=1):
                if not line.isascii() or "\x00" in line:  # isascii is O(1) on CPython's ASCII strings
                    if line_number == 1:
                        line = line.removeprefix(_BOM).removeprefix("\ufeff")
                    _check_text(path, line_number, line, encoding)
                yield line_number, line.rstrip("\n")
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise ValueError(
            f"{path}, after line {line_number}: the gzip data is truncated or corrupt ({err}); "
            "download or compress the file again"
        ) from None


def _check_text(path: PathLike, line_number: int, line: str, encoding: TextEncoding) -> None:
    """Raise the ValueError for the first character of ``line`` that is not ``encoding`` text (or is NUL)."""

    def bad(c: str) -> bool:
        return c == "\x00" or (0xDC80 <= ord(c) <= 0xDCFF if encoding == "utf-8" else not c.isascii())

    found = next(((i, c) for i, c in enumerate(line) if bad(c)), None)
    if found is None:
        return
    column, char = found
    byte = ord(char) - 0xDC00 if 0xDC80 <= ord(char) <= 0xDCFF else ord(char)
    what = "sequence files must be plain ASCII text" if encoding == "ascii" else "the file must be UTF-8 text"
    raise ValueError(
        f"{path}, line {line_number}: byte 0x{byte:02x} at column {column + 1} is not {encoding.upper()} text; "
        f"{what} (plain or gzip), is this a binary file?"
    )


def _fasta_records(path: PathLike) -> Iterator[tuple[int, str, str]]:
    """Yield ``(header_line_number, name, seq)`` for each FASTA record; see :func:`read_fasta` for the checks."""
    name: str | None = None
    start = 0
    pieces: list[str] = []

    def record() -> tuple[int, str, str]:
        seq = "".join(pieces)
        if not seq:
            raise ValueError(
                f"{path}, line {start}: record {name!r} has no sequence; every '>' header must be followed by a "
                "sequence line"
            )
        return start, name, seq

    for line_number, line in _numbered_lines(path):
        if line.startswith(">"):
            if name is not None:
                yield record()
            name, start, pieces = line[1:].strip(), line_number, []
            if not name:
                raise ValueError(f"{path}, line {line_number}: a lone '>' header; every record needs a name after '>'")
        elif line.strip():
            if name is None:
                raise ValueError(
                    f"{path} is not FASTA: line {line_number} holds sequence before any '>' header: {line[:60]!r}"
                )
            pieces.append("".join(line.split()))
    if name is not None:
        yield record()


def read_fasta(path: PathLike) -> Iterator[tuple[str, str]]:
    """Yield ``(name, seq)`` for each record of a FASTA file (plain or gzip), one at a time.

    ``name`` is the whole header line after ``>`` (stripped); ``seq`` joins the record's lines with whitespace
    removed, case kept. Blank lines are skipped. ValueError, naming the file and the line, for text before the first
    header, a header without a name (a lone ``>``), a record without sequence, a byte outside ASCII (a binary file)
    and a truncated or corrupt gzip file. A UTF-8 byte order mark at the start of the file is skipped.

    Examples
    --------
    >>> _ = open("sequences.fa", "w").write(">seq1\\nACGTAC\\nGT\\n>seq2\\nGGCC\\n")
    >>> for name, seq in read_fasta("sequences.fa"):
    ...     print(name, len(seq))
    seq1 8
    seq2 4
    """
    for _, name, seq in _fasta_records(path):
        yield name, seq


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

    The encoding options are those of :func:`eugene.seq.one_hot`. With ``one_hot=True``, a character outside
    ``alphabet`` (its letters, aliases and ambiguity codes) raises ValueError naming the file, the line and the
    record, and so does any other encoding error (lengths that differ without ``pad``) name the file.

    Examples
    --------
    >>> _ = open("sequences.fa", "w").write(">seq1\\nACGTACGT\\n>seq2\\nGGCC\\n")
    >>> names, X = load_fasta("sequences.fa", one_hot=True, pad="right")
    >>> names, X.shape
    (['seq1', 'seq2'], (2, 4, 8))
    """
    alpha = get_alphabet(alphabet) if one_hot else None
    allowed = _allowed_letters(alpha) if one_hot else ""
    names, seqs = [], []
    for line_number, name, seq in _fasta_records(path):
        if one_hot:
            _check_letters(path, line_number, name, seq, alpha, allowed)
        names.append(name)
        seqs.append(seq)
    if not one_hot:
        return names, seqs
    try:
        return names, _one_hot(seqs, alpha, on_ambiguous=on_ambiguous, pad=pad, length=length)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None


def read_deepbind_tsv(path: PathLike) -> Iterator[DeepBindRecord]:
    """Yield the rows of a DeepBind/deepRAM ``.seq`` file (tab-separated, header ``FoldID EventID seq Bound``).

    The columns are found by their header names, in any order; ``bound`` is an int (0 or 1). Plain or gzip. Each row
    must have as many fields as the header, a non-empty ``seq`` and an integer ``Bound``; otherwise ValueError naming
    the file and the line (as for encoding and gzip errors, see :func:`read_fasta`).

    Examples
    --------
    >>> _ = open("peaks.seq", "w").write("FoldID\\tEventID\\tseq\\tBound\\nA\\tpeak1\\tACGTTGCA\\t1\\n")
    >>> rows = list(read_deepbind_tsv("peaks.seq"))
    >>> rows[0].seq, rows[0].bound
    ('ACGTTGCA', 1)
    """
    for _, record in _deepbind_rows(path):
        yield record


_DEEPBIND_COLUMNS = ("FoldID", "EventID", "seq", "Bound")


def _deepbind_rows(path: PathLike) -> Iterator[tuple[int, DeepBindRecord]]:
    """Yield ``(line_number, record)`` for each row of a DeepBind TSV; see :func:`read_deepbind_tsv` for the checks."""
    lines = _numbered_lines(path)
    _, header_line = next(lines, (1, ""))
    header = [column.strip() for column in header_line.split("\t")]
    missing = [c for c in _DEEPBIND_COLUMNS if c not in header]
    if missing:
        raise ValueError(
            f"{path}, line 1: a DeepBind TSV needs a tab-separated header with columns {' '.join(_DEEPBIND_COLUMNS)}; "
            f"got header {header_line[:80]!r} (missing {missing})"
        )
    columns = [header.index(c) for c in _DEEPBIND_COLUMNS]
    for line_number, line in lines:
        if not line.strip():
            continue
        fields = line.split("\t")
        fold, event, seq, bound = (fields[c].strip() if c < len(fields) else "" for c in columns)
        if len(fields) != len(header) or not seq or not re.fullmatch(r"[+-]?\d+", bound):
            raise ValueError(
                f"{path}, line {line_number}: expected {len(header)} tab-separated fields ({' '.join(header)}) with a "
                f"non-empty seq and an integer Bound; got {line[:80]!r}"
            )
        yield line_number, DeepBindRecord(fold, event, seq, int(bound))


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
    for _, record in _clip_records(path):
        yield record


def _clip_records(path: PathLike) -> Iterator[tuple[int, ClipRecord]]:
    for line_number, name, seq in _fasta_records(path):
        try:
            chrom, strand, start, end, label = parse_clip_header(name)
        except ValueError as err:
            raise ValueError(f"{path}, line {line_number}: {err}") from None
        yield line_number, ClipRecord(chrom, strand, start, end, seq, label)


def _line_records(path: PathLike) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, seq)`` for each non-blank line of a one-sequence-per-line file."""
    for line_number, line in _numbered_lines(path):
        seq = line.strip()
        if not seq:
            continue
        if len(seq.split()) > 1 or seq.startswith(">"):
            raise ValueError(
                f"{path}, line {line_number}: expected one sequence per line (no spaces, tabs or '>' headers); "
                f"got {line[:60]!r}"
            )
        yield line_number, seq


SequenceFormat = Literal["auto", "fasta", "deepbind", "clip", "lines"]
SEQUENCE_FORMATS = ("auto", "fasta", "deepbind", "clip", "lines")  # the values of format= (and the CLI's --format)


@dataclass(frozen=True, eq=False)
class Sequences:
    """Sequences read by :func:`read_sequences`: names, texts, labels when the file has them, and where they came from.

    Attributes
    ----------
    names
        One name per sequence: the FASTA header; ``FoldID:EventID`` for DeepBind TSV; ``chrom:start-end(strand)``
        for CLIP FASTA; ``seq0``, ``seq1``, ... for one-sequence-per-line files and lists of strings.
    seqs
        The sequences as text, case kept.
    labels
        int64 array ``(N,)``: the ``Bound`` column of a DeepBind TSV or the ``class`` of a CLIP header; None for the
        other formats.
    format
        The format read: ``"fasta"``, ``"deepbind"``, ``"clip"``, ``"lines"``, or ``"list"`` for a list of strings.
    source
        The file read, or None for a list of strings.
    """

    names: list[str]
    seqs: list[str]
    labels: np.ndarray | None
    format: str
    source: str | None

    def __len__(self) -> int:
        return len(self.seqs)


def _allowed_letters(alphabet: Alphabet) -> str:
    """Every character a sequence of ``alphabet`` may hold: letters, aliases and ambiguity codes, either case."""
    chars = alphabet.letters + "".join(alphabet.aliases) + "".join(alphabet.ambiguous)
    return chars.upper() + chars.lower()


def _first_bad_letter(seq: str, allowed: str) -> int | None:
    """Index of the first character of ``seq`` not in ``allowed``, or None when there is none."""
    if seq.isascii() and allowed.isascii() and not seq.encode().translate(None, allowed.encode()):  # fast, in C
        return None
    return next((i for i, c in enumerate(seq) if c not in allowed), None)


def _check_letters(
    path: PathLike, line_number: int, name: str, seq: str, alphabet: Alphabet, allowed: str, hint: str = ""
) -> None:
    """ValueError naming the file, the line and the record when ``seq`` holds a character not in ``allowed``."""
    bad = _first_bad_letter(seq, allowed)
    if bad is not None:
        raise ValueError(
            f"{path}, line {line_number}: sequence {name!r} has {seq[bad]!r} at position {bad}, which is not a "
            f"letter, alias or ambiguity code of alphabet {alphabet.name} ({alphabet.letters}); pass alphabet= for "
            f"other letters{hint}"
        )


def _sniff(path: PathLike, allowed: str, alphabet: Alphabet) -> str:
    """The format of ``path`` from its first non-blank line, when that line tells it unambiguously."""
    first = next(((n, line) for n, line in _numbered_lines(path) if line.strip()), None)
    if first is None:
        raise ValueError(f"{path} is empty: it holds no sequences")
    line_number, line = first
    if line.startswith(">"):
        return "fasta"
    header = [column.strip() for column in line.split("\t")]
    if all(column in header for column in _DEEPBIND_COLUMNS):
        return "deepbind"
    text = line.strip()
    if "\t" not in line and " " not in text and _first_bad_letter(text, allowed) is None:
        return "lines"
    raise ValueError(
        f"cannot tell the format of {path}: line {line_number} ({line[:60]!r}) is neither a FASTA header ('>'), a "
        f"DeepBind TSV header ({' '.join(_DEEPBIND_COLUMNS)}) nor a sequence of alphabet {alphabet.name}; state the "
        "format, e.g. format='lines' (on the command line: --format lines); formats: 'fasta', 'deepbind', 'clip', "
        "'lines'"
    )


def read_sequences(
    path: PathLike | Sequence[str],
    format: SequenceFormat = "auto",
    *,
    alphabet: str | Alphabet = "DNA",
    max_sequences: int | None = None,
) -> Sequences:
    """Read the sequences of a file in any supported format, or take a list of strings, checking every letter.

    Parameters
    ----------
    path
        A FASTA, DeepBind TSV, CLIP FASTA or one-sequence-per-line file (plain or gzip, recognised by content), or a
        list of strings.
    format
        ``"fasta"``, ``"deepbind"`` (tab-separated, header ``FoldID EventID seq Bound``), ``"clip"`` (FASTA with
        ``chr1,+,866159,866259; class:0`` headers), ``"lines"`` (one sequence per line; blank lines skipped) or
        ``"auto"`` (default): from the first non-blank line, only when it is unambiguous: ``>`` means FASTA (a CLIP
        file is read as FASTA then; pass ``"clip"`` for its labels and coordinate names), the DeepBind header means
        DeepBind TSV, and a line made only of letters of ``alphabet`` means one sequence per line. Any other first
        line raises ValueError asking for the format. File names are not used. A list of strings takes ``"auto"`` or
        ``"lines"``.
    alphabet
        ``"DNA"`` (default), ``"RNA"``, ``"protein"``, a string of letters or an :class:`Alphabet`. Every sequence
        may hold only its letters, aliases (U for DNA) and ambiguity codes (N, ...), in either case.
    max_sequences
        Read at most this many sequences (the rest of the file is not read). None (default): all.

    Returns
    -------
    Sequences
        ``names``, ``seqs``, ``labels`` (DeepBind ``Bound`` / CLIP ``class``, else None), ``format`` and ``source``.

    Raises
    ------
    ValueError
        Naming the file and the line: a character outside the alphabet, an undetectable format, a malformed record
        (see :func:`read_fasta` and :func:`read_deepbind_tsv`), a binary file, a truncated gzip, or no sequences.

    Examples
    --------
    >>> import eugene as eu
    >>> _ = open("peaks.txt", "w").write("ACGTAC\\nGGCCTA\\n")
    >>> reads = eu.seq.read_sequences("peaks.txt")  # one sequence per line, detected
    >>> reads.format, reads.names, reads.seqs
    ('lines', ['seq0', 'seq1'], ['ACGTAC', 'GGCCTA'])
    >>> X = eu.seq.one_hot(reads.seqs)  # (2, 4, 6)
    >>> eu.seq.read_sequences(["ACGT", "GGNN"]).names
    ['seq0', 'seq1']
    """
    if format not in SEQUENCE_FORMATS:
        raise ValueError(f"format must be one of {', '.join(map(repr, SEQUENCE_FORMATS))}; got {format!r}")
    alpha = get_alphabet(alphabet)
    allowed = _allowed_letters(alpha)
    limit = check_positive_int(max_sequences, "max_sequences", allow_none=True)
    if isinstance(path, (list, tuple)):
        return _from_strings(path, format, alpha, allowed, limit)
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path (str or os.PathLike) or a list of strings; got {describe(path)}")
    file = Path(path)
    if not file.is_file():
        what = "is not a regular file" if file.exists() else "does not exist"
        hint = ""
        if isinstance(path, str) and not file.exists() and _first_bad_letter(path, allowed) is None:
            hint = f"; to read sequences given as text, pass a list: read_sequences([{path[:20]!r}, ...])"
        raise FileNotFoundError(f"sequence file {str(path)!r} {what}{hint}")
    kind = _sniff(path, allowed, alpha) if format == "auto" else format
    if kind == "fasta":
        rows = ((n, name, seq, None) for n, name, seq in _fasta_records(path))
    elif kind == "deepbind":
        rows = ((n, f"{r.fold_id}:{r.event_id}", r.seq, r.bound) for n, r in _deepbind_rows(path))
    elif kind == "clip":
        rows = ((n, f"{r.chrom}:{r.start}-{r.end}({r.strand})", r.seq, r.label) for n, r in _clip_records(path))
    else:
        rows = ((n, f"seq{i}", seq, None) for i, (n, seq) in enumerate(_line_records(path)))
    names, seqs, labels = [], [], []
    for line_number, name, seq, label in islice(rows, limit):
        _check_letters(path, line_number, name, seq, alpha, allowed, " or state format=" if format == "auto" else "")
        names.append(name)
        seqs.append(seq)
        labels.append(label)
    if not seqs:
        raise ValueError(f"{path} holds no sequences (read as {kind})")
    has_labels = kind in ("deepbind", "clip")
    return Sequences(names, seqs, np.array(labels, dtype=np.int64) if has_labels else None, kind, str(path))


def _from_strings(
    strings: Sequence[str], format: str, alphabet: Alphabet, allowed: str, limit: int | None
) -> Sequences:
    if format not in ("auto", "lines"):
        raise ValueError(f"format must be 'auto' or 'lines' for a list of strings; got {format!r}")
    strings = list(strings[:limit] if limit is not None else strings)
    if not strings:
        raise ValueError("path is an empty list; expected at least one sequence")
    for i, seq in enumerate(strings):
        if not isinstance(seq, str):
            raise TypeError(f"path[{i}] must be a str (a sequence); got {type(seq).__name__}")
        bad = _first_bad_letter(seq, allowed) if seq else 0
        if bad is not None:
            got = f"{seq[bad]!r} at position {bad}" if seq else "an empty string"
            raise ValueError(
                f"path[{i}] has {got}; expected a sequence of letters, aliases or ambiguity codes of alphabet "
                f"{alphabet.name} ({alphabet.letters})"
            )
    return Sequences([f"seq{i}" for i in range(len(strings))], strings, None, "list", None)
