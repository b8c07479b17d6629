"""Genome tracks out: per-base values of windows as bigWig, scored intervals as BED, in genome coordinates.

bigWig files are written with pybigtools (Rust, with wheels for Linux and macOS: no compiler needed), part of the
``genome`` extra. BED is plain text and needs nothing.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator, Mapping
from itertools import repeat
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from eugene._validate import describe
from eugene.genome._fasta import Genome, PathLike, as_genome, open_text, require
from eugene.genome.regions import Regions, _Windows, read_bed

Merge = Literal["mean", "max", "first"]

_RUNS_PER_BATCH = 1 << 16  # intervals converted to Python tuples at a time


def _coords_table(coords: Any) -> pd.DataFrame:
    """chrom / start / end / reverse_complemented of each window, from Regions, a DataFrame or a SeqData Dataset."""
    if isinstance(coords, Regions):
        coords = coords.coords
    elif hasattr(coords, "data_vars") and hasattr(coords, "coords"):  # an xarray Dataset from Regions.to_dataset()
        names = [n for n in ("chrom", "chromStart", "chromEnd", "reverse_complemented") if n in coords.variables]
        coords = pd.DataFrame({n: np.asarray(coords[n].values) for n in names})
    if not isinstance(coords, pd.DataFrame):
        raise TypeError(
            f"coords must be Regions, a DataFrame with chrom, start, end or a Dataset from Regions.to_dataset(); "
            f"got {describe(coords)}"
        )
    table = coords.rename(columns={"chromStart": "start", "chromEnd": "end"})
    missing = [c for c in ("chrom", "start", "end") if c not in table]
    if missing:
        raise ValueError(f"coords must have the columns chrom, start, end; it lacks {missing}")
    flip = table["reverse_complemented"] if "reverse_complemented" in table else pd.Series(False, index=table.index)
    return pd.DataFrame(
        {
            "chrom": table["chrom"].astype(str).to_numpy(),
            "start": table["start"].to_numpy(dtype=np.int64),
            "end": table["end"].to_numpy(dtype=np.int64),
            "reverse_complemented": flip.to_numpy(dtype=bool),
        }
    )


def _chrom_sizes(chrom_sizes: Any) -> dict[str, int]:
    if isinstance(chrom_sizes, Mapping):
        return {str(k): int(v) for k, v in chrom_sizes.items()}
    if isinstance(chrom_sizes, Genome):
        return dict(chrom_sizes.sizes)
    if not isinstance(chrom_sizes, (str, os.PathLike)):
        raise TypeError(
            "chrom_sizes must be a dict {chrom: length}, a Genome, a genome FASTA or a chrom.sizes / .fai file; "
            f"got {describe(chrom_sizes)}"
        )
    with open_text(chrom_sizes) as handle:
        first = handle.read(1)
    if first == ">":
        return dict(Genome(chrom_sizes).sizes)
    table = pd.read_csv(chrom_sizes, sep="\t", header=None, usecols=[0, 1], dtype={0: str, 1: np.int64})
    return dict(zip(table[0], table[1].tolist()))


def _as_numpy(values: Any) -> np.ndarray:
    return values.detach().cpu().numpy() if hasattr(values, "detach") else np.asarray(values)


def _per_base(values: Any, X: Any, rows: np.ndarray) -> np.ndarray:
    """Values ``(n, L)`` of the windows ``rows``: ``values`` itself, or ``(values * X).sum(A)`` for (N, A, L)."""
    part = _as_numpy(values[rows]).astype(np.float64)
    if part.ndim == 3:
        part = (part * _as_numpy(X[rows])).sum(axis=1)
    return part


def _merge_runs(positions: np.ndarray, values: np.ndarray, merge: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge values that fall on one position, then join runs of consecutive positions with equal values.

    Returns ``(starts, ends, values)`` of the intervals, sorted by start.
    """
    if positions.size == 0:
        return positions, positions, values.astype(np.float32)
    order = np.argsort(positions, kind="stable")  # stable: "first" keeps the input order within a position
    positions, values = positions[order], values[order]
    first = np.flatnonzero(np.r_[True, positions[1:] != positions[:-1]])
    unique = positions[first]
    if merge == "mean":
        merged = np.add.reduceat(values, first) / np.diff(np.r_[first, positions.size])
    elif merge == "max":
        merged = np.maximum.reduceat(values, first)
    else:
        merged = values[first]
    merged = merged.astype(np.float32)  # what bigWig stores: runs are joined on the stored values
    run = np.flatnonzero(np.r_[True, (unique[1:] != unique[:-1] + 1) | (merged[1:] != merged[:-1])])
    ends = np.r_[unique[run[1:] - 1], unique[-1]] + 1
    return unique[run], ends, merged[run]


def _intervals(
    values: Any, X: Any, table: pd.DataFrame, sizes: dict[str, int], merge: str
) -> Iterator[tuple[str, int, int, float]]:
    """(chrom, start, end, value) of the merged track, chromosome by chromosome in sorted order."""
    length = int(table["end"].iloc[0] - table["start"].iloc[0])
    offsets = np.arange(length)
    for chrom in sorted(set(table["chrom"])):
        rows = np.flatnonzero(table["chrom"].to_numpy() == chrom)
        per_base = _per_base(values, X, rows)
        flip = table["reverse_complemented"].to_numpy()[rows]
        per_base[flip] = per_base[flip, ::-1]
        positions = table["start"].to_numpy()[rows, None] + offsets
        keep = (positions >= 0) & (positions < sizes[chrom]) & np.isfinite(per_base)
        starts, ends, merged = _merge_runs(positions[keep], per_base[keep], merge)
        for lo in range(0, starts.size, _RUNS_PER_BATCH):
            hi = lo + _RUNS_PER_BATCH
            yield from zip(repeat(chrom), starts[lo:hi].tolist(), ends[lo:hi].tolist(), merged[lo:hi].tolist())


def write_bigwig(
    path: PathLike,
    values: Any,
    coords: Any,
    chrom_sizes: Any,
    *,
    X: Any = None,
    genome: Genome | PathLike | None = None,
    merge: Merge = "mean",
) -> Path:
    """Write per-base values of genome windows as a bigWig track, merging windows that overlap.

    Parameters
    ----------
    path
        The bigWig file to write.
    values
        Per-base values ``(N, L)``, or ``(N, A, L)`` (e.g. attributions) together with the one-hot ``X``: then each
        position gets the value on its observed base, ``(values * X).sum(axis=1)`` (0 where ``X`` is N). numpy, torch,
        or any array indexable by rows (an xarray / zarr-backed array loads one chromosome's windows at a time).
    coords
        Where each window lies: :class:`Regions`, its ``coords`` DataFrame (``chrom, start, end``, and
        ``reverse_complemented``: such windows are flipped back to genome order), or the Dataset of
        :meth:`Regions.to_dataset` (``chromStart`` / ``chromEnd``). All windows have the length L.
    chrom_sizes
        Chromosome lengths: a dict, a :class:`Genome`, a genome FASTA, or a ``chrom.sizes`` / ``.fai`` file.
    X
        The one-hot ``(N, A, L)`` for 3-D ``values``.
    genome
        Instead of ``X``: the genome (a :class:`Genome` or FASTA path) to read the windows' bases from, one
        chromosome's windows at a time (e.g. for attributions in a zarr store, which holds no sequences).
    merge
        The value of a base that several windows cover: ``"mean"`` (default) of their values, ``"max"``, or
        ``"first"`` (the first window in ``coords`` order). Positions covered by no window (and window positions off
        the chromosome, or NaN values) are absent from the track, not zero.

    Returns
    -------
    pathlib.Path
        ``path``. Chromosomes are written in sorted name order; runs of equal values are joined into one interval.

    Examples
    --------
    >>> import numpy as np
    >>> coords = pd.DataFrame({"chrom": ["chr1", "chr1"], "start": [0, 2], "end": [4, 6]})
    >>> values = np.array([[1.0, 1.0, 1.0, 1.0], [3.0, 3.0, 3.0, 3.0]])
    >>> track = write_bigwig("scores.bw", values, coords, {"chr1": 10})
    >>> import pybigtools
    >>> list(pybigtools.open(str(track)).records("chr1"))
    [(0, 2, 1.0), (2, 4, 2.0), (4, 6, 3.0)]
    """
    if merge not in ("mean", "max", "first"):
        raise ValueError(f"merge must be 'mean', 'max' or 'first'; got {merge!r}")
    table = _coords_table(coords)
    shape = tuple(getattr(values, "shape", ()))
    if len(shape) not in (2, 3) or shape[0] != len(table):
        raise ValueError(
            f"values must have shape (N, L) or (N, A, L) with N = {len(table)} (the windows of coords); "
            f"got {describe(values)}"
        )
    if genome is not None:
        X = _genome_windows(X, genome, table, shape)
    if len(shape) == 3 and tuple(getattr(X, "shape", ())) != shape:
        raise ValueError(
            f"values of shape (N, A, L) need X, the one-hot of the same shape, or genome, to project on the observed "
            f"bases; got X={describe(X)} (or pass per-base values of shape (N, L))"
        )
    lengths = table["end"] - table["start"]
    if len(table) and not (lengths == shape[-1]).all():
        i = int(np.flatnonzero(lengths.to_numpy() != shape[-1])[0])
        raise ValueError(f"coords row {i} spans {lengths[i]} bases but values have L = {shape[-1]} per window")
    sizes = _chrom_sizes(chrom_sizes)
    missing = sorted(set(table["chrom"]) - set(sizes))
    if missing:
        raise ValueError(
            f"chromosomes of coords are not in chrom_sizes: {missing[:5]}; chrom_sizes has {list(sizes)[:5]}"
        )
    pybigtools = require("pybigtools", "writing bigWig")
    path = Path(path)
    intervals = _intervals(values, X, table, sizes, merge) if len(table) else iter(())
    pybigtools.open(str(path), "w").write({c: sizes[c] for c in sorted(sizes)}, intervals)
    return path


_ROWS_PER_BLOCK = 1000  # windows projected at a time by observed_base_values


def _genome_windows(X: Any, genome: Genome | PathLike, table: pd.DataFrame, shape: tuple[int, ...]) -> Any:
    """The one-hot of the windows of ``table`` read from ``genome`` on indexing (for ``genome=`` instead of ``X``)."""
    if X is not None:
        raise ValueError("give X (the one-hot) or genome (to read the windows from), not both")
    genome = as_genome(genome)
    genome.check_chromosomes(table["chrom"], "coords")
    return _Windows(table, genome, shape[-1], "DNA") if len(shape) == 3 else None


def observed_base_values(
    values: Any, coords: Any, *, X: Any = None, genome: Genome | PathLike | None = None
) -> np.ndarray:
    """Per-base values ``(N, L)`` float32 of windows: ``(values * X).sum(axis=1)`` for attributions ``(N, A, L)``.

    The projection on the observed base, computed a block of windows at a time, so ``values`` may be lazily loaded
    (xarray, zarr) and ``X`` read from ``genome`` (a :class:`Genome` or FASTA path) instead of given. Values stay in
    window order (a reverse-complemented window reads from its end); :func:`windows_to_genome` maps intervals of
    them back to the genome. ``coords`` as in :func:`write_bigwig`.

    Examples
    --------
    >>> import numpy as np
    >>> coords = pd.DataFrame({"chrom": ["chr1"], "start": [0], "end": [3]})
    >>> X = np.eye(4, dtype=np.float32)[[0, 2, 3]].T[None]          # ACGT one-hot of "AGT"
    >>> observed_base_values(np.arange(12.0).reshape(1, 4, 3), coords, X=X)
    array([[ 0.,  7., 11.]], dtype=float32)
    """
    table = _coords_table(coords)
    shape = tuple(getattr(values, "shape", ()))
    if len(shape) == 2:
        return _as_numpy(values).astype(np.float32)
    if len(shape) != 3 or shape[0] != len(table):
        raise ValueError(f"values must have shape (N, A, L) or (N, L) with N = {len(table)}; got {describe(values)}")
    if genome is not None:
        X = _genome_windows(X, genome, table, shape)
    if tuple(getattr(X, "shape", ())) != shape:
        raise ValueError(f"X must be the one-hot of shape {shape}, or give genome; got X={describe(X)}")
    out = np.empty((shape[0], shape[2]), dtype=np.float32)
    for lo in range(0, shape[0], _ROWS_PER_BLOCK):
        rows = np.arange(lo, min(lo + _ROWS_PER_BLOCK, shape[0]))
        out[rows] = _per_base(values, X, rows)
    return out


def windows_to_genome(intervals: pd.DataFrame, coords: Any) -> pd.DataFrame:
    """Intervals in window columns (``example_idx``, ``start``, ``end``: e.g. seqlets) in genome coordinates.

    Returns the table with ``chrom``, ``start``, ``end`` (0-based, end exclusive) on the genome, ``strand`` (``-``
    for a reverse-complemented window, whose column ``j`` is genome position ``end - 1 - j``, else ``+``) and
    ``name`` (the window's, where ``coords`` has names) first, then the other columns; ready for :func:`write_bed`.
    Intervals reaching off a chromosome's start are clipped at 0.

    Examples
    --------
    >>> coords = pd.DataFrame({"chrom": ["chr1", "chr2"], "start": [100, 50], "end": [110, 60],
    ...                        "reverse_complemented": [False, True]})
    >>> seqlets = pd.DataFrame({"example_idx": [0, 1], "start": [2, 2], "end": [5, 5], "attribution": [1.5, 0.5]})
    >>> windows_to_genome(seqlets, coords)[["chrom", "start", "end", "strand"]].values.tolist()
    [['chr1', 102, 105, '+'], ['chr2', 55, 58, '-']]
    """
    missing = [c for c in ("example_idx", "start", "end") if c not in getattr(intervals, "columns", ())]
    if missing:
        raise ValueError(f"intervals must be a DataFrame with example_idx, start, end; it lacks {missing}")
    table = _coords_table(coords)
    names = _names(coords)
    rows = intervals["example_idx"].to_numpy(dtype=np.int64)
    start, end = table["start"].to_numpy()[rows], table["end"].to_numpy()[rows]
    flip = table["reverse_complemented"].to_numpy()[rows]
    first, last = intervals["start"].to_numpy(dtype=np.int64), intervals["end"].to_numpy(dtype=np.int64)
    placed = {
        "chrom": table["chrom"].to_numpy()[rows],
        "start": np.maximum(np.where(flip, end - last, start + first), 0),
        "end": np.where(flip, end - first, start + last),
        **({"name": names[rows]} if names is not None else {}),
        "strand": np.where(flip, "-", "+"),
    }
    others = intervals.drop(columns=["start", "end"]).reset_index(drop=True)
    return pd.concat([pd.DataFrame(placed), others], axis=1)


def _names(coords: Any) -> np.ndarray | None:
    """The windows' names from Regions, its coords table or its Dataset, or None."""
    if isinstance(coords, Regions):
        coords = coords.coords
    if "name" in getattr(coords, "columns", ()) or "name" in getattr(coords, "variables", ()):
        names = coords["name"].values if hasattr(coords, "variables") else coords["name"].to_numpy()
        return np.array([str(name) for name in names], dtype=object)  # also from zarr's variable-length strings
    return None


_BED_ORDER = ("chrom", "start", "end", "name", "score", "strand")
_BED_FILL = {"name": ".", "score": 0, "strand": "."}


def write_bed(path: PathLike, table: pd.DataFrame, *, sort: bool = True) -> Path:
    """Write scored intervals (seqlets, variant scores) as a BED file, gzip-compressed when ``path`` ends in ``.gz``.

    Columns ``chrom, start, end`` (0-based, end exclusive) come first, then ``name, score, strand`` as far as the
    table has them (a gap before a later one is filled with ``.`` / ``0``), then every other column in table order
    (BED6+N). No header line; missing values are written as ``.``. The score is written as given (BED's browsers
    read it as a number; UCSC shades by it only when it is an integer in 0-1000).

    Parameters
    ----------
    path
        The file to write.
    table
        One row per interval.
    sort
        Sort by chromosome name and start (default), as genome tools expect.

    Examples
    --------
    >>> table = pd.DataFrame({"chrom": ["chr2", "chr1"], "start": [5, 1], "end": [9, 3], "score": [0.5, 2.0]})
    >>> write_bed("hits.bed", table).read_text().splitlines()
    ['chr1\\t1\\t3\\t.\\t2.0', 'chr2\\t5\\t9\\t.\\t0.5']
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame with chrom, start, end; got {describe(table)}")
    table = read_bed(table)
    last = max(i for i, c in enumerate(_BED_ORDER) if c in table)
    for column in _BED_ORDER[3 : last + 1]:
        if column not in table:
            table[column] = _BED_FILL[column]
    order = list(_BED_ORDER[: last + 1])
    table = table[order + [c for c in table.columns if c not in order]]
    if sort:
        table = table.sort_values(["chrom", "start", "end"], kind="stable")
    path = Path(path)
    with gzip.open(path, "wt") if path.suffix == ".gz" else open(path, "w") as handle:
        table.to_csv(handle, sep="\t", header=False, index=False, na_rep=".")
    return path


def merge_intervals(table: pd.DataFrame, merge: Merge = "mean", *, value: str = "score") -> pd.DataFrame:
    """Merge intervals that overlap on the genome into one, e.g. the seqlets of overlapping windows.

    Two windows that overlap see the same bases, so a motif instance in the overlap is called as a seqlet in each
    (at the same or a slightly shifted place). The rule: intervals on one chromosome that share at least one base
    are merged, transitively (as ``bedtools merge``), whatever their strand (a ``-`` window's seqlet lies on the
    same bases as a ``+`` window's). Each group becomes one row spanning the union of its intervals, with
    ``value`` by ``merge``:

    - ``"mean"`` (default): the mean of the group's values; the other columns are the first row's (table order);
    - ``"max"``: the row whose value is largest in absolute value (sign kept: a negative seqlet stays negative);
    - ``"first"``: the row that comes first in ``table`` (for :func:`eugene.interpret.seqlets`, sorted by
      p-value: the most significant).

    The other columns (``name``, ``strand``, ``p_value``, ``example_idx``, ...) are those of that chosen row, and
    ``n_merged`` counts the group's intervals. Intervals that overlap nothing are kept as they are (``n_merged`` 1).

    Parameters
    ----------
    table
        Intervals ``chrom, start, end`` (0-based, end exclusive) with a numeric column ``value``, e.g. from
        :func:`windows_to_genome`.
    merge
        ``"mean"``, ``"max"`` or ``"first"``, as above.
    value
        The column merged by ``merge`` (``"attribution"`` for seqlets as :func:`eugene.interpret.seqlets` gives them).

    Returns
    -------
    pandas.DataFrame
        One row per group, sorted by chromosome and start, columns in ``table``'s order then ``n_merged``.

    Examples
    --------
    >>> seqlets = pd.DataFrame({"chrom": ["chr1"] * 3, "start": [10, 12, 40], "end": [18, 20, 45],
    ...                         "score": [1.0, 3.0, -2.0]})
    >>> merge_intervals(seqlets).values.tolist()
    [['chr1', 10, 20, 2.0, 2], ['chr1', 40, 45, -2.0, 1]]
    """
    if merge not in ("mean", "max", "first"):
        raise ValueError(f"merge must be 'mean', 'max' or 'first'; got {merge!r}")
    table = read_bed(table)
    if value not in table or table[value].dtype.kind not in "iuf":
        raise ValueError(
            f"value must name a numeric column of table; got {value!r} (columns: {list(table.columns)[:12]})"
        )
    order = np.lexsort((table["start"].to_numpy(), table["chrom"].to_numpy()))
    chrom, start, end = (table[c].to_numpy()[order] for c in ("chrom", "start", "end"))
    new_chrom = np.r_[True, chrom[1:] != chrom[:-1]]
    reach = end.copy()  # the furthest end so far on the chromosome: a group goes on while starts fall before it
    for lo, hi in zip(np.flatnonzero(new_chrom), np.r_[np.flatnonzero(new_chrom)[1:], len(chrom)]):
        reach[lo:hi] = np.maximum.accumulate(end[lo:hi])
    group_of = np.empty(len(table), dtype=np.int64)
    group_of[order] = np.cumsum(new_chrom | np.r_[True, start[1:] >= reach[:-1]]) - 1
    groups = pd.Series(group_of)
    values = table[value].astype(np.float64)
    if merge == "max":
        pick = values.abs().groupby(group_of).idxmax()  # first row of the largest |value|
    else:
        pick = groups.reset_index().groupby(0)["index"].min()  # the group's first row in table order
    out = table.loc[pick.to_numpy()].reset_index(drop=True)
    out["start"] = table["start"].groupby(group_of).min().to_numpy()
    out["end"] = table["end"].groupby(group_of).max().to_numpy()
    if merge == "mean":
        out[value] = values.groupby(group_of).mean().to_numpy()
    out["n_merged"] = groups.value_counts().sort_index().to_numpy()
    return out.sort_values(["chrom", "start"], kind="stable").reset_index(drop=True)
