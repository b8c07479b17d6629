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
    parser.add_argument("--out", required=True, metavar="FILE.tsv", help="table with MEME tomtom's columns")


def run(args: argparse.Namespace) -> int:
    from eugene import motifs

    if not Path(args.query).is_file():
        raise FileNotFoundError(f"QUERY: no such file {args.query!r}")
    target = args.db if args.db else motifs.jaspar()
    hits = motifs.tomtom(args.query, target, dist=args.dist, thresh=args.thresh, verbose=not args.quiet)
    out = _common.output(args.out)
    hits.to_csv(out, sep="\t", index=False)
    return _common.done(out)
