"""``modisco``: TF-MoDISco (Shrikumar et al. 2018, arXiv:1811.00416) on attributions, in-process through
modisco-lite, with its patterns returned as eugene motifs.

The module is not named ``modisco``: a submodule must not share its name with the function it exports.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from eugene.motifs.modisco_io import ModiscoPattern
from eugene.motifs.motif import MotifSet

from .._validate import check_bool, describe

__all__ = ["modisco"]


def _numpy(value: Any, name: str) -> np.ndarray:
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy array or torch tensor; got {describe(value)}")
    if value.ndim != 3 or value.shape[1] != 4:
        hint = "; did you mean .transpose(0, 2, 1)?" if value.ndim == 3 and value.shape[2] == 4 else ""
        raise ValueError(f"{name} must have shape (N, 4, L) (DNA, channels first); got {value.shape}{hint}")
    return value


def _arrays(pattern) -> dict[str, Any]:
    """A modisco-lite SeqletSet as the arrays its h5 writer saves for it (the h5 layout)."""
    seqlets = pattern.seqlets
    arrays = {
        "sequence": pattern.sequence,
        "contrib_scores": pattern.contrib_scores,
        "hypothetical_contribs": pattern.hypothetical_contribs,
        "seqlets": {
            "example_idx": [s.example_idx for s in seqlets],
            "start": [s.start for s in seqlets],
            "end": [s.end for s in seqlets],
            "is_revcomp": [s.is_revcomp for s in seqlets],
            **{k: np.array([getattr(s, k) for s in seqlets]) for k in ("sequence", "contrib_scores")},
            "hypothetical_contribs": np.array([s.hypothetical_contribs for s in seqlets]),
        },
    }
    if pattern.subclusters is not None:
        for key, sub in pattern.subcluster_to_subpattern.items():
            arrays[f"subpattern_{key}"] = _arrays(sub)
    return arrays


def modisco(X: Any, hypothetical: Any, *, single_stranded: bool = False, **options: Any) -> MotifSet:
    """Run TF-MoDISco on hypothetical attributions and return its patterns.

    Runs modisco-lite's ``TFMoDISco`` in this process (the ``modisco`` extra:
    ``pip install 'eugene-interpret[modisco]'``).

    Parameters
    ----------
    X
        (N, 4, L) one-hot DNA, numpy or torch.
    hypothetical
        (N, 4, L) hypothetical attributions (``eu.interpret.attribute(..., hypothetical=True)``); TF-MoDISco's
        contributions are ``X * hypothetical``.
    **options
        modisco-lite's ``TFMoDISco`` options, e.g. ``sliding_window_size`` (21), ``flank_size`` (10),
        ``target_seqlet_fdr`` (0.2), ``max_seqlets_per_metacluster`` (20000), ``n_leiden_runs`` (50),
        ``trim_to_window_size`` (30), ``initial_flank_to_add`` (10), ``final_flank_to_add`` (0). Its command line,
        ``modisco motifs``, changes some: ``sliding_window_size=20, flank_size=5, target_seqlet_fdr=0.05,
        n_leiden_runs=2``; pass those for its patterns.

    Returns
    -------
    MotifSet
        :class:`eugene.motifs.ModiscoPattern` motifs named as modisco-lite's report names them
        (``pos_patterns.pattern_0``, ...): letter frequencies over the seqlets as ``probs``, ``cwm``,
        ``hypothetical_cwm``, the seqlets as a table (``seqlets``), subpatterns. ``eu.motifs.write_modisco`` saves
        them in modisco-lite's h5 layout.

    Examples
    --------
    >>> hyp = eu.interpret.attribute(model, X, hypothetical=True)            # doctest: +SKIP
    >>> patterns = eu.interpret.modisco(X, hyp, max_seqlets_per_metacluster=2000)  # doctest: +SKIP
    """
    try:
        from modiscolite.tfmodisco import TFMoDISco
    except ImportError as error:
        raise ImportError("eu.interpret.modisco needs modisco-lite: pip install 'eugene-interpret[modisco]'") from error
    single_stranded = check_bool(single_stranded, "single_stranded")
    x = _numpy(X, "X")
    h = _numpy(hypothetical, "hypothetical")
    if x.shape != h.shape:
        raise ValueError(f"hypothetical must have the shape of X, {x.shape}; got {h.shape}")
    one_hot = np.ascontiguousarray(x.transpose(0, 2, 1), dtype=np.float32)
    scores = np.ascontiguousarray(h.transpose(0, 2, 1), dtype=np.float32)
    positive, negative = TFMoDISco(one_hot=one_hot, hypothetical_contribs=scores, **options)
    patterns = MotifSet(name="TF-MoDISco")
    for group, sign, found in (("pos_patterns", "+", positive), ("neg_patterns", "-", negative)):
        for i, pattern in enumerate(found or []):
            found_pattern = ModiscoPattern.from_modisco(f"{group}.pattern_{i}", _arrays(pattern), sign)
            if single_stranded and (found_pattern.seqlets["strand"] == "-").mean() > 0.5:
                found_pattern = found_pattern.reverse_complement()
            patterns.append(found_pattern)
    patterns.window_size = x.shape[2]
    return patterns
