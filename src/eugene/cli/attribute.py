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


def _reference_kinds() -> tuple[str, ...]:
    from eugene.interpret.references import KINDS

    return KINDS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--method",
        choices=_common.LazyChoices(_common.attribution_methods),
        default="deeplift_shap",
        metavar="METHOD",
        help="attribution method: %(choices)s (default deeplift_shap; the capitalised names are Captum's and "
        "EUGENe's for the same methods)",
    )
    _common.target_option(parser)
    _common.store_options(parser, "attributions")
    group = parser.add_argument_group("method options (eu.interpret.attribute; each applies to the methods named)")
    group.add_argument(
        "--references",
        choices=_common.LazyChoices(_reference_kinds),
        metavar="KIND",
        help="references of integrated_gradients, deeplift, deeplift_shap: %(choices)s (default: the method's, "
        "dinucleotide_shuffle for deeplift_shap, zero for the others)",
    )
    group.add_argument(
        "--n-references",
        type=_common.positive_int,
        metavar="N",
        help="references per sequence for deeplift_shap and integrated_gradients (default 20)",
    )
    group.add_argument(
        "--hypothetical",
        action="store_true",
        help="hypothetical contributions (every letter at every position, as TF-MoDISco takes) of input_x_gradient, "
        "integrated_gradients, deeplift, deeplift_shap",
    )
    group.add_argument(
        "--gradient-correction",
        action="store_true",
        help="subtract each position's mean over the alphabet from the gradient (Majdandzic et al. 2023)",
    )
    group.add_argument(
        "--n-steps", type=_common.positive_int, metavar="N", help="integrated_gradients nodes (default 50)"
    )
    group.add_argument(
        "--n-samples", type=_common.positive_int, metavar="N", help="smoothgrad noisy copies (default 25)"
    )
    group.add_argument(
        "--noise",
        type=_common.non_negative_float,
        metavar="SD",
        help="smoothgrad noise standard deviation (default 0.15)",
    )


def _method_options(args: argparse.Namespace) -> dict:
    """The method options given on the command line, as keywords of eu.interpret.attribute; those not given are not
    passed (the API's defaults apply, and a store's record of the call stays what it was without them)."""
    options = {name: True for name in ("hypothetical", "gradient_correction") if getattr(args, name)}
    given = ("references", "n_references", "n_steps", "n_samples", "noise")
    return options | {name: getattr(args, name) for name in given if getattr(args, name) is not None}


def run(args: argparse.Namespace) -> int:
    from eugene.interpret import attribute_sdata
    from eugene.interpret.attribution import method_name

    method = method_name(args.method)  # an alias (DeepLiftShap) computes and stores as its method (deeplift_shap)
    kw = {"method": method, "target": args.target, "seed": args.seed, **_method_options(args)}
    return _common.per_sequence(args, "attributions", attribute_sdata, f"{method}_attrs", **kw)
