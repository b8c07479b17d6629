"""The report's sections: each computes through eugene's public API and returns HTML and tables, no science of its own.

A section function takes the :class:`~eugene.report.context.ReportContext` and returns a
:class:`~eugene.report.context.Section`. Results later sections need (the scores, the filter motifs and their matches,
the attributions) go into the typed ``ctx.results`` (:class:`~eugene.report.context.ReportResults`); a section whose
inputs are missing says so. :data:`SECTIONS` names every section, in the report's order.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from eugene import interpret, models, motifs, plot, seq
from eugene.evaluate import attribution_auroc
from eugene.plot.filters import MATCH_FDR

from ._html import bars_html, escape, figure_html, note_html, table_html
from .context import ReportContext, Section, SectionFunction, target_label

__all__ = [
    "SECTIONS",
    "ON_REQUEST",
    "model_summary",
    "filters",
    "filter_influence",
    "attributions",
    "motif_patterns",
    "ism",
    "gia",
    "ground_truth",
]

FDR = MATCH_FDR  # q-value at or below which a TOMTOM match counts, in the report and in eu.pl.filter_logos alike
ATTRIBUTION_WINDOW = 40  # positions of an attribution logo; longer sequences show their most informative window
GIA_POSITIONS = 40  # about this many positions per GIA curve


def _needs(title: str, what: str) -> Section:
    """The section shown when an earlier section whose results this one uses did not run or found nothing."""
    return Section(title, note_html(f"Needs the results of {what}, which did not run or found nothing."))


def _top_indices(ctx: ReportContext) -> np.ndarray | None:
    """Indices of the ``n_top`` sequences with the highest prediction for the target (from the summary section)."""
    scores = ctx.results.scores
    return None if scores is None else np.argsort(-scores, kind="stable")[: ctx.n_top]


def model_summary(ctx: ReportContext) -> Section:
    """Layers, parameter counts and output shapes; the predictions for the target and the top-scoring sequences."""
    n, a, length = ctx.X.shape
    scores = np.asarray(
        interpret.predict(
            ctx.model, ctx.X, target=ctx.target, batch_size=ctx.batch_size, device=ctx.device, verbose=ctx.verbose
        ),
        dtype=np.float64,
    )
    ctx.results.scores = scores
    parts = [f"<p>Input: {n} sequences, alphabet {escape(ctx.alphabet)} ({a} channels), length {length}.</p>"]
    tables = {}
    if isinstance(ctx.model, torch.jit.ScriptModule):
        parts.append(note_html("TorchScript model: its layers cannot be listed (TorchScript takes no hooks)."))
    else:
        layers = models.summary(ctx.model, seq_len=length, alphabet_size=a)
        layers = layers.assign(output_shape=layers["output_shape"].astype(str))
        parts.append(
            f"<p>{layers.attrs['total_params']:,} parameters ({layers.attrs['trainable_params']:,} trainable).</p>"
        )
        parts.append(table_html(layers, "model_layers.tsv", max_rows=60, caption="Layers"))
        tables["model_layers"] = layers
    predictions = pd.DataFrame({"sequence": ctx.names, "prediction": scores})
    predictions["rank"] = predictions["prediction"].rank(ascending=False, method="first").astype(int)
    tables["predictions"] = predictions
    top = predictions.sort_values("rank")
    parts.append(
        f"<p>Predictions for {target_label(ctx.target)}: mean {scores.mean():.4g}, min {scores.min():.4g}, "
        f"max {scores.max():.4g}.</p>"
    )
    parts.append(table_html(top, "predictions.tsv", max_rows=10, caption="Top-scoring sequences"))
    return Section("Model", "".join(parts), tables)


def _no_conv_note(ctx: ReportContext) -> str | None:
    """Why first-layer filter sections cannot run on this model (they hook its first nn.Conv1d), or None."""
    if isinstance(ctx.model, torch.jit.ScriptModule):
        return "Not available for TorchScript models: filter analyses hook into the model's first nn.Conv1d."
    if not any(isinstance(module, torch.nn.Conv1d) for module in ctx.model.modules()):
        return "Not available: the model has no nn.Conv1d layer whose filters could be analysed."
    return None


def _databases(ctx: ReportContext):
    if ctx.databases:
        return list(ctx.databases), ", ".join(str(d) for d in ctx.databases)
    database = motifs.jaspar()
    return database, f"{database.name} ({len(database)} motifs, bundled offline)"


def _as_motif_set(database):
    """The target motifs as one MotifSet (files are read, several concatenated), to look matches up by ID."""
    if not isinstance(database, list):
        return database
    sets = [motifs.read_motifs(path) for path in database]
    combined = sets[0]
    for other in sets[1:]:
        combined = combined + other
    return combined


def filters(ctx: ReportContext) -> Section:
    """PFMs of the first convolution's filters (written as MEME), logos, and their best TOMTOM matches."""
    if (why := _no_conv_note(ctx)) is not None:
        return Section("First-layer filters", note_html(why))
    pfms = interpret.filter_pfms(
        ctx.model,
        ctx.X,
        alphabet=ctx.alphabet,
        min_sites=1,
        batch_size=ctx.batch_size,
        device=ctx.device,
        verbose=ctx.verbose,
    )
    database, described = _databases(ctx)
    parts = [
        "<p>Position frequency matrices of the first convolutional layer's filters from the sequences that activate "
        "them above half of their maximum (DeepBind/deepRAM), written to "
        '<a href="filters.meme">filters.meme</a>, and matched with TOMTOM against '
        f"{escape(described)}.</p>"
    ]
    if len(pfms) == 0:
        ctx.results.matches = pd.DataFrame()
        return Section("First-layer filters", "".join(parts) + note_html("No filter is activated by any sequence."))
    motifs.write_meme(pfms, ctx.out / "filters.meme")
    hits = motifs.tomtom(pfms, database, thresh=None, verbose=ctx.verbose)
    best = hits.sort_values(["q-value", "p-value"]).drop_duplicates("Query_ID")
    best = best.set_index(best["Query_ID"].astype(str))
    rows = []
    for motif in pfms:
        row = {"filter": motif.name, "n_sites": int(motif.nsites)}
        if motif.name in best.index:
            hit = best.loc[motif.name]
            row |= {
                "best_match": str(hit["Target_ID"]),
                "name": str(hit["Target_Name"]),
                "p-value": hit["p-value"],
                "E-value": hit["E-value"],
                "q-value": hit["q-value"],
                "orientation": str(hit["Orientation"]),
                "offset": hit["Optimal_offset"],
            }
        rows.append(row)
    table = pd.DataFrame(rows)
    if "q-value" in table:
        table["offset"] = table["offset"].astype("Int64")
        table.insert(2, "significant", table["q-value"] <= FDR)
    significant = hits[hits["q-value"] <= FDR].sort_values(["q-value", "p-value", "Query_ID"], ignore_index=True)
    ctx.results.motifs = pfms
    ctx.results.database = _as_motif_set(database)
    ctx.results.matches = table  # in filter order
    ctx.results.significant = significant
    if "q-value" in table:  # shown most significant first (filters without any match last), ties in filter order
        table = table.sort_values(["q-value", "p-value"], kind="stable", na_position="last", ignore_index=True)
    figure = plot.filter_logos(pfms, hits, q_threshold=FDR)
    n_matched = int(table["significant"].sum()) if "significant" in table else 0
    parts.append(
        f"<p>{len(pfms)} filters with sites; {n_matched} match a known motif at q &le; {FDR} (labels on the logos). "
        "Logos: information content (bits) of each position of the filter.</p>"
    )
    parts.append(figure_html(figure, f"Filter logos, titled with their best match when q <= {FDR}"))
    parts.append(
        table_html(
            table,
            "filter_matches.tsv",
            max_rows=len(table),
            caption="Best match of each filter, most significant first",
            apart=~table["significant"] if "significant" in table else None,
            apart_label=f"not significant (q > {FDR}): the best match is no better than chance",
        )
    )
    significant = significant.assign(**{c: significant[c].astype(str) for c in ("Query_ID", "Target_ID")})
    return Section("First-layer filters", "".join(parts), {"filter_matches": table, "tomtom": significant})


def _output_labels(ctx: ReportContext) -> dict[int, str]:
    """Each output that ``motif_tasks`` names, labelled with its motifs' names (e.g. ``"SRF (output 9)"``)."""
    database = ctx.results.database
    names: dict[int, list[str]] = {}
    for motif_id, output in (ctx.motif_tasks or {}).items():
        name = motif_id
        if database is not None and motif_id in database.names:
            name = database[motif_id].alt_name or motif_id
        names.setdefault(output, []).append(name)
    return {output: f"{'/'.join(names[output])} (output {output})" for output in sorted(names)}


def filter_influence(ctx: ReportContext) -> Section:
    """How much each first-layer filter supports the prediction: the drop when it is replaced by its mean output
    (Kelley et al. 2016), on ``target``, or on each motif's own output when ``motif_tasks`` is given."""
    if (why := _no_conv_note(ctx)) is not None:
        return Section("Filter influence", note_html(why))
    outputs = _output_labels(ctx)
    values = np.asarray(
        interpret.filter_influence(
            ctx.model,
            ctx.X,
            target=None if outputs else ctx.target,
            batch_size=ctx.batch_size,
            device=ctx.device,
            verbose=ctx.verbose,
        ),
        dtype=np.float64,
    )
    if outputs:
        if max(outputs) >= values.shape[1]:
            raise ValueError(
                f"motif_tasks names output {max(outputs)}, but the model has {values.shape[1]} outputs (0 to "
                f"{values.shape[1] - 1})"
            )
        values = values[:, list(outputs)]
    filters = [f"filter_{i}" for i in range(len(values))]
    named = pd.Series(dtype=str)
    matches = ctx.results.matches
    if matches is not None and "name" in matches:
        named = matches[matches["q-value"] <= FDR].set_index("filter")["name"]
    labels = [f"{f} {named.get(f, '')}".strip() for f in filters]
    explain = (
        "positive: the filter supports the output, negative: it lowers it; in units of the model's output, averaged "
        f"over all {len(ctx.X)} sequences"
    )
    if outputs:
        table = pd.DataFrame({"filter": filters, "best_match": [named.get(f, "") for f in filters]})
        for column, label in enumerate(outputs.values()):
            table[f"influence on {label}"] = values[:, column]
        order = np.argsort(-np.abs(values).max(axis=1), kind="stable")
        table = table.iloc[order].reset_index(drop=True)
        shown = order[:20]
        figure = plot.influence_heatmap(values[shown], [labels[i] for i in shown], list(outputs.values()))
        html = (
            "<p>How much each first-layer filter supports each motif's own output (the task it stands for): the "
            "output with the filter intact minus with the filter's output replaced by its mean (Basset's knock-out; "
            f"{explain}). The 20 filters with the largest effect on any of these outputs:</p>"
            + figure_html(figure, "Filter influence on each motif's own output (red: supports, blue: lowers)")
        )
    else:
        table = pd.DataFrame({"filter": filters, "influence": values})
        table["best_match"] = [named.get(f, "") for f in filters]
        table = table.reindex(table["influence"].abs().sort_values(ascending=False, kind="stable").index)
        shown = table.head(20)
        html = (
            f"<p>How much each first-layer filter supports {target_label(ctx.target)}: the prediction with the filter "
            f"intact minus with its output replaced by its mean (Basset's knock-out; {explain}). Largest 20 by "
            "magnitude:</p>"
            + bars_html(
                [dict(zip(filters, labels))[f] for f in shown["filter"]],
                shown["influence"].to_numpy(),
                axis=f"influence on {target_label(ctx.target)} (\u0394 prediction)",
            )
        )
    html += table_html(table, "filter_influence.tsv", max_rows=0, caption="All filters")
    return Section("Filter influence", html, {"filter_influence": table})


def attributions(ctx: ReportContext) -> Section:
    """DeepLiftShap attribution logos (attribution x one-hot) of the top-scoring sequences."""
    top = _top_indices(ctx)
    if top is None:
        return _needs("Attributions", "the model section (the scores that choose the sequences)")
    X = ctx.X[top]
    # DeepLIFT's rules cannot reach the operations of a TorchScript model; integrated gradients needs only gradients
    scripted = isinstance(ctx.model, torch.jit.ScriptModule)
    values = np.asarray(
        interpret.attribute(
            ctx.model,
            X,
            method="integrated_gradients" if scripted else "deeplift_shap",
            target=ctx.target,
            batch_size=ctx.batch_size,
            device=ctx.device,
            seed=ctx.seed,
            verbose=ctx.verbose,
        )
    )
    np.savez_compressed(ctx.out / "attributions.npz", attributions=values, X=X, names=np.array(ctx.names)[top])
    ctx.results.top, ctx.results.attributions = top, values
    scores = ctx.results.scores
    method = (
        "Integrated gradients (Sundararajan et al. 2017) from an all-zero baseline (DeepLIFT cannot run on a "
        "TorchScript model)"
        if scripted
        else "DeepLiftShap (Lundberg and Lee 2017) averaged over 20 dinucleotide-shuffled references"
    )
    long = X.shape[2] > ATTRIBUTION_WINDOW
    parts = [
        f"<p>{method}, shown as attribution x one-hot for the {len(top)} top-scoring sequences (arrays in "
        '<a href="attributions.npz">attributions.npz</a>).'
        + (
            f" Each figure shows the whole sequence's attribution per position above a logo of its "
            f"{ATTRIBUTION_WINDOW} bp with the most attribution (dashed box)."
            if long
            else ""
        )
        + (" Shaded: the planted motifs." if ctx.planted is not None else "")
        + "</p>"
    ]
    for row, index in enumerate(top):
        caption = f"{ctx.names[index]} (prediction {scores[index]:.3g})"
        if long:
            figure = plot.attribution_overview(
                values[row] * X[row], ctx.alphabet, width=ATTRIBUTION_WINDOW, sites=_planted_sites(ctx, index)
            )
        else:
            _, figure = plt.subplots(figsize=(1.5 + 0.25 * X.shape[2], 1.8))
            plot.attribution_logo(values[row] * X[row], ctx.alphabet, figure)
        parts.append(figure_html(figure, caption))
    return Section("Attributions", "".join(parts))


PATTERN_LOGOS = 12  # patterns drawn (most seqlets first); every pattern is in the tables


def _pattern_targets(ctx: ReportContext) -> list:
    """The outputs the motifs section explains: each motif task's own output (pooled), else ``ctx.target``."""
    if ctx.motif_tasks:
        return sorted(set(ctx.motif_tasks.values()))
    return [ctx.target]


def motif_patterns(ctx: ReportContext) -> Section:
    """TF-MoDISco patterns (Shrikumar et al. 2018) of DeepLiftShap hypothetical attributions of every sequence:
    CWM logos of the trimmed patterns, their seqlet counts and best TOMTOM matches, most seqlets first.

    With ``motif_tasks`` each motif task's output is explained on its own and the attributions are pooled (every
    sequence once per output) into one TF-MoDISco run, as ``eugene motifs --pool-targets`` does."""
    title = "Motifs from attributions"
    if isinstance(ctx.model, torch.jit.ScriptModule):
        return Section(title, note_html("DeepLIFT cannot run on a TorchScript model (its rules need the modules)."))
    try:
        import modiscolite  # noqa: F401
    except ImportError:
        return Section(title, note_html("Needs modisco-lite: pip install 'eugene-interpret[modisco]'."))
    if ctx.X.shape[1] != 4:
        return Section(title, note_html(f"TF-MoDISco needs 4-letter sequences; these have {ctx.X.shape[1]} channels."))
    targets = _pattern_targets(ctx)
    hypothetical = [
        np.asarray(
            interpret.attribute(
                ctx.model,
                ctx.X,
                "deeplift_shap",
                target=target,
                hypothetical=True,
                batch_size=ctx.batch_size,
                device=ctx.device,
                seed=ctx.seed,
                verbose=ctx.verbose,
            )
        )
        for target in targets
    ]
    patterns = interpret.modisco(
        np.concatenate([ctx.X] * len(targets)),
        np.concatenate(hypothetical),
        n_leiden_runs=2,
        single_stranded=ctx.alphabet == "RNA",
    )
    ctx.results.patterns = patterns
    explained = (
        f"each motif task's output ({', '.join(map(str, targets))}) explained on its own and pooled"
        if len(targets) > 1
        else target_label(targets[0])
    )
    parts = [
        f"<p>TF-MoDISco (modisco-lite; Shrikumar et al. 2018) on DeepLiftShap hypothetical attributions of all "
        f"{len(ctx.X)} sequences ({explained}); patterns trimmed to the columns whose total |CWM| reaches 0.3 of the "
        "largest (modisco-lite's rule) and matched with TOMTOM against "
    ]
    if len(patterns) == 0:
        ctx.results.pattern_matches = pd.DataFrame()
        parts.append(f"{escape(_databases(ctx)[1])}.</p>")
        return Section(title, "".join(parts) + note_html("TF-MoDISco found no pattern in these sequences."))
    database, described = _databases(ctx)
    motifs.write_modisco(patterns, ctx.out / "patterns.h5", window_size=ctx.X.shape[2])
    trimmed = motifs.trim(patterns)
    motifs.write_meme(trimmed, ctx.out / "patterns.meme")
    every = len(_as_motif_set(database))  # every match, as the filter section keeps every significant one
    matches = interpret.annotate_patterns(patterns, database, n_matches=every, verbose=ctx.verbose)
    ctx.results.pattern_matches = matches
    best = matches[matches["rank"] == 1].set_index("pattern")
    table = pd.DataFrame({"pattern": patterns.names, "n_seqlets": [len(p.seqlets) for p in patterns]})
    table["sign"] = [p.sign for p in patterns]
    table["best_match"] = table["pattern"].map(best["Target_ID"].astype(str))
    table["name"] = table["pattern"].map(best["Target_Name"].astype(str))
    table["q-value"] = table["pattern"].map(best["q-value"])
    table["significant"] = table["q-value"] <= FDR
    table = table.sort_values(["n_seqlets", "q-value"], ascending=[False, True], kind="stable", ignore_index=True)
    n_named = int(table["significant"].sum())
    parts[-1] += (
        f'{escape(described)} (<a href="patterns.h5">patterns.h5</a>, modisco-lite\'s layout; trimmed letter '
        f'frequencies in <a href="patterns.meme">patterns.meme</a>). {len(patterns)} patterns; {n_named} match a '
        f"known motif at q &le; {FDR}.</p>"
    )
    shown = table.head(PATTERN_LOGOS)
    figure, axes = plt.subplots(len(shown), 1, figsize=(6, 1.6 * len(shown)), squeeze=False)
    for ax, row in zip(axes[:, 0], shown.itertuples()):
        named = f"{row.name} ({row.best_match}, q={row[table.columns.get_loc('q-value') + 1]:.2g})"
        label = named if row.significant else "no significant match"
        plot.attribution_logo(
            trimmed[row.pattern].cwm, ctx.alphabet, ax, title=f"{row.pattern}: {row.n_seqlets} seqlets, {label}"
        )
    figure.tight_layout()
    parts.append(figure_html(figure, "CWM logos of the trimmed patterns, most seqlets first"))
    parts.append(
        table_html(
            table,
            "pattern_matches.tsv",
            max_rows=len(table),
            caption="Patterns by seqlet count, with their best match",
            apart=~table["significant"],
            apart_label=f"not significant (q > {FDR}): the best match is no better than chance",
        )
    )
    significant = matches[matches["q-value"] <= FDR].reset_index(drop=True)
    tables = {"pattern_matches": table, "pattern_tomtom": significant}
    return Section(title, "".join(parts), tables)


def _planted_sites(ctx: ReportContext, index: int) -> pd.DataFrame | None:
    """The planted motifs of sequence ``index`` (``start``, ``end``, ``name``), or None without ground truth."""
    if ctx.planted is None:
        return None
    return ctx.planted.sites[ctx.planted.sites["sequence"] == index]


def ism(ctx: ReportContext) -> Section:
    """Saturation mutagenesis heatmaps of the top-scoring sequences."""
    letters = seq.get_alphabet(ctx.alphabet).letters
    top = _top_indices(ctx)
    if top is None:
        return _needs("In silico mutagenesis", "the model section (the scores that choose the sequences)")
    X = ctx.X[top]
    values = np.asarray(
        interpret.ism(
            ctx.model, X, target=ctx.target, batch_size=ctx.batch_size, device=ctx.device, verbose=ctx.verbose
        )
    )
    np.savez_compressed(ctx.out / "ism.npz", ism=values, X=X, names=np.array(ctx.names)[top])
    parts = [
        "<p>Change of the prediction for every single-base substitution (0 at the observed base) of the top-scoring "
        'sequences (arrays in <a href="ism.npz">ism.npz</a>).</p>'
    ]
    for row, index in enumerate(top):
        ax = plot.ism_heatmap(values[row], alphabet=letters, mark_reference=X[row], sites=_planted_sites(ctx, index))
        boxes = "; boxes: the planted motifs" if ctx.planted is not None else ""
        parts.append(figure_html(ax, f"{ctx.names[index]} (dots: the observed bases{boxes})"))
    return Section("In silico mutagenesis", "".join(parts))


def _gia_motifs(ctx: ReportContext) -> pd.DataFrame:
    """The motifs GIA tests (``best_match``, ``name``), most significant first: the filters' best matches, or, with
    ``motif_tasks``, the motifs that have a task and match a filter (any significant match), when there are some."""
    matches, significant, tasks = ctx.results.matches, ctx.results.significant, ctx.motif_tasks or {}
    if tasks and significant is not None and len(significant):
        own = significant[significant["Target_ID"].astype(str).isin(list(tasks))].sort_values("q-value")
        if len(own):
            own = pd.DataFrame({"best_match": own["Target_ID"].astype(str), "name": own["Target_Name"].astype(str)})
            return own.drop_duplicates("best_match").head(ctx.n_gia)
    best = matches[matches["q-value"] <= FDR].sort_values("q-value", kind="stable")
    return best.drop_duplicates("best_match").head(ctx.n_gia)


def gia(ctx: ReportContext) -> Section:
    """GIA positional curves (Koo et al. 2021) of the known motifs the filters matched best (each on its own output,
    and those with an output first, when ``motif_tasks`` is given)."""
    matches, database = ctx.results.matches, ctx.results.database
    if matches is None or database is None:
        return _needs("Global importance analysis", "the filter section (the motifs to test)")
    if "q-value" not in matches or not (matches["q-value"] <= FDR).any():
        return Section("Global importance analysis", note_html(f"No filter matched a known motif at q <= {FDR}."))
    best = _gia_motifs(ctx)
    rng = np.random.default_rng(ctx.seed)
    pick = rng.choice(len(ctx.X), size=min(len(ctx.X), ctx.gia_backgrounds), replace=False)
    background = interpret.dinucleotide_backgrounds(ctx.X[np.sort(pick)], n=1, seed=ctx.seed)
    step = max(1, ctx.X.shape[2] // GIA_POSITIONS)
    curves = {}
    tasks = ctx.motif_tasks or {}
    for row in best.itertuples():
        label = f"{row.name} ({row.best_match})" if row.name else row.best_match
        target = tasks.get(row.best_match, ctx.target)
        if row.best_match in tasks:
            label += f" on output {target}"
        _, curve = interpret.gia_positional(
            ctx.model,
            background,
            database[row.best_match],
            target=target,
            step=step,
            batch_size=ctx.batch_size,
            device=ctx.device,
            seed=ctx.seed,
            verbose=ctx.verbose,
        )
        curves[label] = curve.assign(output=target_label(target))
    table = pd.concat([c.assign(motif=label) for label, c in curves.items()], ignore_index=True)
    with_task = best["best_match"].isin(list(tasks))
    explained = target_label(ctx.target)
    if with_task.all():
        explained = "each motif's own output (its task)"
    elif with_task.any():
        explained = f"each motif's own output (its task; motifs without one: {explained})"
    html = (
        f"<p>Mean change of {explained} when each of the best-matched known motifs (one instance "
        f"sampled from its PFM per background) is implanted at every {step}-th position of {len(background)} "
        "dinucleotide-shuffled backgrounds (global importance analysis, Koo et al. 2021).</p>"
        + figure_html(plot.gia_curve(table, hue="motif"), "GIA: mean effect (band: SEM) of each motif by position")
        + table_html(table, "gia_positional.tsv", max_rows=0, caption="Curves")
    )
    return Section("Global importance analysis", html, {"gia_positional": table})


def ground_truth(ctx: ReportContext) -> Section:
    """The report against planted motifs (``ctx.planted``, a :class:`eugene.datasets.PlantedMotifs`).

    It lists each planted motif with the filters that matched it (from the filter section) and scores the attribution
    maps of the shown sequences against the planted positions (:func:`eugene.evaluate.attribution_auroc`).
    """
    title = "Ground truth: planted motifs"
    if ctx.planted is None:
        return Section(title, note_html("No ground truth: build_report was given no planted motifs (planted=None)."))
    matches, significant = ctx.results.matches, ctx.results.significant
    if matches is None or significant is None:
        return _needs(title, "the filter section (the filters' matches)")
    targets = significant["Target_ID"].astype(str)
    rows = []
    for motif in ctx.planted.motifs:
        hits = significant[targets == motif.name]
        best = matches.iloc[:0]
        if "best_match" in matches:
            best = matches[(matches["best_match"] == motif.name) & (matches["q-value"] <= FDR)]
        rows.append(
            {
                "motif": motif.name,
                "name": motif.alt_name,
                "n_filters": hits["Query_ID"].nunique(),
                "filters": " ".join(hits.sort_values("Query_ID")["Query_ID"].astype(str).unique()),
                "best_q-value": hits["q-value"].min() if len(hits) else np.nan,
                "best_match_of": " ".join(best["filter"]),
            }
        )
    table = pd.DataFrame(rows)
    parts = [
        f"<p>{int((table['n_filters'] > 0).sum())} of the {len(table)} planted motifs match at least one "
        f"first-layer filter (TOMTOM q &le; {FDR}); {int((table['best_match_of'] != '').sum())} are the best "
        "match of one (a filter may match a related factor's motif better).</p>",
    ]
    pattern_matches = ctx.results.pattern_matches
    if pattern_matches is not None and len(pattern_matches):  # the motifs section ran and found patterns
        named = pattern_matches[pattern_matches["q-value"] <= FDR]
        table["patterns"] = [
            " ".join(named.loc[named["Target_ID"].astype(str) == m, "pattern"].astype(str).unique())
            for m in table["motif"]
        ]
        parts.append(
            f"<p>{int((table['patterns'] != '').sum())} of the {len(table)} planted motifs match at least one "
            f"TF-MoDISco pattern (TOMTOM q &le; {FDR}; column patterns).</p>"
        )
    parts.append(
        table_html(table, "planted_motifs.tsv", max_rows=len(table), caption="Planted motifs and their filters")
    )
    tables = {"planted_motifs": table}
    top, values = ctx.results.top, ctx.results.attributions
    if top is not None and values is not None:
        auroc = attribution_auroc(values, ctx.X[top], ctx.planted.mask[top] >= 0)
        scores = pd.DataFrame({"sequence": np.array(ctx.names)[top], "attribution_auroc": auroc})
        parts.append(
            "<p>How well |attribution x input| ranks the planted positions above the background in the shown "
            "sequences (AUROC; 0.5 is chance, 1 perfect; Koo and Ploenzke 2021).</p>"
            + table_html(scores, "attribution_auroc.tsv", caption="Attribution AUROC")
        )
        tables["attribution_auroc"] = scores
    return Section(title, "".join(parts), tables)


SECTIONS: dict[str, SectionFunction] = {
    "model": model_summary,
    "filters": filters,
    "filter-influence": filter_influence,
    "motifs": motif_patterns,
    "attributions": attributions,
    "ground-truth": ground_truth,
    "ism": ism,
    "gia": gia,
}
"""Every section of :func:`eugene.report.build_report` by name, in the report's order. By default all of them run
but those in :data:`ON_REQUEST`, ``"ground-truth"`` only when ``build_report`` is given planted motifs."""

ON_REQUEST = ("motifs",)
"""Sections that run only when named in ``sections``: ``"motifs"`` attributes every sequence (once per motif task) and
runs TF-MoDISco, minutes where the other sections take seconds (the demo: see docs/report.md)."""
