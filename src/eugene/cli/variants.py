"""``eugene variants``: variants of a VCF scored by the model in windows of the genome, via
``eu.interpret.variant_effect``; outputs through ``eu.genome.write_vcf``, ``variant_intervals`` and ``write_bed``."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import _common

HELP = "score the variants of a VCF (ref vs alt window of the genome) per model output, as TSV, VCF INFO and BED"
PARENTS = ("model", "compute")
EXAMPLE = (
    f"eugene variants {_common.EXAMPLE_MODEL} --vcf calls.vcf.gz --genome hg38.fa --out variant_scores "
    "--attributions deeplift_shap"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--vcf", required=True, metavar="FILE", help="the variants (VCF, plain, gzip or bgzip)")
    parser.add_argument("--genome", required=True, metavar="FASTA", help="the reference genome (plain or bgzipped)")
    parser.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="folder for scores.tsv (one row per variant and output), variants.vcf (INFO fields added), variants.bed, "
        "skipped.tsv (with --on-mismatch skip) and attributions.npz|.zarr (with --attributions)",
    )
    parser.add_argument(
        "--length",
        type=_common.positive_int,
        metavar="N",
        help="window around each variant, its first REF base at column N // 2 (default: the model's seq_len)",
    )
    parser.add_argument(
        "--target",
        type=_common.targets,
        help="score only this output (or indices 0,2,5 summed); default: every output of the model separately",
    )
    parser.add_argument(
        "--on-mismatch",
        choices=("error", "skip"),
        default="error",
        help="a REF that differs from the genome (or a symbolic ALT): stop with an error naming the record "
        "(default), or skip it, list it in skipped.tsv and score the others",
    )
    parser.add_argument(
        "--attributions",
        choices=_common.LazyChoices(_common.attribution_methods),
        metavar="METHOD",
        help="also attribute the ref and alt windows to the target (output 0 without --target), against the same "
        "references: %(choices)s",
    )
    parser.add_argument(
        "--attributions-format",
        choices=("npz", "zarr"),
        default="npz",
        help="attributions.npz (ref, alt, diff, X_ref, X_alt, names) or attributions.zarr (the same as variables "
        "over dims variant, _ohe, length); default npz",
    )
    parser.add_argument("--alphabet", choices=("DNA", "RNA"), default="DNA", help="alphabet of the model (default DNA)")


def _info(table, labels):
    """VCF INFO columns, one row per variant: EU_REF / EU_ALT / EU_DIFF / EU_LOG2FC with the target as suffix."""
    import pandas as pd

    columns = {"ref_pred": "EU_REF", "alt_pred": "EU_ALT", "diff": "EU_DIFF", "log2_fc": "EU_LOG2FC"}
    parts = []
    for label, rows in labels:
        part = table.loc[rows, list(columns)].reset_index(drop=True)
        parts.append(part.rename(columns={c: f"{key}_{label}" for c, key in columns.items()}))
    return pd.concat(parts, axis=1)


def _write_attributions(path: Path, result, names, fmt: str) -> Path:
    import numpy as np

    arrays = {"ref": result.ref, "alt": result.alt, "diff": result.diff, "X_ref": result.X_ref, "X_alt": result.X_alt}
    if fmt == "npz":
        out = path / "attributions.npz"
        np.savez_compressed(out, **arrays, names=np.asarray(names, dtype=str))
        return out
    import xarray as xr

    dims = ("variant", _common.OHE_DIM, "length")
    out = path / "attributions.zarr"
    dataset = xr.Dataset({k: (dims, v) for k, v in arrays.items()}, coords={"variant": np.asarray(names, dtype=str)})
    dataset.to_zarr(out, mode="w")
    return out


def _score(model, args: argparse.Namespace, **kw):
    """``variant_effect`` on the VCF, its on_mismatch hint in the command's words."""
    from eugene.interpret import variant_effect

    try:
        return variant_effect(model, variants=args.vcf, **kw)
    except ValueError as error:
        raise ValueError(str(error).replace("on_mismatch='skip'", "--on-mismatch skip")) from error


def run(args: argparse.Namespace) -> int:
    import warnings

    from eugene import genome

    model = _common.load_model(args)
    length = args.length or getattr(model, "seq_len", None)
    if not isinstance(length, int):
        raise ValueError(
            f"--length N is needed: the model ({type(model).__name__}) has no integer seq_len attribute to take the "
            "window length from"
        )
    kw = {
        "genome": args.genome,
        "length": length,
        "on_mismatch": args.on_mismatch,
        "alphabet": args.alphabet,
        "seed": args.seed,
        **_common.compute_kwargs(args),
    }
    result = None
    if args.attributions is not None and args.target is not None:  # one pass: the scores come with them
        result = _score(model, args, target=args.target, attributions=args.attributions, **kw)
        table = result.table
    else:
        table = _score(model, args, target=args.target, **kw)
        if args.attributions is not None:
            result = _score(model, args, target=0, attributions=args.attributions, **kw)
    out = _common.output(str(Path(args.out) / "scores.tsv")).parent
    scores = [c for c in ("target", "ref_pred", "alt_pred", "diff", "log2_fc") if c in table]
    variants = table.drop(columns=scores).drop_duplicates(subset=["line", "allele"]).reset_index(drop=True)
    if args.target is None:  # one row per variant and output: INFO keys per output
        labels = [(t, table.index[table["target"] == t]) for t in sorted(set(table["target"]))]
    else:
        target = args.target if isinstance(args.target, list) else [args.target]
        labels = [("_".join(map(str, target)), table.index)]
    table.to_csv(out / "scores.tsv", sep="\t", index=False, na_rep="NA")
    genome.write_vcf(out / "variants.vcf", variants, _info(table, labels))
    genome.write_bed(out / "variants.bed", genome.variant_intervals(table))
    skipped = variants[variants["skipped"].notna()]
    if len(skipped):
        skipped.to_csv(out / "skipped.tsv", sep="\t", index=False)
        warnings.warn(
            f"{len(skipped)} of {len(variants)} variants skipped (listed in {out / 'skipped.tsv'}); the first: "
            f"{skipped['skipped'].iloc[0]}",
            UserWarning,
            stacklevel=2,
        )
    if result is not None:
        names = genome.variant_intervals(result.table, score="pos")["name"]  # every row, skipped ones too
        _write_attributions(out, result, names, args.attributions_format)
    return _common.done(out)
