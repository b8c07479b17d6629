"""``tomtom``: compare query motifs with motif databases, reproducing the MEME suite's ``tomtom`` numbers."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from eugene._jit import compiling
from eugene._settings import show_progress
from eugene._threads import torch_threads_kept
from eugene._validate import check_bool, check_positive_int, describe
from eugene.motifs._alphabet import alphabet_name, comparable_key, complement_order
from eugene.motifs.io import read_motifs
from eugene.motifs.motif import Motif, MotifSet
from eugene.motifs.tomtom.kernel import tomtom_all
from eugene.motifs.tomtom.scores import DISTANCES, SCORE_BOUNDS

__all__ = ["tomtom"]

MotifSource = MotifSet | Motif | str | os.PathLike
_DEFAULT_SITES = 20  # MEME's site count for motifs without nsites
_MIN_TARGETS = 50  # below this MEME warns that p-values are inaccurate


_CHUNK = 64  # queries per kernel call when a progress bar is shown


def _natural_key(name: str) -> tuple:
    """Sort key reading runs of digits as numbers: filter_2 before filter_10, MA0083.3 before MA0083.10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(name)))


COLUMNS = [
    "Query_ID",
    "Target_ID",
    "Optimal_offset",
    "p-value",
    "E-value",
    "q-value",
    "Overlap",
    "Query_consensus",
    "Target_consensus",
    "Orientation",
    "Target_Name",
]


def _as_sets(value: Any, name: str) -> list[MotifSet]:
    """A MotifSet, Motif, path, or a list of those, as a list of MotifSets (one per database)."""
    if isinstance(value, MotifSet):
        return [value]
    if isinstance(value, Motif):
        return [MotifSet([value])]
    if isinstance(value, (str, os.PathLike)):
        return [read_motifs(value)]
    if isinstance(value, Sequence) and len(value) > 0:
        if all(isinstance(v, Motif) for v in value):
            return [MotifSet(value)]
        return [s for v in value for s in _as_sets(v, name)]
    raise TypeError(f"{name} must be a MotifSet, a Motif, a motif file path, or a list of those; got {describe(value)}")


def _check_number(value: Any, name: str, hint: str = "", *, upper: float | None = None) -> float:
    """``value`` as a float after checking it is a finite number >= 0 (and <= ``upper`` when given)."""
    is_real = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if not is_real:
        raise TypeError(f"{name} must be a number; got {describe(value)}")
    if not np.isfinite(value) or value < 0 or (upper is not None and value > upper):
        bounds = "finite and >= 0" + (f" and <= {upper:g}" if upper is not None else "")
        raise ValueError(f"{name} must be a number {bounds}; got {value!r}{hint}")
    return float(value)


def _check_background(background: Any, size: int, alphabet: str, label: str) -> np.ndarray:
    """The background as ``size`` positive frequencies summing to 1, or a ValueError saying what is wrong."""
    try:
        bg = np.asarray(background, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{label} must be {size} letter frequencies (an array); got {describe(background)}") from None
    if bg.shape != (size,):
        raise ValueError(f"{label} must have {size} frequencies for alphabet {alphabet!r}; got {describe(bg)}")
    if not np.isfinite(bg).all() or (bg <= 0).any():
        raise ValueError(
            f"{label} must be {size} finite positive frequencies (letters {alphabet}); got {np.round(bg, 6).tolist()}"
            " (a letter of frequency 0 or less, NaN or inf has no null distribution)"
        )
    return bg / bg.sum()


def _with_pseudocount(motifs: list[Motif], background: np.ndarray, pseudo: float) -> np.ndarray:
    """The columns of all ``motifs``, stacked ``(sum W, A)``, with MEME's motif pseudocount:
    ``(p * n + pseudo * bg) / (n + pseudo)``, where ``n`` is the integer part of nsites (20 when unknown)."""
    probs = np.concatenate([m.probs.T for m in motifs])
    if pseudo == 0:
        return probs
    sites = [int(m.nsites) if m.nsites and m.nsites > 0 else _DEFAULT_SITES for m in motifs]
    sites = np.repeat(sites, [m.width for m in motifs])[:, None]
    return (probs * sites + pseudo * background) / (sites + pseudo)


def _starts(lengths: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)


def _consensus(columns: np.ndarray, lengths: np.ndarray, alphabets: list[str]) -> list[str]:
    """The consensus of each motif (its most probable letter per column) from its stacked ``columns``."""
    best = columns.argmax(axis=1)
    text = {a: np.array(list(a))[best].tobytes().decode("utf-32-le") for a in set(alphabets)}  # one string each
    return [text[a][start : start + n] for a, start, n in zip(alphabets, _starts(lengths), lengths, strict=True)]


def tomtom(
    query: MotifSource | Sequence[MotifSource],
    target: MotifSource | Sequence[MotifSource],
    dist: str = "pearson",
    min_overlap: int = 1,
    thresh: float | None = 0.5,
    evalue: bool = False,
    motif_pseudo: float = 0.1,
    both_strands: bool = True,
    background: Any = None,
    verbose: bool | None = None,
) -> pd.DataFrame:
    """Compare query motifs with target motif databases (TOMTOM; Gupta et al. 2007, Genome Biology 8:R24).

    Reproduces MEME suite 5's ``tomtom`` with complete scores: column scores (``dist``) of each query column
    against all target columns of all databases (both strands), median-shifted and quantized into 100 bins; the
    p-value of a query-target pair is that of its best alignment's complete score under a column-independent null,
    maximized over all alignments and both strands, computed exactly by dynamic programming. E-value = p x number
    of target motifs; q-values by Storey's method over all target strands of the query, as MEME does (its pi0
    bootstrap MSE is taken in closed form here, so q-values can differ from MEME's in the last digits).

    Parameters
    ----------
    query, target
        A MotifSet (e.g. from filter motifs), a Motif, a motif file path (MEME, JASPAR, HOMER, TRANSFAC), or a list
        of those; several targets act as one database (E-values count all of them).
    dist
        Column score: "pearson", "ed" (negated Euclidean distance) or "sandelin".
    min_overlap
        Minimum number of overlapping columns (reduced to the shorter motif's width when that is smaller).
    thresh
        Keep pairs with q-value (or E-value when ``evalue``) at most ``thresh``; None keeps every pair. A q-value
        threshold lies in [0, 1]; an E-value threshold is any finite number >= 0.
    evalue
        Threshold on E-values instead of q-values.
    motif_pseudo
        Pseudocount added to every query and target motif, spread over ``background``.
    both_strands
        Also compare with the reverse complement of each target (when the alphabet has a complement).
    background
        Letter background for the pseudocount, one positive frequency per letter (normalized to sum 1); default: the
        first query set's background, else uniform.
    verbose
        Show a progress bar over chunks of queries (on stderr); None: unless ``eugene.settings.verbose`` is off.

    Returns
    -------
    pandas.DataFrame
        One row per (query, target) pair, sorted per query by p-value; columns as MEME's ``tomtom -text``
        (Query_ID, Target_ID, Optimal_offset, p-value, E-value, q-value, Overlap, Query_consensus,
        Target_consensus, Orientation) plus Target_Name (the target's alternate name). ID, consensus and name
        columns are categorical; the categories of Query_ID and Target_ID are in natural order (filter_2 before
        filter_10), so sorting by them sorts names the way people read them.

    Examples
    --------
    >>> hits = tomtom(filter_motifs, eu.motifs.jaspar(), thresh=0.05)  # doctest: +SKIP
    >>> hits.groupby("Query_ID", observed=True).head(1)  # doctest: +SKIP
    """
    if dist not in DISTANCES:
        raise ValueError(f"dist must be one of {sorted(DISTANCES)}; got {dist!r}")
    min_overlap = check_positive_int(min_overlap, "min_overlap")
    if thresh is not None:
        if evalue:
            _check_number(thresh, "thresh (an E-value threshold)", " or None to keep every pair")
        else:
            _check_number(thresh, "thresh (a q-value threshold)", "; pass evalue=True to threshold E-values", upper=1)
    motif_pseudo = _check_number(motif_pseudo, "motif_pseudo")
    for flag, value in (("evalue", evalue), ("both_strands", both_strands)):
        check_bool(value, flag)
    verbose = show_progress(verbose)
    query_sets = _as_sets(query, "query")
    target_sets = _as_sets(target, "target")
    queries = [m for s in query_sets for m in s]
    targets = [(db, m) for db, s in enumerate(target_sets) for m in s]
    if not queries:
        raise ValueError("query holds no motifs")
    if not targets:
        raise ValueError("target holds no motifs")
    alphabet = queries[0].alphabet
    size = len(alphabet)
    for label, motif in [("query", m) for m in queries] + [("target", m) for _, m in targets]:
        if comparable_key(motif.alphabet) != comparable_key(alphabet):
            raise ValueError(
                f"{label} motif {motif.name!r} has alphabet {alphabet_name(motif.alphabet)}, but the first query "
                f"motif has {alphabet_name(alphabet)}; motifs must share an alphabet (DNA and RNA compare as one)"
            )
    if len(targets) < _MIN_TARGETS:
        warnings.warn(
            f"only {len(targets)} target motifs; TOMTOM p-values need a database of at least {_MIN_TARGETS} motifs "
            "to be accurate",
            UserWarning,
            stacklevel=2,
        )
    label = "background"
    if background is None:
        label = "the query motifs' background (background=None)"
        background = next((s.background for s in query_sets if s.background is not None), None)
        if background is None:
            background = queries[0].background
    bg = np.full(size, 1.0 / size) if background is None else _check_background(background, size, alphabet, label)
    rc = both_strands and all(m.complementable for m in queries) and all(m.complementable for _, m in targets)
    n_orient = 2 if rc else 1
    if rc:
        comp = complement_order(queries[0].alphabet, queries[0].complement)
        asymmetric = not np.allclose(bg, bg[comp])

    # arrays for the kernel: query columns, and target columns with both strands interleaved (+ at 2j, - at 2j+1)
    q_cols = _with_pseudocount(queries, bg, motif_pseudo)
    q_len = np.array([m.width for m in queries], dtype=np.int64)
    q_start = _starts(q_len)
    target_motifs = [m for _, m in targets]
    fwd = _with_pseudocount(target_motifs, bg, motif_pseudo)
    t_len = np.array([m.width for m in target_motifs], dtype=np.int64)
    if rc:  # the pseudocount commutes with reverse complementing when the background is complement-symmetric
        if asymmetric:
            rev = _with_pseudocount([m.reverse_complement() for m in target_motifs], bg, motif_pseudo)
        blocks = []
        for start, n in zip(_starts(t_len), t_len, strict=True):
            forward = fwd[start : start + n]
            blocks += [forward, rev[start : start + n] if asymmetric else forward[::-1, comp]]
        strands = np.concatenate(blocks)
        t_len = np.repeat(t_len, 2)
    else:
        strands = fwd
    alphabets = [m.alphabet for m in target_motifs for _ in range(n_orient)]
    cons = _consensus(strands, t_len, alphabets)
    t_start = _starts(t_len)
    t_cols = np.ascontiguousarray(strands.T)  # (A, T)

    code = DISTANCES[dist]
    n_targets = len(targets)
    nq = len(queries)
    db_rank = np.array([db for db, _ in targets], dtype=np.int64)
    name_rank = np.argsort(np.argsort([m.name for _, m in targets], kind="stable"), kind="stable").astype(np.int64)
    step = _CHUNK if verbose else nq
    parts = []
    with torch_threads_kept(), compiling("TOMTOM", verbose):
        for first in tqdm(range(0, nq, step), desc="tomtom", disable=not verbose):
            idx = np.arange(first, min(first + step, nq))
            args = (q_cols, q_start[idx], q_len[idx], t_cols, t_start, t_len, code, min_overlap, n_orient)
            parts.append(tomtom_all(*args, *SCORE_BOUNDS[code], db_rank, name_rank))
    columns = parts[0] if len(parts) == 1 else [np.concatenate([p[k] for p in parts]) for k in range(5)]
    pvals, qvals, offsets, overlaps, listed = (c.ravel() for c in columns)
    table = {
        "query": np.repeat(np.arange(nq), n_targets),
        "strand": listed,
        "p": pvals,
        "q": qvals,
        "offset": offsets,
        "overlap": overlaps,
    }
    target_index = listed // n_orient
    evalues = table["p"] * n_targets
    if thresh is not None:
        keep = (evalues if evalue else table["q"]) <= thresh
        table = {k: v[keep] for k, v in table.items()}
        target_index = target_index[keep]
        evalues = evalues[keep]

    t_names = [m.name for _, m in targets]
    t_alts = [m.alt_name for _, m in targets]
    q_cons = _consensus(q_cols, q_len, [m.alphabet for m in queries])

    def categorical(labels: list[str], codes: np.ndarray, *, natural: bool = False) -> pd.Categorical:
        uniques, inverse = np.unique(np.asarray(labels, dtype=object), return_inverse=True)
        if natural:  # categories (and so sort_values) in natural order: filter_2 before filter_10
            order = np.array(sorted(range(len(uniques)), key=lambda i: _natural_key(uniques[i])), dtype=np.intp)
            rank = np.empty_like(order)
            rank[order] = np.arange(len(order))
            uniques, inverse = uniques[order], rank[inverse]
        inverse = inverse.astype(np.min_scalar_type(-len(uniques)))  # pandas' code type: one small take, no cast
        return pd.Categorical.from_codes(inverse[codes], categories=pd.Index(uniques, dtype=object))

    return pd.DataFrame(
        {
            "Query_ID": categorical([m.name for m in queries], table["query"], natural=True),
            "Target_ID": categorical(t_names, target_index, natural=True),
            "Optimal_offset": table["offset"],
            "p-value": table["p"],
            "E-value": evalues,
            "q-value": table["q"],
            "Overlap": table["overlap"],
            "Query_consensus": categorical(q_cons, table["query"]),
            "Target_consensus": categorical(cons, table["strand"]),
            "Orientation": pd.array(["+", "-"], dtype="str").take(table["strand"] % n_orient),  # no per-row strings
            "Target_Name": categorical(t_alts, target_index),
        },
        columns=COLUMNS,
        copy=False,  # the columns are fresh arrays: no copy into consolidated blocks
    )
