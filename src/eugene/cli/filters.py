"""``eugene filters``: first-layer filter motifs, via ``eu.interpret.filter_pfms`` (logos: ``eu.plot.filter_logos``)."""

from __future__ import annotations

import argparse

from . import _common

HELP = "first-layer filter motifs (PFMs) as a MEME file, and their logos"
PARENTS = ("model", "sequences", "compute")
EXAMPLE = f"eugene filters {_common.EXAMPLE_MODEL} --sequences seqs.fa --out filters.meme --logos filters.png"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--layer", help="convolutional layer by qualified name (default: the first Conv1d)")
    parser.add_argument(
        "--threshold",
        type=_common.fraction,
        help="the fraction in [0, 1] of --rule that makes a site (default: the rule's, 0.5 for max_fraction, 0.65 for "
        "basset)",
    )
    parser.add_argument(
        "--rule",
        choices=("max_fraction", "basset"),
        default="max_fraction",
        help="a site: activation > threshold x max (max_fraction, DeepBind; default), or > mean + threshold x "
        "(max - mean) (basset)",
    )
    parser.add_argument(
        "--top-k", type=_common.positive_int, metavar="K", help="keep each filter's K highest-activating sites only"
    )
    parser.add_argument("--weighted", action="store_true", help="weight each site by its activation")
    parser.add_argument("--drop-edges", action="store_true", help="drop sites whose window crosses a sequence end")
    parser.add_argument(
        "--min-sites",
        type=_common.non_negative_int,
        default=1,
        metavar="N",
        help="leave out filters with fewer sites (default 1: a filter no sequence activates has no motif to write)",
    )
    parser.add_argument(
        "--reverse-complement",
        action="store_true",
        help="also scan the reverse complement of every sequence (strand-symmetric models)",
    )
    parser.add_argument("--out", required=True, metavar="FILE.meme", help="MEME motif file")
    parser.add_argument("--logos", metavar="FIGURE", help="also draw the logos to FIGURE (.png, .svg, .pdf)")


def run(args: argparse.Namespace) -> int:
    from eugene import interpret, motifs, plot

    model = _common.load_model(args)
    _, X = _common.names_and_onehot(_common.read_sequences(args), args.alphabet)
    pfms = interpret.filter_pfms(
        model,
        X,
        args.layer,
        args.threshold,
        args.rule,
        top_k=args.top_k,
        weighted=args.weighted,
        drop_edges=args.drop_edges,
        min_sites=args.min_sites,
        reverse_complement=args.reverse_complement,
        alphabet=args.alphabet,
        **_common.compute_kwargs(args),
    )
    if len(pfms) == 0:
        raise ValueError("no filter is activated by any of the sequences; nothing to write")
    out = _common.output(args.out)
    motifs.write_meme(pfms, out)
    if args.logos:
        _common.save_figure(plot.filter_logos(pfms), args.logos)
    return _common.done(out)
