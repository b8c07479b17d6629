"""``build_report``: run the report's sections and write one self-contained HTML file with every table as TSV beside it.

Each section is a small function of a :class:`ReportContext` that computes through eugene's public API and returns a
:class:`Section` (HTML and tables). A section whose API is not there yet raises :class:`~eugene.report._api.NotBuiltYet`
and is shown as "not built yet: ..."; every other error propagates.
"""

from __future__ import annotations

import datetime
import os
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn
from tqdm.auto import tqdm

import eugene
from eugene._validate import check_onehot, check_positive_int, describe

from ._api import NotBuiltYet
from ._html import escape, note_html

__all__ = ["ReportContext", "Section", "build_report", "target_label"]


@dataclass
class Section:
    """What a section returns: its title, HTML body and the tables to write as ``<name>.tsv`` beside the report."""

    title: str
    html: str = ""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass
class ReportContext:
    """Inputs and options every section reads, and ``results`` that earlier sections leave for later ones."""

    model: nn.Module
    X: np.ndarray
    names: list[str]
    out: Path
    alphabet: str = "DNA"
    target: int | list[int] = 0
    databases: Sequence[str | os.PathLike] | None = None
    n_top: int = 4
    n_gia: int = 3
    model_label: str = ""
    batch_size: int = 128
    device: str | None = None
    seed: int = 0
    verbose: bool = False
    results: dict[str, Any] = field(default_factory=dict)


SectionFunction = Callable[[ReportContext], Section]


def _default_sections() -> list[tuple[str, SectionFunction]]:
    from . import sections

    return list(sections.SECTIONS)


def _warnings_html(caught: list[warnings.WarningMessage]) -> str:
    """Re-emit the warnings a section raised (the caller still sees them) and show each distinct one in the report."""
    seen: dict[str, str] = {}
    for item in caught:
        warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
        seen.setdefault(f"{item.category.__name__}: {item.message}", "")
    return "".join(note_html(f"warning: {text}", "warning") for text in seen)


def _slug(title: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")


def target_label(target: int | list[int]) -> str:
    """``"output 3"``, or ``"the sum of outputs 0, 1, 2"`` for a list of targets."""
    if isinstance(target, int):
        return f"output {target}"
    return f"the sum of outputs {', '.join(map(str, target))}" if len(target) > 1 else f"output {target[0]}"


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
    model_label: str = "",
    sections: Sequence[tuple[str, SectionFunction]] | None = None,
    batch_size: int = 128,
    device: str | torch.device | None = None,
    seed: int = 0,
    verbose: bool = False,
) -> Path:
    """Interpret ``model`` on ``X`` and write ``out/report.html`` (self-contained) and the tables as TSV beside it.

    Sections, in order: model summary and predictions; first-layer filter logos with their best TOMTOM matches;
    filter influence; attribution logos (DeepLiftShap) of the ``n_top`` top-scoring sequences; their ISM heatmaps;
    GIA curves of the ``n_gia`` best-matched motifs. A section whose eugene API does not exist yet is shown as
    "not built yet"; any other error is raised.

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
        The model output to explain: an index into its outputs, or a list of indices whose outputs are summed.
    databases
        Motif files (MEME, JASPAR, ...) to match filters against; None: JASPAR 2024 CORE vertebrates, offline.
    n_top, n_gia
        Sequences shown with attribution logos and ISM heatmaps; motifs given GIA curves.
    sections
        ``(key, function)`` pairs replacing the default sections (:data:`eugene.report.sections.SECTIONS`).
    batch_size, device, seed, verbose
        Passed to every computation; ``verbose`` shows a progress bar for each long step.

    Returns
    -------
    pathlib.Path
        The path of the HTML file.

    Examples
    --------
    >>> path = build_report(model, X, "report_dir", names=names)  # doctest: +SKIP
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {describe(model)}")
    array = X.detach().cpu().numpy() if isinstance(X, torch.Tensor) else np.asarray(X)
    check_onehot(array, "X")
    array = array.astype(np.float32, copy=False)
    names = [f"seq_{i}" for i in range(len(array))] if names is None else [str(n) for n in names]
    if len(names) != len(array):
        raise ValueError(f"names must have one entry per sequence ({len(array)}); got {len(names)}")
    indices = [target] if isinstance(target, (int, np.integer)) else target
    if (
        not isinstance(indices, (list, tuple))
        or not indices
        or any(isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 0 for t in indices)
    ):
        raise ValueError(
            f"target must be a non-negative output index or a non-empty list of them; got {describe(target)}"
        )
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
        model_label=model_label,
        batch_size=check_positive_int(batch_size, "batch_size"),
        device=None if device is None else str(device),
        seed=int(seed),
        verbose=verbose,
    )
    ctx.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rendered = []
    chosen = _default_sections() if sections is None else list(sections)
    progress = tqdm(chosen, desc="report", unit="section", disable=not verbose)
    for key, function in progress:
        progress.set_postfix_str(key)
        section_started = time.perf_counter()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                section = function(ctx)
        except NotBuiltYet as missing:
            title = getattr(function, "title", key)
            rendered.append((_slug(key), title, note_html(f"not built yet: {missing}", "not-built")))
            continue
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
