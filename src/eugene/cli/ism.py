"""``eugene ism``: in silico saturation mutagenesis of every sequence, via ``eu.interpret.ism_sdata``."""

from __future__ import annotations

import argparse

from . import _common

HELP = "in silico saturation mutagenesis of every sequence, as npz or zarr"
PARENTS = ("model", "sequences", "compute")
EXAMPLE = (
    "eugene ism --model model.torchscript.pt --sequences peaks.seq.gz --target 0 --out ism.npz\n"
    "  eugene ism --model model.torchscript.pt --sequences peaks.zarr --chunk-size 1000 --out ism.zarr   # resumable\n"
    "  eugene ism --model model.torchscript.pt --sequences peaks.fa --start 450 --end 550 --fast no --out ism.npz"
)

# --fast: the values of ism's ``fast``
FAST = {"auto": "auto", "yes": True, "no": False, "taylor": "taylor"}


def position(text: str) -> int:
    """``--start`` / ``--end``: an integer position, negative counting from the end (Python slice semantics)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an integer position (negative counts from the end); got {text!r}"
        ) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _common.target_option(parser)
    group = parser.add_argument_group("mutagenesis")
    group.add_argument(
        "--start", type=position, metavar="POS", help="mutate only positions from POS on (0-based; default 0)"
    )
    group.add_argument(
        "--end", type=position, metavar="POS", help="mutate only positions before POS (default: the sequence's end)"
    )
    group.add_argument(
        "--fast",
        choices=tuple(FAST),
        default="auto",
        help="auto (default): the faster exact path by a cost estimate, the same choice for the same shapes; yes: "
        "the exact fast path (an error when the model cannot use it); no: naive ISM; taylor: the first-order "
        "Taylor approximation (approximate)",
    )
    group.add_argument(
        "--centre-effects",
        action="store_true",
        help="subtract the mean over the alphabet at each position (ism's centre=True; --centre is the window "
        "centre of --regions)",
    )
    group.add_argument(
        "--log-ratio",
        action="store_true",
        help="log f(mutant) - log f(sequence) instead of the difference (needs positive outputs)",
    )
    _common.store_options(parser, "ism")


def run(args: argparse.Namespace) -> int:
    from eugene.interpret import ism_sdata

    kw = {
        "target": args.target,
        "start": args.start,
        "end": args.end,
        "fast": FAST[args.fast],
        "centre": args.centre_effects,
        "log_ratio": args.log_ratio,
        **_common.compute_kwargs(args),
    }
    return _common.per_sequence(args, "ism", ism_sdata, "ism_attrs", **kw)
