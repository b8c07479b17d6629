"""``eugene motifs``: attributions -> seqlets -> TF-MoDISco patterns -> trimmed -> named by TOMTOM, in one run.

Hypothetical DeepLiftShap attributions (``eu.interpret.attribute_sdata``, written chunk by chunk into
``DIR/attributions.zarr``, so a rerun computes only what is missing), TF-MoDISco through modisco-lite
(``eu.interpret.modisco``), patterns trimmed by their CWM (``eu.motifs.trim``) and named by TOMTOM
(``eu.interpret.annotate_patterns``) against JASPAR or the given ``--db`` files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from . import _common

HELP = "motifs the model learned: DeepLiftShap -> TF-MoDISco patterns -> TOMTOM names (MEME, h5, TSV, BED)"
PARENTS = ("model", "sequences", "compute")
EXAMPLE = (
    f"eugene motifs {_common.EXAMPLE_MODEL} --sequences peaks.fa.gz --out motifs/   # named by JASPAR 2024\n"
    "  eugene motifs --model rbp.torchscript.pt --sequences sites.fa --alphabet RNA --db Ray2013_rbp_RNA.meme "
    "--out motifs/"
)
STORE = "attributions.zarr"  # the hypothetical attributions, resumable, inside --out


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1]; got {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _common.target_option(parser)
    parser.add_argument(
        "--pool-targets",
        action="store_true",
        help="with --target 0,1,...: explain each output on its own and give TF-MoDISco every sequence once per "
        "output (for multi-task models, one output per factor), instead of explaining the outputs' sum",
    )
    parser.add_argument(
        "--db",
        action="append",
        metavar="FILE",
        help="motif file (MEME, JASPAR, ...) to name the patterns by, repeatable (default: JASPAR 2024, offline); "
        "against RNA motifs (letters ACGU) only the given strand is compared",
    )
    parser.add_argument(
        "--n-matches", type=_common.positive_int, default=3, metavar="N", help="matches per pattern (default 3)"
    )
    parser.add_argument(
        "--out", required=True, metavar="DIR", help="output directory (rerun with the same DIR to resume)"
    )
    group = parser.add_argument_group("attributions (DeepLiftShap, hypothetical)")
    group.add_argument(
        "--n-references",
        type=_common.positive_int,
        default=20,
        metavar="N",
        help="dinucleotide-shuffled references per sequence (default 20)",
    )
    group.add_argument(
        "--chunk-size",
        type=_common.positive_int,
        default=1000,
        metavar="N",
        help="sequences computed and written to DIR/attributions.zarr at a time (default 1000)",
    )
    group.add_argument("--overwrite", action="store_true", help="recompute attributions already in DIR")
    group = parser.add_argument_group("TF-MoDISco (modisco-lite's TFMoDISco options, same names)")
    group.add_argument(
        "--sliding-window-size",
        type=_common.positive_int,
        default=21,
        metavar="N",
        help="width of the windows whose summed attribution makes a seqlet (default 21)",
    )
    group.add_argument(
        "--flank-size", type=_common.positive_int, default=10, metavar="N", help="seqlet flanks (default 10)"
    )
    group.add_argument(
        "--target-seqlet-fdr", type=_fraction, default=0.2, metavar="Q", help="seqlets' target FDR (default 0.2)"
    )
    group.add_argument(
        "--max-seqlets-per-metacluster",
        type=_common.positive_int,
        default=20000,
        metavar="N",
        help="seqlets clustered per sign at most (default 20000)",
    )
    group.add_argument(
        "--n-leiden-runs",
        type=_common.positive_int,
        default=2,
        metavar="N",
        help="Leiden clusterings per step (default 2, as modisco-lite's command line; its function's: 50)",
    )
    group.add_argument(
        "--final-min-cluster-size",
        type=_common.positive_int,
        default=20,
        metavar="N",
        help="seqlets a pattern needs (default 20)",
    )
    group.add_argument(
        "--trim-threshold",
        type=_fraction,
        default=0.3,
        metavar="F",
        help="patterns are trimmed to the columns whose total |CWM| reaches F of the largest (default 0.3, "
        "modisco-lite's) before they are named and written to patterns.meme",
    )


def _hypothetical(args: argparse.Namespace, model, sdata, out: Path):
    """(T, N, A, L) hypothetical attributions, one per explained target, computed into ``out/attributions.zarr``."""
    import numpy as np

    from eugene.interpret import attribute_sdata

    targets = args.target if args.pool_targets and isinstance(args.target, list) else [args.target]
    values = []
    for target in targets:
        label = "_".join(map(str, target)) if isinstance(target, list) else str(target)
        key = f"hypothetical_target_{label}"
        result = attribute_sdata(
            model,
            sdata,
            "deeplift_shap",
            key=key,
            alphabet=args.alphabet,
            target=target,
            hypothetical=True,
            n_references=args.n_references,
            seed=args.seed,
            store=out / STORE,
            chunk_size=args.chunk_size,
            overwrite=args.overwrite,
            copy=True,  # sdata unchanged: every target's store fingerprint sees the same coordinates
            **_common.compute_kwargs(args),
        )
        values.append(result[key].transpose(_common.SEQ_DIM, _common.OHE_DIM, ...).values)
    return targets, np.stack(values)


def _seqlets(patterns, names, sdata, targets, n: int):
    """Every trimmed pattern's seqlets: pattern, sequence (its row and name), start / end in the sequence and the
    seqlet's strand there; with genome coordinates (``--regions``) their place on the genome too."""
    import numpy as np
    import pandas as pd

    from eugene import genome

    parts = [p.seqlets.assign(pattern=p.name) for p in patterns]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["example_idx", "start", "end"])
    example = table["example_idx"].to_numpy(dtype=np.int64)
    out = pd.DataFrame(
        {
            "pattern": table.get("pattern", pd.Series(dtype=str)).to_numpy(),
            "example_idx": example % n,  # pooled targets: the arrays hold every sequence once per target
            "sequence": np.asarray(names)[example % n],
            "start": table["start"].to_numpy(dtype=np.int64),
            "end": table["end"].to_numpy(dtype=np.int64),
            "strand": table.get("strand", pd.Series(dtype=str)).to_numpy(),
        }
    )
    if len(targets) > 1:
        out.insert(3, "target", np.asarray([str(t) for t in targets], dtype=object)[example // n])
    if "chrom" not in sdata.variables:
        bed = out.rename(columns={"sequence": "chrom", "pattern": "name"})[["chrom", "start", "end", "name", "strand"]]
        return out, bed.assign(score=0)[["chrom", "start", "end", "name", "score", "strand"]]
    placed = genome.windows_to_genome(out[["example_idx", "start", "end"]], sdata)
    window_strand = placed["strand"].to_numpy()
    strand = np.where(window_strand == out["strand"].to_numpy(), "+", "-")  # the seqlet's strand on the genome
    out["chrom"], out["chromStart"], out["chromEnd"], out["genome_strand"] = (
        placed["chrom"].to_numpy(),
        placed["start"].to_numpy(),
        placed["end"].to_numpy(),
        strand,
    )
    bed = pd.DataFrame(
        {
            "chrom": out["chrom"],
            "start": out["chromStart"],
            "end": out["chromEnd"],
            "name": out["pattern"],
            "score": 0,
            "strand": strand,
        }
    )
    return out, bed


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from eugene import genome, interpret, motifs, seq

    if args.pool_targets and not isinstance(args.target, list):
        raise ValueError(f"--pool-targets needs --target with several outputs (0,1,2); got --target {args.target}")
    model = _common.load_model(args)
    sdata = _common.read_sequences(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names, X = _common.names_and_onehot(sdata, args.alphabet)
    targets, hypothetical = _hypothetical(args, model, sdata, out)
    n = len(X)
    patterns = interpret.modisco(
        np.concatenate([X] * len(targets)),
        hypothetical.reshape(-1, *X.shape[1:]),
        sliding_window_size=args.sliding_window_size,
        flank_size=args.flank_size,
        target_seqlet_fdr=args.target_seqlet_fdr,
        max_seqlets_per_metacluster=args.max_seqlets_per_metacluster,
        n_leiden_runs=args.n_leiden_runs,
        final_min_cluster_size=args.final_min_cluster_size,
        single_stranded=args.alphabet == "RNA",
        verbose=False,
    )
    if len(patterns) == 0:
        raise ValueError(
            f"TF-MoDISco found no pattern in {n} sequences; try more sequences, a larger --target-seqlet-fdr or a "
            f"smaller --final-min-cluster-size (the attributions are kept in {out / STORE}: a rerun computes only "
            "TF-MoDISco)"
        )
    motifs.write_modisco(patterns, out / "patterns.h5", window_size=X.shape[2])
    trimmed = motifs.trim(patterns, args.trim_threshold)
    letters = seq.get_alphabet(args.alphabet).letters  # RNA patterns are written with U
    motifs.write_meme(
        motifs.MotifSet(motifs.Motif(p.name, p.probs, alphabet=letters, nsites=p.nsites) for p in trimmed),
        out / "patterns.meme",
    )
    database = args.db if args.db else motifs.jaspar()
    matches = interpret.annotate_patterns(
        patterns, database, n_matches=args.n_matches, threshold=args.trim_threshold, verbose=not args.quiet
    )
    matches.to_csv(out / "matches.tsv", sep="\t", index=False)
    table, bed = _seqlets(trimmed, names, sdata, targets, n)
    table.to_csv(out / "seqlets.tsv", sep="\t", index=False)
    genome.write_bed(out / "seqlets.bed", bed)
    return _common.done(out)
