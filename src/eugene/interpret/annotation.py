"""Naming patterns and seqlets by the known motifs they match, counting them, and measuring how far apart they occur.

- :func:`annotate_patterns`: each TF-MoDISco pattern trimmed by its CWM (modisco-lite's rule,
  :func:`eugene.motifs.trim`) and compared with a motif database by TOMTOM (Gupta et al. 2007); its best matches
  with q-values, as modisco-lite's report gives them.
- :func:`annotate_seqlets`: each seqlet's own letters (its one-hot window) compared with the named motifs by TOMTOM,
  the field's convention (tangermeme's ``annotate_seqlets``); the best match names the seqlet when its q-value is at
  most ``fdr``.
- :func:`motif_counts` and :func:`motif_spacing`: annotated sites per motif, and the spacing of every pair of sites in
  one sequence (the bases between them, as tangermeme's ``pairwise_annotations_spacing``), with their strands.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from eugene.motifs.motif import Motif, MotifSet
from eugene.motifs.tomtom import tomtom
from eugene.motifs.tomtom.api import _as_sets
from eugene.motifs.trimming import trim_window

from .._validate import check_fraction, check_onehot, check_positive_int, describe

__all__ = ["annotate_patterns", "annotate_seqlets", "motif_counts", "motif_spacing"]

_CHUNK = 2000  # seqlets per TOMTOM call: bounds the (seqlets x motifs) table of matches held at once
_MATCH_COLUMNS = [
    "Target_ID",
    "Target_Name",
    "p-value",
    "E-value",
    "q-value",
    "Orientation",
    "Optimal_offset",
    "Overlap",
]


def _database(database: Any) -> list[MotifSet]:
    sets = _as_sets(database, "database")
    if not any(len(s) for s in sets):
        raise ValueError("database holds no motifs")
    return sets


def _rna(sets: list[MotifSet]) -> bool:
    """Whether the database is RNA (letters ACGU): RNA-binding proteins bind one strand, so only it is compared."""
    return any("U" in s.alphabet for s in sets)


def _compare(queries: MotifSet, sets: list[MotifSet], both_strands: bool | None, options: dict) -> pd.DataFrame:
    """TOMTOM of every query against every target (no threshold), rows in query order, best p-value first."""
    for fixed in ("thresh", "evalue"):
        if fixed in options:
            raise ValueError(f"{fixed} is not an option here: every match is compared and its q-value reported")
    strands = not _rna(sets) if both_strands is None else both_strands
    return tomtom(queries, sets, thresh=None, both_strands=strands, **options)


def annotate_patterns(
    patterns: MotifSet | Sequence[Motif],
    database: Any,
    *,
    n_matches: int = 3,
    threshold: float = 0.3,
    flank: int = 0,
    both_strands: bool | None = None,
    **tomtom_options: Any,
) -> pd.DataFrame:
    """Best database matches of each pattern, trimmed by its CWM, with TOMTOM q-values.

    Parameters
    ----------
    patterns
        TF-MoDISco patterns (:func:`eugene.interpret.modisco`, :func:`eugene.motifs.read_modisco`) or any motifs;
        a pattern is trimmed by its CWM (``by="cwm"``), a motif without one by information content.
    database
        Motifs to name them by: a MotifSet (e.g. ``eu.motifs.jaspar()``), a motif file (e.g. the CISBP-RNA motifs of
        Ray et al. 2013 in MEME format) or a list of those.
    n_matches
        The best matches kept per pattern (by p-value); every pattern gets this many rows (fewer when the database is
        smaller), significant or not: read ``q-value``.
    threshold, flank
        The trim (:func:`eugene.motifs.trim`): positions whose total absolute contribution reaches ``threshold`` of
        the largest (modisco-lite's 0.3), widened by ``flank``.
    both_strands
        Compare with both strands of each database motif; None: both for DNA databases, only the given strand for
        RNA ones (letters ACGU).
    **tomtom_options
        Passed to :func:`eugene.motifs.tomtom` (``dist``, ``min_overlap``, ``motif_pseudo``, ``background``).

    Returns
    -------
    pandas.DataFrame
        One row per pattern and match, patterns in the given order: ``pattern``, ``n_seqlets`` (the pattern's
        ``nsites``), ``trim_start`` / ``trim_end`` (the columns kept), ``rank`` (1 for the best match), then TOMTOM's
        ``Target_ID``, ``Target_Name``, ``p-value``, ``E-value``, ``q-value``, ``Orientation``, ``Optimal_offset``,
        ``Overlap`` of the trimmed pattern against the target.

    Examples
    --------
    >>> matches = eu.interpret.annotate_patterns(patterns, eu.motifs.jaspar())          # doctest: +SKIP
    >>> matches[(matches["rank"] == 1) & (matches["q-value"] <= 0.05)]                   # doctest: +SKIP
    """
    n_matches = check_positive_int(n_matches, "n_matches")
    patterns = patterns if isinstance(patterns, MotifSet) else MotifSet(patterns)
    if not len(patterns):
        raise ValueError("patterns holds no motifs")
    if len(set(patterns.names)) != len(patterns):
        raise ValueError("patterns must have distinct names; some names repeat")
    sets = _database(database)
    bounds = np.array([trim_window(p, threshold, flank=flank) for p in patterns], dtype=np.int64)
    trimmed = MotifSet(_core(p, start, stop) for p, (start, stop) in zip(patterns, bounds, strict=True))
    hits = _compare(trimmed, sets, both_strands, tomtom_options)
    hits["rank"] = hits.groupby("Query_ID", observed=True).cumcount() + 1
    hits = hits[hits["rank"] <= n_matches]
    order = {name: i for i, name in enumerate(patterns.names)}
    position = hits["Query_ID"].astype(str).map(order).to_numpy()
    hits = hits.iloc[np.lexsort((hits["rank"].to_numpy(), position))]
    position = np.sort(position, kind="stable")
    sites = patterns.n_sites
    table = pd.DataFrame(
        {
            "pattern": np.asarray(patterns.names, dtype=object)[position],
            "n_seqlets": sites[position],
            "trim_start": bounds[position, 0],
            "trim_end": bounds[position, 1],
            "rank": hits["rank"].to_numpy(),
        }
    )
    for column in _MATCH_COLUMNS:
        table[column] = hits[column].to_numpy()
    return table


def _core(pattern: Motif, start: int, stop: int) -> Motif:
    """The TOMTOM query of a pattern: its letter frequencies at the trimmed columns, with its number of sites."""
    return Motif(pattern.name, pattern.probs[:, start:stop], alphabet=pattern.alphabet, nsites=pattern.nsites)


def annotate_seqlets(
    seqlets: pd.DataFrame,
    X: Any,
    motifs: Any,
    *,
    fdr: float = 0.05,
    both_strands: bool | None = None,
    **tomtom_options: Any,
) -> pd.DataFrame:
    """Name each seqlet by the motif its sequence matches best (TOMTOM of its one-hot window against ``motifs``).

    Parameters
    ----------
    seqlets
        A table with ``example_idx``, ``start``, ``end`` (half open), as :func:`eugene.interpret.seqlets` returns.
    X
        (N, A, L) one-hot sequences the seqlets index, numpy or torch.
    motifs
        The motifs to name them by: a MotifSet (JASPAR, the trimmed patterns of :func:`eugene.interpret.modisco`), a
        motif file, or a list of those. TOMTOM's p-values need a few dozen target motifs to be accurate (it warns
        below 50).
    fdr
        A seqlet is named by its best match when that match's q-value is at most ``fdr``.
    both_strands
        Compare with both strands of each motif; None: both for DNA motifs, one for RNA motifs (letters ACGU).
    **tomtom_options
        Passed to :func:`eugene.motifs.tomtom` (``dist``, ``min_overlap``, ``motif_pseudo``, ``background``).

    Returns
    -------
    pandas.DataFrame
        The seqlets (a copy, same rows and order) with ``motif`` (the best match's ID; missing, NaN, when its
        q-value is above ``fdr``), ``motif_name`` (its alternate name, e.g. the JASPAR TF name), ``motif_strand``
        (``"+"`` when the motif matches the given strand, ``"-"`` when its reverse complement does),
        ``match_p_value`` and ``match_q_value`` (of the best match, whether or not it names the seqlet).

    Examples
    --------
    >>> table = eu.interpret.seqlets(attributions, X)                                   # doctest: +SKIP
    >>> named = eu.interpret.annotate_seqlets(table, X, eu.motifs.jaspar())            # doctest: +SKIP
    >>> eu.interpret.motif_counts(named)                                               # doctest: +SKIP
    """
    fdr = check_fraction(fdr, "fdr", what="the q-value threshold of a match")
    check_onehot(X, "X")
    values = X.detach().cpu().numpy() if hasattr(X, "detach") else np.asarray(X)
    table = _check_sites(seqlets, "seqlets", ("example_idx", "start", "end"))
    sets = _database(motifs)
    alphabet = sets[0].alphabet
    if values.shape[1] != len(alphabet):
        raise ValueError(
            f"X must have one channel per letter of the motifs' alphabet {alphabet!r} ({len(alphabet)}); "
            f"got shape {values.shape}"
        )
    example, start, end = (table[c].to_numpy(dtype=np.int64) for c in ("example_idx", "start", "end"))
    bad = (example < 0) | (example >= values.shape[0]) | (start < 0) | (end > values.shape[2]) | (end <= start)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"seqlets must index X, shape {values.shape}, with 0 <= start < end <= {values.shape[2]}; row {i} has "
            f"example_idx={example[i]}, start={start[i]}, end={end[i]}"
        )
    out = table.copy()
    out["motif"], out["motif_name"], out["motif_strand"] = None, None, None
    out["match_p_value"], out["match_q_value"] = np.nan, np.nan
    if not len(table):
        return out
    parts = []
    for first in range(0, len(table), _CHUNK):  # TOMTOM compares each query on its own: chunks change no number
        rows = range(first, min(first + _CHUNK, len(table)))
        queries = MotifSet(
            Motif(f"seqlet_{i}", _letters(values[example[i], :, start[i] : end[i]]), alphabet=alphabet) for i in rows
        )
        hits = _compare(queries, sets, both_strands, tomtom_options)
        parts.append(hits.groupby("Query_ID", observed=True, sort=False).head(1))  # rows sorted by p-value per query
    best = pd.concat(parts, ignore_index=True)
    row = best["Query_ID"].astype(str).str.removeprefix("seqlet_").astype(np.int64).to_numpy()
    named = best["q-value"].to_numpy() <= fdr
    motif = np.full(len(out), None, dtype=object)
    motif[row[named]] = best["Target_ID"].astype(str).to_numpy()[named]
    name = np.full(len(out), None, dtype=object)
    name[row[named]] = best["Target_Name"].astype(str).to_numpy()[named]
    strand = np.full(len(out), None, dtype=object)
    strand[row[named]] = best["Orientation"].astype(str).to_numpy()[named]
    p = np.full(len(out), np.nan)
    q = np.full(len(out), np.nan)
    p[row], q[row] = best["p-value"].to_numpy(), best["q-value"].to_numpy()
    out["motif"], out["motif_name"], out["motif_strand"] = motif, name, strand
    out["match_p_value"], out["match_q_value"] = p, q
    return out


def _letters(window: np.ndarray) -> np.ndarray:
    """A seqlet's one-hot window as letter probabilities: all-zero columns (N, padding) made uniform."""
    window = np.asarray(window, dtype=np.float64)
    sums = window.sum(axis=0)
    return np.where(sums > 0, window / np.where(sums > 0, sums, 1.0), 1.0 / window.shape[0])


def _check_sites(sites: Any, name: str, columns: Sequence[str]) -> pd.DataFrame:
    if not isinstance(sites, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame with columns {list(columns)}; got {describe(sites)}")
    missing = [c for c in columns if c not in sites.columns]
    if missing:
        raise ValueError(
            f"{name} must have columns {list(columns)}; missing {missing} (columns: {list(sites.columns)})"
        )
    return sites


def _sites(annotated: pd.DataFrame | MotifSet | Sequence[Motif]) -> pd.DataFrame:
    """Named sites: rows with a motif, from an annotated table or from patterns' seqlet tables (each named by its
    pattern, on its seqlet's strand)."""
    if isinstance(annotated, pd.DataFrame):
        table = _check_sites(annotated, "annotated", ("example_idx", "start", "end", "motif"))
        table = table[table["motif"].notna()]
        return table.assign(
            motif=table["motif"].astype(str),
            motif_name=table["motif_name"] if "motif_name" in table else "",
            motif_strand=table["motif_strand"] if "motif_strand" in table else ".",
        )
    if isinstance(annotated, (MotifSet, list, tuple)) and all(hasattr(p, "seqlets") for p in annotated):
        parts = [
            p.seqlets.assign(motif=p.name, motif_name=p.alt_name, motif_strand=p.seqlets["strand"]) for p in annotated
        ]
        if parts:
            return pd.concat(parts, ignore_index=True)
        return pd.DataFrame(columns=["example_idx", "start", "end", "motif", "motif_name", "motif_strand"])
    raise TypeError(
        "annotated must be a DataFrame from eu.interpret.annotate_seqlets (columns example_idx, start, end, motif) or "
        f"TF-MoDISco patterns (ModiscoPatterns with seqlet tables); got {describe(annotated)}"
    )


def motif_counts(annotated: pd.DataFrame | MotifSet) -> pd.DataFrame:
    """Number of annotated sites (seqlets) per motif, and of sequences holding one.

    Parameters
    ----------
    annotated
        :func:`annotate_seqlets`'s table (rows without a ``motif`` are not counted), or TF-MoDISco patterns
        (each pattern's seqlets, e.g. after :func:`eugene.motifs.trim`).

    Returns
    -------
    pandas.DataFrame
        ``motif``, ``motif_name``, ``n_seqlets``, ``n_sequences`` (distinct ``example_idx``), most seqlets first
        (ties by motif).

    Examples
    --------
    >>> eu.interpret.motif_counts(named).head()                                          # doctest: +SKIP
    """
    sites = _sites(annotated)
    grouped = sites.groupby("motif", sort=True)
    table = pd.DataFrame(
        {
            "motif_name": grouped["motif_name"].first(),
            "n_seqlets": grouped.size().astype(np.int64),
            "n_sequences": grouped["example_idx"].nunique().astype(np.int64),
        }
    ).reset_index()
    table["motif_name"] = table["motif_name"].fillna("")
    return table.sort_values(["n_seqlets", "motif"], ascending=[False, True], kind="stable").reset_index(drop=True)


def motif_spacing(annotated: pd.DataFrame | MotifSet, *, max_distance: int | None = None) -> pd.DataFrame:
    """Spacing of every pair of annotated sites in one sequence, counted by motif pair, distance and strands.

    Within each sequence, for every two sites (left: the smaller ``start``, then the smaller ``end``, then the
    earlier row), the distance is the number of bases between them, ``start_right - end_left`` (0 for adjacent sites,
    negative when they overlap), as tangermeme's ``pairwise_annotations_spacing`` measures it, so it does not depend
    on the motifs' widths.

    Parameters
    ----------
    annotated
        :func:`annotate_seqlets`'s table (rows without a ``motif`` are left out), or TF-MoDISco patterns (each
        pattern's seqlets, e.g. after :func:`eugene.motifs.trim`).
    max_distance
        Keep only pairs at most this many bases apart; None keeps all.

    Returns
    -------
    pandas.DataFrame
        ``motif_a`` (left), ``motif_b`` (right), ``distance`` (bp), ``orientation`` (the strands of the left and the
        right site, e.g. ``"+-"``; ``".."`` when unknown) and ``count``, sorted by those columns.

    Examples
    --------
    >>> spacing = eu.interpret.motif_spacing(named, max_distance=50)                     # doctest: +SKIP
    >>> spacing.groupby(["motif_a", "motif_b"])["count"].sum()                           # doctest: +SKIP
    """
    if max_distance is not None and (isinstance(max_distance, bool) or not isinstance(max_distance, (int, np.integer))):
        raise TypeError(f"max_distance must be an int (bases) or None; got {describe(max_distance)}")
    sites = _sites(annotated)
    example, start, end = (sites[c].to_numpy(dtype=np.int64) for c in ("example_idx", "start", "end"))
    order = np.lexsort((np.arange(len(sites)), end, start, example))
    example, start, end = example[order], start[order], end[order]
    motif = sites["motif"].to_numpy(dtype=object)[order]
    strand = sites["motif_strand"].fillna(".").astype(str).to_numpy(dtype=object)[order]
    # every pair (i, j), i < j, of one sequence: j runs from i + 1 to the last site of i's sequence
    last = np.searchsorted(example, example, side="right")
    partners = last - np.arange(len(example)) - 1
    left = np.repeat(np.arange(len(example)), partners)
    first_pair = np.repeat(np.cumsum(partners) - partners, partners)
    right = left + 1 + np.arange(len(left)) - first_pair
    pairs = pd.DataFrame(
        {
            "motif_a": motif[left],
            "motif_b": motif[right],
            "distance": start[right] - end[left],
            "orientation": strand[left] + strand[right],
        }
    )
    if max_distance is not None:
        pairs = pairs[pairs["distance"] <= max_distance]
    counts = pairs.groupby(["motif_a", "motif_b", "distance", "orientation"], sort=True).size()
    return counts.astype(np.int64).rename("count").reset_index()
