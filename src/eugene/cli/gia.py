"""``eugene gia``: global importance analysis of motifs implanted into backgrounds, via
``eu.interpret.gia_positional`` on ``eu.interpret.dinucleotide_backgrounds`` (curves: ``eu.plot.gia_curve``)."""

from __future__ import annotations

import argparse
from typing import Any

from . import _common

HELP = "global importance analysis of a motif inserted into background sequences"
PARENTS = ("model", "sequences", "compute")
EXAMPLE = f"eugene gia {_common.EXAMPLE_MODEL} --sequences seqs.fa --motif CCATATATGG --out gia.tsv --plot gia.svg"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--motif",
        required=True,
        action="append",
        help="motif to implant, repeatable: letters (CCATATATGG), jaspar:MA0083.3, or FILE:ID of a motif file",
    )
    parser.add_argument(
        "--backgrounds",
        type=_common.positive_int,
        default=64,
        metavar="N",
        help="number of backgrounds: dinucleotide shuffles of N sequences drawn at random (default 64)",
    )
    parser.add_argument("--step", type=_common.positive_int, default=1, help="implant at every STEP-th position")
    parser.add_argument(
        "--positions",
        type=_common.int_list,
        metavar="P1,P2,...",
        help="implant at these start positions only (comma-separated; instead of every --step-th)",
    )
    _common.target_option(parser)
    parser.add_argument("--out", required=True, metavar="FILE.tsv", help="table of the mean effect by position")
    parser.add_argument("--plot", metavar="FIGURE", help="also draw the curves to FIGURE (.png, .svg, .pdf)")


def _motif(spec: str) -> Any:
    """``--motif``: letters (``CCATATATGG``), ``jaspar:MA0083.3``, or ``FILE:ID`` for a motif in a motif file."""
    from eugene import motifs

    source, sep, motif_id = spec.rpartition(":")
    if not sep:
        return spec
    database = motifs.jaspar() if source.lower() == "jaspar" else motifs.read_motifs(source)
    if motif_id not in database.names:
        raise ValueError(f"--motif {spec!r}: no motif {motif_id!r} in {source}")
    return database[motif_id]


def run(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd

    from eugene import interpret, plot

    model = _common.load_model(args)
    sdata = _common.read_sequences(args)
    n = sdata.sizes[_common.SEQ_DIM]
    pick = np.sort(np.random.default_rng(args.seed).choice(n, size=min(n, args.backgrounds), replace=False))
    _, X = _common.names_and_onehot(sdata.isel({_common.SEQ_DIM: pick}), args.alphabet)  # only the picked rows
    backgrounds = interpret.dinucleotide_backgrounds(X, n=1, seed=args.seed)
    curves = {}
    for spec in args.motif:
        _, curves[spec] = interpret.gia_positional(
            model, backgrounds, _motif(spec), args.positions, target=args.target, step=args.step, seed=args.seed,
            **_common.compute_kwargs(args),
        )  # fmt: skip
    out = _common.output(args.out)
    table = pd.concat([c.assign(motif=m) for m, c in curves.items()], ignore_index=True)
    table.to_csv(out, sep="\t", index=False)
    if args.plot:
        _common.save_figure(plot.gia_curve(table, hue="motif"), args.plot)
    return _common.done(out)
