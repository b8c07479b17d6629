"""Variant effects: model predictions for reference and alternative alleles, their difference and log fold change,
and optionally the attributions of both alleles and their difference.

Variants come either as edits of given sequences (``X`` and ``seq, pos, alt``) or from a VCF and a genome (``genome=``,
windows cut by :func:`eugene.genome.variant_windows`). Both follow one alignment rule, anchored at the variant's start:
columns left of the variant and the variant's first column are the same genome positions in the ref and the alt
sequence; right of the variant, an insertion pushes the flank right (cut at the end) and a deletion pulls it left
(filled from the genome, or with N when editing ``X``). So the alt sequence's column ``j`` right of the variant is the
ref sequence's column ``j - (len(alt) - len(ref))``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch
from torch import nn

from .._validate import describe
from ..seq import decode, one_hot
from ._engine import Run, Target
from .attribution import METHODS, REGISTRY, attribute
from .references import make_references

__all__ = ["VariantAttributions", "variant_effect"]

_COLUMNS = ("seq", "pos", "ref", "alt")
_SCORES = ("ref_pred", "alt_pred", "diff", "log2_fc")


@dataclass
class VariantAttributions:
    """What :func:`variant_effect` returns when asked for ``attributions``.

    Attributes
    ----------
    table
        The scores, one row per variant, as :func:`variant_effect` returns without attributions.
    ref, alt
        Attributions (n, A, L) of each variant's ref and alt sequence (row ``i`` is ``table`` row ``i``), each in its
        own sequence's columns (see the module's alignment rule), numpy or torch as ``X`` was (numpy from a genome).
        Rows of variants skipped with ``on_mismatch="skip"`` are NaN.
    diff
        ``alt - ref``, column by column: the variant's own columns and the left flank compare like for like; right of
        an indel the two are shifted by ``len(alt) - len(ref)``.
    X_ref, X_alt
        The one-hot ref and alt sequences (n, A, L) that were attributed (all zero for skipped variants).
    """

    table: pd.DataFrame
    ref: Any
    alt: Any
    diff: Any
    X_ref: Any
    X_alt: Any


def _as_table(variants: Any) -> pd.DataFrame:
    if isinstance(variants, pd.DataFrame):
        table = variants.copy()
    elif isinstance(variants, (list, tuple)) and all(isinstance(v, (list, tuple)) for v in variants):
        if not all(len(v) in (3, 4) for v in variants):
            raise ValueError("variants as tuples must be (seq, pos, alt) or (seq, pos, ref, alt)")
        table = pd.DataFrame(
            [(v[0], v[1], None, v[2]) if len(v) == 3 else tuple(v) for v in variants], columns=list(_COLUMNS)
        )
    else:
        raise TypeError(
            "variants must be a DataFrame with columns seq, pos, alt (and optionally ref) or a list of "
            f"(seq, pos, alt) / (seq, pos, ref, alt) tuples; got {describe(variants)}"
        )
    missing = [c for c in ("seq", "pos", "alt") if c not in table]
    if missing:
        raise ValueError(f"variants is missing columns {missing}; it has {list(table.columns)}")
    if "ref" not in table:
        table["ref"] = None
    return table.reset_index(drop=True)


def _edit(sequence: str, pos: int, ref: str, alt: str) -> str:
    """``sequence`` with ``ref`` at ``pos`` replaced by ``alt``, kept at the same length (see variant_effect)."""
    edited = sequence[:pos] + alt + sequence[pos + len(ref) :]
    if len(edited) > len(sequence):
        return edited[: len(sequence)]
    return edited + "N" * (len(sequence) - len(edited))


def _edited_sequences(Xt: torch.Tensor, table: pd.DataFrame, alphabet: str) -> list[str]:
    """The alt sequence of each variant of ``table`` (rows of X edited), REF checked against X and filled in."""
    sequences = decode(Xt, alphabet)
    length = Xt.shape[2]
    edited = []
    for i, row in table.iterrows():
        seq, pos, alt = row["seq"], row["pos"], "" if row["alt"] in ("-", None) else str(row["alt"])
        if isinstance(seq, bool) or not (isinstance(seq, (int, np.integer)) and 0 <= seq < len(Xt)):
            raise ValueError(f"variants row {i}: seq must be a row of X in [0, {len(Xt)}); got {seq!r}")
        if isinstance(pos, bool) or not (isinstance(pos, (int, np.integer)) and 0 <= pos < length):
            raise ValueError(f"variants row {i}: pos must be in [0, {length}); got {pos!r}")
        observed = sequences[seq]
        ref = observed[pos] if row["ref"] is None or pd.isna(row["ref"]) else str(row["ref"])
        if observed[pos : pos + len(ref)].upper() != ref.upper():
            raise ValueError(
                f"variants row {i}: ref {ref!r} does not match X[{seq}] at {pos}: {observed[pos : pos + len(ref)]!r}"
            )
        table.loc[i, "ref"] = ref
        edited.append(_edit(observed, int(pos), ref, alt))
    return edited


def _model_length(model: nn.Module, length: int | None) -> int:
    if length is not None:
        return length
    seq_len = getattr(model, "seq_len", None)
    if isinstance(seq_len, (int, np.integer)) and not isinstance(seq_len, bool):
        return int(seq_len)
    raise ValueError(
        f"length (the window around each variant) is needed with genome: the model ({type(model).__name__}) has no "
        "integer seq_len attribute to take it from; pass length=, the input length the model was trained on"
    )


def _from_genome(
    model: nn.Module, X: Any, variants: Any, genome: Any, length: int | None, on_mismatch: str, alphabet: str
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Table of every variant (skipped ones with their reason), ref and alt windows of the kept ones, and their rows."""
    from eugene.genome import variant_windows

    if X is not None:
        raise ValueError(
            f"give X (sequences whose rows the variants edit) or genome (windows cut around VCF variants), not both; "
            f"got X={describe(X)} and genome={genome!r}"
        )
    length = _model_length(model, length)
    windows = variant_windows(variants, genome, length, on_mismatch=on_mismatch, alphabet=alphabet)
    kept = windows.variants.assign(skipped=None)
    table = pd.concat([kept, windows.skipped.rename(columns={"reason": "skipped"})]).sort_index()
    table["start"] = table["pos"].to_numpy(dtype=np.int64) - 1 - length // 2
    table["end"] = table["start"] + length
    return table.reset_index(drop=True), windows.ref, windows.alt, kept.index.to_numpy()


def _scores(table: pd.DataFrame, ref_pred: np.ndarray, alt_pred: np.ndarray, rows: np.ndarray) -> pd.DataFrame:
    """``table`` with the four score columns; one row per variant and output (column ``target``) for (n, T) preds."""
    n = len(table)
    if ref_pred.ndim == 2:
        n_targets = ref_pred.shape[1]
        table = table.loc[table.index.repeat(n_targets)].reset_index(drop=True)
        table.insert(len(table.columns), "target", np.tile(np.arange(n_targets), n))
        rows = (rows[:, None] * n_targets + np.arange(n_targets)).ravel()
        ref_pred, alt_pred = ref_pred.ravel(), alt_pred.ravel()
    for column, values in (("ref_pred", ref_pred), ("alt_pred", alt_pred)):
        table[column] = np.nan
        table.loc[rows, column] = values
    table["diff"] = table["alt_pred"] - table["ref_pred"]
    positive = (table["ref_pred"] > 0) & (table["alt_pred"] > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["log2_fc"] = np.where(positive, np.log2(table["alt_pred"] / table["ref_pred"]), np.nan)
    return table


def _as_rows(prediction: torch.Tensor, target: Target | None) -> np.ndarray:
    """Predictions as (n,) for a target, or (n, T) for target=None (each output of a (n, T) or (n,) output)."""
    values = prediction.double().cpu().numpy()
    if target is not None:
        return values
    if values.ndim == 1:
        return values[:, None]
    if values.ndim != 2:
        raise ValueError(
            f"target=None scores every output of a model whose output has shape (N, T); this model's has shape "
            f"{tuple(values.shape)}: give target (an index, indices summed, or a callable)"
        )
    return values


def _check_attributions(method: Any, target: Target | None, options: Any) -> dict[str, Any]:
    """The attribution arguments checked before anything is computed; the options as a dict."""
    if method is None:
        return {}
    if not isinstance(method, str) or method not in REGISTRY:
        raise ValueError(f"attributions must be None or one of {list(METHODS)}; got {method!r}")
    if target is None:
        raise ValueError("attributions need one target (an index, indices summed, or a callable); got target=None")
    options = {} if options is None else options
    if not isinstance(options, dict):
        raise TypeError(
            f"attribution_options must be a dict of attribute()'s keyword arguments; got {describe(options)}"
        )
    if "return_delta" in options:
        raise ValueError("attribution_options may not hold return_delta: variant_effect returns attributions only")
    return options


def _attributions(
    model: nn.Module,
    X_ref: torch.Tensor,
    X_alt: torch.Tensor,
    method: str,
    target: Target,
    options: dict[str, Any],
    seed: int | None,
    compute: dict[str, Any],
) -> tuple[Any, Any]:
    """Attributions of the ref and alt rows, against the same references (made from the ref rows) and the same seed."""
    record = REGISTRY[method]
    options = dict(options)
    if record.custom_references:
        references = options.pop("references", None)
        n_references = options.pop("n_references", 20)
        references = record.references if references is None else references
        if isinstance(references, str) or callable(references):
            n = 1 if record.one_reference else n_references
            references = make_references(X_ref, references, n=n, seed=seed)
        options["references"] = references
    ref = attribute(model, X_ref, method, target, seed=seed, **compute, **options)
    alt = attribute(model, X_alt, method, target, seed=seed, **compute, **options)
    return ref, alt


def _nan_rows(values: torch.Tensor, rows: np.ndarray, n: int, fill: float) -> torch.Tensor:
    """``values`` (k, A, L) placed at ``rows`` of an (n, A, L) tensor filled with ``fill``."""
    out = torch.full((n, *values.shape[1:]), fill, dtype=values.dtype)
    out[torch.tensor(rows, dtype=torch.long)] = values.cpu()
    return out


def variant_effect(
    model: nn.Module,
    X: Any = None,
    variants: Any = None,
    target: Target | None = 0,
    *,
    genome: Any = None,
    length: int | None = None,
    on_mismatch: Literal["error", "skip"] = "error",
    attributions: str | None = None,
    attribution_options: dict[str, Any] | None = None,
    seed: int | None = 0,
    alphabet: str = "DNA",
    batch_size: int = 256,
    device: str | torch.device | None = None,
    verbose: bool | None = None,
) -> pd.DataFrame | VariantAttributions:
    """Predictions for the reference and alternative allele of each variant, their difference and log2 fold change;
    with ``attributions``, also the attributions of both alleles and their difference.

    Parameters
    ----------
    model
        A torch module taking (N, A, L) one-hot input.
    X
        Reference sequences (N, A, L), numpy or torch, any real dtype (predicted in the model's dtype); None with
        ``genome``.
    variants
        Without ``genome``: a DataFrame with columns ``seq`` (row of X), ``pos`` (0-based), ``alt`` and optionally
        ``ref``; or a list of ``(seq, pos, alt)`` / ``(seq, pos, ref, alt)`` tuples. SNVs have one-letter alleles.
        Indels: ``ref`` is the replaced reference allele (checked against X; default: the one base at ``pos``) and
        ``alt`` its replacement (``""`` or ``"-"`` for a deletion). The edited sequence keeps length L: an insertion
        pushes bases off the right end; a deletion pads the right end with N (an all-zero column).
        With ``genome``: a VCF path or a table as :func:`eugene.genome.read_vcf` gives (``chrom, pos`` 1-based,
        ``ref, alt``); multi-allelic records are split into one variant per ALT allele.
    target
        Output to read (an index, a list of indices summed, or a callable giving (N,)); None scores every output of a
        model with output (N, T) separately: the table then has one row per variant and output, with column
        ``target``.
    genome
        A genome FASTA path or :class:`eugene.genome.Genome`: each variant is scored in a window of ``length``
        around it, cut by :func:`eugene.genome.variant_windows`: its first REF base at column ``length // 2``, the
        alt window with REF replaced by ALT and the genome's right flank after it (so an indel keeps the length).
        REF is checked against the genome.
    length
        Window length with ``genome``; default the model's ``seq_len`` attribute (every bundled architecture has one).
    on_mismatch
        With ``genome``: ``"error"`` (default) raises a ValueError naming the first variant whose REF differs from
        the genome (or whose ALT is symbolic, such as ``<DEL>``), by ``CHROM:POS REF>ALT`` and its VCF line;
        ``"skip"`` scores the others and keeps the skipped variants in the table with NaN scores and the reason in
        column ``skipped``.
    attributions
        None (default), or a method of :func:`eugene.interpret.attribute` (``"deeplift_shap"``, ``"ism"``, ...):
        attribute the ref and the alt sequence of every variant to ``target``. Methods with references use the same
        references for both alleles, made from the ref sequence (``attribution_options`` ``references`` /
        ``n_references``, as in ``attribute``; an array of references is one per variant, used for both), and both
        calls get the same ``seed``; so for exact methods (deeplift, deeplift_shap) ``diff`` sums to
        ``alt_pred - ref_pred``.
    attribution_options
        Further keyword arguments of :func:`eugene.interpret.attribute` (``references``, ``n_references``,
        ``hypothetical``, ``n_steps``, ...).
    seed
        Seed of the references and of random methods (default 0: the same call gives the same numbers; None: fresh
        randomness).
    alphabet, batch_size, device, verbose
        The alphabet of the letters, batching, device and progress bar.

    Returns
    -------
    DataFrame or VariantAttributions
        The variants with ``ref_pred``, ``alt_pred``, ``diff = alt_pred - ref_pred`` and ``log2_fc =
        log2(alt_pred / ref_pred)`` (NaN where either prediction is not positive). With ``genome``, the table is the
        VCF's variants (``chrom, pos, id, ref, alt, ...``) with ``start`` / ``end``, the ref window on the genome
        (0-based, end exclusive), and ``skipped``. With ``attributions``: a :class:`VariantAttributions` holding
        that table and the (n, A, L) arrays ``ref``, ``alt``, ``diff = alt - ref`` (each sequence in its own columns:
        left of the variant and at its first base the columns compare like for like; right of an indel, the alt's
        column ``j`` is the ref's ``j - (len(alt) - len(ref))``), and the one-hot ``X_ref``, ``X_alt``.

    Examples
    --------
    >>> import eugene as eu
    >>> model = eu.models.build("deepbind", seq_len=100).eval()       # stand-in for your trained model
    >>> X = eu.seq.one_hot(["ACGT" * 25, "GGCC" * 25])
    >>> table = variant_effect(model, X, [(0, 10, "A"), (1, 20, "G", "T")])   # (seq, pos, alt) or (seq, pos, ref, alt)
    >>> list(table.columns[-4:])
    ['ref_pred', 'alt_pred', 'diff', 'log2_fc']
    >>> result = variant_effect(model, X, [(0, 10, "A")], attributions="ism")
    >>> result.diff.shape, bool((result.diff == result.alt - result.ref).all())
    ((1, 4, 100), True)
    """
    options = _check_attributions(attributions, target, attribution_options)
    if genome is not None:
        table, ref_X, alt_X, rows = _from_genome(model, X, variants, genome, length, on_mismatch, alphabet)
        run = Run(model, ref_X, target, batch_size=batch_size, device=device, verbose=verbose, raw=target is None)
        Xt, seq_rows = run.X.cpu(), np.arange(len(rows))
        X_alt = torch.from_numpy(alt_X).to(run.dtype)
    else:
        if variants is None:
            raise TypeError("variant_effect needs variants (and X, or genome with a VCF as variants); got none")
        run = Run(model, X, target, batch_size=batch_size, device=device, verbose=verbose, raw=target is None)
        Xt = run.X.cpu()
        table = _as_table(variants)
        edited = _edited_sequences(Xt, table, alphabet)
        X_alt = torch.from_numpy(one_hot(edited, alphabet)).to(run.dtype) if edited else Xt[:0]
        seq_rows, rows = table["seq"].to_numpy(dtype=np.int64), np.arange(len(table))
    with run:
        ref_pred = _as_rows(run.predict(Xt), target)[seq_rows]
        alt_pred = _as_rows(run.predict(X_alt, desc="variant effects"), target)
    table = _scores(table, ref_pred, alt_pred, rows)
    if attributions is None:
        return table
    X_ref = Xt[torch.tensor(seq_rows, dtype=torch.long)]
    compute = {"batch_size": batch_size, "device": device, "verbose": verbose}
    ref, alt = _attributions(model, X_ref, X_alt, attributions, target, options, seed, compute)
    n = len(table)
    arrays = [_nan_rows(a, rows, n, np.nan) for a in (ref, alt)]
    arrays += [arrays[1] - arrays[0], *(_nan_rows(x, rows, n, 0.0) for x in (X_ref, X_alt))]
    return VariantAttributions(table, *(run.output(a) for a in arrays))
