"""``eugene attribute``: attribution maps of every sequence, via ``eu.interpret.attribute_sdata``."""

from __future__ import annotations

import argparse

from . import _common

HELP = "attribution maps (DeepLiftShap by default) of every sequence, as npz or zarr"
PARENTS = ("model", "sequences", "compute")
EXAMPLE = (
    f"eugene attribute {_common.EXAMPLE_MODEL} --sequences seqs.fa.gz --method deeplift_shap --out attr.npz\n"
    "  eugene attribute --model model.torchscript.pt --regions peaks.narrowPeak --genome hg38.fa --length 1000 "
    "--out attr.zarr"
)


def _methods() -> tuple[str, ...]:
    from eugene.interpret.attribution import METHODS  # the registry of attribution methods

    return METHODS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--method",
        choices=_common.LazyChoices(_methods),
        default="deeplift_shap",
        metavar="METHOD",
        help="attribution method: %(choices)s (default deeplift_shap)",
    )
    _common.target_option(parser)
    _common.store_options(parser, "attributions")


def run(args: argparse.Namespace) -> int:
    from eugene.interpret import attribute_sdata

    kw = {"method": args.method, "target": args.target, "seed": args.seed, **_common.compute_kwargs(args)}
    return _common.per_sequence(args, "attributions", attribute_sdata, f"{args.method}_attrs", **kw)
