"""What the report's sections share: the inputs of one report, the results sections leave for later ones, and what a
section returns. Plain data, no computation, so the builder and the sections both import it and not each other."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from torch import nn

from eugene.datasets import PlantedMotifs
from eugene.motifs import MotifSet

__all__ = ["ReportContext", "ReportResults", "Section", "SectionFunction", "target_label"]


@dataclass
class Section:
    """What a section returns: its title, HTML body and the tables to write as ``<name>.tsv`` beside the report."""

    title: str
    html: str = ""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass
class ReportResults:
    """Results one section computes and later ones read; None until the section that makes them has run.

    Attributes
    ----------
    scores
        The model section's prediction for the target, float64 (N,); it chooses the top-scoring sequences.
    motifs
        The filter section's filter PFMs (a :class:`~eugene.motifs.MotifSet`, possibly empty).
    database
        The motifs the filters were matched against, as one MotifSet (looked up by ID for GIA).
    matches
        The best TOMTOM match of each filter (``filter``, ``n_sites``, ``best_match``, ``name``, ``q-value``, ...);
        an empty frame when no filter had sites.
    significant
        Every TOMTOM match with q <= the report's FDR (``Query_ID``, ``Target_ID``, ``q-value``, ...).
    top
        Indices of the sequences the attribution section explained.
    attributions
        Their attribution maps, (len(top), A, L).
    patterns
        The motifs section's TF-MoDISco patterns (a :class:`~eugene.motifs.MotifSet` of
        :class:`~eugene.motifs.ModiscoPattern`, possibly empty).
    pattern_matches
        Their TOMTOM matches (:func:`eugene.interpret.annotate_patterns`: ``pattern``, ``n_seqlets``, ``rank``,
        ``Target_ID``, ``Target_Name``, ``q-value``, ...), every database motif per pattern, best first.
    """

    scores: np.ndarray | None = None
    motifs: MotifSet | None = None
    database: MotifSet | None = None
    matches: pd.DataFrame | None = None
    significant: pd.DataFrame | None = None
    top: np.ndarray | None = None
    attributions: np.ndarray | None = None
    patterns: MotifSet | None = None
    pattern_matches: pd.DataFrame | None = None


@dataclass
class ReportContext:
    """Inputs and options every section reads, and the typed ``results`` earlier sections leave for later ones."""

    model: nn.Module
    X: np.ndarray
    names: list[str]
    out: Path
    alphabet: str = "DNA"
    target: int | list[int] = 0
    databases: Sequence[str | os.PathLike] | None = None
    n_top: int = 4
    n_gia: int = 3
    gia_backgrounds: int = 64
    model_label: str = ""
    batch_size: int = 128
    device: str | None = None
    seed: int = 0
    verbose: bool = False
    planted: PlantedMotifs | None = None
    motif_tasks: dict[str, int] | None = None
    results: ReportResults = field(default_factory=ReportResults)


SectionFunction = Callable[[ReportContext], Section]
"""A section: a function of the :class:`ReportContext` returning a :class:`Section`."""


def target_label(target: int | list[int]) -> str:
    """``"output 3"``, or ``"the sum of outputs 0, 1, 2"`` for a list of targets."""
    if isinstance(target, int):
        return f"output {target}"
    return f"the sum of outputs {', '.join(map(str, target))}" if len(target) > 1 else f"output {target[0]}"
