"""Trimming motifs to their informative core: by information content, or by contribution as TF-MoDISco does.

Two rules, one per score of a position ``j``:

- ``by="ic"``: the information content of the letter probabilities in bits (:func:`information_content`); positions
  whose IC is below ``threshold`` bits are low-information flanks.
- ``by="cwm"``: the total absolute contribution of the position in the pattern's contribution weight matrix,
  ``s_j = sum_a |CWM[a, j]|``, against ``threshold * max_j s_j``. This is modisco-lite's rule (Shrikumar et al. 2018,
  arXiv:1811.00416; modisco-lite's report, ``trim_threshold`` 0.3), applied before its TOMTOM matches and logos.

Either way the motif keeps the span from the first to the last position that passes (positions inside it that do not
pass stay), widened by ``flank`` positions on each side within the motif (modisco-lite's report logos: 4).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from eugene._validate import check_fraction, check_positive_int, describe
from eugene.motifs.modisco_io import ModiscoPattern
from eugene.motifs.motif import Motif, MotifSet
from eugene.motifs.transforms import information_content

__all__ = ["trim", "trim_window"]

RULES = ("ic", "cwm")
DEFAULT_THRESHOLDS = {"ic": 0.25, "cwm": 0.3}  # bits; fraction of the largest total absolute contribution


def _scores(motif: Motif, by: str, background: Any) -> np.ndarray:
    """The per-position score the rule ``by`` thresholds, shape ``(W,)``."""
    if by == "ic":
        return information_content(motif, background)
    cwm = getattr(motif, "cwm", None)
    if cwm is None:
        raise ValueError(
            f"by='cwm' needs a motif with a contribution weight matrix (a ModiscoPattern, from eu.interpret.modisco "
            f"or eu.motifs.read_modisco); motif {motif.name!r} is a {type(motif).__name__} without one; use by='ic'"
        )
    return np.abs(cwm).sum(axis=0)


def _bounds(scores: np.ndarray, cutoff: float, min_width: int, flank: int) -> tuple[int, int]:
    """``[start, stop)`` from the first to the last position with ``scores >= cutoff``, at least ``min_width`` wide
    (else the ``min_width`` window of the largest summed score), then widened by ``flank`` within the motif."""
    keep = np.flatnonzero(scores >= cutoff)
    start, stop = (int(keep[0]), int(keep[-1]) + 1) if keep.size else (0, 0)
    if stop - start < min_width:
        width = min(min_width, scores.size)
        start = int(np.convolve(scores, np.ones(width), mode="valid").argmax())
        stop = start + width
    return max(start - flank, 0), min(stop + flank, scores.size)


def _trimmed_seqlets(table, start: int, stop: int):
    """A pattern's seqlet table cut to its columns ``[start, stop)``: a seqlet on ``-`` is the reverse complement of
    the pattern, so its cut is counted from its end (as modisco-lite's ``Seqlet.trim``)."""
    out = table.copy()
    minus = (table["strand"] == "-").to_numpy()
    first, end = table["start"].to_numpy(), table["end"].to_numpy()
    out["start"] = np.where(minus, end - stop, first + start)
    out["end"] = np.where(minus, end - start, first + stop)
    return out


def _cut(motif: Motif, start: int, stop: int) -> Motif:
    """The motif's columns ``[start, stop)`` with everything else it carries."""
    if isinstance(motif, ModiscoPattern):
        return ModiscoPattern(
            motif.name,
            motif.probs[:, start:stop],
            motif.cwm[:, start:stop],
            motif.hypothetical_cwm[:, start:stop],
            _trimmed_seqlets(motif.seqlets, start, stop),
            sign=motif.sign,
            seqlet_arrays={key: values[:, :, start:stop] for key, values in motif.seqlet_arrays.items()},
            subpatterns=motif.subpatterns,
        )
    return Motif(
        motif.name,
        motif.probs[:, start:stop],
        counts=None if motif.counts is None else motif.counts[:, start:stop],
        alphabet=motif.alphabet,
        alt_name=motif.alt_name,
        nsites=motif.nsites,
        background=motif.background,
        complement=motif.complement,
        source=motif.source,
        url=motif.url,
    )


def trim(
    motif: Motif | MotifSet,
    threshold: float | None = None,
    background: Any = None,
    min_width: int = 1,
    *,
    by: str | None = None,
    flank: int = 0,
) -> Motif | MotifSet:
    """Cut a motif (or every motif of a set) to the span of its informative positions.

    Parameters
    ----------
    motif
        A :class:`Motif`, a :class:`~eugene.motifs.ModiscoPattern` or a :class:`MotifSet` of them.
    threshold
        ``by="ic"``: the information content in bits a position needs (default 0.25). ``by="cwm"``: the fraction in
        [0, 1] of the largest total absolute contribution a position needs (default 0.3, modisco-lite's
        ``trim_threshold``).
    background
        Letter background of the information content (``by="ic"``); None: the motif's own, else uniform.
    min_width
        The fewest positions kept: when the passing span is narrower, the ``min_width`` window of the largest summed
        score is kept instead.
    by
        ``"ic"`` or ``"cwm"`` (see the module notes); None: ``"cwm"`` for a motif with a CWM (a ModiscoPattern),
        ``"ic"`` for others.
    flank
        Positions added on each side of the span, within the motif (modisco-lite's report logos use 4).

    Returns
    -------
    Motif or MotifSet
        The same kind as given. A trimmed ModiscoPattern has its CWM, hypothetical CWM and per-seqlet arrays cut to
        the same columns, and its seqlet table's ``start`` / ``end`` moved to the positions of the kept columns in
        each sequence (counted from the seqlet's end on the ``-`` strand); its subpatterns are kept as they were.

    Examples
    --------
    >>> m = Motif("x", np.array([[0.25, 1, 0.25], [0.25, 0, 0.25], [0.25, 0, 0.25], [0.25, 0, 0.25]]))
    >>> trim(m).width
    1
    >>> core = trim(patterns, by="cwm")          # modisco-lite's trim before TOMTOM   # doctest: +SKIP
    """
    if isinstance(motif, MotifSet):
        trimmed = MotifSet(
            [trim(m, threshold, background, min_width, by=by, flank=flank) for m in motif],
            name=motif.name,
            background=motif.background,
        )
        if hasattr(motif, "window_size"):  # eu.interpret.modisco's and read_modisco's sets carry their window
            trimmed.window_size = motif.window_size
        return trimmed
    return _cut(motif, *trim_window(motif, threshold, background, min_width, by=by, flank=flank))


def trim_window(
    motif: Motif,
    threshold: float | None = None,
    background: Any = None,
    min_width: int = 1,
    *,
    by: str | None = None,
    flank: int = 0,
) -> tuple[int, int]:
    """The columns ``[start, stop)`` of ``motif`` that :func:`trim` keeps (same arguments, one motif).

    Examples
    --------
    >>> trim_window(Motif("x", np.array([[0.25, 1, 0.25], [0.25, 0, 0.25], [0.25, 0, 0.25], [0.25, 0, 0.25]])))
    (1, 2)
    """
    if by is not None and by not in RULES:
        raise ValueError(f"by must be one of {RULES} or None; got {by!r}")
    min_width = check_positive_int(min_width, "min_width")
    if isinstance(flank, bool) or not isinstance(flank, (int, np.integer)) or flank < 0:
        raise ValueError(f"flank must be a non-negative integer (positions); got {describe(flank)}")
    if not isinstance(motif, Motif):
        raise TypeError(f"motif must be a Motif, a ModiscoPattern or a MotifSet; got {describe(motif)}")
    rule = by or ("cwm" if getattr(motif, "cwm", None) is not None else "ic")
    if threshold is None:
        threshold = DEFAULT_THRESHOLDS[rule]
    scores = _scores(motif, rule, background)
    if rule == "cwm":
        fraction = check_fraction(threshold, "threshold", what="of the largest total absolute contribution")
        cutoff = fraction * scores.max()
    elif isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.integer, np.floating)):
        raise TypeError(f"threshold must be a number of bits for by='ic'; got {describe(threshold)}")
    elif not np.isfinite(threshold) or threshold < 0:  # NaN kept one column; information content is never < 0
        raise ValueError(f"threshold must be a finite number of bits >= 0 for by='ic'; got {describe(threshold)}")
    else:
        cutoff = float(threshold)
    return _bounds(scores, cutoff, min_width, int(flank))
