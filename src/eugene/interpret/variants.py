"""Variant effects: model predictions for reference and alternative alleles, their difference and log fold change."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from .._validate import describe
from ..seq import decode, one_hot
from ._engine import Run, Target

__all__ = ["variant_effect"]

_COLUMNS = ("seq", "pos", "ref", "alt")


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


def variant_effect(
    model: nn.Module,
    X: Any,
    variants: Any,
    target: Target = 0,
    *,
    alphabet: str = "DNA",
    batch_size: int = 256,
    device: str | torch.device | None = None,
    verbose: bool = False,
) -> pd.DataFrame:
    """Predictions for the reference and alternative allele of each variant, their difference and log2 fold change.

    Parameters
    ----------
    model
        A torch module taking (N, A, L) one-hot input.
    X
        Reference sequences (N, A, L), numpy or torch, any real dtype (predicted in the model's dtype).
    variants
        A DataFrame with columns ``seq`` (row of X), ``pos`` (0-based), ``alt`` and optionally ``ref``; or a list of
        ``(seq, pos, alt)`` / ``(seq, pos, ref, alt)`` tuples. SNVs have one-letter alleles. Indels: ``ref`` is the
        replaced reference allele (checked against X; default: the one base at ``pos``) and ``alt`` its replacement
        (``""`` or ``"-"`` for a deletion). The edited sequence keeps length L: an insertion pushes bases off the
        right end; a deletion pads the right end with N (an all-zero column).
    target, alphabet, batch_size, device, verbose
        Output to read, the alphabet of the letters, batching, device and progress bar.

    Returns
    -------
    DataFrame
        The variants with ``ref_pred``, ``alt_pred``, ``diff = alt_pred - ref_pred`` and ``log2_fc =
        log2(alt_pred / ref_pred)`` (NaN where either prediction is not positive).

    Examples
    --------
    >>> import eugene as eu
    >>> model = eu.models.build("deepbind", seq_len=100).eval()       # stand-in for your trained model
    >>> X = eu.seq.one_hot(["ACGT" * 25, "GGCC" * 25])
    >>> table = variant_effect(model, X, [(0, 10, "A"), (1, 20, "G", "T")])   # (seq, pos, alt) or (seq, pos, ref, alt)
    >>> list(table.columns[-4:])
    ['ref_pred', 'alt_pred', 'diff', 'log2_fc']
    """
    run = Run(model, X, target, batch_size=batch_size, device=device, verbose=verbose)
    Xt = run.X.cpu()
    table = _as_table(variants)
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
    X_alt = torch.from_numpy(one_hot(edited, alphabet)).to(run.dtype) if edited else Xt[:0]
    with run:
        ref_pred = run.predict(Xt).double().numpy()
        alt_pred = run.predict(X_alt, desc="variant effects").double().numpy()
    table["ref_pred"] = ref_pred[table["seq"].to_numpy(dtype=int)]
    table["alt_pred"] = alt_pred
    table["diff"] = table["alt_pred"] - table["ref_pred"]
    positive = (table["ref_pred"] > 0) & (table["alt_pred"] > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["log2_fc"] = np.where(positive, np.log2(table["alt_pred"] / table["ref_pred"]), np.nan)
    return table
