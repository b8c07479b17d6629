"""``build_report``: run the report's sections and write one self-contained HTML file with every table as TSV beside it.

Each section is a small function of a :class:`~eugene.report.context.ReportContext` that computes through eugene's
public API and returns a :class:`~eugene.report.context.Section` (HTML and tables). Sections are chosen by name from
:data:`eugene.report.sections.SECTIONS`, or given as functions; any error in a section propagates.
"""

from __future__ import annotations

import datetime
import os
import time
import warnings
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

import eugene
from eugene._settings import show_progress
from eugene._validate import check_onehot, check_positive_int, describe
from eugene.datasets import PlantedMotifs

from ._html import escape, note_html
from .context import ReportContext, Section, SectionFunction, target_label
from .sections import ON_REQUEST, SECTIONS

__all__ = ["ReportContext", "Section", "build_report", "target_label"]


def _chosen_sections(
    sections: Sequence[str | tuple[str, SectionFunction]] | None, planted: PlantedMotifs | None
) -> list[tuple[str, SectionFunction]]:
    """``(key, function)`` pairs to run, in order: names looked up in SECTIONS, pairs as given."""
    if sections is None:
        return [
            (key, function)
            for key, function in SECTIONS.items()
            if key not in ON_REQUEST and (key != "ground-truth" or planted is not None)
        ]
    if isinstance(sections, str):
        sections = [sections]
    chosen = []
    for item in sections:
        if isinstance(item, str):
            if item not in SECTIONS:
                raise ValueError(f"sections: unknown section {item!r}; expected one of {', '.join(SECTIONS)}")
            if item == "ground-truth" and planted is None:
                raise ValueError("sections: 'ground-truth' needs planted=<PlantedMotifs>; got planted=None")
            chosen.append((item, SECTIONS[item]))
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and callable(item[1]):
            chosen.append(item)
        else:
            raise TypeError(
                f"sections must hold section names ({', '.join(SECTIONS)}) or (key, function) pairs; "
                f"got {describe(item)}"
            )
    return chosen


def _warnings_html(caught: list[warnings.WarningMessage]) -> str:
    """Re-emit the warnings a section raised (the caller still sees them) and show each distinct one in the report."""
    seen: dict[str, str] = {}
    for item in caught:
        warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
        seen.setdefault(f"{item.category.__name__}: {item.message}", "")
    return "".join(note_html(f"warning: {text}", "warning") for text in seen)


def _slug(title: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")


def _render(ctx: ReportContext, rendered: list[tuple[str, str, str]], seconds: float) -> str:
    template = Template(resources.files("eugene.report").joinpath("templates/report.html").read_text("utf-8"))
    toc = "".join(f'<li><a href="#{slug}">{escape(title)}</a></li>' for slug, title, _ in rendered)
    body = "".join(
        f'<section id="{slug}"><h2>{escape(title)}</h2>{content}</section>' for slug, title, content in rendered
    )
    subtitle = (
        f"{escape(ctx.model_label or type(ctx.model).__name__)} on {len(ctx.names)} sequences of length "
        f"{ctx.X.shape[2]} (target {target_label(ctx.target)}); eugene {eugene.__version__}; "
        f"{datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}; built in {seconds:.0f} s"
    )
    return template.substitute(title="eugene report", subtitle=subtitle, toc=toc, body=body)


def build_report(
    model: nn.Module,
    X: Any,
    out: str | os.PathLike,
    *,
    names: Sequence[str] | None = None,
    alphabet: str = "DNA",
    target: int | Sequence[int] = 0,
    databases: Sequence[str | os.PathLike] | None = None,
    n_top: int = 4,
    n_gia: int = 3,
    gia_backgrounds: int = 64,
    model_label: str = "",
    sections: Sequence[str | tuple[str, SectionFunction]] | None = None,
    planted: PlantedMotifs | None = None,
    motif_tasks: Mapping[str, int] | None = None,
    batch_size: int = 128,
    device: str | torch.device | None = None,
    seed: int = 0,
    verbose: bool | None = None,
) -> Path:
    """Interpret ``model`` on ``X`` and write ``out/report.html`` (self-contained) and the tables as TSV beside it.

    Sections, in order (their names in :data:`eugene.report.sections.SECTIONS`): ``"model"``, the summary and
    predictions; ``"filters"``, first-layer filter logos with their best TOMTOM matches; ``"filter-influence"``;
    ``"motifs"``, TF-MoDISco patterns of hypothetical DeepLiftShap attributions of every sequence named by TOMTOM
    (the ``modisco`` extra; each ``motif_tasks`` output explained on its own and pooled); ``"attributions"``,
    attribution logos (DeepLiftShap) of the ``n_top`` top-scoring sequences; ``"ground-truth"`` (only with
    ``planted``), the filters, patterns and attributions against the planted motifs; ``"ism"``, ISM heatmaps of the
    same sequences; ``"gia"``, GIA curves of the ``n_gia`` best-matched motifs. An error in a section is raised.

    Parameters
    ----------
    model
        A torch module taking (N, A, L) one-hot input, e.g. from :func:`eugene.models.load_model`.
    X
        One-hot sequences (N, A, L), numpy or torch.
    out
        Directory to write to (created if needed).
    names
        Sequence names (default ``seq_0``, ``seq_1``, ...).
    alphabet
        Alphabet of X's channels ("DNA" or "RNA").
    target
        The model output to explain: an index into its outputs, or a list of indices whose outputs are summed. It
        chooses and explains the top sequences, and is what filter influence and GIA explain unless ``motif_tasks``
        says otherwise.
    databases
        Motif files (MEME, JASPAR, ...) to match filters against; None: JASPAR 2024 CORE vertebrates, offline.
    n_top, n_gia
        Sequences shown with attribution logos and ISM heatmaps; motifs given GIA curves.
    gia_backgrounds
        Backgrounds of each GIA curve: dinucleotide shuffles of this many sequences of ``X``, drawn with ``seed``.
    sections
        The sections to run, in this order: names from :data:`eugene.report.sections.SECTIONS` (e.g.
        ``["model", "filters", "attributions", "ground-truth"]``) or ``(key, function)`` pairs of your own sections
        (a function of the :class:`~eugene.report.context.ReportContext` returning a
        :class:`~eugene.report.context.Section`). None: every section but ``"motifs"``, which runs only when named
        (it attributes every sequence and runs TF-MoDISco: minutes), and ``"ground-truth"`` only when ``planted`` is
        given. A section that needs results of one not run says so in the report.
    planted
        The ground truth of sequences with planted motifs (:class:`eugene.datasets.PlantedMotifs`, the rows of ``X``),
        for the ``"ground-truth"`` section.
    motif_tasks
        For a multi-task model whose outputs stand for known motifs (e.g. one output per transcription factor): the
        output of each motif, ``{motif ID in the databases: output index}`` (the demo model's card gives them). Then
        each readout explains its own task: a motif's GIA curve is the change of that motif's output, and filter
        influence is shown for each of these outputs (a filters x outputs heatmap). None: both explain ``target``.
    batch_size, device, seed, verbose
        Passed to every computation; ``verbose`` shows a progress bar for each long step (None: unless
        ``eugene.settings.verbose`` is switched off).

    Returns
    -------
    pathlib.Path
        The path of the HTML file.

    Examples
    --------
    >>> path = build_report(model, X, "report_dir", names=names)  # doctest: +SKIP
    >>> data = eugene.models.demo_sequences()
    >>> path = build_report(eugene.models.load_demo_model(), data.X, "demo", planted=data)  # doctest: +SKIP
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {describe(model)}")
    array = X.detach().cpu().numpy() if isinstance(X, torch.Tensor) else np.asarray(X)
    check_onehot(array, "X")
    array = array.astype(np.float32, copy=False)
    names = [f"seq_{i}" for i in range(len(array))] if names is None else [str(n) for n in names]
    if len(names) != len(array):
        raise ValueError(f"names must have one entry per sequence ({len(array)}); got {len(names)}")
    if planted is not None and (not isinstance(planted, PlantedMotifs) or planted.X.shape != array.shape):
        shape = planted.X.shape if isinstance(planted, PlantedMotifs) else describe(planted)
        raise ValueError(f"planted must be the PlantedMotifs of X's sequences, X of shape {array.shape}; got {shape}")
    indices = [target] if isinstance(target, (int, np.integer)) else target
    if (
        not isinstance(indices, (list, tuple))
        or not indices
        or any(isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 0 for t in indices)
    ):
        raise ValueError(
            f"target must be a non-negative output index or a non-empty list of them; got {describe(target)}"
        )
    if motif_tasks is not None:
        if not isinstance(motif_tasks, Mapping) or not all(
            isinstance(k, str) and isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 0
            for k, v in motif_tasks.items()
        ):
            raise ValueError(
                "motif_tasks must map motif IDs (str) to output indices (int >= 0), e.g. {'MA0083.3': 9}; "
                f"got {describe(motif_tasks)}"
            )
        motif_tasks = {k: int(v) for k, v in motif_tasks.items()}
    ctx = ReportContext(
        model=model,
        X=array,
        names=names,
        out=Path(out),
        alphabet=alphabet,
        target=int(target) if isinstance(target, (int, np.integer)) else [int(t) for t in target],
        databases=None if databases is None else list(databases),
        n_top=check_positive_int(n_top, "n_top"),
        n_gia=check_positive_int(n_gia, "n_gia"),
        gia_backgrounds=check_positive_int(gia_backgrounds, "gia_backgrounds"),
        model_label=model_label,
        batch_size=check_positive_int(batch_size, "batch_size"),
        device=None if device is None else str(device),
        seed=int(seed),
        verbose=show_progress(verbose),  # read once: every section follows the same switch
        planted=planted,
        motif_tasks=motif_tasks,
    )
    chosen = _chosen_sections(sections, planted)
    ctx.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rendered = []
    progress = tqdm(chosen, desc="report", unit="section", disable=not ctx.verbose)
    for key, function in progress:
        progress.set_postfix_str(key)
        section_started = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            section = function(ctx)
        shown = _warnings_html(caught)
        unlinked = []
        for name, table in section.tables.items():
            table.to_csv(ctx.out / f"{name}.tsv", sep="\t", index=False)
            if f'href="{name}.tsv"' not in section.html:
                unlinked.append(f'<a href="{escape(name)}.tsv">{escape(name)}.tsv</a>')
        more = f'<p class="tsv">Also written: {", ".join(unlinked)}</p>' if unlinked else ""
        took = f'<p class="timing">computed in {time.perf_counter() - section_started:.1f} s</p>'
        rendered.append((_slug(key), section.title, shown + section.html + more + took))
    path = ctx.out / "report.html"
    path.write_text(_render(ctx, rendered, time.perf_counter() - started), encoding="utf-8")
    return path
