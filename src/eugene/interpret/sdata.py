"""The EUGENe API: interpretation on SeqData-style xarray Datasets, results stored beside the sequences.

A dataset holds its sequences either as one-hot ``ohe_seq`` with dims ``(_sequence, length, _ohe)`` or
``(_sequence, _ohe, length)`` (any name for the length dim), or as text ``seq``: one string per sequence (dims
``(_sequence,)``) or SeqData's character array (dims ``(_sequence, length)``, dtype ``S1``/``U1``). Text is one-hot
encoded chunk by chunk. Per-sequence results (attributions, ISM) are stored in the same layout as ``ohe_seq`` (or
``(_sequence, _ohe, length)`` for text input), with attrs recording the function, its arguments and the eugene version.

Large datasets go through a zarr ``store``: chunks of ``chunk_size`` sequences are computed and written one at a time
(memory O(chunk)), each finished chunk is marked (in ``<store>.progress/`` beside the store), and a rerun after an
interruption computes only the chunks that are not marked. With ``dask=True`` each chunk is a Dask task, so an active
``dask.distributed`` client spreads the chunks over its workers.
"""

from __future__ import annotations

import inspect
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .. import __version__
from .._validate import check_positive_int, describe
from ..seq import one_hot

SEQ_DIM = "_sequence"
OHE_DIM = "_ohe"

__all__ = [
    "onehot_sdata",
    "attribute_sdata",
    "ism_sdata",
    "generate_pfms_sdata",
    "filters_to_meme_sdata",
    "gia_sdata",
]


# --- reading sequences ------------------------------------------------------------------------------------------


def _sequence_variable(sdata: xr.Dataset, seq_key: str | None) -> str:
    if not isinstance(sdata, xr.Dataset):
        raise TypeError(f"sdata must be an xarray.Dataset (SeqData); got {describe(sdata)}")
    if seq_key is None:
        for key in ("ohe_seq", "seq"):
            if key in sdata:
                return key
        raise ValueError(f"sdata has neither 'ohe_seq' nor 'seq'; give seq_key= one of {list(sdata.data_vars)}")
    if seq_key not in sdata:
        raise ValueError(f"seq_key must name a variable of sdata; got {seq_key!r}; it has {list(sdata.data_vars)}")
    return seq_key


def _layout(sdata: xr.Dataset, key: str) -> tuple[str, ...]:
    """Dims of per-sequence results: those of the one-hot variable, or (_sequence, _ohe, length) for text."""
    dims = sdata[key].dims
    if SEQ_DIM not in dims:
        raise ValueError(f"sdata[{key!r}] must have a {SEQ_DIM!r} dim; got dims {dims}")
    if OHE_DIM in dims:
        if len(dims) != 3:
            raise ValueError(f"sdata[{key!r}] must have dims (_sequence, length, _ohe) or similar; got {dims}")
        return dims
    if len(dims) == 1:
        return (SEQ_DIM, OHE_DIM, "length")
    if len(dims) == 2:
        return (SEQ_DIM, OHE_DIM, next(d for d in dims if d != SEQ_DIM))
    raise ValueError(f"sdata[{key!r}] must be one-hot (with an {OHE_DIM!r} dim) or text; got dims {dims}")


def _load_onehot(sdata: xr.Dataset, key: str, rows: slice, alphabet: Any) -> np.ndarray:
    """One-hot (n, A, L) float32 for the sequences in ``rows``."""
    var = sdata[key].isel({SEQ_DIM: rows})
    if OHE_DIM in var.dims:
        length_dim = next(d for d in var.dims if d not in (SEQ_DIM, OHE_DIM))
        return np.ascontiguousarray(var.transpose(SEQ_DIM, OHE_DIM, length_dim).values, dtype=np.float32)
    values = var.values
    if values.ndim == 2:  # SeqData's character array
        values = values.astype("U1") if values.dtype.kind == "S" else values
        strings = ["".join(row) for row in values]
    else:
        strings = [s.decode() if isinstance(s, bytes) else str(s) for s in values]
    return one_hot(strings, alphabet)


def onehot_sdata(sdata: xr.Dataset, seq_key: str | None = None, alphabet: Any = "DNA") -> np.ndarray:
    """The one-hot (N, A, L) float32 array of all sequences of a SeqData / xarray Dataset, whatever its layout.

    ``seq_key`` names the variable (default: ``ohe_seq``, else ``seq``): one-hot with dims (``_sequence``, ``_ohe``,
    length) in either order, text, or SeqData's character array; text is encoded with ``alphabet``.

    Examples
    --------
    >>> sdata = xr.Dataset({"seq": ("_sequence", ["ACGT", "GGCA"])})
    >>> onehot_sdata(sdata).shape
    (2, 4, 4)
    """
    return _load_onehot(sdata, _sequence_variable(sdata, seq_key), slice(None), alphabet)


# --- the chunked runner -----------------------------------------------------------------------------------------


def _describe_argument(value: Any) -> str:
    if hasattr(value, "shape"):
        return f"array of shape {tuple(value.shape)}"
    if callable(value):
        return f"callable {getattr(value, '__qualname__', type(value).__name__)}"
    return repr(value)


# how a result is computed, not what it is: a resumed run may change these
_EXECUTION_ARGUMENTS = frozenset({"batch_size", "device", "verbose"})


def _provenance(function: Callable, arguments: dict[str, Any]) -> dict[str, str]:
    """The attrs stored with a result: the function, eugene's version and every argument that shapes the values,
    defaults included (so a stored result says which target and references made it, given or not)."""
    values = {
        name: p.default
        for name, p in inspect.signature(function).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    values.update(arguments)
    attrs = {"eugene_function": function.__name__, "eugene_version": __version__}
    attrs.update({k: _describe_argument(v) for k, v in sorted(values.items()) if k not in _EXECUTION_ARGUMENTS})
    return attrs


def _chunk_slices(n: int, chunk_size: int) -> list[slice]:
    return [slice(start, min(start + chunk_size, n)) for start in range(0, n, chunk_size)]


def _to_layout(result: np.ndarray, dims: tuple[str, ...]) -> np.ndarray:
    """(n, A, L) -> the order of ``dims``."""
    order = {SEQ_DIM: 0, OHE_DIM: 1}
    return result.transpose([order.get(d, 2) for d in dims])


def _compute_chunk(fn: Callable, part: xr.Dataset, key: str, alphabet: Any, dims: tuple) -> np.ndarray:
    return _to_layout(np.asarray(fn(_load_onehot(part, key, slice(None), alphabet))), dims)


def _progress_dir(store: Path, out_key: str) -> Path:
    """Where finished chunks are marked: beside the store (zarr lists only its own objects inside it)."""
    return store.with_name(f"{store.name}.progress") / out_key


def _write_chunk(
    fn: Callable, part: xr.Dataset, key: str, rows: slice, alphabet: Any, dims: tuple, store: Path, out_key: str
) -> None:
    """Compute one chunk (``part`` holds its rows only, so a Dask task ships O(chunk) data) and write it."""
    values = _compute_chunk(fn, part, key, alphabet, dims)
    xr.Dataset({out_key: (dims, values)}).to_zarr(store, region={SEQ_DIM: rows}, mode="r+", consolidated=False)
    (_progress_dir(store, out_key) / f"{rows.start}-{rows.stop}").touch()


def _prepare_store(
    store: Path, out_key: str, shape: tuple, dims: tuple, chunk_size: int, attrs: dict, overwrite: bool
) -> set[str]:
    """Create the zarr variable unless it exists with the same provenance; return the names of finished chunks."""
    import dask.array as da

    done_dir = _progress_dir(store, out_key)
    is_group = (store / "zarr.json").exists() or (store / ".zgroup").exists()
    existing = xr.open_zarr(store, consolidated=False) if is_group else None
    if existing is not None and out_key in existing:
        if not overwrite:
            stored = {k: str(v) for k, v in existing[out_key].attrs.items()}
            if stored != attrs or tuple(existing[out_key].shape) != shape:
                changed = sorted(k for k in set(stored) | set(attrs) if stored.get(k) != attrs.get(k))
                raise ValueError(
                    f"store {str(store)!r} already holds {out_key!r} computed differently (differs in {changed}); "
                    "pass overwrite=True to recompute it, or choose another key"
                )
            return {p.name for p in done_dir.iterdir()} if done_dir.is_dir() else set()
        shutil.rmtree(store / out_key)  # only this variable; the rest of the store stays
        shutil.rmtree(done_dir, ignore_errors=True)
    chunks = (chunk_size,) + tuple(shape[1:])
    template = xr.Dataset({out_key: (dims, da.zeros(shape, chunks=chunks, dtype=np.float32))})
    template[out_key].attrs.update(attrs)
    template.to_zarr(store, compute=False, consolidated=False, mode="a")
    done_dir.mkdir(parents=True, exist_ok=True)
    return set()


def _run_per_sequence(
    fn: Callable[[np.ndarray], np.ndarray],
    sdata: xr.Dataset,
    out_key: str,
    attrs: dict[str, str],
    *,
    seq_key: str | None,
    alphabet: Any,
    chunk_size: int | None,
    store: str | Path | None,
    dask: bool,
    overwrite: bool,
    copy: bool,
) -> xr.Dataset:
    """Apply ``fn`` ((n, A, L) one-hot -> (n, A, L) result) chunk by chunk and store the result as ``out_key``."""
    key = _sequence_variable(sdata, seq_key)
    dims = _layout(sdata, key)
    n = sdata.sizes[SEQ_DIM]
    chunk_size = check_positive_int(chunk_size, "chunk_size", allow_none=True) or max(n, 1)
    slices = _chunk_slices(n, chunk_size)
    out = sdata.copy() if copy else sdata
    seqs = sdata[[key]]

    def part(rows: slice) -> xr.Dataset:
        return seqs.isel({SEQ_DIM: rows})

    if store is None:
        if dask:
            raise ValueError("dask=True needs store= (a zarr path the workers write their chunks to)")
        parts = [_compute_chunk(fn, part(rows), key, alphabet, dims) for rows in slices]
        out[out_key] = xr.DataArray(np.concatenate(parts, axis=0), dims=dims, attrs=attrs)
        return out

    store = Path(store)
    first = _to_layout(_load_onehot(seqs, key, slice(0, 1), alphabet), dims)
    done = _prepare_store(store, out_key, (n, *first.shape[1:]), dims, chunk_size, attrs, overwrite)
    todo = [rows for rows in slices if f"{rows.start}-{rows.stop}" not in done]
    if dask:
        import dask as dask_

        write = dask_.delayed(_write_chunk, pure=False)
        dask_.compute(*[write(fn, part(rows), key, rows, alphabet, dims, store, out_key) for rows in todo])
    else:
        for rows in todo:
            _write_chunk(fn, part(rows), key, rows, alphabet, dims, store, out_key)
    out[out_key] = xr.open_zarr(store, consolidated=False)[out_key]
    return out


# --- public functions -------------------------------------------------------------------------------------------

_RUNNER_DOC = """
    seq_key
        The sequence variable: ``"ohe_seq"`` or ``"seq"`` by default, whichever sdata has.
    alphabet
        Alphabet for text sequences (one-hot input is used as it is).
    chunk_size
        Sequences computed and written at a time (default: all at once). With ``store``, each chunk is a unit of
        resumption and of Dask parallelism. Randomness (shuffled references, SmoothGrad noise) is drawn per chunk
        from ``seed``: results are reproducible for a given chunk_size, and equal the plain function on each chunk.
    store
        A zarr directory to write the result into incrementally; the stored variable is attached to sdata lazily.
        Rerunning the same call after an interruption computes only the unfinished chunks.
    dask
        Run each chunk as a Dask task (needs ``store``); an active ``dask.distributed`` Client distributes them.
    overwrite
        Recompute a result already in ``store`` (otherwise a stored result from a different call is an error).
    copy
        Work on a copy of sdata and leave the given one untouched.
"""


def _with_runner_doc(func: Callable) -> Callable:
    """Insert the parameters shared by the chunked runners (``_RUNNER_DOC``) before the docstring's Returns."""
    func.__doc__ = func.__doc__.replace("\n\n    Returns\n", "\n" + _RUNNER_DOC.strip("\n") + "\n\n    Returns\n", 1)
    return func


@_with_runner_doc
def attribute_sdata(
    model: Any,
    sdata: xr.Dataset,
    method: str = "deeplift_shap",
    *,
    key: str | None = None,
    seq_key: str | None = None,
    alphabet: Any = "DNA",
    chunk_size: int | None = None,
    store: str | Path | None = None,
    dask: bool = False,
    overwrite: bool = False,
    copy: bool = False,
    **kwargs: Any,
) -> xr.Dataset:
    """Attributions of every sequence in ``sdata``, stored as ``sdata[key]`` (default ``f"{method}_attrs"``).

    Values equal :func:`eugene.interpret.attribute` on the same one-hot; every keyword of it (target, references,
    n_references, batch_size, device, seed, ...) passes through.

    Parameters
    ----------
    model
        A torch module (a LightningModule works the same way).
    sdata
        The dataset (see the module docstring for the layouts accepted).
    method
        As in :func:`eugene.interpret.attribute`.
    key
        Name of the stored variable.

    Returns
    -------
    The Dataset with the new variable (dims as ``ohe_seq``'s, attrs recording method and arguments).

    Examples
    --------
    >>> import eugene as eu
    >>> model = eu.models.build("deepbind", seq_len=100).eval()       # stand-in for your trained model
    >>> sdata = xr.Dataset({"seq": ("_sequence", ["ACGT" * 25, "GGCCTTAACC" * 10])})
    >>> attribute_sdata(model, sdata, "saliency")["saliency_attrs"].dims
    ('_sequence', '_ohe', 'length')
    """
    from .attribution import attribute

    kwargs.setdefault("verbose", False)
    attrs = _provenance(attribute, {"method": method, **kwargs})
    return _run_per_sequence(
        lambda X: attribute(model, X, method, **kwargs),
        sdata,
        key or f"{method}_attrs",
        attrs,
        seq_key=seq_key,
        alphabet=alphabet,
        chunk_size=chunk_size,
        store=store,
        dask=dask,
        overwrite=overwrite,
        copy=copy,
    )


@_with_runner_doc
def ism_sdata(
    model: Any,
    sdata: xr.Dataset,
    *,
    key: str = "ism_attrs",
    seq_key: str | None = None,
    alphabet: Any = "DNA",
    chunk_size: int | None = None,
    store: str | Path | None = None,
    dask: bool = False,
    overwrite: bool = False,
    copy: bool = False,
    **kwargs: Any,
) -> xr.Dataset:
    """Saturation mutagenesis of every sequence in ``sdata``, stored as ``sdata[key]``.

    Values equal :func:`eugene.interpret.ism` on the same one-hot; its keywords (target, batch_size, device, start,
    end, fast, ...) pass through.

    Parameters
    ----------
    model, sdata, key
        The model, the dataset, and the name of the stored variable.

    Returns
    -------
    The Dataset with the new variable.

    Examples
    --------
    >>> import eugene as eu
    >>> model = eu.models.build("deepbind", seq_len=100).eval()       # stand-in for your trained model
    >>> sdata = xr.Dataset({"seq": ("_sequence", ["ACGT" * 25, "GGCCTTAACC" * 10])})
    >>> ism_sdata(model, sdata, target=0)["ism_attrs"].shape
    (2, 4, 100)
    """
    from .mutagenesis import ism

    kwargs.setdefault("verbose", False)
    attrs = _provenance(ism, kwargs)
    return _run_per_sequence(
        lambda X: ism(model, X, **kwargs),
        sdata,
        key,
        attrs,
        seq_key=seq_key,
        alphabet=alphabet,
        chunk_size=chunk_size,
        store=store,
        dask=dask,
        overwrite=overwrite,
        copy=copy,
    )


def generate_pfms_sdata(
    model: Any,
    sdata: xr.Dataset,
    *,
    layer: Any = None,
    key: str | None = None,
    seq_key: str | None = None,
    alphabet: Any = "DNA",
    copy: bool = False,
    **kwargs: Any,
) -> xr.Dataset:
    """First-layer (or any conv layer's) filter PFMs from all sequences in ``sdata``, the DeepBind / deepRAM way.

    Stores raw site counts as ``sdata[key]`` (default ``f"{layer}_pfms"``) with dims ``(_filter, _ohe,
    _filter_position)`` and the number of sites per filter as ``sdata[key + "_n_sites"]``; keywords pass through to
    :func:`eugene.interpret.filter_pfms`.

    Examples
    --------
    >>> import eugene as eu
    >>> model = eu.models.build("deepbind", seq_len=100).eval()       # stand-in for your trained model
    >>> sdata = xr.Dataset({"seq": ("_sequence", ["ACGT" * 25, "GGCCTTAACC" * 10])})
    >>> generate_pfms_sdata(model, sdata)["conv1_pfms"].dims
    ('_filter', '_ohe', '_filter_position')
    """
    from ._engine import get_layer
    from .filters import filter_pfms

    layer_name, _ = get_layer(model, layer)
    X = onehot_sdata(sdata, seq_key, alphabet)
    motifs = filter_pfms(model, X, layer=layer, **kwargs)
    key = key or f"{layer_name}_pfms"
    attrs = _provenance(filter_pfms, {"layer": layer_name, **kwargs})
    out = sdata.copy() if copy else sdata
    out[key] = xr.DataArray(np.asarray(motifs.counts), dims=("_filter", OHE_DIM, "_filter_position"), attrs=attrs)
    out[f"{key}_n_sites"] = xr.DataArray(np.asarray(motifs.n_sites), dims=("_filter",), attrs=attrs)
    return out


def filters_to_meme_sdata(
    sdata: xr.Dataset, path: str | Path, *, key: str = "conv1_pfms", alphabet: str = "ACGT"
) -> Path:
    """Write the PFMs stored by :func:`generate_pfms_sdata` under ``key`` to a MEME file; returns its path.

    Examples
    --------
    >>> import eugene as eu
    >>> model = eu.models.build("deepbind", seq_len=100).eval()       # stand-in for your trained model
    >>> sdata = xr.Dataset({"seq": ("_sequence", ["ACGT" * 25, "GGCCTTAACC" * 10])})
    >>> sdata = generate_pfms_sdata(model, sdata)
    >>> filters_to_meme_sdata(sdata, "filters.meme", key="conv1_pfms").name
    'filters.meme'
    """
    from ..motifs import MotifSet, write_meme

    if key not in sdata:
        stored = [k for k in sdata.data_vars if str(k).endswith("_pfms")]
        raise ValueError(f"key must name PFMs stored by generate_pfms_sdata; got {key!r}; sdata has {stored}")
    counts = np.asarray(sdata[key].values, dtype=float)
    motifs = MotifSet.from_counts(counts, alphabet=alphabet)
    path = Path(path)
    write_meme(motifs, path)
    return path


def gia_sdata(
    model: Any,
    sdata: xr.Dataset,
    motif: Any,
    *,
    experiment: str = "implant",
    backgrounds: str | None = "dinucleotide_shuffle",
    key: str | None = None,
    seq_key: str | None = None,
    alphabet: Any = "DNA",
    seed: int | None = 0,
    copy: bool = False,
    **kwargs: Any,
) -> xr.Dataset:
    """Global importance of ``motif`` with the sequences of ``sdata`` as backgrounds (Koo et al. 2021).

    Each sequence gives one background: itself (``backgrounds=None``) or one dinucleotide shuffle of it
    (``"dinucleotide_shuffle"``, seeded), so the effect of the motif is measured against that sequence's own
    composition. ``experiment="implant"`` stores the per-sequence effect (dims ``(_sequence,)``);
    ``"positional"`` the effect at each offset (dims ``(_sequence, _gia_position)``, with the offsets as coordinate).
    The variable is ``key`` (default ``f"gia_{experiment}_{motif}"`` for a string motif, else ``f"gia_{experiment}"``);
    keywords (target, position / positions, step, strand, batch_size, device) pass to
    :func:`eugene.interpret.gia_implant` or :func:`eugene.interpret.gia_positional`.

    Examples
    --------
    >>> import eugene as eu
    >>> model = eu.models.build("deepbind", seq_len=100).eval()       # stand-in for your trained model
    >>> sdata = xr.Dataset({"seq": ("_sequence", ["ACGT" * 25, "GGCCTTAACC" * 10])})
    >>> gia_sdata(model, sdata, "CCATATATGG", experiment="positional", step=10)["gia_positional_CCATATATGG"].dims
    ('_sequence', '_gia_position')
    """
    from .backgrounds import dinucleotide_backgrounds
    from .gia import gia_implant, gia_positional

    if experiment not in ("implant", "positional"):
        raise ValueError(f"experiment must be 'implant' or 'positional'; got {experiment!r}")
    if backgrounds not in (None, "dinucleotide_shuffle"):
        raise ValueError(f"backgrounds must be None or 'dinucleotide_shuffle'; got {backgrounds!r}")
    X = onehot_sdata(sdata, seq_key, alphabet)
    if backgrounds == "dinucleotide_shuffle":
        X = dinucleotide_backgrounds(X, n=1, seed=seed)
    label = motif if isinstance(motif, str) else getattr(motif, "name", "")
    key = key or (f"gia_{experiment}_{label}" if label else f"gia_{experiment}")
    gia = gia_implant if experiment == "implant" else gia_positional
    attrs = _provenance(gia, {"motif": label or motif, "backgrounds": backgrounds, "seed": seed, **kwargs})
    out = sdata.copy() if copy else sdata
    if experiment == "implant":
        effects, _ = gia(model, X, motif, seed=seed, **kwargs)
        out[key] = xr.DataArray(effects, dims=(SEQ_DIM,), attrs=attrs)
    else:
        effects, table = gia(model, X, motif, seed=seed, **kwargs)
        out[key] = xr.DataArray(
            effects.T, dims=(SEQ_DIM, "_gia_position"), coords={"_gia_position": table["position"].to_numpy()}
        )
        out[key].attrs.update(attrs)
    return out
