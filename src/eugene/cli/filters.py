"""``eugene filters``: first-layer filter motifs, via ``eu.interpret.filter_pfms`` (logos: ``eu.plot.filter_logos``)."""

from __future__ import annotations

import argparse

from . import _common

HELP = "first-layer filter motifs (PFMs) as a MEME file, and their logos"
PARENTS = ("model", "sequences", "compute")
EXAMPLE = f"eugene filters {_common.EXAMPLE_MODEL} --sequences seqs.fa --out filters.meme --logos filters.png"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--layer", help="convolutional layer by qualified name (default: the first Conv1d)")
    parser.add_argument("--threshold", type=float, help="fraction of the maximum activation that makes a site (0.5)")
    parser.add_argument("--out", required=True, metavar="FILE.meme", help="MEME motif file")
    parser.add_argument("--logos", metavar="FIGURE", help="also draw the logos to FIGURE (.png, .svg, .pdf)")


def run(args: argparse.Namespace) -> int:
    from eugene import interpret, motifs, plot

    model = _common.load_model(args)
    _, X = _common.names_and_onehot(_common.read_sequences(args), args.alphabet)
    pfms = interpret.filter_pfms(
        model, X, args.layer, args.threshold, alphabet=args.alphabet, min_sites=1, **_common.compute_kwargs(args)
    )
    if len(pfms) == 0:
        raise ValueError("no filter is activated by any of the sequences; nothing to write")
    out = _common.output(args.out)
    motifs.write_meme(pfms, out)
    if args.logos:
        _common.save_figure(plot.filter_logos(pfms), args.logos)
    return _common.done(out)
