"""``eugene demo``: the report (``eu.report.build_report``) on the bundled demo model and sequences."""

from __future__ import annotations

import argparse

from . import _common

HELP = "the report on the bundled demo model and sequences"
PARENTS = ("compute",)
EXAMPLE = "eugene demo --out demo_report"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="demo_report", metavar="DIR", help="output directory (default demo_report)")
    _common.report_options(parser)


def run(args: argparse.Namespace) -> int:
    from eugene.models import demo_sequences, load_demo_model
    from eugene.models.demo import demo_model_card
    from eugene.report import build_report

    model = load_demo_model(device=args.device)
    data = demo_sequences()
    planted = data.sites.groupby("sequence")["name"].agg(lambda names: ", ".join(sorted(set(names))))
    names = [f"heldout_{i} ({planted.get(i, 'no motif')})" for i in range(len(data.X))]
    path = build_report(
        model,
        data.X,
        args.out,
        names=names,
        target=list(range(data.y.shape[1])),  # the sum of all motif logits: every planted motif shows
        # GIA and filter influence explain each planted motif's own logit, not the sum
        motif_tasks={motif: output for output, motif in enumerate(demo_model_card()["motif_ids"])},
        model_label="eugene demo model (Basset-style, 12 planted JASPAR motifs)",
        planted=data,  # adds the "ground-truth" section
        **_common.report_kwargs(args),
    )
    return _common.done(path)
