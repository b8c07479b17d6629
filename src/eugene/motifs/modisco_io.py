"""TF-MoDISco patterns as motifs, and modisco-lite's results h5 read and written.

modisco-lite (``modisco motifs``) writes ``pos_patterns`` / ``neg_patterns`` groups of ``pattern_<i>`` groups, each
with ``sequence`` (W, 4: the letter frequencies over its seqlets), ``contrib_scores`` (the CWM),
``hypothetical_contribs`` (the hypothetical CWM), a ``seqlets`` group (``n_seqlets``, ``example_idx``, ``start``,
``end``, ``is_revcomp`` and per-seqlet ``sequence`` / ``contrib_scores`` / ``hypothetical_contribs``) and optional
``subpattern_<j>`` groups of the same layout; the file's ``window_size`` attribute is the window it ran on. Arrays
there are (W, 4), position first; here they are (A, W), letters first, as every eugene motif.

h5py comes with the ``modisco`` extra (``pip install 'eugene-interpret[modisco]'``).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eugene._validate import describe
from eugene.motifs._alphabet import complement_order
from eugene.motifs.motif import Motif, MotifSet

__all__ = ["ModiscoPattern", "read_modisco", "write_modisco"]

_SIGNS = {"pos_patterns": "+", "neg_patterns": "-"}
_PER_SEQLET = ("sequence", "contrib_scores", "hypothetical_contribs")


class ModiscoPattern(Motif):
    """A TF-MoDISco pattern: a DNA :class:`Motif` (``probs``: letter frequencies over its seqlets, ``nsites``: its
    number of seqlets) with what TF-MoDISco keeps of it.

    Attributes
    ----------
    cwm, hypothetical_cwm
        (4, W) contribution weight matrix and hypothetical CWM (mean attributions over the aligned seqlets).
    seqlets
        One row per seqlet: ``example_idx``, ``start``, ``end``, ``strand`` (``"-"`` for reverse-complemented ones).
    seqlet_arrays
        Per-seqlet (n, 4, W) ``sequence`` / ``contrib_scores`` / ``hypothetical_contribs`` when known, else empty.
    subpatterns
        The pattern's subclusters (ModiscoPatterns), when TF-MoDISco made them.
    sign
        ``"+"`` for a pattern of positive seqlets, ``"-"`` for negative ones.
    """

    def __init__(
        self,
        name: str,
        probs: Any,
        cwm: Any,
        hypothetical_cwm: Any,
        seqlets: pd.DataFrame,
        *,
        sign: str = "+",
        seqlet_arrays: dict[str, np.ndarray] | None = None,
        subpatterns: list[ModiscoPattern] | None = None,
    ) -> None:
        super().__init__(name, probs, nsites=float(len(seqlets)), source="TF-MoDISco")
        self.cwm = np.asarray(cwm, dtype=np.float64)
        self.hypothetical_cwm = np.asarray(hypothetical_cwm, dtype=np.float64)
        for label, matrix in (("cwm", self.cwm), ("hypothetical_cwm", self.hypothetical_cwm)):
            if matrix.shape != self.probs.shape:
                raise ValueError(f"pattern {name!r}: {label} must have shape {self.probs.shape}; got {matrix.shape}")
        self.seqlets = seqlets
        self.sign = sign
        self.seqlet_arrays = dict(seqlet_arrays or {})
        self.subpatterns = list(subpatterns or [])

    @classmethod
    def from_modisco(cls, name: str, arrays: dict[str, Any], sign: str) -> ModiscoPattern:
        """A pattern from modisco-lite's arrays of one pattern (the h5 layout: (W, 4) matrices, a ``seqlets``
        mapping, ``subpattern_<j>`` mappings)."""
        seqlets = arrays["seqlets"]
        table = pd.DataFrame(
            {
                "example_idx": np.asarray(seqlets["example_idx"], dtype=np.int64),
                "start": np.asarray(seqlets["start"], dtype=np.int64),
                "end": np.asarray(seqlets["end"], dtype=np.int64),
                "strand": np.where(np.asarray(seqlets["is_revcomp"], dtype=bool), "-", "+"),
            }
        )
        per_seqlet = {k: np.asarray(seqlets[k]).transpose(0, 2, 1) for k in _PER_SEQLET if k in seqlets}
        subs = sorted((k for k in arrays if k.startswith("subpattern_")), key=lambda k: int(k.split("_")[1]))
        return cls(
            name,
            _frequencies(np.asarray(arrays["sequence"]).T),
            np.asarray(arrays["contrib_scores"]).T,
            np.asarray(arrays["hypothetical_contribs"]).T,
            table,
            sign=sign,
            seqlet_arrays=per_seqlet,
            subpatterns=[cls.from_modisco(f"{name}.{k}", arrays[k], sign) for k in subs],
        )

    def reverse_complement(self) -> ModiscoPattern:
        """The pattern read on the opposite strand: letter frequencies, CWM, hypothetical CWM and per-seqlet arrays
        reversed and complemented, each seqlet's strand flipped (its span in the sequence is the same), and the
        subpatterns reverse-complemented alike.

        Examples
        --------
        >>> rc = pattern.reverse_complement()                                   # doctest: +SKIP
        >>> np.allclose(rc.cwm, pattern.cwm[::-1, ::-1])   # ACGT: complement = reversed rows  # doctest: +SKIP
        True
        """
        idx = complement_order(self.alphabet, self.complement)
        seqlets = self.seqlets.copy()
        seqlets["strand"] = np.where(self.seqlets["strand"].to_numpy() == "-", "+", "-")
        return ModiscoPattern(
            self.name,
            self.probs[idx, ::-1].copy(),
            self.cwm[idx, ::-1].copy(),
            self.hypothetical_cwm[idx, ::-1].copy(),
            seqlets,
            sign=self.sign,
            seqlet_arrays={key: values[:, idx, ::-1].copy() for key, values in self.seqlet_arrays.items()},
            subpatterns=[sub.reverse_complement() for sub in self.subpatterns],
        )

    def __repr__(self) -> str:
        return f"ModiscoPattern({self.name!r}, width={self.width}, seqlets={len(self.seqlets)}, sign={self.sign!r})"


def _frequencies(sequence: np.ndarray) -> np.ndarray:
    """modisco-lite's mean one-hot, its all-zero columns (no seqlet reaches them) made uniform."""
    sums = sequence.sum(axis=0)
    return np.where(sums > 0, sequence / np.where(sums > 0, sums, 1.0), 0.25)


def _h5py():
    try:
        import h5py
    except ImportError as error:
        raise ImportError(
            "reading and writing TF-MoDISco h5 files needs h5py: pip install 'eugene-interpret[modisco]'"
        ) from error
    return h5py


def _as_dict(group) -> dict[str, Any]:
    return {k: (_as_dict(v) if hasattr(v, "keys") else v[()]) for k, v in group.items()}


def read_modisco(path: str | PathLike) -> MotifSet:
    """Read modisco-lite's results h5 (``modisco motifs -o``) as a MotifSet of :class:`ModiscoPattern`.

    Patterns are named as modisco-lite's report names them, ``pos_patterns.pattern_0``, positive ones first; the
    set's ``window_size`` attribute is the file's.

    Examples
    --------
    >>> patterns = eu.motifs.read_modisco("modisco_results.h5")        # doctest: +SKIP
    >>> patterns[0].cwm.shape, patterns[0].seqlets.head()               # doctest: +SKIP
    """
    if not isinstance(path, (str, PathLike)):
        raise TypeError(f"path must be a str or os.PathLike; got {describe(path)}")
    h5py = _h5py()
    if not Path(path).is_file():
        raise FileNotFoundError(f"modisco results file {str(path)!r} does not exist (or is not a file)")
    try:
        handle = h5py.File(path, "r")
    except OSError as err:  # h5py's message names no file
        raise ValueError(f"{path} is not an HDF5 file (modisco-lite's results h5): {err}") from None
    with handle as f:
        patterns = MotifSet(name=str(path))
        for group, sign in _SIGNS.items():
            if group not in f:
                continue
            names = sorted(f[group], key=lambda k: int(k.split("_")[1]))
            for key in names:
                patterns.append(ModiscoPattern.from_modisco(f"{group}.{key}", _as_dict(f[group][key]), sign))
        patterns.window_size = int(f.attrs["window_size"]) if "window_size" in f.attrs else None
    return patterns


def _write_pattern(group, pattern: ModiscoPattern) -> None:
    group.create_dataset("sequence", data=pattern.probs.T)
    group.create_dataset("contrib_scores", data=pattern.cwm.T)
    group.create_dataset("hypothetical_contribs", data=pattern.hypothetical_cwm.T)
    seqlets = group.create_group("seqlets")
    table = pattern.seqlets
    seqlets.create_dataset("n_seqlets", data=np.array([len(table)]))
    for column in ("start", "end", "example_idx"):
        seqlets.create_dataset(column, data=table[column].to_numpy(dtype=np.int64))
    seqlets.create_dataset("is_revcomp", data=(table["strand"] == "-").to_numpy())
    for key, values in pattern.seqlet_arrays.items():
        seqlets.create_dataset(key, data=np.asarray(values).transpose(0, 2, 1))
    for j, sub in enumerate(pattern.subpatterns):
        _write_pattern(group.create_group(f"subpattern_{j}"), sub)


def write_modisco(patterns: MotifSet | list[ModiscoPattern], path: str | PathLike, window_size: int = 0) -> None:
    """Write patterns in modisco-lite's results h5 layout, which ``modisco report`` and :func:`read_modisco` read.

    Patterns of sign ``"+"`` go to ``pos_patterns``, ``"-"`` to ``neg_patterns``, numbered in order.

    Examples
    --------
    >>> eu.motifs.write_modisco(patterns, "results.h5", window_size=400)   # doctest: +SKIP
    """
    patterns = list(patterns)
    for i, pattern in enumerate(patterns):
        if not isinstance(pattern, ModiscoPattern):
            raise TypeError(f"patterns[{i}] must be a ModiscoPattern (CWM and seqlets); got {describe(pattern)}")
    h5py = _h5py()
    with h5py.File(path, "w") as f:
        f.attrs["window_size"] = int(window_size)
        for group_name, sign in _SIGNS.items():
            chosen = [p for p in patterns if p.sign == sign]
            if chosen:
                group = f.create_group(group_name)
                for i, pattern in enumerate(chosen):
                    _write_pattern(group.create_group(f"pattern_{i}"), pattern)
