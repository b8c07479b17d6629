"""``eugene report``: one self-contained HTML report, via ``eu.report.build_report``."""

from __future__ import annotations

import argparse

from . import _common

HELP = "one self-contained HTML report of what the model learned"
PARENTS = ("model", "sequences", "compute")
EXAMPLE = (
    f"eugene report {_common.EXAMPLE_MODEL} --sequences seqs.fa.gz --out report/\n"
    "  eugene report --model mypkg.lit:LitNet --weights last.ckpt --sequences peaks.seq.gz --db my_motifs.meme "
    "--out report/   # Lightning checkpoint"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _common.target_option(parser)
    parser.add_argument(
        "--db", action="append", metavar="FILE", help="motif file to match filters against, repeatable (default JASPAR)"
    )
    _common.report_options(parser)
    parser.add_argument(
        "--motif-task",
        type=motif_task,
        action="append",
        metavar="ID=OUTPUT",
        help="the output a known motif drives (MA0083.3=9), repeatable: GIA and filter influence then explain each "
        "motif's own output",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="directory for report.html and its tables")


def motif_task(text: str) -> tuple[str, int]:
    """``--motif-task ID=OUTPUT``: a motif ID of the databases and the index of its output."""
    motif, sep, output = text.rpartition("=")
    index = int(output) if output.isdigit() else -1
    if not sep or not motif or index < 0:
        raise argparse.ArgumentTypeError(
            f"expected ID=OUTPUT with OUTPUT an output index >= 0 (MA0083.3=9); got {text!r}"
        )
    return motif, index


def run(args: argparse.Namespace) -> int:
    from eugene.report import build_report

    model = _common.load_model(args)
    names, X = _common.names_and_onehot(_common.read_sequences(args), args.alphabet)
    path = build_report(
        model,
        X,
        args.out,
        names=list(names),
        alphabet=args.alphabet,
        target=args.target,
        databases=args.db,
        motif_tasks=dict(args.motif_task) if args.motif_task else None,
        model_label=args.model,
        **_common.report_kwargs(args),
    )
    return _common.done(path)
