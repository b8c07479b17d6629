"""``eugene ism``: in silico saturation mutagenesis of every sequence, via ``eu.interpret.ism_sdata``."""

from __future__ import annotations

import argparse

from . import _common

HELP = "in silico saturation mutagenesis of every sequence, as npz or zarr"
PARENTS = ("model", "sequences", "compute")
EXAMPLE = (
    "eugene ism --model model.torchscript.pt --sequences peaks.seq.gz --target 0 --out ism.npz\n"
    "  eugene ism --model model.torchscript.pt --sequences peaks.zarr --chunk-size 1000 --out ism.zarr   # resumable"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _common.target_option(parser)
    _common.store_options(parser, "ism")


def run(args: argparse.Namespace) -> int:
    from eugene.interpret import ism_sdata

    kw = {"target": args.target, **_common.compute_kwargs(args)}
    return _common.per_sequence(args, "ism", ism_sdata, "ism_attrs", **kw)
