"""``eugene tomtom``: compare motifs with motif databases, via ``eu.motifs.tomtom``."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import _common

HELP = "compare motifs with motif databases (TOMTOM); writes a TSV table"
PARENTS = ()
EXAMPLE = (
    "eugene tomtom filters.meme --out matches.tsv            # against JASPAR 2024 (offline)\n"
    "  eugene tomtom filters.meme --db Ray2013_rbp_RNA.meme --thresh 0.05 --out matches.tsv"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", metavar="QUERY", help="motif file (MEME, JASPAR, HOMER, TRANSFAC)")
    parser.add_argument(
        "--db", action="append", metavar="FILE", help="target motif file, repeatable (default: JASPAR 2024, offline)"
    )
    parser.add_argument("--dist", choices=("pearson", "ed", "sandelin"), default="pearson", help="column score")
    parser.add_argument(
        "--thresh", type=float, default=0.5, help="keep matches with q-value at most this (default 0.5)"
    )
    parser.add_argument(
        "--evalue", action="store_true", help="--thresh is an E-value threshold instead of a q-value one"
    )
    parser.add_argument(
        "--min-overlap",
        type=_common.positive_int,
        default=1,
        metavar="N",
        help="fewest columns an alignment must overlap (default 1)",
    )
    parser.add_argument(
        "--motif-pseudo",
        type=_common.non_negative_float,
        default=0.1,
        metavar="X",
        help="pseudocount added to the motifs' columns (default 0.1, as MEME's tomtom)",
    )
    parser.add_argument(
        "--single-strand",
        dest="both_strands",
        action="store_false",
        help="compare with the targets as given only, not also with their reverse complements",
    )
    parser.add_argument(
        "--background",
        type=_frequencies,
        metavar="F1,F2,...",
        help="letter background for the pseudocount, one frequency per letter (default: the query file's, else "
        "uniform)",
    )
    parser.add_argument("--out", required=True, metavar="FILE.tsv", help="table with MEME tomtom's columns")


def _frequencies(text: str) -> list[float]:
    """``--background 0.3,0.2,0.2,0.3``: one frequency per letter (checked against the alphabet by tomtom)."""
    try:
        return [_common.non_negative_float(part) for part in text.split(",")]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated frequencies >= 0 (0.3,0.2,0.2,0.3); got {text!r}"
        ) from None


def run(args: argparse.Namespace) -> int:
    from eugene import motifs

    if not Path(args.query).is_file():
        raise FileNotFoundError(f"QUERY: no such file {args.query!r}")
    target = args.db if args.db else motifs.jaspar()
    hits = motifs.tomtom(
        args.query,
        target,
        dist=args.dist,
        min_overlap=args.min_overlap,
        thresh=args.thresh,
        evalue=args.evalue,
        motif_pseudo=args.motif_pseudo,
        both_strands=args.both_strands,
        background=args.background,
        verbose=False if args.quiet else None,
    )
    out = _common.output(args.out)
    hits.to_csv(out, sep="\t", index=False)
    return _common.done(out)
