"""The EUGENe API: interpretation on SeqData-style xarray Datasets, results stored beside the sequences.

A dataset holds its sequences either as one-hot ``ohe_seq`` with dims ``(_sequence, length, _ohe)`` or
``(_sequence, _ohe, length)`` (any name for the length dim), or as text ``seq``: one string per sequence (dims
``(_sequence,)``) or SeqData's character array (dims ``(_sequence, length)``, dtype ``S1``/``U1``). Text is one-hot
encoded chunk by chunk. Per-sequence results (attributions, ISM) are stored in the same layout as ``ohe_seq`` (or
``(_sequence, _ohe, length)`` for text input), with attrs recording the function, its arguments and the eugene version.

Large datasets go through a zarr ``store``: chunks of ``chunk_size`` sequences are computed and written one at a time
(memory O(chunk)), and a rerun after an interruption computes only the chunks not finished. A store knows what it
holds: a fingerprint of the sequences, the model's weights and every argument that changes the values (a rerun with
anything different is refused, naming what changed, unless ``overwrite=True``), its own chunking (kept on resume), a
checksum of each finished chunk (bad chunks are recomputed; :func:`eugene.interpret.verify_store` lists them) and a
lock against a second writer. With ``dask=True`` each chunk is a Dask task, so an active ``dask.distributed`` client
spreads the chunks over its workers. The runner is :mod:`eugene.interpret._store`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .._validate import check_onehot, check_positive_int, describe
from ..seq import get_alphabet, one_hot
from ._store import ROW_ARGUMENT, provenance, run_chunked

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
    """Dims of per-sequence results: those of the one-hot variable (``_sequence`` first, the chunked dim), or
    (_sequence, _ohe, length) for text."""
    dims = sdata[key].dims
    if SEQ_DIM not in dims:
        raise ValueError(f"sdata[{key!r}] must have a {SEQ_DIM!r} dim; got dims {dims}")
    if OHE_DIM in dims:
        if len(dims) != 3:
            raise ValueError(f"sdata[{key!r}] must have dims (_sequence, length, _ohe) or similar; got {dims}")
        return (SEQ_DIM, *(d for d in dims if d != SEQ_DIM))
    if len(dims) == 1:
        return (SEQ_DIM, OHE_DIM, "length")
    if len(dims) == 2:
        return (SEQ_DIM, OHE_DIM, next(d for d in dims if d != SEQ_DIM))
    raise ValueError(f"sdata[{key!r}] must be one-hot (with an {OHE_DIM!r} dim) or text; got dims {dims}")


def _load_onehot(sdata: xr.Dataset, key: str, rows: slice, alphabet: Any) -> np.ndarray:
    """One-hot (n, A, L) float32 for the sequences in ``rows``; one-hot input must be finite, with one channel per
    letter of ``alphabet`` (None: DNA for 4 channels, protein for 20)."""
    var = sdata[key].isel({SEQ_DIM: rows})
    if OHE_DIM in var.dims:
        length_dim = next(d for d in var.dims if d not in (SEQ_DIM, OHE_DIM))
        values = np.ascontiguousarray(var.transpose(SEQ_DIM, OHE_DIM, length_dim).values, dtype=np.float32)
        try:
            alpha = get_alphabet(alphabet, size=values.shape[1])
        except ValueError as err:
            raise ValueError(f"sdata[{key!r}] has {values.shape[1]} channels along {OHE_DIM!r}: {err}") from None
        check_onehot(values, f"sdata[{key!r}]", alphabet_size=alpha.size, alphabet_name=alpha.name)
        return values
    values = var.values
    if values.ndim == 2:  # SeqData's character array
        values = values.astype("U1") if values.dtype.kind == "S" else values
        strings = ["".join(row) for row in values]
    else:
        strings = [s.decode() if isinstance(s, bytes) else str(s) for s in values]
    return one_hot(strings, alphabet)


def onehot_sdata(sdata: xr.Dataset, seq_key: str | None = None, alphabet: Any = None) -> np.ndarray:
    """The one-hot (N, A, L) float32 array of all sequences of a SeqData / xarray Dataset, whatever its layout.

    ``seq_key`` names the variable (default: ``ohe_seq``, else ``seq``): one-hot with dims (``_sequence``, ``_ohe``,
    length) in either order, text, or SeqData's character array. Text is encoded with ``alphabet`` (None: DNA);
    one-hot must be finite with one channel per letter of ``alphabet`` (None: DNA for 4 channels, protein for 20),
    else ValueError (and a warning when it is not one-hot).

    Examples
    --------
    >>> sdata = xr.Dataset({"seq": ("_sequence", ["ACGT", "GGCA"])})
    >>> onehot_sdata(sdata).shape
    (2, 4, 4)
    """
    return _load_onehot(sdata, _sequence_variable(sdata, seq_key), slice(None), alphabet)


# --- the chunked runner (eugene.interpret._store) over the layouts -------------------------------------------------


def _to_layout(result: np.ndarray, dims: tuple[str, ...]) -> np.ndarray:
    """(n, A, L) -> the order of ``dims``."""
    order = {SEQ_DIM: 0, OHE_DIM: 1}
    return result.transpose([order.get(d, 2) for d in dims])


def _compute_chunk(fn: Callable, key: str, alphabet: Any, dims: tuple, part: xr.Dataset, verbose: bool) -> np.ndarray:
    """``fn`` on the one-hot of ``part`` (a Dataset holding one chunk's rows), in the layout of ``dims``; the chunk's
    rows of each per-sequence argument (an (N, A, L) or (N, R, A, L) array of references, a variable of ``part``
    named with the prefix ``ROW_ARGUMENT``) pass as keywords."""
    rows = {
        str(name)[len(ROW_ARGUMENT) :]: part[name].values
        for name in part.data_vars
        if str(name).startswith(ROW_ARGUMENT)
    }
    return _to_layout(np.asarray(fn(_load_onehot(part, key, slice(None), alphabet), verbose, **rows)), dims)


def _run_per_sequence(
    fn: Callable[[np.ndarray, bool], np.ndarray],
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
    model: Any = None,
    verbose: bool = False,
    per_sequence: dict[str, np.ndarray] | None = None,
) -> xr.Dataset:
    """Apply ``fn`` ((n, A, L) one-hot, verbose, **rows -> (n, A, L) result) chunk by chunk and store it as ``out_key``.

    ``model`` joins the store's fingerprint; ``verbose`` shows one progress bar over all chunks; ``per_sequence``
    holds arrays with one row per sequence, each passed to ``fn`` (under its name) as the chunk's rows."""
    key = _sequence_variable(sdata, seq_key)
    dims = _layout(sdata, key)
    n = sdata.sizes[SEQ_DIM]
    chunk_size = check_positive_int(chunk_size, "chunk_size", allow_none=True)
    seqs = sdata[[key]]
    for name, values in (per_sequence or {}).items():
        extra_dims = tuple(f"{ROW_ARGUMENT}{name}_{i}" for i in range(1, values.ndim))
        seqs[f"{ROW_ARGUMENT}{name}"] = ((SEQ_DIM, *extra_dims), values)
    first = _to_layout(_load_onehot(seqs, key, slice(0, 1), alphabet), dims)
    result = run_chunked(
        partial(_compute_chunk, fn, key, alphabet, dims),
        seqs,
        out_key,
        dims,
        (n, *first.shape[1:]),
        attrs,
        model=model,
        extra={"eugene_alphabet": get_alphabet(alphabet).letters} if OHE_DIM not in sdata[key].dims else None,
        chunk_size=chunk_size,
        store=store,
        dask=dask,
        overwrite=overwrite,
        verbose=verbose,
    )
    if store is not None:
        _store_coordinates(seqs, Path(store))
    out = sdata.copy() if copy else sdata
    out[out_key] = result
    return out


def _store_coordinates(sdata: xr.Dataset, store: Path) -> None:
    """The per-sequence coordinates of ``sdata`` (names, genome coordinates) into ``store`` beside the result, where
    it lacks them or holds others (a result recomputed with overwrite=True for other regions)."""
    stored = xr.open_zarr(store, consolidated=False)
    coords = {
        name: c.variable.astype(object) if c.dtype.kind in "SU" else c.variable  # zarr's variable-length strings
        for name, c in sdata.coords.items()
        if c.dims == (SEQ_DIM,)
        and (name not in stored.variables or not np.array_equal(stored[name].values, c.values.astype(object)))
    }
    if coords:
        xr.Dataset(coords=coords).to_zarr(store, mode="a", consolidated=False)


# --- EUGENe's keyword names ------------------------------------------------------------------------------------

# EUGENe's (0.1) keyword -> eugene's, where both mean the same thing; docs/index.md has the table per function.
_EUGENE_KEYWORDS = {
    "seq_var": "seq_key",
    "layer_name": "layer",
    "reference_type": "references",
    "activation_threshold": "threshold",
    "num_seqlets": "top_k",
    "filters_var": "key",
}
# EUGENe's reference_type values named otherwise here; "shuffle" and "gc" are the same names.
_EUGENE_REFERENCE_TYPES = {"zeros": "zero", "dinuc_shuffle": "dinucleotide_shuffle"}
# EUGENe keywords with no equivalent here, and why (an error says so instead of a bare "unexpected keyword").
_NO_EQUIVALENT = {
    "num_workers": "eugene reads sdata directly, without a torch DataLoader",
    "prefetch_factor": "eugene reads sdata directly, without a torch DataLoader",
    "transforms": "eugene reads sdata directly, without a torch DataLoader; transform the sequences beforehand",
    "num_filters": "every filter is computed; select them afterwards, e.g. .isel(_filter=slice(0, n))",
    "padding": "each site's window is derived from the model's padding, stride and dilation",
    "activations": "activations are computed from the model and the sequences",
    "seqs": "the sequences are those of sdata",
    "filter_inds": "select the filters beforehand, e.g. sdata.isel(_filter=[0, 3])",
    "axis_order": "dims are read by name",
    "bg": "the MEME file gets a uniform background",
}


def _eugene_keywords(kwargs: dict[str, Any], named: dict[str, Any], takes: tuple[str, ...]) -> tuple[str, str]:
    """Move EUGENe's keyword names in ``kwargs`` to eugene's (``takes``: the EUGENe names this function accepts).

    ``named`` holds the function's own named arguments (None when not given) and receives the aliases of those; the
    other aliases land in ``kwargs``, which pass through. An alias given beside its eugene name, or a keyword of
    EUGENe without an equivalent, is a TypeError. Returns EUGENe's ``prefix`` and ``suffix`` of the variable name.
    """
    for theirs in takes:
        if theirs not in kwargs:
            continue
        ours = _EUGENE_KEYWORDS[theirs]
        value = kwargs.pop(theirs)
        if named.get(ours) is not None or ours in kwargs:
            raise TypeError(f"{theirs} is EUGENe's name for {ours}; give one of them, not both")
        if theirs == "reference_type" and isinstance(value, str):
            value = _EUGENE_REFERENCE_TYPES.get(value, value)
        (named if ours in named else kwargs)[ours] = value
    for theirs, why in _NO_EQUIVALENT.items():
        if theirs in kwargs:
            raise TypeError(f"{theirs} (a keyword of EUGENe) has no equivalent in eugene: {why}")
    prefix, suffix = kwargs.pop("prefix", ""), kwargs.pop("suffix", "")
    for name, value in (("prefix", prefix), ("suffix", suffix)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str (added to the stored variable's name); got {describe(value)}")
    return prefix, suffix


# --- public functions -------------------------------------------------------------------------------------------

_RUNNER_DOC = """
    seq_key
        The sequence variable: ``"ohe_seq"`` or ``"seq"`` by default, whichever sdata has (EUGENe: ``seq_var``).
    alphabet
        The sequences' alphabet: encodes text (None: DNA); one-hot must have one channel per letter (None: DNA for 4
        channels, protein for 20).
    chunk_size
        Sequences computed and written at a time (default: all at once). With ``store``, each chunk is a unit of
        resumption and of Dask parallelism. Randomness (shuffled references, SmoothGrad noise) is drawn per chunk
        from ``seed``: results are reproducible for a given chunk_size, and equal the plain function on each chunk.
    store
        A zarr directory to write the result into incrementally, with sdata's per-sequence coordinates (names, genome
        coordinates) beside it; the stored variable is attached to sdata lazily.
        Rerunning the same call after an interruption computes only the chunks not finished, and recomputes any
        chunk whose data no longer matches its checksum. A rerun keeps the store's chunks whatever ``chunk_size``
        it asks for (with a warning), and is refused, naming what changed, when the sequences, their coordinates
        (names, genome coordinates), the model's class or weights, or an argument that changes the values (``seed``
        included) differ; ``batch_size``, ``device`` and
        ``verbose`` may change. Markers and the writer's lock live in ``<store>.progress/`` beside the store; a
        second writer is refused while the first runs. Check a store with :func:`eugene.interpret.verify_store`.
    dask
        Run each chunk as a Dask task (needs ``store``, and the ``dask`` package); an active ``dask.distributed``
        Client distributes them, otherwise they run on threads of this process.
    overwrite
        Recompute a result already in ``store`` from scratch (otherwise a stored result from a different call is
        an error). The sequence variable and variables eugene did not write are never replaced.
    copy
        True: return a new Dataset with the result and leave sdata untouched; False (default): add the result to
        sdata itself (in place, as EUGENe does) and return it.
    prefix, suffix
        EUGENe's: added before / after the stored variable's name.
    verbose
        One progress bar (with an estimate of the time left) over all sequences; with a single chunk, the
        method's own bar.
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
    alphabet: Any = None,
    chunk_size: int | None = None,
    store: str | Path | None = None,
    dask: bool = False,
    overwrite: bool = False,
    copy: bool = False,
    verbose: bool | None = None,
    **kwargs: Any,
) -> xr.Dataset:
    """Attributions of every sequence in ``sdata``, stored as ``sdata[key]`` (default ``f"{method}_attrs"``).

    Values equal :func:`eugene.interpret.attribute` on the same one-hot; every keyword of it (target, references,
    n_references, batch_size, device, seed, ...) passes through. References given as an array, one (N, A, L) or
    several (N, R, A, L) per sequence, are split with the sequences, chunk by chunk. EUGENe's keyword names
    ``seq_var`` and ``reference_type`` (``"zeros"``, ``"shuffle"``, ``"dinuc_shuffle"``, ``"gc"``) work too.

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

    named = {"seq_key": seq_key}
    prefix, suffix = _eugene_keywords(kwargs, named, ("seq_var", "reference_type"))
    attrs = provenance(attribute, {"method": method, **kwargs})
    references = kwargs.get("references")
    per_sequence = {}
    if hasattr(references, "shape") and len(references.shape) in (3, 4) and _has_rows(sdata, references):
        values = kwargs.pop("references")
        per_sequence["references"] = values.detach().cpu().numpy() if hasattr(values, "detach") else np.asarray(values)
    return _run_per_sequence(
        lambda X, verbose, **rows: attribute(model, X, method, verbose=verbose, **kwargs, **rows),
        sdata,
        f"{prefix}{key or f'{method}_attrs'}{suffix}",
        attrs,
        seq_key=named["seq_key"],
        alphabet=alphabet,
        chunk_size=chunk_size,
        store=store,
        dask=dask,
        overwrite=overwrite,
        copy=copy,
        model=model,
        verbose=verbose,
        per_sequence=per_sequence,
    )


def _has_rows(sdata: xr.Dataset, values: Any) -> bool:
    """Whether ``values`` has one row per sequence of ``sdata`` (otherwise it passes through as given)."""
    return isinstance(sdata, xr.Dataset) and SEQ_DIM in sdata.dims and values.shape[0] == sdata.sizes[SEQ_DIM]


@_with_runner_doc
def ism_sdata(
    model: Any,
    sdata: xr.Dataset,
    *,
    key: str = "ism_attrs",
    seq_key: str | None = None,
    alphabet: Any = None,
    chunk_size: int | None = None,
    store: str | Path | None = None,
    dask: bool = False,
    overwrite: bool = False,
    copy: bool = False,
    verbose: bool | None = None,
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

    named = {"seq_key": seq_key}
    prefix, suffix = _eugene_keywords(kwargs, named, ("seq_var",))
    attrs = provenance(ism, kwargs)
    return _run_per_sequence(
        lambda X, verbose: ism(model, X, verbose=verbose, **kwargs),
        sdata,
        f"{prefix}{key}{suffix}",
        attrs,
        seq_key=named["seq_key"],
        alphabet=alphabet,
        chunk_size=chunk_size,
        store=store,
        dask=dask,
        overwrite=overwrite,
        copy=copy,
        model=model,
        verbose=verbose,
    )


def generate_pfms_sdata(
    model: Any,
    sdata: xr.Dataset,
    *,
    layer: Any = None,
    key: str | None = None,
    seq_key: str | None = None,
    alphabet: Any = None,
    copy: bool = False,
    **kwargs: Any,
) -> xr.Dataset:
    """First-layer (or any conv layer's) filter PFMs from all sequences in ``sdata``, the DeepBind / deepRAM way.

    Stores raw site counts as ``sdata[key]`` (default ``f"{layer}_pfms"``) with dims ``(_filter, _ohe,
    _filter_position)`` and the number of sites per filter as ``sdata[key + "_n_sites"]``; the ``_filter`` coordinate
    names each filter (``"filter_7"``: with ``min_sites``, filters without enough sites are left out) and the attr
    ``alphabet`` holds the letters of the ``_ohe`` rows. ``alphabet`` encodes text sequences (default DNA) and names
    the letters of the PFMs (default: DNA for 4 channels, protein for 20); keywords pass through to
    :func:`eugene.interpret.filter_pfms`. ``copy=True`` returns a new Dataset and leaves sdata untouched;
    ``copy=False`` (default) adds the PFMs to sdata itself and returns it.

    EUGENe's keyword names work too: ``seq_var`` (``seq_key``), ``layer_name`` (``layer``), ``activation_threshold``
    (``threshold``: a site is an activation above that fraction of the filter's maximum, as here), ``num_seqlets``
    (``top_k`` with ``threshold=0``: the filter's top sites), ``prefix`` / ``suffix`` (around the variable's name) and
    ``kernel_size``, which eugene derives from the model (the layer's receptive field): given, it must equal it.

    Examples
    --------
    >>> import eugene as eu
    >>> model = eu.models.build("deepbind", seq_len=100).eval()       # stand-in for your trained model
    >>> sdata = xr.Dataset({"seq": ("_sequence", ["ACGT" * 25, "GGCCTTAACC" * 10])})
    >>> pfms = generate_pfms_sdata(model, sdata)["conv1_pfms"]
    >>> pfms.dims, pfms.attrs["alphabet"], str(pfms["_filter"].values[0])
    (('_filter', '_ohe', '_filter_position'), 'ACGT', 'filter_0')
    """
    from ._engine import get_layer
    from .filters import filter_pfms

    named = {"seq_key": seq_key, "layer": layer}
    kernel_size = kwargs.pop("kernel_size", None)
    if "num_seqlets" in kwargs and "activation_threshold" in kwargs:
        raise TypeError("num_seqlets and activation_threshold are EUGENe's two ways to pick sites; give one")
    if "num_seqlets" in kwargs and "threshold" not in kwargs:
        kwargs["threshold"] = 0.0  # EUGENe's num_seqlets: the filter's top sites, whatever their activation
    prefix, suffix = _eugene_keywords(kwargs, named, ("seq_var", "layer_name", "activation_threshold", "num_seqlets"))
    seq_key, layer = named["seq_key"], named["layer"]
    layer_name, _ = get_layer(model, layer)
    X = onehot_sdata(sdata, seq_key, alphabet)
    motifs = filter_pfms(model, X, layer=layer, alphabet=alphabet, **kwargs)
    width = np.asarray(motifs.counts).shape[-1]
    if kernel_size is not None and kernel_size != width:
        raise ValueError(
            f"kernel_size (EUGENe's window width) must equal the receptive field of layer {layer_name!r}, {width} "
            f"positions, which eugene derives from the model; got {kernel_size!r}: leave kernel_size out"
        )
    key = f"{prefix}{key or f'{layer_name}_pfms'}{suffix}"
    attrs = provenance(filter_pfms, {"layer": layer_name, **kwargs})
    attrs["alphabet"] = motifs.alphabet
    filters = {"_filter": np.array(motifs.names)}
    if "_filter" in sdata.coords and not np.array_equal(sdata["_filter"].values, filters["_filter"]):
        raise ValueError(  # xarray would align the new PFMs to the old filters, leaving NaN rows
            f"sdata already holds PFMs of other filters ({list(sdata['_filter'].values)[:6]} ...); the PFMs of "
            f"{key!r} are of {motifs.names[:6]} ...; store them in another Dataset"
        )
    out = sdata.copy() if copy else sdata
    dims = ("_filter", OHE_DIM, "_filter_position")
    out[key] = xr.DataArray(np.asarray(motifs.counts), dims=dims, coords=filters, attrs=attrs)
    out[f"{key}_n_sites"] = xr.DataArray(np.asarray(motifs.n_sites), dims=("_filter",), coords=filters, attrs=attrs)
    return out


def filters_to_meme_sdata(
    sdata: xr.Dataset,
    path: str | Path | None = None,
    *,
    key: str | None = None,
    alphabet: str | None = None,
    **eugene_keywords: Any,
) -> Path:
    """Write the PFMs stored by :func:`generate_pfms_sdata` under ``key`` (default ``"conv1_pfms"``) to a MEME file;
    returns its path.

    Motifs are named by the ``_filter`` coordinate and written in the letters of the stored ``alphabet`` attr
    (``alphabet`` overrides it; without either, ACGT). EUGENe's keyword names work too: ``filters_var`` (``key``),
    and ``output_dir`` with ``filename`` (default ``"filters.meme"``) for ``path``.

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

    named = {"key": key}
    output_dir, filename = eugene_keywords.pop("output_dir", None), eugene_keywords.pop("filename", None)
    _eugene_keywords(eugene_keywords, named, ("filters_var",))
    if eugene_keywords:
        raise TypeError(f"filters_to_meme_sdata got unexpected keyword arguments {sorted(eugene_keywords)}")
    key = named["key"] or "conv1_pfms"
    if path is not None and (output_dir is not None or filename is not None):
        raise TypeError("output_dir and filename are EUGENe's way to give path; give path or them, not both")
    if path is None:
        if output_dir is None and filename is None:
            raise TypeError("filters_to_meme_sdata needs path, the MEME file to write (or EUGENe's output_dir)")
        path = Path(output_dir or ".") / (filename or "filters.meme")
    if isinstance(sdata, xr.Dataset) and isinstance(path, str) and path in sdata.data_vars:
        raise ValueError(
            f"path {path!r} names a variable of sdata (EUGENe's second argument is the variable; here it is the file "
            f"to write): call filters_to_meme_sdata(sdata, 'filters.meme', key={path!r})"
        )
    if key not in sdata:
        stored = [k for k in sdata.data_vars if str(k).endswith("_pfms")]
        raise ValueError(f"key must name PFMs stored by generate_pfms_sdata; got {key!r}; sdata has {stored}")
    pfms = sdata[key]
    counts = np.asarray(pfms.values, dtype=float)
    names = [str(name) for name in pfms["_filter"].values] if "_filter" in pfms.coords else None
    letters = get_alphabet(alphabet or pfms.attrs.get("alphabet")).letters
    motifs = MotifSet.from_counts(counts, alphabet=letters, names=names)
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
    alphabet: Any = None,
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
    :func:`eugene.interpret.gia_implant` or :func:`eugene.interpret.gia_positional`. ``alphabet`` is that of the
    sequences (see :func:`onehot_sdata`). ``copy=True`` returns a new Dataset and leaves sdata untouched; ``copy=False``
    (default) adds the variable to sdata itself and returns it. EUGENe's ``seq_var`` (``seq_key``) and ``prefix`` /
    ``suffix`` (around the variable's name) work too.

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
    named = {"seq_key": seq_key}
    prefix, suffix = _eugene_keywords(kwargs, named, ("seq_var",))
    X = onehot_sdata(sdata, named["seq_key"], alphabet)
    if backgrounds == "dinucleotide_shuffle":
        X = dinucleotide_backgrounds(X, n=1, seed=seed)
    label = motif if isinstance(motif, str) else getattr(motif, "name", "")
    key = f"{prefix}{key or (f'gia_{experiment}_{label}' if label else f'gia_{experiment}')}{suffix}"
    gia = gia_implant if experiment == "implant" else gia_positional
    attrs = provenance(gia, {"motif": label or motif, "backgrounds": backgrounds, "seed": seed, **kwargs})
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
