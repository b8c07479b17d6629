"""The ``eugene`` command: a thin layer over the API (read files, call one public function, write its result).

Exit codes: 0 success, 2 usage error (bad or missing arguments), 1 runtime error (unreadable file, model that does not
fit the sequences, ...). Errors are printed as one line; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main", "build_parser"]

_SEQUENCE_FORMATS = ("auto", "fasta", "deepbind", "clip")
_DEEPBIND_SUFFIXES = (".seq", ".tsv", ".txt")

_EXAMPLE_MODEL = "--model mypkg.models:MyCNN --weights model.pt --model-arg n_outputs=1"
_EXAMPLES = {
    "attribute": f"eugene attribute {_EXAMPLE_MODEL} --sequences seqs.fa.gz --method deeplift_shap --out attr.npz",
    "ism": "eugene ism --model model.torchscript.pt --sequences peaks.seq.gz --target 0 --out ism.npz\n"
    "  eugene ism --model model.torchscript.pt --sequences peaks.zarr --chunk-size 1000 --out ism.zarr   # resumable",
    "filters": f"eugene filters {_EXAMPLE_MODEL} --sequences seqs.fa --out filters.meme --logos filters.png",
    "tomtom": "eugene tomtom filters.meme --out matches.tsv            # against JASPAR 2024 (offline)\n"
    "  eugene tomtom filters.meme --db Ray2013_rbp_RNA.meme --thresh 0.05 --out matches.tsv",
    "gia": f"eugene gia {_EXAMPLE_MODEL} --sequences seqs.fa --motif CCATATATGG --out gia.tsv --plot gia.svg",
    "report": f"eugene report {_EXAMPLE_MODEL} --sequences seqs.fa.gz --out report/\n"
    "  eugene report --model mypkg.lit:LitNet --weights last.ckpt --sequences peaks.seq.gz --db my_motifs.meme "
    "--out report/   # Lightning checkpoint",
    "demo": "eugene demo --out demo_report",
}


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors as one line (exit code 2) that points to --help."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _model_arg(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key.isidentifier():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, e.g. n_outputs=12; got {text!r}")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return value


def _common_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("run options")
    group.add_argument("--quiet", action="store_true", help="no progress bars")
    group.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    return parent


def _compute_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("compute options")
    group.add_argument("--device", help="where to compute: cpu, cuda, cuda:1 (default: cpu)")
    group.add_argument("--batch-size", type=_positive_int, default=128, help="sequences per batch (default 128)")
    group.add_argument("--seed", type=int, default=0, help="seed of every random step (default 0)")
    return parent


def _model_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("model")
    group.add_argument(
        "--model",
        required=True,
        metavar="SOURCE",
        help="a factory 'package.module:callable' (with --weights), a TorchScript file, or a whole pickled module "
        "(with --trust-pickle)",
    )
    group.add_argument(
        "--weights", metavar="FILE", help="state dict or checkpoint (PyTorch Lightning .ckpt) loaded into the model"
    )
    group.add_argument(
        "--model-arg",
        type=_model_arg,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="keyword argument of the factory, repeatable; VALUE is read as JSON when it can be (n_outputs=12)",
    )
    group.add_argument(
        "--trust-pickle",
        action="store_true",
        help="allow unpickling a whole module or checkpoint: this runs code from the file, use only files you trust",
    )
    return parent


def _sequence_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("sequences")
    group.add_argument(
        "--sequences",
        required=True,
        metavar="FILE",
        help="FASTA (.gz), DeepBind TSV (.seq/.tsv, .gz), CLIP FASTA, or a SeqData zarr store (DIR.zarr with a 'seq' "
        "or 'ohe_seq' variable)",
    )
    group.add_argument(
        "--format", choices=_SEQUENCE_FORMATS, default="auto", help="file format (default: from the file name)"
    )
    group.add_argument("--alphabet", choices=("DNA", "RNA"), default="DNA", help="sequence alphabet (default DNA)")
    group.add_argument(
        "--pad", choices=("right", "left", "center"), help="pad sequences of different lengths with zero columns"
    )
    group.add_argument("--max-sequences", type=_positive_int, metavar="N", help="use only the first N sequences")
    return parent


def _targets(text: str) -> int | list[int]:
    """``--target``: ``3`` or ``0,1,2`` (outputs summed)."""
    try:
        values = [int(part) for part in text.split(",")]
    except ValueError:
        values = [-1]
    if any(v < 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected an output index or a comma-separated list (0,2,5); got {text!r}")
    return values[0] if len(values) == 1 else values


def _target_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target",
        type=_targets,
        default=0,
        help="model output to explain: an index, or indices 0,2,5 whose outputs are summed (default 0)",
    )


def _store_options(parser: argparse.ArgumentParser, array: str) -> None:
    """``--out`` and the options of chunked zarr output (attribute, ism)."""
    parser.add_argument(
        "--out",
        required=True,
        metavar="FILE.npz|DIR.zarr",
        help=f"npz with arrays {array}, X and names; or a zarr store the result is written into chunk by chunk "
        "(rerunning the same command after an interruption computes only the unfinished chunks)",
    )
    group = parser.add_argument_group("zarr output (--out DIR.zarr)")
    group.add_argument(
        "--chunk-size",
        type=_positive_int,
        default=1000,
        metavar="N",
        help="sequences computed and written at a time: the unit of resumption and of Dask parallelism (default 1000)",
    )
    group.add_argument("--overwrite", action="store_true", help="recompute a result already in the store")
    group.add_argument(
        "--dask", action="store_true", help="run the chunks as Dask tasks (default scheduler: threads of this process)"
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a running dask.distributed scheduler to send the chunks to (tcp://host:8786; implies --dask)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``eugene`` command (one subparser per subcommand)."""
    common, compute, model, sequences = _common_options(), _compute_options(), _model_options(), _sequence_options()
    parser = _Parser(
        prog="eugene",
        description="Explain what a trained PyTorch model of DNA/RNA sequences has learned.",
        epilog="examples:\n  " + "\n  ".join(_EXAMPLES.values()) + "\n\nRun 'eugene COMMAND --help' for details.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from eugene import __version__

    parser.add_argument("--version", action="version", version=f"eugene {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, help: str, parents: list[argparse.ArgumentParser]) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help,
            description=help,
            parents=[*parents, common],
            epilog="example:\n  " + _EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    p = add(
        "attribute",
        "attribution maps (DeepLiftShap by default) of every sequence, as npz or zarr",
        [model, sequences, compute],
    )
    p.add_argument("--method", default="deeplift_shap", help="attribution method (default deeplift_shap)")
    _target_option(p)
    _store_options(p, "attributions")
    p.set_defaults(run=_run_attribute)

    p = add("ism", "in silico saturation mutagenesis of every sequence, as npz or zarr", [model, sequences, compute])
    _target_option(p)
    _store_options(p, "ism")
    p.set_defaults(run=_run_ism)

    p = add("filters", "first-layer filter motifs (PFMs) as a MEME file, and their logos", [model, sequences, compute])
    p.add_argument("--layer", help="convolutional layer by qualified name (default: the first Conv1d)")
    p.add_argument("--threshold", type=float, help="fraction of the maximum activation that makes a site (0.5)")
    p.add_argument("--out", required=True, metavar="FILE.meme", help="MEME motif file")
    p.add_argument("--logos", metavar="FIGURE", help="also draw the logos to FIGURE (.png, .svg, .pdf)")
    p.set_defaults(run=_run_filters)

    p = add("tomtom", "compare motifs with motif databases (TOMTOM); writes a TSV table", [])
    p.add_argument("query", metavar="QUERY", help="motif file (MEME, JASPAR, HOMER, TRANSFAC)")
    p.add_argument(
        "--db", action="append", metavar="FILE", help="target motif file, repeatable (default: JASPAR 2024, offline)"
    )
    p.add_argument("--dist", choices=("pearson", "ed", "sandelin"), default="pearson", help="column score")
    p.add_argument("--thresh", type=float, default=0.5, help="keep matches with q-value at most this (default 0.5)")
    p.add_argument("--out", required=True, metavar="FILE.tsv", help="table with MEME tomtom's columns")
    p.set_defaults(run=_run_tomtom)

    p = add(
        "gia", "global importance analysis of a motif inserted into background sequences", [model, sequences, compute]
    )
    p.add_argument(
        "--motif",
        required=True,
        action="append",
        help="motif to implant, repeatable: letters (CCATATATGG), jaspar:MA0083.3, or FILE:ID of a motif file",
    )
    p.add_argument(
        "--backgrounds",
        type=_positive_int,
        default=64,
        metavar="N",
        help="number of backgrounds: dinucleotide shuffles of N sequences drawn at random (default 64)",
    )
    p.add_argument("--step", type=_positive_int, default=1, help="implant at every STEP-th position (default 1)")
    _target_option(p)
    p.add_argument("--out", required=True, metavar="FILE.tsv", help="table of the mean effect by position")
    p.add_argument("--plot", metavar="FIGURE", help="also draw the curves to FIGURE (.png, .svg, .pdf)")
    p.set_defaults(run=_run_gia)

    p = add("report", "one self-contained HTML report of what the model learned", [model, sequences, compute])
    _target_option(p)
    p.add_argument(
        "--db", action="append", metavar="FILE", help="motif file to match filters against, repeatable (default JASPAR)"
    )
    p.add_argument(
        "--n-top", type=_positive_int, default=4, metavar="N", help="top-scoring sequences shown in detail (default 4)"
    )
    p.add_argument("--out", required=True, metavar="DIR", help="directory for report.html and its tables")
    p.set_defaults(run=_run_report)

    p = add("demo", "the report on the bundled demo model and sequences", [compute])
    p.add_argument("--out", default="demo_report", metavar="DIR", help="output directory (default demo_report)")
    p.set_defaults(run=_run_demo)
    return parser


# ---- reading inputs -------------------------------------------------------------------------------------------------
def _sequence_format(path: Path, declared: str) -> str:
    if declared != "auto":
        return declared
    return "deepbind" if path.name.lower().removesuffix(".gz").endswith(_DEEPBIND_SUFFIXES) else "fasta"


def _read_sequences(args: argparse.Namespace) -> tuple[list[str], Any]:
    """Names and one-hot (N, A, L) of ``--sequences``, read with eugene.seq's readers."""
    from itertools import islice

    from eugene import seq

    path = Path(args.sequences)
    if not path.is_file():
        what = "is not a regular file" if path.exists() else "does not exist"
        raise FileNotFoundError(f"--sequences: {str(path)!r} {what}")
    kind = _sequence_format(path, args.format)
    if kind == "deepbind":
        records = ((f"{r.fold_id}:{r.event_id}", r.seq) for r in seq.read_deepbind_tsv(path))
    elif kind == "clip":
        records = ((f"{r.chrom}:{r.start}-{r.end}({r.strand})", r.seq) for r in seq.read_clip_fasta(path))
    else:
        records = seq.read_fasta(path)
    pairs = list(islice(records, args.max_sequences))
    if not pairs:
        raise ValueError(f"--sequences {str(path)!r} holds no sequences (read as {kind})")
    names, texts = [n for n, _ in pairs], [s for _, s in pairs]
    lengths = {len(s) for s in texts}
    if len(lengths) > 1 and args.pad is None:
        raise ValueError(
            f"--sequences: sequences have {len(lengths)} different lengths ({min(lengths)} to {max(lengths)}); "
            "pass --pad right (or left, center) to pad them with zero columns"
        )
    return names, seq.one_hot(texts, args.alphabet, pad=args.pad)


def _is_zarr(path: str) -> bool:
    return Path(path).name.lower().endswith((".zarr", ".zarr.zip"))


def _open_sdata(args: argparse.Namespace) -> Any:
    """``--sequences DIR.zarr`` opened lazily as a SeqData-style Dataset (first ``--max-sequences`` rows)."""
    import xarray as xr

    from eugene.interpret.sdata import SEQ_DIM

    path = Path(args.sequences)
    if not path.is_dir():
        what = "is not a directory (a zarr store)" if path.exists() else "does not exist"
        raise FileNotFoundError(f"--sequences: {str(path)!r} {what}")
    with warnings.catch_warnings():  # stores written without consolidated metadata are read all the same
        warnings.filterwarnings("ignore", "Failed to open Zarr store with consolidated", RuntimeWarning)
        try:
            sdata = xr.open_zarr(path)
        except Exception as error:
            raise ValueError(f"--sequences {str(path)!r} is not a readable zarr store ({_one_line(error)})") from error
    if "seq" not in sdata and "ohe_seq" not in sdata:
        raise ValueError(
            f"--sequences {str(path)!r} has neither a 'seq' (text) nor an 'ohe_seq' (one-hot) variable; "
            f"it has {sorted(map(str, sdata.data_vars))}"
        )
    if args.max_sequences is not None and SEQ_DIM in sdata.dims:
        sdata = sdata.isel({SEQ_DIM: slice(None, args.max_sequences)})
    return sdata


def _sequences_sdata(args: argparse.Namespace) -> Any:
    """``--sequences`` as a SeqData-style Dataset: a zarr store opened lazily, or a file's one-hot in memory."""
    if _is_zarr(args.sequences):
        return _open_sdata(args)
    import xarray as xr

    from eugene.interpret.sdata import OHE_DIM, SEQ_DIM

    names, X = _read_sequences(args)  # padded with --pad
    return xr.Dataset({"ohe_seq": ((SEQ_DIM, OHE_DIM, "length"), X)}, coords={SEQ_DIM: names})


def _sdata_onehot(sdata: Any, alphabet: str) -> tuple[Any, Any]:
    """Names (the ``_sequence`` coordinate, or 0, 1, ...) and one-hot (N, A, L) of all sequences in ``sdata``."""
    import numpy as np

    from eugene.interpret.sdata import SEQ_DIM, onehot_sdata

    X = onehot_sdata(sdata, alphabet=alphabet)
    names = sdata[SEQ_DIM].values if SEQ_DIM in sdata.coords else np.arange(len(X))
    return np.array(names).astype(str), X


def _load_model(args: argparse.Namespace) -> Any:
    from eugene.models import load_model

    kwargs = dict(args.model_arg)
    return load_model(
        args.model,
        args.weights,
        factory_kwargs=kwargs or None,
        trust=args.trust_pickle,
        device=args.device,
    )


def _output(path: str) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def _save_figure(figure: Any, path: str) -> None:
    import matplotlib.pyplot as plt

    figure = figure if isinstance(figure, plt.Figure) else figure.get_figure()
    figure.savefig(_output(path), bbox_inches="tight")
    plt.close(figure)


def _done(path: Path) -> int:
    print(path)
    return 0


# ---- subcommands ----------------------------------------------------------------------------------------------------
def _compute_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    return {"batch_size": args.batch_size, "device": args.device, "verbose": not args.quiet}


def _per_sequence(args: argparse.Namespace, array: str, compute: Any, compute_sdata: Any, key: str, **kw: Any) -> int:
    """attribute / ism: ``compute`` on one-hot for files to npz; ``compute_sdata`` (chunked) when zarr is involved."""
    import numpy as np

    zarr_in, zarr_out = _is_zarr(args.sequences), _is_zarr(args.out)
    if (args.dask or args.scheduler) and not zarr_out:
        raise ValueError(f"--dask needs --out DIR.zarr (the tasks write their chunks there); got --out {args.out!r}")
    if not zarr_in and not zarr_out:
        names, X = _read_sequences(args)
        model = _load_model(args)
        out = _output(args.out)
        np.savez_compressed(out, **{array: compute(model, X, **kw)}, X=X, names=np.array(names))
        return _done(out)

    from eugene.interpret.sdata import OHE_DIM, SEQ_DIM

    sdata = _sequences_sdata(args)
    model = _load_model(args)
    options = {"key": key, "alphabet": args.alphabet, "chunk_size": args.chunk_size, **kw}
    if not zarr_out:
        result = compute_sdata(model, sdata, **options)[key].transpose(SEQ_DIM, OHE_DIM, ...).values
        names, X = _sdata_onehot(sdata, args.alphabet)
        out = _output(args.out)
        np.savez_compressed(out, **{array: result}, X=X, names=names)
        return _done(out)

    out = _output(args.out)
    dask = args.dask or args.scheduler is not None
    if dask:
        options["verbose"] = False  # bars of concurrent chunks would interleave
    with _dask_client(args.scheduler):
        try:
            compute_sdata(model, sdata, store=out, dask=dask, overwrite=args.overwrite, **options)
        except ValueError as error:  # the store's result came from other arguments: name the option, not the keyword
            raise ValueError(str(error).replace("overwrite=True", "--overwrite")) from error
    return _done(out)


def _dask_client(address: str | None) -> Any:
    """A dask.distributed Client of the scheduler at ``address`` for the run (none without an address)."""
    from contextlib import nullcontext

    if address is None:
        return nullcontext()
    from distributed import Client

    return Client(address)


def _run_attribute(args: argparse.Namespace) -> int:
    from eugene import interpret

    kw = {"method": args.method, "target": args.target, "seed": args.seed, **_compute_kwargs(args)}
    return _per_sequence(
        args, "attributions", interpret.attribute, interpret.attribute_sdata, f"{args.method}_attrs", **kw
    )


def _run_ism(args: argparse.Namespace) -> int:
    from eugene import interpret

    kw = {"target": args.target, **_compute_kwargs(args)}
    return _per_sequence(args, "ism", interpret.ism, interpret.ism_sdata, "ism_attrs", **kw)


def _run_filters(args: argparse.Namespace) -> int:
    from eugene import interpret, motifs, plot

    _, X = _sdata_onehot(_sequences_sdata(args), args.alphabet)
    model = _load_model(args)
    pfms = interpret.filter_pfms(
        model, X, args.layer, args.threshold, alphabet=args.alphabet, min_sites=1, **_compute_kwargs(args)
    )
    if len(pfms) == 0:
        raise ValueError("no filter is activated by any of the sequences; nothing to write")
    out = _output(args.out)
    motifs.write_meme(pfms, out)
    if args.logos:
        _save_figure(plot.filter_logos(pfms), args.logos)
    return _done(out)


def _run_tomtom(args: argparse.Namespace) -> int:
    from eugene import motifs

    if not Path(args.query).is_file():
        raise FileNotFoundError(f"QUERY: no such file {args.query!r}")
    target = args.db if args.db else motifs.jaspar()
    hits = motifs.tomtom(args.query, target, dist=args.dist, thresh=args.thresh, verbose=not args.quiet)
    out = _output(args.out)
    hits.to_csv(out, sep="\t", index=False)
    return _done(out)


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


def _run_gia(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd

    from eugene import interpret, plot
    from eugene.interpret.sdata import SEQ_DIM

    sdata = _sequences_sdata(args)
    model = _load_model(args)
    n = sdata.sizes[SEQ_DIM]
    pick = np.sort(np.random.default_rng(args.seed).choice(n, size=min(n, args.backgrounds), replace=False))
    _, X = _sdata_onehot(sdata.isel({SEQ_DIM: pick}), args.alphabet)  # from a store, only the picked rows are read
    backgrounds = interpret.dinucleotide_backgrounds(X, n=1, seed=args.seed)
    curves = {}
    for spec in args.motif:
        _, curves[spec] = interpret.gia_positional(
            model, backgrounds, _motif(spec), target=args.target, step=args.step, seed=args.seed,
            **_compute_kwargs(args),
        )  # fmt: skip
    out = _output(args.out)
    table = pd.concat([c.assign(motif=m) for m, c in curves.items()], ignore_index=True)
    table.to_csv(out, sep="\t", index=False)
    if args.plot:
        _save_figure(plot.gia_curve(table, hue="motif"), args.plot)
    return _done(out)


def _run_report(args: argparse.Namespace) -> int:
    from eugene.report import build_report

    names, X = _sdata_onehot(_sequences_sdata(args), args.alphabet)
    model = _load_model(args)
    path = build_report(
        model,
        X,
        args.out,
        names=list(names),
        alphabet=args.alphabet,
        target=args.target,
        databases=args.db,
        n_top=args.n_top,
        model_label=args.model,
        seed=args.seed,
        **_compute_kwargs(args),
    )
    return _done(path)


def _run_demo(args: argparse.Namespace) -> int:
    from eugene.models import demo_sequences, load_demo_model
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
        model_label="eugene demo model (Basset-style, 12 planted JASPAR motifs)",
        planted=data,  # adds the "ground-truth" section
        seed=args.seed,
        **_compute_kwargs(args),
    )
    return _done(path)


# ---- entry point ----------------------------------------------------------------------------------------------------
def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if isinstance(error, (ValueError, TypeError, OSError)) else f"{type(error).__name__}: {text}"


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    print(f"eugene: warning: {' '.join(str(message).split())} ({category.__name__})", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``eugene`` command with ``argv`` (default ``sys.argv[1:]``) and return its exit code.

    Examples
    --------
    >>> main(["tomtom", "filters.meme", "--out", "matches.tsv"])  # doctest: +SKIP
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    with warnings.catch_warnings():
        if not args.debug:
            warnings.showwarning = _show_warning
        try:
            return args.run(args)
        except KeyboardInterrupt:
            print(f"eugene {args.command}: interrupted", file=sys.stderr)
            return 130
        except Exception as error:
            if args.debug:
                raise
            print(
                f"eugene {args.command}: error: {_one_line(error)} (rerun with --debug for the traceback)",
                file=sys.stderr,
            )
            return 1
