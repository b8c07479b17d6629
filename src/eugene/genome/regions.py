"""Regions of a genome (BED / narrowPeak) cut to fixed-length windows and one-hot encoded.

The window rule, for a region ``[start, end)`` (0-based, end exclusive, as BED stores it) and a window of ``length``:

- the centre ``c`` is the narrowPeak summit ``start + peak`` (column 10) with ``centre="summit"`` when the region has
  one (``peak >= 0``), and otherwise the middle ``(start + end) // 2``;
- the window is ``[c - length // 2, c - length // 2 + length)``, so the centre base is column ``length // 2``;
- positions of the window before the chromosome start or past its end are ``N``; ``N`` (and every other ambiguity
  code in the genome) is an all-zero column of the one-hot;
- with ``strand="respect"``, a region on strand ``-`` is reverse-complemented (its window's genome coordinates do not
  change; column ``j`` of its one-hot is then genome position ``end - 1 - j``).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from xarray.backends import BackendArray
from xarray.core import indexing

from eugene._validate import check_positive_int, describe
from eugene.genome._fasta import Genome, PathLike, as_genome
from eugene.seq import get_alphabet, one_hot, reverse_complement
from eugene.seq.io import _numbered_lines

Centre = Literal["summit", "middle"]
Strand = Literal["respect", "ignore"]

SEQ_DIM = "_sequence"
OHE_DIM = "_ohe"
LENGTH_DIM = "length"  # as eugene names it for sequence files (SeqData's own stores use "_length")

_BED_COLUMNS = ("chrom", "start", "end", "name", "score", "strand")
_NARROWPEAK_COLUMNS = ("signalValue", "pValue", "qValue", "peak")
_BED12_COLUMNS = ("thickStart", "thickEnd", "itemRgb", "blockCount", "blockSizes", "blockStarts")
_HEADER_PREFIXES = ("#", "track", "browser")
_ENCODE_BLOCK = 512  # windows one-hot encoded at a time


def _column_names(count: int) -> list[str]:
    """BED column names for a file of ``count`` columns: BED3-6, narrowPeak (10) or BED12, extra ones numbered."""
    extra = _NARROWPEAK_COLUMNS if count == 10 else _BED12_COLUMNS
    names = [*_BED_COLUMNS, *extra][:count]
    return names + [f"column{i + 1}" for i in range(len(names), count)]


def _read_bed_file(path: PathLike) -> pd.DataFrame:
    lines = [line + "\n" for _, line in _numbered_lines(path, "utf-8")]  # binary, bad bytes, cut gzip: named
    first = next((i for i, line in enumerate(lines) if line.strip() and not line.startswith(_HEADER_PREFIXES)), None)
    if first is None:
        raise ValueError(f"bed {path} holds no regions (only header or empty lines)")
    body = "".join(line for line in lines[first:] if line.strip())
    table = pd.read_csv(io.StringIO(body), sep="\t", header=None, dtype={0: str, 3: str, 5: str})
    if table.shape[1] < 3:
        raise ValueError(
            f"bed {path} must have at least 3 tab-separated columns (chrom, start, end); line {first + 1} has "
            f"{table.shape[1]}: {lines[first].rstrip()!r}"
        )
    table.columns = _column_names(table.shape[1])
    return table


def _integer_column(table: pd.DataFrame, column: str, source: str) -> np.ndarray:
    values = pd.to_numeric(table[column], errors="coerce")
    bad = values.isna() | (values != values.round())
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"{source} row {row}: {column} must be an integer; got {str(table[column].iloc[row])!r}")
    return values.to_numpy(dtype=np.int64)


def read_bed(bed: PathLike | pd.DataFrame) -> pd.DataFrame:
    """Read regions from a BED or narrowPeak file (plain or gzip) or check a DataFrame of them.

    Columns are named by the BED convention: ``chrom, start, end, name, score, strand``, then
    ``signalValue, pValue, qValue, peak`` for a 10-column file (narrowPeak; ``peak`` is the summit's offset from
    ``start``, -1 for none), or the BED12 names. Lines starting with ``#``, ``track`` or ``browser`` before the first
    region are skipped. Coordinates are 0-based, end exclusive.

    Parameters
    ----------
    bed
        A path, or a DataFrame with at least the columns ``chrom``, ``start``, ``end`` (returned as a checked copy).

    Returns
    -------
    pandas.DataFrame
        One row per region, ``chrom`` as text, ``start`` / ``end`` (and ``peak``) as int64.

    Examples
    --------
    >>> from pathlib import Path
    >>> _ = Path("peaks.bed").write_text("chr1\\t10\\t20\\tp1\\nchr2\\t5\\t9\\tp2\\n")
    >>> read_bed("peaks.bed")[["chrom", "start", "end", "name"]].values.tolist()
    [['chr1', 10, 20, 'p1'], ['chr2', 5, 9, 'p2']]
    """
    if isinstance(bed, pd.DataFrame):
        source = "bed"
        missing = [c for c in ("chrom", "start", "end") if c not in bed.columns]
        if missing:
            raise ValueError(
                f"bed must have the columns chrom, start, end; it lacks {missing} (it has {list(bed.columns)[:10]})"
            )
        table = bed.reset_index(drop=True).copy()
    elif isinstance(bed, (str, os.PathLike)):
        source = f"bed {bed}"
        table = _read_bed_file(bed)
    else:
        raise TypeError(f"bed must be a path to a BED / narrowPeak file or a pandas DataFrame; got {describe(bed)}")
    table["chrom"] = table["chrom"].astype(str)
    for column in ("start", "end", *(["peak"] if "peak" in table else [])):
        table[column] = _integer_column(table, column, source)
    bad = np.flatnonzero((table["start"] < 0) | (table["end"] < table["start"]))
    if bad.size:
        row = table.iloc[bad[0]]
        raise ValueError(
            f"{source} row {bad[0]}: a region needs 0 <= start <= end; got {row['chrom']}:{row['start']}-{row['end']}"
        )
    if "strand" in table:
        table["strand"] = table["strand"].fillna(".").astype(str)
        bad = np.flatnonzero(~table["strand"].isin(["+", "-", "."]).to_numpy())
        if bad.size:
            raise ValueError(f"{source} row {bad[0]}: strand must be '+', '-' or '.'; got {table['strand'][bad[0]]!r}")
    return table


@dataclass
class Regions:
    """Fixed-length windows of a genome: one-hot ``X`` and one row of ``coords`` per window.

    ``coords`` has ``chrom, start, end`` (the window, 0-based, end exclusive; it may run off the chromosome, where
    ``X`` holds zero columns), ``name`` (from the BED, else ``chrom:start-end`` of the region), ``strand``,
    ``reverse_complemented`` (whether ``X`` holds the reverse complement of the window), ``region_start`` /
    ``region_end`` (the region as given) and the region's other BED fields (``score``, ``peak``, ...).
    """

    X: np.ndarray
    coords: pd.DataFrame
    attrs: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.coords)

    def __repr__(self) -> str:
        return f"Regions(X: {tuple(self.X.shape)} {self.X.dtype}, coords: {len(self.coords)} rows, attrs={self.attrs})"

    def to_dataset(self) -> Any:
        """An xarray Dataset in SeqData's layout: ``ohe_seq`` with dims ``(_sequence, _ohe, length)``.

        The coordinates along ``_sequence`` are the columns of ``coords``, with the window's ``start`` / ``end``
        named ``chromStart`` / ``chromEnd`` as in SeqData; ``attrs`` records genome, length, centre and strand.
        :func:`regions_dataset` gives the same Dataset with ``ohe_seq`` read from the genome on access.
        """
        return _dataset(self.X, self.coords, self.attrs)


def _dataset(onehot: Any, coords: pd.DataFrame, attrs: dict[str, Any]) -> Any:
    """The Dataset of windows: ``ohe_seq`` (an array, or a lazily indexed one) with ``coords`` along ``_sequence``."""
    import xarray as xr

    letters = list(get_alphabet(attrs.get("alphabet", "DNA")).letters)
    columns = coords.rename(columns={"start": "chromStart", "end": "chromEnd"})
    variables: dict[str, Any] = {name: (SEQ_DIM, columns[name].to_numpy()) for name in columns.columns}
    variables[OHE_DIM] = letters
    return xr.Dataset(
        {"ohe_seq": xr.Variable((SEQ_DIM, OHE_DIM, LENGTH_DIM), onehot)},
        coords=variables,
        attrs={key: str(value) for key, value in attrs.items()},
    )


class _Windows(BackendArray):
    """The one-hot (N, A, L) float32 of the windows of a coords table, encoded from the genome when indexed: only
    the rows asked for are read. Pickles without the open genome file (it is reopened by path), so Dask workers
    read their own rows."""

    def __init__(self, coords: pd.DataFrame, genome: Genome, length: int, alphabet: str) -> None:
        self.table = pd.DataFrame(
            {
                "chrom": pd.Categorical(coords["chrom"]),  # a code per row: pickles small
                "start": coords["start"].to_numpy(),
                "reverse_complemented": coords["reverse_complemented"].to_numpy(),
            }
        )
        self.genome, self.length, self.alphabet = genome, length, alphabet
        self.shape = (len(coords), get_alphabet(alphabet).size, length)
        self.dtype = np.dtype(np.float32)

    def __getitem__(self, key: Any) -> np.ndarray:
        if not isinstance(key, indexing.ExplicitIndexer):  # numpy-style rows, as the track writers index
            return self._read(key if isinstance(key, tuple) else (key, slice(None), slice(None)))
        return indexing.explicit_indexing_adapter(key, self.shape, indexing.IndexingSupport.OUTER, self._read)

    def _read(self, key: tuple) -> np.ndarray:
        rows, rest = key[0], key[1:]
        scalar = isinstance(rows, (int, np.integer))
        part = self.table.iloc[[rows] if scalar else rows]
        X = _encode(part, self.genome, self.length, self.alphabet)
        for axis in (2, 1):  # outer indexing: each axis on its own, the last first so that axis numbers hold
            X = X[(slice(None),) * axis + (rest[axis - 1],)]
        return X[0] if scalar else X


def _window_table(table: pd.DataFrame, genome: Genome, length: int, centre: str, strand: str) -> pd.DataFrame:
    """The coords table of the windows of ``table`` (checked against the genome's chromosome sizes)."""
    genome.check_chromosomes(table["chrom"], "bed")
    start, end = table["start"].to_numpy(), table["end"].to_numpy()
    sizes = table["chrom"].map(genome.sizes).to_numpy(dtype=np.int64)
    bad = np.flatnonzero(end > sizes)
    if bad.size:
        i = bad[0]
        raise ValueError(
            f"bed row {i}: region {table['chrom'][i]}:{start[i]}-{end[i]} runs past the end of the chromosome "
            f"(length {sizes[i]} in the genome); is the bed from another assembly?"
        )
    middle = (start + end) // 2
    centres = middle
    if centre == "summit" and "peak" in table:
        peak = table["peak"].to_numpy()
        bad = np.flatnonzero(peak >= end - start)
        if bad.size:
            i = bad[0]
            raise ValueError(
                f"bed row {i}: the summit offset peak={peak[i]} lies outside the region {start[i]}-{end[i]} "
                f"(it must be below end - start = {end[i] - start[i]}, or -1 for no summit)"
            )
        centres = np.where(peak >= 0, start + peak, middle)
    window_start = centres - length // 2
    strands = table["strand"] if "strand" in table else pd.Series(".", index=table.index)
    names = table["name"] if "name" in table else table["chrom"] + ":" + table["start"].astype(str)
    if "name" not in table:
        names = names + "-" + table["end"].astype(str)
    coords = pd.DataFrame(
        {
            "chrom": table["chrom"],
            "start": window_start,
            "end": window_start + length,
            "name": names.astype(str),
            "strand": strands,
            "reverse_complemented": (strands == "-").to_numpy() & (strand == "respect"),
            "region_start": start,
            "region_end": end,
        }
    )
    others = table.drop(columns=[c for c in ("chrom", "start", "end", "name", "strand") if c in table])
    return pd.concat([coords, others], axis=1)


def _encode(coords: pd.DataFrame, genome: Genome, length: int, alphabet: str) -> np.ndarray:
    """One-hot of the windows of ``coords``, encoded a block of rows at a time (the temporaries stay in cache)."""
    X = np.empty((len(coords), get_alphabet(alphabet).size, length), dtype=np.float32)
    chroms, starts = coords["chrom"].tolist(), coords["start"].to_numpy()
    flip = coords["reverse_complemented"].to_numpy()
    for lo in range(0, len(coords), _ENCODE_BLOCK):
        block = slice(lo, lo + _ENCODE_BLOCK)
        X[block] = one_hot(genome.windows(chroms[block], starts[block], length), alphabet, length=length)
    if flip.any():
        X[flip] = reverse_complement(X[flip], alphabet)
    return X


def _prepare(
    bed: Any, genome: Any, length: Any, centre: Any, strand: Any, alphabet: Any
) -> tuple[Genome, pd.DataFrame, dict[str, Any]]:
    """Check the arguments; open the genome; read the regions and lay out their windows."""
    length = check_positive_int(length, "length")
    if centre not in ("summit", "middle"):
        raise ValueError(f"centre must be 'summit' or 'middle'; got {centre!r}")
    if strand not in ("respect", "ignore"):
        raise ValueError(f"strand must be 'respect' (reverse-complement '-' regions) or 'ignore'; got {strand!r}")
    get_alphabet(alphabet)
    genome = as_genome(genome)
    coords = _window_table(read_bed(bed), genome, length, centre, strand)
    attrs = {"genome": str(genome.path), "length": length, "centre": centre, "strand": strand, "alphabet": alphabet}
    return genome, coords, attrs


def iter_regions(
    bed: PathLike | pd.DataFrame,
    genome: Genome | PathLike,
    *,
    length: int,
    chunk_size: int = 10_000,
    centre: Centre = "summit",
    strand: Strand = "respect",
    alphabet: str = "DNA",
) -> Iterator[Regions]:
    """Yield :class:`Regions` of at most ``chunk_size`` windows each, in BED order: memory O(chunk) for sequences.

    The region table is read and checked (chromosome names and sizes) before the first chunk; each chunk's
    ``coords`` keeps the row numbers of the whole table as its index. Arguments as in :func:`read_regions`.

    Examples
    --------
    >>> from pathlib import Path
    >>> _ = Path("tiny.fa").write_text(">chr1\\nACGTACGTAC\\n")
    >>> bed = pd.DataFrame({"chrom": ["chr1"] * 3, "start": [0, 2, 4], "end": [4, 6, 8]})
    >>> [len(chunk) for chunk in iter_regions(bed, "tiny.fa", length=4, chunk_size=2)]
    [2, 1]
    """
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    genome, coords, attrs = _prepare(bed, genome, length, centre, strand, alphabet)
    for first in range(0, len(coords), chunk_size):
        chunk = coords.iloc[first : first + chunk_size]
        yield Regions(_encode(chunk, genome, attrs["length"], alphabet), chunk, dict(attrs))


def read_regions(
    bed: PathLike | pd.DataFrame,
    genome: Genome | PathLike,
    *,
    length: int,
    centre: Centre = "summit",
    strand: Strand = "respect",
    alphabet: str = "DNA",
) -> Regions:
    """Cut fixed-length windows around regions of a genome and one-hot encode them.

    Parameters
    ----------
    bed
        Regions: a BED or narrowPeak file (plain or gzip), or a DataFrame with ``chrom, start, end`` (and optionally
        ``name``, ``strand``, ``peak``); see :func:`read_bed`.
    genome
        The reference: a FASTA file, plain or bgzipped (indexed on first use, see :class:`Genome`), or a
        :class:`Genome`.
    length
        Window length L.
    centre
        ``"summit"`` (default): centre on the narrowPeak summit ``start + peak`` where the region has one
        (``peak >= 0``), on the middle otherwise (so a plain BED is centred on its middles). ``"middle"``: centre on
        ``(start + end) // 2`` always. The centre base is column ``length // 2``.
    strand
        ``"respect"`` (default): windows of regions on strand ``-`` are reverse-complemented, as a stranded (e.g.
        CLIP) model reads them; ``+``, ``.`` and a BED without a strand column read the forward strand.
        ``"ignore"``: every window reads the forward strand.
    alphabet
        Alphabet of the one-hot (``"DNA"`` or ``"RNA"``; same channel order).

    Returns
    -------
    Regions
        ``X`` of shape (N, A, L) float32 and ``coords`` (see :class:`Regions`). Window positions off the chromosome
        are ``N``, and ``N`` and other ambiguity codes are all-zero columns. Soft-masked (lower case) bases read as
        upper case.

    Raises
    ------
    ValueError
        When chromosome names of the BED are not in the genome (e.g. ``1`` against ``chr1``: the message says which
        and how to fix it), a region runs past its chromosome's end, or a summit lies outside its region.

    Examples
    --------
    >>> from pathlib import Path
    >>> _ = Path("tiny.fa").write_text(">chr1\\nACGTACGTAC\\n")
    >>> bed = pd.DataFrame({"chrom": ["chr1", "chr1"], "start": [0, 4], "end": [4, 8], "strand": ["+", "-"]})
    >>> regions = read_regions(bed, "tiny.fa", length=6)
    >>> regions.X.shape
    (2, 4, 6)
    >>> regions.coords[["start", "end"]].values.tolist()
    [[-1, 5], [3, 9]]
    """
    genome, coords, attrs = _prepare(bed, genome, length, centre, strand, alphabet)
    return Regions(_encode(coords, genome, attrs["length"], alphabet), coords, attrs)


def regions_dataset(
    bed: PathLike | pd.DataFrame,
    genome: Genome | PathLike,
    *,
    length: int,
    centre: Centre = "summit",
    strand: Strand = "respect",
    alphabet: str = "DNA",
) -> Any:
    """The windows of :func:`read_regions` as a lazy xarray Dataset: one-hot read from the genome on access.

    The Dataset equals ``read_regions(...).to_dataset()`` (``ohe_seq`` with dims ``(_sequence, _ohe, length)``, the
    window coordinates ``chrom, chromStart, chromEnd, name, strand, ...`` along ``_sequence``), but ``ohe_seq`` holds
    no data: indexing it (``.isel``, ``.values``) reads and encodes only the windows asked for. The ``*_sdata``
    functions of :mod:`eugene.interpret` with ``store=`` therefore stream a peak set from the genome one chunk at a
    time (memory O(chunk)), and with ``dask=True`` each task reads its own chunk (the genome is reopened by path
    where the task runs). The region table is read and checked at once, as by :func:`read_regions`.

    Examples
    --------
    >>> from pathlib import Path
    >>> _ = Path("tiny.fa").write_text(">chr1\\nACGTACGTAC\\n")
    >>> bed = pd.DataFrame({"chrom": ["chr1"] * 3, "start": [0, 2, 4], "end": [4, 6, 8]})
    >>> ds = regions_dataset(bed, "tiny.fa", length=4)
    >>> ds["ohe_seq"].shape, ds["chromStart"].values.tolist()
    ((3, 4, 4), [0, 2, 4])
    >>> from eugene.seq import decode
    >>> decode(ds["ohe_seq"].isel(_sequence=[2]).values)     # reads one window
    ['ACGT']
    """
    genome, coords, attrs = _prepare(bed, genome, length, centre, strand, alphabet)
    return _dataset(indexing.LazilyIndexedArray(_Windows(coords, genome, attrs["length"], alphabet)), coords, attrs)
