"""``eugene tracks``: a result store of genome windows as genome tracks, via ``eu.genome.write_bigwig`` /
``write_bed``."""

from __future__ import annotations

import argparse

from . import _common

HELP = "attributions in a zarr store (from --regions) as a bigWig track in genome coordinates, seqlets as BED"
PARENTS = ()
EXAMPLE = (
    "eugene tracks attr.zarr --genome hg38.fa --out attr.bw --merge mean --seqlets seqlets.bed --seqlet-merge max"
    "   # for IGV / UCSC"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "store", metavar="STORE", help="zarr store written by attribute / ism with --regions and --out DIR.zarr"
    )
    parser.add_argument("--out", required=True, metavar="FILE.bw", help="the bigWig file to write")
    parser.add_argument("--key", help="the result to write (default: the store's only result)")
    parser.add_argument(
        "--genome",
        metavar="FASTA",
        help="the genome of the regions: the observed bases the attributions are projected on (the store holds no "
        "sequences) and, without --chrom-sizes, the chromosome sizes",
    )
    parser.add_argument(
        "--chrom-sizes",
        metavar="FILE",
        help="chromosome sizes: a chrom.sizes or .fai file, or a FASTA (default: --genome)",
    )
    parser.add_argument(
        "--merge",
        choices=("mean", "max", "first"),
        default="mean",
        help="value of a base that overlapping windows cover: their mean (default), max, or the first window's",
    )
    parser.add_argument(
        "--seqlets",
        metavar="FILE.bed",
        help="also call seqlets on the projected attributions (eu.interpret.seqlets, recursive, default options; "
        "reads every window's projected values into memory) and write them as BED in genome coordinates",
    )
    parser.add_argument(
        "--seqlet-merge",
        choices=("none", "mean", "max", "first"),
        default="none",
        help="seqlets that overlap on the genome (overlapping windows call the same site) become one, spanning their "
        "union, with the mean score, the largest |score| (that seqlet's row) or the first (smallest p-value) "
        "seqlet's, plus a count n_merged (eu.genome.merge_intervals); default none: every window's seqlets as called",
    )


def _result_key(stored, store: str, key: str | None) -> str:
    results = sorted(str(k) for k, v in stored.data_vars.items() if "eugene_function" in v.attrs)
    if key is not None:
        if key not in results:
            raise ValueError(f"--key must name a result of {store!r}; got {key!r}; it has {results}")
        return key
    if len(results) != 1:
        raise ValueError(f"{store!r} holds {len(results)} results {results}; choose one with --key")
    return results[0]


def run(args: argparse.Namespace) -> int:
    import xarray as xr

    from eugene import genome

    sizes = args.chrom_sizes or args.genome
    if sizes is None:
        raise ValueError("tracks needs --genome FASTA (or --chrom-sizes FILE for (N, L) results)")
    stored = xr.open_zarr(args.store, consolidated=False)
    key = _result_key(stored, args.store, args.key)
    missing = [c for c in ("chrom", "chromStart", "chromEnd") if c not in stored.variables]
    if missing:
        raise ValueError(
            f"{args.store!r} has no genome coordinates ({', '.join(missing)} missing): make it with "
            "--regions BED --genome FASTA --length N"
        )
    values = stored[key]
    if _common.OHE_DIM in values.dims:  # (N, A, L) in any layout, the length dim named length or _length
        values = values.transpose(_common.SEQ_DIM, _common.OHE_DIM, ...)
        if "ohe_seq" in stored:  # the store is the input store: its own one-hot
            X, source = stored["ohe_seq"].transpose(*values.dims), None
        elif args.genome is None:
            raise ValueError(f"{key!r} has one value per base and letter: give --genome to project it on the bases")
        else:
            X, source = None, args.genome
    else:
        X, source = None, None
    out = _common.output(args.out)
    genome.write_bigwig(out, values, stored, sizes, X=X, genome=source, merge=args.merge)
    if args.seqlets is not None:
        _write_seqlets(args.seqlets, values, X, stored, source, args.seqlet_merge)
    return _common.done(out)


def _write_seqlets(path: str, values, X, stored, source, merge: str) -> None:
    """Seqlets of the projected attributions, placed on the genome: BED6 (score: the seqlet's attribution) plus
    example_idx and p_value (and n_merged when merged)."""
    from eugene import genome
    from eugene.interpret import seqlets

    scores = genome.observed_base_values(values, stored, X=X, genome=source)
    placed = genome.windows_to_genome(seqlets(scores), stored).rename(columns={"attribution": "score"})
    if merge != "none":
        placed = genome.merge_intervals(placed, merge)
    genome.write_bed(_common.output(path), placed)
