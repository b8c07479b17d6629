"""Planted motifs: random DNA with real JASPAR motifs sampled into it, and the ground truth of where each one sits.

The task of Koo and Eddy (2019), "Representation learning of genomic sequence motifs with convolutional neural
networks", PLoS Comput. Biol. 15:e1007560: each sequence (length 200, uniform background) receives 1 to 5 motif
instances (with probabilities 0.50, 0.25, 0.17, 0.05, 0.03), each motif drawn uniformly from a set of 12 with
replacement, each instance sampled letter by letter from the motif's position probability matrix, on either strand with
equal probability, at a uniformly random position that overlaps no other instance. The targets are multi-label: motif
``m`` present in the sequence or not. Because every planted letter is known, a model trained on it can be checked
against the truth: first-layer filters against the motifs, attribution maps against the sites (Koo and Ploenzke 2021,
"Improving representations of genomic sequence motifs in convolutional networks with exponential activations",
Nat. Mach. Intell. 3:258). :func:`attribution_auroc` scores given arrays; running a model's attributions against the
truth is :func:`eugene.evaluate.ground_truth_auroc`, a layer above interpret.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from eugene._metrics import auroc
from eugene._validate import check_positive_int, describe
from eugene.motifs import Motif, MotifSet, jaspar
from eugene.seq import decode, reverse_complement

__all__ = ["KOO_EDDY_2019", "N_MOTIFS_P", "PlantedMotifs", "planted_motifs", "attribution_auroc"]

KOO_EDDY_2019 = ("Arid3a", "CEBPB", "FOSL1", "Gabpa", "MAFK", "MAX", "MEF2A", "NFYB", "SP1", "SRF", "STAT1", "YY1")
"""The twelve transcription factors whose motifs Koo and Eddy (2019) planted, by JASPAR name."""

N_MOTIFS_P = (0.50, 0.25, 0.17, 0.05, 0.03)
"""Probability that a sequence receives 1, 2, 3, 4 or 5 motif instances (Koo and Eddy 2019)."""

_DNA = "ACGT"


@dataclass(frozen=True, eq=False)
class PlantedMotifs:
    """Sequences with planted motifs and the ground truth: what :func:`planted_motifs` returns.

    Attributes
    ----------
    X
        One-hot sequences, float32 ``(N, 4, L)``, channels ACGT.
    y
        Multi-label targets, float32 ``(N, M)``: 1 where motif ``m`` was planted at least once in sequence ``n``.
    mask
        int16 ``(N, L)``: the index (into ``motifs``) of the motif covering each position, -1 for background.
    sites
        One row per planted instance: ``sequence``, ``motif`` (index), ``name``, ``start``, ``end`` (exclusive),
        ``strand`` (``"+"``: the motif as given; ``"-"``: its reverse complement), ordered by sequence and position.
    motifs
        The planted motifs, in the column order of ``y``.
    seed
        The seed the data were drawn with.

    Examples
    --------
    >>> data = planted_motifs(n=100, seed=0)
    >>> data.X.shape, data.y.shape, data.mask.shape
    ((100, 4, 200), (100, 12), (100, 200))
    >>> data.motif_mask().shape        # one boolean track per motif
    (100, 12, 200)
    """

    X: np.ndarray
    y: np.ndarray
    mask: np.ndarray
    sites: pd.DataFrame = field(repr=False)
    motifs: MotifSet = field(repr=False)
    seed: int | None = None

    def __len__(self) -> int:
        return len(self.X)

    @cached_property
    def sequences(self) -> list[str]:
        """The sequences as strings."""
        return decode(self.X)

    @property
    def motif_names(self) -> list[str]:
        """Transcription-factor names of the motifs (``alt_name``, else ``name``), in the column order of ``y``."""
        return [m.alt_name or m.name for m in self.motifs]

    def motif_mask(self) -> np.ndarray:
        """Boolean ``(N, M, L)``: True where motif ``m`` was planted in sequence ``n`` (on either strand)."""
        return self.mask[:, None, :] == np.arange(len(self.motifs), dtype=self.mask.dtype)[None, :, None]

    def subset(self, index: Any) -> PlantedMotifs:
        """The sequences ``index`` selects (a slice, integer indices or a boolean mask), with their sites renumbered.

        Examples
        --------
        >>> data = planted_motifs(n=100, seed=0)
        >>> len(data.subset(slice(10))), len(data.subset(data.y[:, 0] > 0)) == int(data.y[:, 0].sum())
        (10, True)
        """
        rows = np.arange(len(self))[index]
        if rows.ndim != 1 or len(np.unique(rows)) != len(rows):
            raise ValueError(f"index must select distinct sequences along one axis; got {describe(index)}")
        new_number = np.full(len(self), -1)
        new_number[rows] = np.arange(len(rows))
        sites = self.sites[np.isin(self.sites["sequence"], rows)].copy()
        sites["sequence"] = new_number[sites["sequence"].to_numpy()]
        sites = sites.sort_values(["sequence", "start"], kind="stable").reset_index(drop=True)
        return PlantedMotifs(self.X[rows], self.y[rows], self.mask[rows], sites, self.motifs, self.seed)

    def save(self, path: str | os.PathLike) -> None:
        """Write to a compressed ``.npz`` file (letters as uint8 codes; motifs as probability matrices).

        Read it back with :meth:`PlantedMotifs.load`.
        """
        widths = np.array([m.width for m in self.motifs])
        np.savez_compressed(
            path,
            codes=self.X.argmax(axis=1).astype(np.uint8),
            y=self.y.astype(np.uint8),
            mask=self.mask,
            site_columns=np.array(["sequence", "motif", "start", "end"]),
            site_values=self.sites[["sequence", "motif", "start", "end"]].to_numpy(dtype=np.int64),
            site_strand=(self.sites["strand"] == "+").to_numpy(),
            motif_probs=np.concatenate([m.probs for m in self.motifs], axis=1),
            motif_widths=widths,
            motif_ids=np.array([m.name for m in self.motifs]),
            motif_alt_names=np.array([m.alt_name for m in self.motifs]),
            motif_sources=np.array([m.source for m in self.motifs]),
            motif_set_name=np.array(self.motifs.name),
            seed=np.array(-1 if self.seed is None else self.seed),
        )

    @classmethod
    def load(cls, path: str | os.PathLike) -> PlantedMotifs:
        """Read a file written by :meth:`save`.

        Examples
        --------
        >>> data.save("planted.npz")  # doctest: +SKIP
        >>> PlantedMotifs.load("planted.npz").y.shape  # doctest: +SKIP
        (100, 12)
        """
        with np.load(path, allow_pickle=False) as f:
            bounds = np.cumsum(np.concatenate([[0], f["motif_widths"]]))
            motifs = MotifSet(
                [
                    Motif(str(name), f["motif_probs"][:, a:b], alt_name=str(alt), source=str(source))
                    for name, alt, source, a, b in zip(
                        f["motif_ids"], f["motif_alt_names"], f["motif_sources"], bounds[:-1], bounds[1:]
                    )
                ],
                name=str(f["motif_set_name"]),
            )
            sites = dict(zip(f["site_columns"].tolist(), f["site_values"].T))
            sites["strand"] = np.where(f["site_strand"], 1, -1)
            seed = int(f["seed"])
            return cls(
                X=_one_hot_codes(f["codes"]),
                y=f["y"].astype(np.float32),
                mask=f["mask"],
                sites=_sites_frame(sites, motifs),
                motifs=motifs,
                seed=None if seed < 0 else seed,
            )


def planted_motifs(
    n: int = 1000,
    length: int = 200,
    motifs: MotifSet | Sequence[Motif | str] | None = None,
    *,
    n_motifs_p: Sequence[float] = N_MOTIFS_P,
    background: Sequence[float] | None = None,
    release: int = 2024,
    seed: int = 0,
) -> PlantedMotifs:
    """Random sequences with motifs planted at known positions (Koo and Eddy 2019), for ground-truth checks.

    Each sequence gets ``k`` motif instances with probability ``n_motifs_p[k - 1]``; each instance is a motif drawn
    uniformly (with replacement) from ``motifs``, its letters sampled column by column from the motif's probability
    matrix, put on the forward or reverse strand with probability 1/2 each, at a position drawn uniformly among the
    placements that overlap no other instance. All other letters are drawn from ``background``. The same arguments
    and seed give the same data.

    Parameters
    ----------
    n
        Number of sequences N.
    length
        Sequence length L; it must fit the widest motif ``len(n_motifs_p)`` times.
    motifs
        The motifs to plant: a :class:`~eugene.motifs.MotifSet` or list of DNA :class:`~eugene.motifs.Motif`, or a
        list of JASPAR matrix ids (``"MA0058.4"``) or transcription-factor names (``"MAX"``, case-insensitive),
        looked up in JASPAR ``release`` CORE vertebrates (latest version of each matrix). None (default): the twelve
        of Koo and Eddy (2019), :data:`KOO_EDDY_2019`; in JASPAR 2024 these are MA0151.1 Arid3a, MA0466.4 CEBPB,
        MA0477.3 FOSL1, MA0062.4 GABPA, MA0496.4 MAFK, MA0058.4 MAX, MA0052.5 MEF2A, MA0502.3 NFYB, MA0079.5 SP1,
        MA0083.3 SRF, MA0137.4 STAT1, MA0095.4 Yy1.
    n_motifs_p
        Probabilities of 1, 2, ... instances per sequence (default: 0.50, 0.25, 0.17, 0.05, 0.03).
    background
        Letter frequencies (A, C, G, T) of the background; None for uniform.
    release
        JASPAR release (year) used to look up names and ids, read offline from pyjaspar's bundled database.
    seed
        Seed of the random generator (``numpy.random.default_rng``).

    Returns
    -------
    PlantedMotifs
        ``X`` (N, 4, L) float32, ``y`` (N, M), ``mask`` (N, L) motif index or -1, ``sites``, ``motifs``.

    Examples
    --------
    >>> data = planted_motifs(n=2000, seed=1)
    >>> data.motif_names[:3]
    ['Arid3a', 'CEBPB', 'FOSL1']
    >>> data.sites.head(2)  # doctest: +SKIP
       sequence  motif   name  start  end strand
    0         0     10  STAT1     23   32      -
    1         1      5    MAX    150  156      +
    """
    n = check_positive_int(n, "n")
    length = check_positive_int(length, "length")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int; got {describe(seed)}")
    probabilities = _probabilities(n_motifs_p, "n_motifs_p")
    bg = np.full(len(_DNA), 1.0 / len(_DNA)) if background is None else _probabilities(background, "background")
    if len(bg) != len(_DNA):
        raise ValueError(f"background must give 4 frequencies (A, C, G, T); got {len(bg)}")
    motif_set = _resolve_motifs(KOO_EDDY_2019 if motifs is None else motifs, release)
    widest = max(m.width for m in motif_set)
    if len(probabilities) * widest > length:
        raise ValueError(
            f"length must be at least {len(probabilities) * widest} so that {len(probabilities)} instances of the "
            f"widest motif (width {widest}) fit without overlap; got {length}"
        )
    rng = np.random.default_rng(int(seed))
    codes, mask, sites = _plant([m.probs for m in motif_set], n, length, probabilities, bg, rng)
    y = np.zeros((n, len(motif_set)), dtype=np.float32)
    y[sites["sequence"], sites["motif"]] = 1.0
    return PlantedMotifs(
        X=_one_hot_codes(codes),
        y=y,
        mask=mask,
        sites=_sites_frame(sites, motif_set),
        motifs=motif_set,
        seed=int(seed),
    )


def attribution_auroc(attributions: Any, X: Any, truth: Any) -> np.ndarray:
    """Per-sequence AUROC of ``|attribution x input|`` against the positions of planted motifs.

    The score of position ``l`` is ``sum_a |attributions[n, a, l] * X[n, a, l]|`` (for one-hot input: the absolute
    attribution of the observed letter); the AUROC measures how well it ranks motif positions (``truth`` True) above
    background ones, as in Koo and Ploenzke (2021), Nat. Mach. Intell. 3:258. 0.5 is chance, 1 a perfect ranking.

    Parameters
    ----------
    attributions, X
        Arrays (numpy or torch) of shape (N, A, L).
    truth
        Boolean (N, L): True at ground-truth motif positions, e.g. ``data.mask >= 0`` (any motif) or
        ``data.motif_mask()[:, m]`` (motif m only).

    Returns
    -------
    numpy.ndarray
        float64 (N,): one AUROC per sequence; NaN where ``truth`` is all True or all False.

    Examples
    --------
    >>> data = planted_motifs(n=10, seed=0)
    >>> attribution_auroc(data.X * (data.mask >= 0)[:, None], data.X, data.mask >= 0)   # a perfect attribution map
    array([1., 1., 1., 1., 1., 1., 1., 1., 1., 1.])
    """
    attr, x = _as_numpy(attributions, "attributions"), _as_numpy(X, "X")
    truth = _as_numpy(truth, "truth")
    if attr.ndim != 3 or attr.shape != x.shape:
        raise ValueError(f"attributions and X must have the same shape (N, A, L); got {attr.shape} and {x.shape}")
    if truth.shape != (x.shape[0], x.shape[2]):
        raise ValueError(f"truth must have shape (N, L) = {(x.shape[0], x.shape[2])}; got {truth.shape}")
    if truth.dtype != bool:
        raise TypeError(f"truth must be a boolean array (True at motif positions); got dtype {truth.dtype}")
    scores = np.abs(attr.astype(np.float64) * x).sum(axis=1)
    return auroc(scores, truth)


def _as_numpy(value: Any, name: str) -> np.ndarray:
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy array or torch tensor; got {describe(value)}")
    return value


def _probabilities(values: Any, name: str) -> np.ndarray:
    p = np.asarray(values, dtype=np.float64)
    if p.ndim != 1 or len(p) == 0 or not np.isfinite(p).all() or (p < 0).any() or abs(p.sum() - 1.0) > 1e-6:
        raise ValueError(f"{name} must be a list of non-negative probabilities summing to 1; got {values!r}")
    return p / p.sum()


def _resolve_motifs(motifs: MotifSet | Sequence[Motif | str], release: int) -> MotifSet:
    """Motif objects as given; strings looked up by matrix id or TF name in JASPAR ``release`` CORE vertebrates."""
    if isinstance(motifs, (str, Motif)) or not isinstance(motifs, Sequence) or len(motifs) == 0:
        raise TypeError(
            "motifs must be a MotifSet, or a non-empty list of Motif objects, JASPAR matrix ids or TF names; "
            f"got {describe(motifs)}"
        )
    database = None
    resolved = []
    for i, item in enumerate(motifs):
        if isinstance(item, str):
            if database is None:
                database = jaspar(release, "CORE", "vertebrates")
            item = _lookup(database, item, release)
        elif not isinstance(item, Motif):
            raise TypeError(f"motifs[{i}] must be a Motif, a JASPAR matrix id or a TF name; got {describe(item)}")
        if item.alphabet != _DNA:
            raise ValueError(f"motifs[{i}] ({item.name!r}) must be a DNA motif (alphabet ACGT); got {item.alphabet!r}")
        resolved.append(item)
    name = getattr(motifs, "name", "") or (database.name if database is not None else "")
    return MotifSet(resolved, name=name)


def _lookup(database: MotifSet, key: str, release: int) -> Motif:
    """The motif whose matrix id (with or without version) or TF name is ``key`` (case-insensitive)."""
    wanted = key.upper()
    hits = [m for m in database if m.name.upper() == wanted or m.name.split(".")[0].upper() == wanted]
    if not hits:
        hits = [m for m in database if m.alt_name.upper() == wanted]
    if len(hits) != 1:
        found = ", ".join(f"{m.name} {m.alt_name}" for m in hits)
        what = f"matches {len(hits)} matrices ({found})" if hits else "matches no matrix id or TF name"
        raise ValueError(
            f"motifs: {key!r} {what} in JASPAR {release} CORE vertebrates; give a matrix id such as 'MA0058.4' or "
            "Motif objects (e.g. from eu.motifs.jaspar)"
        )
    return hits[0]


def _one_hot_codes(codes: np.ndarray) -> np.ndarray:
    """Letter codes (N, L) in 0..3 as one-hot float32 (N, 4, L)."""
    return np.ascontiguousarray(np.eye(len(_DNA), dtype=np.float32)[codes].transpose(0, 2, 1))


def _sites_frame(sites: dict[str, np.ndarray], motifs: MotifSet) -> pd.DataFrame:
    names = np.array([m.alt_name or m.name for m in motifs])
    return pd.DataFrame(
        {
            "sequence": sites["sequence"].astype(np.int64),
            "motif": sites["motif"].astype(np.int64),
            "name": names[sites["motif"]],
            "start": sites["start"].astype(np.int64),
            "end": sites["end"].astype(np.int64),
            "strand": np.where(sites["strand"] > 0, "+", "-"),
        }
    )


def _sample_counts(n: int, probabilities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Number of instances per sequence, (n,): ``k + 1`` with probability ``probabilities[k]``."""
    return rng.choice(len(probabilities), size=n, p=probabilities) + 1


def _place(widths: np.ndarray, counts: np.ndarray, length: int, rng: np.random.Generator) -> np.ndarray:
    """Start positions (n, K) of non-overlapping sites, uniform over all placements that keep the sites' order.

    ``widths`` is (n, K) with the first ``counts[i]`` entries of row i used. With ``free = length - sum(widths)``, the
    placements of k ordered sites correspond one to one to the k-subsets of ``range(free + k)`` (stars and bars): for
    sorted slots ``p_0 < ... < p_{k-1}`` site j starts at ``p_j - j + widths[:j].sum()``. Subsets are drawn by
    rejection: k independent uniform slots, redrawn for the rows where two coincide.
    """
    n, k_max = widths.shape
    used = np.arange(k_max) < counts[:, None]
    n_slots = length - np.where(used, widths, 0).sum(axis=1) + counts
    slots = np.empty((n, k_max), dtype=np.int64)
    todo = np.arange(n)
    while todo.size:
        draw = np.floor(rng.random((todo.size, k_max)) * n_slots[todo, None]).astype(np.int64)
        # unused entries get distinct values above every slot, so they neither collide nor sort before used ones
        draw = np.where(used[todo], draw, n_slots[todo, None] + np.arange(k_max))
        ordered = np.sort(draw, axis=1)
        clash = (np.diff(ordered, axis=1) == 0).any(axis=1)
        slots[todo[~clash]] = ordered[~clash]
        todo = todo[clash]
    offsets = np.cumsum(np.where(used, widths, 0), axis=1) - np.where(used, widths, 0)
    return slots - np.arange(k_max) + offsets


def _sample_instances(ppm: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` letter codes (n, w) sampled column by column from a position probability matrix ``ppm`` (A, w)."""
    cdf = np.cumsum(ppm, axis=0)
    u = rng.random((n, ppm.shape[1]))
    return np.minimum((u[:, None, :] >= cdf[None]).sum(axis=1), ppm.shape[0] - 1)


def _plant(
    ppms: Sequence[np.ndarray],
    n: int,
    length: int,
    probabilities: np.ndarray,
    background: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Letter codes (n, L), motif-index mask (n, L) (-1 for background) and the sites as arrays.

    The sites dict holds ``sequence``, ``motif``, ``start``, ``end`` (exclusive) and ``strand`` (+1 / -1), one entry per
    site, ordered by sequence and then by position.
    """
    counts = _sample_counts(n, probabilities, rng)
    k_max = len(probabilities)
    used = np.arange(k_max) < counts[:, None]
    motif = np.where(used, rng.integers(0, len(ppms), size=(n, k_max)), -1)
    strand = np.where(rng.random((n, k_max)) < 0.5, 1, -1)
    widths = np.array([p.shape[1] for p in ppms])
    starts = _place(np.where(used, widths[motif], 0), counts, length, rng)

    codes = rng.choice(len(background), size=(n, length), p=background).astype(np.uint8)
    mask = np.full((n, length), -1, dtype=np.int16)
    rows = np.nonzero(used)
    site_seq, site_motif, site_start, site_strand = rows[0], motif[rows], starts[rows], strand[rows]
    for m, ppm in enumerate(ppms):
        for sign, matrix in ((1, ppm), (-1, reverse_complement(ppm[None])[0])):
            pick = (site_motif == m) & (site_strand == sign)
            if not pick.any():
                continue
            letters = _sample_instances(matrix, int(pick.sum()), rng)
            cols = site_start[pick, None] + np.arange(ppm.shape[1])
            codes[site_seq[pick, None], cols] = letters
            mask[site_seq[pick, None], cols] = m
    sites = {
        "sequence": site_seq,
        "motif": site_motif,
        "start": site_start,
        "end": site_start + widths[site_motif],
        "strand": site_strand,
    }
    return codes, mask, sites
