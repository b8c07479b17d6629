"""Motif and MotifSet: position matrices with their alphabet and provenance.

Matrices are stored letters-first, shape ``(A, W)`` (alphabet size by width), the same channels-first layout as one-hot
sequences ``(N, A, L)`` and convolution filters ``(F, A, W)``. A motif keeps its probabilities (always) and its counts
(when known).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

import numpy as np

from eugene._validate import describe
from eugene.motifs._alphabet import DNA, alphabet_name, comparable_key, complement_order, default_complement

_SUM_TOLERANCE = 1e-3  # columns further than this from 1 are renormalized with a warning


def _as_matrix(values: Any, name: str, alphabet: str) -> np.ndarray:
    """Check an (A, W) matrix for ``alphabet`` and return it as float64; hint at a transposed input."""
    arr = np.asarray(values, dtype=np.float64)
    size = len(alphabet)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array of shape (A, W) with A={size}; got {describe(arr)}")
    if arr.shape[0] != size:
        hint = "; did you mean the transpose (.T)?" if arr.shape[1] == size else ""
        raise ValueError(
            f"{name} must have shape (A, W) with A={size} for alphabet {alphabet_name(alphabet)}; got {arr.shape}{hint}"
        )
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has width 0; a motif needs at least one position")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite; it contains NaN or inf")
    if (arr < 0).any():
        raise ValueError(f"{name} must be non-negative; its smallest value is {arr.min():g}")
    return arr


def _normalize_columns(probs: np.ndarray, label: str) -> np.ndarray:
    """Make every column sum to 1, warning when a column was clearly off."""
    sums = probs.sum(axis=0)
    if (sums <= 0).any():
        raise ValueError(f"{label}: column(s) {np.flatnonzero(sums <= 0).tolist()} sum to 0; cannot normalize")
    off = np.abs(sums - 1.0) > _SUM_TOLERANCE
    if off.any():
        warnings.warn(
            f"{label}: {int(off.sum())} column(s) do not sum to 1 (e.g. {sums[off][0]:.4g}); renormalized",
            UserWarning,
            stacklevel=4,
        )
    return probs / sums


class Motif:
    """A sequence motif: a position matrix over an alphabet, with its name and provenance.

    Parameters
    ----------
    name
        Identifier (the MEME ``MOTIF`` id, a JASPAR matrix id, a filter name).
    probs
        Letter probabilities, shape ``(A, W)``. Columns that do not sum to 1 are renormalized (with a warning when
        they are off by more than 1e-3). Give ``probs`` or ``counts`` (or both).
    counts
        Letter counts, shape ``(A, W)``. Without ``probs`` the probabilities are the normalized counts; all-zero
        columns become uniform with a warning.
    alphabet
        Core letters in matrix order: ``"ACGT"`` (default), ``"ACGU"``, the 20 amino acids, or any custom string.
    alt_name
        Second name (the JASPAR TF name, the MEME alternate id).
    nsites
        Number of sites behind the matrix; defaults to the largest column sum of ``counts`` when counts are given.
    background
        Letter background, shape ``(A,)``; None means uniform.
    complement
        Complement letter of each alphabet letter; DNA and RNA get theirs automatically, other alphabets are not
        complementable unless given.
    source, url
        Provenance (file, database) and link.

    Examples
    --------
    >>> m = Motif("MA0004.1", counts=[[4, 19, 0, 0, 0, 0], [16, 0, 20, 0, 0, 0], [0, 1, 0, 20, 0, 20],
    ...                                [0, 0, 0, 0, 20, 0]], alt_name="Arnt")
    >>> m.width, m.nsites
    (6, 20.0)
    """

    def __init__(
        self,
        name: str,
        probs: Any = None,
        *,
        counts: Any = None,
        alphabet: str = DNA,
        alt_name: str = "",
        nsites: float | None = None,
        background: Any = None,
        complement: str | None = None,
        source: str = "",
        url: str = "",
    ) -> None:
        if not isinstance(alphabet, str) or len(alphabet) < 2 or len(set(alphabet)) != len(alphabet):
            raise ValueError(f"alphabet must be a string of at least 2 distinct letters; got {describe(alphabet)}")
        if probs is None and counts is None:
            raise ValueError(f"motif {name!r}: give probs or counts (an (A, W) matrix); got neither")
        self.name = str(name)
        self.alt_name = str(alt_name or "")
        self.alphabet = alphabet
        self.source = source
        self.url = url
        label = f"motif {self.name!r}"
        self.counts = None if counts is None else _as_matrix(counts, f"{label} counts", alphabet)
        if probs is not None:
            self.probs = _normalize_columns(_as_matrix(probs, f"{label} probs", alphabet), label)
        else:
            sums = self.counts.sum(axis=0)
            empty = sums <= 0
            if empty.any():
                warnings.warn(
                    f"{label}: {int(empty.sum())} column(s) have no counts; their probabilities are set to uniform",
                    UserWarning,
                    stacklevel=2,
                )
            self.probs = np.where(empty, 1.0 / len(alphabet), self.counts / np.where(empty, 1.0, sums))
        if self.counts is not None and self.counts.shape != self.probs.shape:
            raise ValueError(f"{label}: counts {self.counts.shape} and probs {self.probs.shape} differ in shape")
        if nsites is None and self.counts is not None:
            nsites = float(self.counts.sum(axis=0).max())
        if nsites is not None and (not np.isfinite(nsites) or nsites < 0):
            raise ValueError(f"{label}: nsites must be a non-negative number; got {nsites!r}")
        self.nsites = None if nsites is None else float(nsites)
        if background is not None:
            background = np.asarray(background, dtype=np.float64)
            if background.shape != (len(alphabet),) or (background < 0).any() or background.sum() <= 0:
                raise ValueError(
                    f"{label}: background must be {len(alphabet)} non-negative frequencies; got {describe(background)}"
                )
            background = background / background.sum()
        self.background = background
        self.complement = default_complement(alphabet) if complement is None else complement
        if self.complement is not None:
            complement_order(alphabet, self.complement)  # validates the letters

    @property
    def width(self) -> int:
        """Number of positions W."""
        return self.probs.shape[1]

    @property
    def complementable(self) -> bool:
        """Whether the alphabet has a complement (DNA, RNA, custom alphabets with pairs)."""
        return self.complement is not None

    def reverse_complement(self) -> Motif:
        """The motif of the opposite strand (positions reversed, letters complemented)."""
        if self.complement is None:
            raise ValueError(
                f"motif {self.name!r} has alphabet {alphabet_name(self.alphabet)}, which has no complement"
            )
        idx = complement_order(self.alphabet, self.complement)
        counts = None if self.counts is None else self.counts[idx, ::-1].copy()
        bg = None if self.background is None else self.background[idx]
        return Motif(
            self.name,
            self.probs[idx, ::-1].copy(),
            counts=counts,
            alphabet=self.alphabet,
            alt_name=self.alt_name,
            nsites=self.nsites,
            background=bg,
            complement=self.complement,
            source=self.source,
            url=self.url,
        )

    def __repr__(self) -> str:
        alt = f" ({self.alt_name})" if self.alt_name else ""
        return f"Motif({self.name!r}{alt}, width={self.width}, alphabet={self.alphabet!r}, nsites={self.nsites})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Motif):
            return NotImplemented
        return (
            self.name == other.name
            and self.alphabet == other.alphabet
            and self.probs.shape == other.probs.shape
            and np.allclose(self.probs, other.probs)
        )

    __hash__ = None  # type: ignore[assignment]


class MotifSet(Sequence):
    """An ordered collection of motifs over one alphabet, indexable by position and by name.

    Parameters
    ----------
    motifs
        Motifs (all on one alphabet; DNA and RNA may mix, they compare as one alphabet).
    name
        Name of the collection (file name, database).
    background
        Shared letter background, shape ``(A,)``; None means uniform.

    Examples
    --------
    >>> counts = np.random.default_rng(0).integers(0, 10, size=(3, 4, 8)).astype(float)
    >>> ms = MotifSet.from_counts(counts, names=["f0", "f1", "f2"])
    >>> len(ms), ms["f1"].width, ms.counts.shape
    (3, 8, (3, 4, 8))
    """

    def __init__(self, motifs: Iterable[Motif] = (), name: str = "", background: Any = None) -> None:
        self._motifs: list[Motif] = []
        self.name = name
        self.background = None if background is None else np.asarray(background, dtype=np.float64)
        for motif in motifs:
            self.append(motif)

    # construction -----------------------------------------------------------------------------------------------
    @classmethod
    def from_counts(
        cls,
        counts: Any,
        alphabet: str = DNA,
        names: Sequence[str] | None = None,
        nsites: Any = None,
        background: Any = None,
        name: str = "",
        source: str = "",
    ) -> MotifSet:
        """Build a set from an ``(F, A, W)`` counts array (e.g. convolution filter activation counts).

        ``nsites`` (scalar or ``(F,)``) defaults to each motif's largest column sum.
        """
        return cls._from_array(counts, "counts", alphabet, names, nsites, background, name, source)

    @classmethod
    def from_probs(
        cls,
        probs: Any,
        alphabet: str = DNA,
        names: Sequence[str] | None = None,
        nsites: Any = None,
        background: Any = None,
        name: str = "",
        source: str = "",
    ) -> MotifSet:
        """Build a set from an ``(F, A, W)`` probability array."""
        return cls._from_array(probs, "probs", alphabet, names, nsites, background, name, source)

    @classmethod
    def _from_array(cls, values, kind, alphabet, names, nsites, background, name, source) -> MotifSet:
        arr = np.asarray(values.detach().cpu().numpy() if hasattr(values, "detach") else values, dtype=np.float64)
        if arr.ndim != 3 or arr.shape[1] != len(alphabet):
            hint = "; did you mean .transpose(0, 2, 1)?" if arr.ndim == 3 and arr.shape[2] == len(alphabet) else ""
            raise ValueError(
                f"{kind} must have shape (F, A, W) with A={len(alphabet)} for alphabet {alphabet_name(alphabet)}; "
                f"got {describe(arr)}{hint}"
            )
        n = arr.shape[0]
        if names is None:
            names = [f"motif_{i}" for i in range(n)]
        names = [str(x) for x in names]
        if len(names) != n:
            raise ValueError(f"names must have one entry per motif ({n}); got {len(names)}")
        sites = np.broadcast_to(np.asarray([np.nan] if nsites is None else nsites, dtype=np.float64), (n,))
        motifs = []
        for i in range(n):
            site = None if np.isnan(sites[i]) else float(sites[i])
            data = {kind: arr[i]}
            probs = data.get("probs")
            motifs.append(
                Motif(names[i], probs, counts=data.get("counts"), alphabet=alphabet, nsites=site, source=source)
            )
        return cls(motifs, name=name, background=background)

    def append(self, motif: Motif) -> None:
        """Add a motif at the end; its alphabet must match the set's."""
        if not isinstance(motif, Motif):
            raise TypeError(f"a MotifSet holds Motif objects; got {describe(motif)}")
        if self._motifs and comparable_key(motif.alphabet) != comparable_key(self.alphabet):
            raise ValueError(
                f"motif {motif.name!r} has alphabet {alphabet_name(motif.alphabet)}, but this set holds "
                f"{alphabet_name(self.alphabet)} motifs"
            )
        self._motifs.append(motif)

    # access -----------------------------------------------------------------------------------------------------
    @overload
    def __getitem__(self, key: int | str) -> Motif: ...
    @overload
    def __getitem__(self, key: slice | Sequence[int] | Sequence[str] | np.ndarray) -> MotifSet: ...

    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)):
            return self._motifs[key]
        if isinstance(key, str):
            for motif in self._motifs:
                if motif.name == key:
                    return motif
            raise KeyError(f"no motif named {key!r} in this set of {len(self)} motifs")
        if isinstance(key, slice):
            return MotifSet(self._motifs[key], name=self.name, background=self.background)
        keys = np.asarray(key)
        if keys.dtype == bool:
            if keys.shape != (len(self),):
                raise IndexError(f"a boolean mask must have length {len(self)}; got {keys.shape}")
            keys = np.flatnonzero(keys)
        return MotifSet([self[k.item() if hasattr(k, "item") else k] for k in keys], self.name, self.background)

    def __len__(self) -> int:
        return len(self._motifs)

    def __iter__(self) -> Iterator[Motif]:
        return iter(self._motifs)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return item in self.names
        return item in self._motifs

    def __add__(self, other: MotifSet) -> MotifSet:
        if not isinstance(other, MotifSet):
            return NotImplemented
        return MotifSet([*self, *other], name=self.name, background=self.background)

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        alphabet = alphabet_name(self.alphabet) if self._motifs else "empty"
        return f"MotifSet{label}({len(self)} motifs, {alphabet})"

    @property
    def names(self) -> list[str]:
        """Motif names in order."""
        return [m.name for m in self._motifs]

    @property
    def alphabet(self) -> str:
        """The alphabet of the first motif (DNA when empty)."""
        return self._motifs[0].alphabet if self._motifs else DNA

    @property
    def widths(self) -> np.ndarray:
        """Motif widths, shape ``(F,)``."""
        return np.array([m.width for m in self._motifs], dtype=np.int64)

    def _stack(self, attr: str) -> np.ndarray:
        widths = set(self.widths.tolist())
        if len(widths) > 1:
            raise ValueError(
                f"MotifSet.{attr} needs motifs of one width to stack into (F, A, W); widths here are "
                f"{sorted(widths)}; index single motifs instead"
            )
        if attr == "counts" and any(m.counts is None for m in self._motifs):
            raise ValueError("MotifSet.counts: some motifs have probabilities only; use .probs")
        return np.stack([getattr(m, attr) for m in self._motifs]) if self._motifs else np.zeros((0, 4, 0))

    @property
    def probs(self) -> np.ndarray:
        """Probabilities stacked as ``(F, A, W)`` (all motifs must share a width)."""
        return self._stack("probs")

    @property
    def counts(self) -> np.ndarray:
        """Counts stacked as ``(F, A, W)`` (all motifs must share a width and have counts)."""
        return self._stack("counts")

    @property
    def n_sites(self) -> np.ndarray:
        """Number of sites per motif, shape ``(F,)``; NaN where unknown."""
        return np.array([np.nan if m.nsites is None else m.nsites for m in self._motifs], dtype=np.float64)
