"""What the subcommands share: the parser class, option groups, argument types, reading the model and the sequences,
and writing outputs. Every subcommand module uses these; none holds logic of its own beyond calling the API."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

SEQ_DIM = "_sequence"  # the per-sequence dim of SeqData-style Datasets (as eu.interpret's *_sdata use it)
OHE_DIM = "_ohe"
EXAMPLE_MODEL = "--model mypkg.models:MyCNN --weights model.pt --model-arg n_outputs=1"


class Parser(argparse.ArgumentParser):
    """argparse with usage errors as one line (exit code 2) that points to --help, and the sequence options checked
    as part of parsing (see ``check_inputs``)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> tuple[argparse.Namespace, list[str]]:
        namespace, extras = super().parse_known_args(args, namespace)
        check_inputs(self, namespace)
        return namespace, extras


def attribution_methods() -> tuple[str, ...]:
    """The attribution methods' names, then the Captum / EUGENe aliases attribute() accepts: the --method choices."""
    from eugene.interpret.attribution import methods

    return methods(aliases=True)


class LazyChoices:
    """argparse ``choices`` loaded on first use (checking a value, printing help), so that building the parser imports
    no heavy module: ``eugene --help`` and usage errors stay instant. Give the option a ``metavar`` (argparse lists
    the choices of an option without one while building the parser) and ``%(choices)s`` in its help."""

    def __init__(self, load: Callable[[], Iterable[str]]) -> None:
        self._load = load
        self._values: tuple[str, ...] | None = None

    def _get(self) -> tuple[str, ...]:
        if self._values is None:
            self._values = tuple(self._load())
        return self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __contains__(self, value: object) -> bool:
        return value in self._get()


def _sequence_formats() -> tuple[str, ...]:
    from eugene.seq.io import SEQUENCE_FORMATS

    return SEQUENCE_FORMATS


# ---- argument types (a bad value is a usage error: one line, exit code 2) -------------------------------------------
def model_arg(text: str) -> tuple[str, Any]:
    """``--model-arg KEY=VALUE``: VALUE read as JSON when it can be, else as a string."""
    key, sep, value = text.partition("=")
    if not sep or not key.isidentifier():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, e.g. n_outputs=12; got {text!r}")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def _integer(text: str, low: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if value < low:
        raise argparse.ArgumentTypeError(f"expected {what}; got {text!r}")
    return value


def positive_int(text: str) -> int:
    return _integer(text, 1, "a positive integer")


def seed(text: str) -> int:
    return _integer(text, 0, "a non-negative integer (numpy and torch seeds are >= 0)")


def non_negative_int(text: str) -> int:
    return _integer(text, 0, "an integer >= 0")


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (0 <= value < float("inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0; got {text!r}")
    return value


def fraction(text: str) -> float:
    value = non_negative_float(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1]; got {text!r}")
    return value


def int_list(text: str) -> list[int]:
    """A comma-separated list of integers >= 0 (``0,10,20``)."""
    try:
        values = [int(part) for part in text.split(",")]
    except ValueError:
        values = [-1]
    if any(v < 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected comma-separated integers >= 0 (0,10,20); got {text!r}")
    return values


def name_list(text: str) -> list[str]:
    """A comma-separated list of names (``model,filters,attributions``)."""
    names = [part.strip() for part in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"expected comma-separated names (model,filters); got {text!r}")
    return names


def targets(text: str) -> int | list[int]:
    """``--target``: ``3`` or ``0,1,2`` (outputs summed)."""
    try:
        values = [int(part) for part in text.split(",")]
    except ValueError:
        values = [-1]
    if any(v < 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected an output index or a comma-separated list (0,2,5); got {text!r}")
    return values[0] if len(values) == 1 else values


def per_sequence_out(text: str) -> str:
    """``--out`` of attribute / ism: the suffix decides the format, so the path printed is the path written."""
    if Path(text).suffix not in (".npz", ".zarr"):
        raise argparse.ArgumentTypeError(
            f"expected FILE.npz (one file, written at the end) or DIR.zarr (a store written chunk by chunk); got "
            f"{text!r}"
        )
    return text


# ---- option groups --------------------------------------------------------------------------------------------------
def run_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("run options")
    group.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bars or compile notices (by default they show on stderr, unless EUGENE_VERBOSE=0)",
    )
    group.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    return parent


def compute_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("compute options")
    group.add_argument("--device", help="where to compute: cpu, cuda, cuda:1 (default: cpu)")
    group.add_argument("--batch-size", type=positive_int, default=128, help="sequences per batch (default 128)")
    group.add_argument(
        "--seed",
        type=seed,
        default=0,
        help="seed of every random step, >= 0 (default 0, as the API's seed=0: the same numbers as Python gives)",
    )
    return parent


def model_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("model (imported and built before any sequence is read)")
    group.add_argument(
        "--model",
        required=True,
        metavar="SOURCE",
        help="a factory 'module:callable' (imported from the current directory or the Python path, and run: it is "
        "code) or 'path/to/module.py:callable', with --weights; a TorchScript file; or a whole pickled module (with "
        "--trust-pickle)",
    )
    group.add_argument(
        "--weights",
        action="append",
        metavar="FILE",
        help="state dict or checkpoint (PyTorch Lightning .ckpt) loaded into the model (weights only, no code, "
        "unless --trust-pickle); repeat it (e.g. one file per cross-validation fold) to explain the ensemble that "
        "averages the models' outputs (eu.models.Ensemble)",
    )
    group.add_argument(
        "--model-arg",
        type=model_arg,
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


def sequence_options() -> argparse.ArgumentParser:
    """``--sequences FILE|DIR.zarr``, or ``--regions BED --genome FASTA --length N`` (checked by ``check_inputs``)."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("sequences (--sequences, or --regions with --genome and --length)")
    group.add_argument(
        "--sequences",
        metavar="FILE|DIR",
        help="a sequence file (FASTA, DeepBind TSV, CLIP FASTA or one sequence per line; plain or gzip) read by "
        "eu.seq.read_sequences, or a directory: a SeqData zarr store with a 'seq' or 'ohe_seq' variable",
    )
    group.add_argument(
        "--format",
        choices=LazyChoices(_sequence_formats),
        default="auto",
        metavar="FORMAT",
        help="format of a sequence file: %(choices)s (default auto: from its first line, never from its name)",
    )
    group.add_argument("--alphabet", choices=("DNA", "RNA"), default="DNA", help="sequence alphabet (default DNA)")
    group.add_argument(
        "--pad", choices=("right", "left", "center"), help="pad sequences of different lengths with zero columns"
    )
    group.add_argument("--max-sequences", type=positive_int, metavar="N", help="use only the first N sequences")
    group.add_argument("--regions", metavar="BED", help="regions (BED or narrowPeak, plain or gzip) of --genome")
    group.add_argument("--genome", metavar="FASTA", help="reference FASTA (plain or bgzipped) of --regions")
    group.add_argument("--length", type=positive_int, metavar="N", help="window length cut around each region")
    group.add_argument(
        "--centre",
        choices=("summit", "middle"),
        help="window centre: the narrowPeak summit where there is one (default), or the region's middle",
    )
    group.add_argument(
        "--strand",
        choices=("respect", "ignore"),
        help="reverse-complement regions on strand '-' (respect, default) or read every window forward (ignore)",
    )
    return parent


def check_inputs(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage errors of the sequence options: exactly one input, and the options of the other input unused."""
    if "sequences" not in args:
        return
    regions_only = {"--genome": args.genome, "--length": args.length, "--centre": args.centre, "--strand": args.strand}
    if args.sequences is not None and args.regions is not None:
        parser.error("give --sequences or --regions, not both")
    if args.sequences is None and args.regions is None:
        parser.error("the sequences are required: --sequences FILE|DIR, or --regions BED --genome FASTA --length N")
    if args.regions is not None:
        missing = [option for option in ("--genome", "--length") if regions_only[option] is None]
        if missing:
            parser.error(f"--regions needs {' and '.join(missing)}")
        given = [option for option, value in (("--format", args.format != "auto"), ("--pad", args.pad)) if value]
        if given:
            parser.error(f"{', '.join(given)} apply to --sequences, not to --regions (windows have one length)")
    else:
        given = [option for option, value in regions_only.items() if value is not None]
        if given:
            parser.error(f"{', '.join(given)} apply to --regions, not to --sequences")


def target_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target",
        type=targets,
        default=0,
        help="model output to explain: an index, or indices 0,2,5 whose outputs are summed (default 0)",
    )


def store_options(parser: argparse.ArgumentParser, array: str) -> None:
    """``--out`` of a per-sequence result and the options of chunked zarr output (attribute, ism)."""
    parser.add_argument(
        "--out",
        required=True,
        type=per_sequence_out,
        metavar="FILE.npz|DIR.zarr",
        help=f"FILE.npz: arrays {array}, X and names, written at the end; DIR.zarr: a store the result is written "
        "into chunk by chunk, with the sequences' coordinates (rerunning the same command after an interruption "
        "computes only the unfinished chunks)",
    )
    group = parser.add_argument_group("zarr output (--out DIR.zarr)")
    group.add_argument(
        "--chunk-size",
        type=positive_int,
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


def report_options(parser: argparse.ArgumentParser) -> None:
    """What the report shows (``eu.report.build_report``'s n_top, n_gia, gia_backgrounds, sections): report, demo."""
    group = parser.add_argument_group("report contents")
    group.add_argument(
        "--n-top",
        type=positive_int,
        default=4,
        metavar="N",
        help="top-scoring sequences shown with attribution logos and ISM heatmaps (default 4)",
    )
    group.add_argument(
        "--n-gia", type=positive_int, default=3, metavar="N", help="best-matched motifs given GIA curves (default 3)"
    )
    group.add_argument(
        "--gia-backgrounds",
        type=positive_int,
        default=64,
        metavar="N",
        help="backgrounds of each GIA curve: dinucleotide shuffles of N sequences drawn with --seed (default 64)",
    )
    group.add_argument(
        "--sections",
        type=name_list,
        metavar="NAMES",
        help="the sections to run, in this order, comma-separated: model, filters, filter-influence, motifs, "
        "attributions, ground-truth, ism, gia (default: all that apply but motifs, which runs TF-MoDISco on every "
        "sequence)",
    )


def report_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The keywords of ``eu.report.build_report`` that ``report_options`` and the compute options set."""
    shown = {"n_top": args.n_top, "n_gia": args.n_gia, "gia_backgrounds": args.gia_backgrounds}
    return {**shown, "sections": args.sections, "seed": args.seed, **compute_kwargs(args)}


# ---- the model ------------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def _importable(folder: Path) -> Iterator[None]:
    """``folder`` first on sys.path while the model is loaded (as ``python -m`` puts the current directory)."""
    entry = str(folder)
    added = entry not in sys.path
    if added:
        sys.path.insert(0, entry)
    try:
        yield
    finally:
        if added and entry in sys.path:
            sys.path.remove(entry)


def _import_factory_module(spec: str, module: str, attr: str) -> None:
    """Import the module of a factory ``module:callable``, or a ValueError naming it, the path searched and a hint."""
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name is None or not (module == error.name or module.startswith(f"{error.name}.")):
            raise ValueError(f"--model {spec!r}: importing module {module!r} failed: {error}") from error
        searched = ", ".join(repr(entry or ".") for entry in sys.path)
        raise ValueError(
            f"--model {spec!r}: cannot import module {module!r} (no {error.name!r} in the Python path: {searched}); "
            f"run eugene from the folder holding {module.replace('.', '/')}.py, pass --model "
            f"path/to/{module.rpartition('.')[2]}.py:{attr}, or install the package that provides it"
        ) from None
    except Exception as error:
        raise ValueError(
            f"--model {spec!r}: importing module {module!r} failed: {type(error).__name__}: {error}"
        ) from error


def load_model(args: argparse.Namespace) -> Any:
    """The model of ``--model`` (see ``eu.models.load_model``), loaded before any sequence is read.

    A factory ``module:callable`` is imported with the current directory first on the Python path, as ``python -m``
    has it; ``path/to/module.py:callable`` imports that file's module from its folder. Several ``--weights`` give
    one model per file, averaged by :class:`eugene.models.Ensemble`.
    """
    from eugene.models import Ensemble, load_model

    source, folder = args.model, Path.cwd()
    module, sep, attr = source.rpartition(":")
    if sep and module.endswith(".py") and not Path(source).is_file():
        if not Path(module).is_file():
            raise FileNotFoundError(f"--model {source!r}: no such file {module!r}")
        folder, module = Path(module).resolve().parent, Path(module).stem
        source = f"{module}:{attr}"
    is_factory = sep and not Path(args.model).exists() and all(part.isidentifier() for part in module.split("."))
    with _importable(folder):
        if is_factory:
            _import_factory_module(args.model, module, attr)
        kwargs = {"factory_kwargs": dict(args.model_arg) or None, "trust": args.trust_pickle, "device": args.device}
        models = [load_model(source, weights, **kwargs) for weights in args.weights or [None]]
    return models[0] if len(models) == 1 else Ensemble(models)


# ---- the sequences --------------------------------------------------------------------------------------------------
def _open_store(args: argparse.Namespace) -> Any:
    """``--sequences DIR`` opened lazily as a SeqData-style Dataset."""
    import xarray as xr

    path = Path(args.sequences)
    with warnings.catch_warnings():  # stores written without consolidated metadata are read all the same
        warnings.filterwarnings("ignore", "Failed to open Zarr store with consolidated", RuntimeWarning)
        try:
            sdata = xr.open_zarr(path)
        except Exception as error:
            raise ValueError(f"--sequences {str(path)!r} is not a readable zarr store ({one_line(error)})") from error
    if "seq" not in sdata and "ohe_seq" not in sdata:
        raise ValueError(
            f"--sequences {str(path)!r} has neither a 'seq' (text) nor an 'ohe_seq' (one-hot) variable; "
            f"it has {sorted(map(str, sdata.data_vars))}"
        )
    return sdata


def read_sequences(args: argparse.Namespace) -> Any:
    """The sequences as a SeqData-style Dataset: a zarr store opened lazily (``--sequences DIR``), a sequence file's
    one-hot (``--sequences FILE``, via ``eu.seq.read_sequences``), or windows of a genome with their coordinates,
    read from the genome only when used (``--regions``, via ``eu.genome.regions_dataset``); the first
    ``--max-sequences`` of them."""
    import xarray as xr

    from eugene import genome, seq

    if args.regions is not None:  # lazy: windows are read from the genome as they are computed, chunk by chunk
        table = genome.read_bed(args.regions)
        return genome.regions_dataset(
            table.head(args.max_sequences) if args.max_sequences else table,
            args.genome,
            length=args.length,
            centre=args.centre or "summit",
            strand=args.strand or "respect",
            alphabet=args.alphabet,
        )
    if Path(args.sequences).is_dir():
        sdata = _open_store(args)
        return sdata if args.max_sequences is None else sdata.isel({SEQ_DIM: slice(None, args.max_sequences)})
    reads = seq.read_sequences(args.sequences, args.format, alphabet=args.alphabet, max_sequences=args.max_sequences)
    X = seq.one_hot(reads.seqs, args.alphabet, pad=args.pad)
    return xr.Dataset({"ohe_seq": ((SEQ_DIM, OHE_DIM, "length"), X)}, coords={SEQ_DIM: reads.names})


def names_and_onehot(sdata: Any, alphabet: str) -> tuple[Any, Any]:
    """Names and one-hot (N, A, L) of all sequences of ``sdata``: names are the ``_sequence`` coordinate, else the
    ``name`` coordinate of genome regions, else 0, 1, ..."""
    import numpy as np

    from eugene.interpret import onehot_sdata

    X = onehot_sdata(sdata, alphabet=alphabet)
    names = next((sdata[c].values for c in (SEQ_DIM, "name") if c in sdata.coords), np.arange(len(X)))
    return np.array(names).astype(str), X


# ---- outputs --------------------------------------------------------------------------------------------------------
def output(path: str) -> Path:
    """``path`` with its folder made."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def save_figure(figure: Any, path: str) -> None:
    import matplotlib.pyplot as plt

    figure = figure if isinstance(figure, plt.Figure) else figure.get_figure()
    figure.savefig(output(path), bbox_inches="tight")
    plt.close(figure)


def done(path: Path) -> int:
    """Print the path written (the exact path: no suffix is added) and return exit code 0."""
    print(path)
    return 0


def compute_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """batch_size, device and verbose of a compute call: ``--quiet`` silences it, otherwise it follows
    ``eugene.settings.verbose`` (on unless ``EUGENE_VERBOSE=0``)."""
    return {"batch_size": args.batch_size, "device": args.device, "verbose": False if args.quiet else None}


def _dask_client(address: str | None) -> Any:
    """A dask.distributed Client of the scheduler at ``address`` for the run (none without an address)."""
    if address is None:
        return contextlib.nullcontext()
    from distributed import Client

    return Client(address)


def per_sequence(args: argparse.Namespace, array: str, compute_sdata: Any, key: str, **kw: Any) -> int:
    """attribute / ism: ``compute_sdata`` (``eu.interpret.attribute_sdata`` / ``ism_sdata``) on the sequences.

    The suffix of ``--out`` decides: ``.npz`` computes in memory (all sequences in one call, as the plain API
    function) and writes ``array``, ``X`` and ``names``; ``.zarr`` writes chunk by chunk into the store (resumable),
    with the per-sequence coordinates beside the result.
    """
    import numpy as np

    zarr_out = Path(args.out).suffix == ".zarr"
    dask = args.dask or args.scheduler is not None
    if dask and not zarr_out:
        raise ValueError(f"--dask needs --out DIR.zarr (the tasks write their chunks there); got --out {args.out!r}")
    model = load_model(args)
    sdata = read_sequences(args)
    options = {"key": key, "alphabet": args.alphabet, **kw}
    out = output(args.out)
    if not zarr_out:
        result = compute_sdata(model, sdata, **options)[key].transpose(SEQ_DIM, OHE_DIM, ...).values
        names, X = names_and_onehot(sdata, args.alphabet)
        np.savez_compressed(out, **{array: result}, X=X, names=names)
        return done(out)
    if dask:
        options["verbose"] = False  # bars of concurrent chunks would interleave
    with _dask_client(args.scheduler):  # the store gets the result and the sequences' coordinates
        compute_sdata(
            model, sdata, store=out, chunk_size=args.chunk_size, dask=dask, overwrite=args.overwrite, **options
        )
    return done(out)


def one_line(error: BaseException) -> str:
    """An exception as one line, in the command's words (options, not keyword arguments)."""
    text = " ".join(str(error).split()) or type(error).__name__
    for keyword, option in (
        ("overwrite=True", "--overwrite"),
        ("pad='right'", "--pad right"),
        ("hypothetical=True", "--hypothetical"),
        ("gradient_correction=True", "--gradient-correction"),
    ):
        text = text.replace(keyword, option)
    return text if isinstance(error, (ValueError, TypeError, OSError)) else f"{type(error).__name__}: {text}"
