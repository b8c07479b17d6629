"""The chunked runner behind the ``*_sdata`` functions, and zarr stores that know what they hold.

:func:`run_chunked` computes a per-row result chunk by chunk (rows along the first dim), in memory or into a zarr
``store``. A store is resumable and checks itself:

- **Fingerprint.** The result variable's attrs record the function, eugene's version and every argument that shapes the
  values (human-readable), and ``eugene_inputs`` records everything the values depend on: those arguments (arrays by a
  hash of their contents), the input sequences (a hash of the input variables' values, dims and dtype, read chunk by
  chunk: for windows of a genome, the bases read, whatever file they came from), the rows' coordinates (names, genome
  coordinates: another BED is another computation) and the model (its class and a hash of its ``state_dict``). A
  call whose fingerprint differs refuses and names what changed, unless ``overwrite=True``, which recomputes the
  variable from scratch. ``batch_size``, ``device`` and ``verbose`` may change
  between runs. A callable argument is known by its qualified name only.
- **Chunks.** Rows are written in the store's own zarr chunks: a rerun with another ``chunk_size`` uses the stored
  chunking (with a warning), so each task writes whole zarr chunks of its own and seeded per-chunk randomness stays as
  it was.
- **Markers.** Each finished chunk is marked in ``<store>.progress/<key>/<start>-<stop>`` (beside the store, since zarr
  warns about foreign objects inside it): a JSON record of the fingerprint and the sha256 of the chunk's values as read
  back after writing. A rerun recomputes every chunk whose marker is absent, from another fingerprint, or whose data no
  longer matches its checksum (deleted, truncated, bit-flipped or copied-over chunk files). A store moved with its
  ``.progress`` folder resumes; moved without it, everything is recomputed.
- **Lock.** One writer at a time: ``<store>.progress/.lock`` is created exclusively (``O_EXCL``) and holds the writer's
  pid, host and start time; a second writer refuses while the holder lives. A lock left by a killed process on this host
  is taken over; one from another host must be removed by hand (the error says where). Dask workers write disjoint
  chunks under the lock the calling process holds.
- **Inputs are never overwritten**: neither the input variables nor a variable eugene did not write.

:func:`verify_store` reports, per chunk of each result variable, whether its data is what was written.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
import socket
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from tqdm.auto import tqdm

from .. import __version__
from .._settings import show_progress

__all__ = ["run_chunked", "verify_store", "provenance", "model_fingerprint"]

# how a result is computed, not what it is: a resumed run may change these
EXECUTION_ARGUMENTS = frozenset({"batch_size", "device", "verbose"})
_INPUTS = "eugene_inputs"
_FINGERPRINT = "eugene_fingerprint"


# --- fingerprints -----------------------------------------------------------------------------------------------


def _value_bytes(values: Any) -> bytes:
    """The raw bytes of an array or tensor's values (text by its characters), independent of how it is sliced."""
    if hasattr(values, "detach"):  # a torch tensor, any dtype (bfloat16 has no numpy twin)
        import torch

        return values.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
    array = np.asarray(values)
    if array.dtype.kind == "O":
        return "".join(f"{v.decode() if isinstance(v, bytes) else v}\x00" for v in array.ravel()).encode()
    return np.ascontiguousarray(array).tobytes()


def _array_digest(values: Any) -> str:
    header = f"{getattr(values, 'dtype', '?')}{tuple(values.shape)}"
    return hashlib.sha256(header.encode() + _value_bytes(values)).hexdigest()


def describe_argument(value: Any) -> str:
    """An argument as stored in attrs: arrays by shape and content hash, callables by name, the rest by repr."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"array of shape {tuple(value.shape)}, sha256 {_array_digest(value)[:16]}"
    if callable(value):
        return f"callable {getattr(value, '__qualname__', type(value).__name__)}"
    return repr(value)


def provenance(function: Callable, arguments: dict[str, Any]) -> dict[str, str]:
    """The attrs stored with a result: the function, eugene's version and every argument that shapes the values,
    defaults included (so a stored result says which target and references made it, given or not)."""
    values = {
        name: p.default
        for name, p in inspect.signature(function).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    values.update(arguments)
    attrs = {"eugene_function": function.__name__, "eugene_version": __version__}
    attrs.update({k: describe_argument(v) for k, v in sorted(values.items()) if k not in EXECUTION_ARGUMENTS})
    return attrs


def model_fingerprint(model: Any) -> str:
    """The model's class and a sha256 over its state_dict (names, dtypes, shapes and values of every tensor); for a
    list or tuple of models (an ensemble), each model's, in order."""
    if isinstance(model, (list, tuple)):
        return " + ".join(model_fingerprint(m) for m in model)
    cls = type(model)
    name = f"{cls.__module__}.{getattr(model, 'original_name', cls.__qualname__)}"
    state_dict = getattr(model, "state_dict", None)
    if state_dict is None:
        return name
    h = hashlib.sha256()
    for key, value in state_dict().items():
        h.update(f"{key}:{getattr(value, 'dtype', type(value))}{tuple(getattr(value, 'shape', ()))}".encode())
        h.update(_value_bytes(value))
    return f"{name}, weights sha256 {h.hexdigest()[:16]}"


# Input variables with this prefix are per-sequence arguments (references) riding with their rows, chunk by chunk;
# the provenance attrs already fingerprint them, so a changed one is reported as itself, not as other sequences.
ROW_ARGUMENT = "_eugene_argument_"


def _sequences_fingerprint(inputs: xr.Dataset, step: int) -> str:
    """A sha256 over the input variables (name, dims, dtype, shape, values), read ``step`` rows at a time: memory
    O(step) however the variables are backed (numpy, dask, zarr, or windows read from a genome on access)."""
    h = hashlib.sha256()
    for name in sorted(str(name) for name in inputs.data_vars if not str(name).startswith(ROW_ARGUMENT)):
        var = inputs[name]
        h.update(f"{name}{var.dims}{var.dtype}{var.shape}".encode())
        for start in range(0, var.shape[0], step):
            h.update(_value_bytes(var[start : start + step].values))
    return f"sha256 {h.hexdigest()[:16]}"


def _coordinates_fingerprint(inputs: xr.Dataset, row_dim: str) -> str | None:
    """A sha256 over the per-row coordinates of ``inputs`` (sequence names, genome coordinates), or None without."""
    names = sorted(str(name) for name, c in inputs.coords.items() if c.dims == (row_dim,))
    if not names:
        return None
    h = hashlib.sha256()
    for name in names:
        values = inputs[name].values
        h.update(f"{name}{values.dtype}{values.shape}".encode() + _value_bytes(values))
    return f"sha256 {h.hexdigest()[:16]}"


# --- the store: paths, lock, markers ----------------------------------------------------------------------------


def _progress_root(store: Path) -> Path:
    return store.with_name(f"{store.name}.progress")


class _StoreLock:
    """``<store>.progress/.lock``, created with O_EXCL and holding pid, host and time; removed on exit."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self.path = _progress_root(store) / ".lock"
        self.token = uuid.uuid4().hex

    def __enter__(self) -> _StoreLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        record = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.ctime(), "token": self.token}
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                self._take_over_if_stale()
                continue
            with os.fdopen(fd, "w") as file:
                json.dump(record, file)
            return self
        raise ValueError(f"store {str(self.store)!r}: could not take the lock {str(self.path)!r}; try again")

    def _take_over_if_stale(self) -> None:
        try:
            text = self.path.read_text()
            age = time.time() - self.path.stat().st_mtime
        except FileNotFoundError:
            return
        try:
            holder = json.loads(text)
            pid, host, since = int(holder["pid"]), str(holder["host"]), holder.get("since", "?")
        except (ValueError, KeyError, TypeError, AttributeError):
            if age < 10:  # being written by a writer that has just created it
                raise self._busy("a writer that is starting") from None
            pid, host, since = -1, socket.gethostname(), "?"  # unreadable and old: left by a writer killed early
        if host != socket.gethostname() or _pid_alive(pid):
            raise self._busy(f"pid {pid} on host {host!r} since {since}")
        # stale: move it aside atomically (only one taker succeeds), then make sure it was the stale one we read
        claim = self.path.with_name(f".lock.stale-{self.token}")
        try:
            os.rename(self.path, claim)
        except FileNotFoundError:
            return
        if claim.read_text() != text:  # a live writer replaced it meanwhile: give its lock back
            try:
                os.link(claim, self.path)
            except FileExistsError:
                pass
        claim.unlink()

    def _busy(self, who: str) -> ValueError:
        return ValueError(
            f"store {str(self.store)!r} is locked by another writer ({who}); wait until it ends, "
            f"or, if no such process runs any more, delete the lock file {str(self.path)!r}"
        )

    def __exit__(self, *exc: Any) -> None:
        try:
            if json.loads(self.path.read_text()).get("token") == self.token:
                self.path.unlink()
        except (FileNotFoundError, ValueError):
            pass


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def _chunk_digest(values: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(values).tobytes()).hexdigest()


def _marker(markers: Path, rows: slice) -> Path:
    return markers / f"{rows.start}-{rows.stop}"


def _chunk_status(array: Any, path: Path, markers: Path, fingerprint: str, rows: slice) -> tuple[str, str]:
    """("ok" | "missing" | "corrupt" | "not finished", why) for the chunk of ``rows`` of the zarr array at ``path``."""
    try:
        record = json.loads(_marker(markers, rows).read_text())
    except FileNotFoundError:
        return "not finished", "no marker"
    except (OSError, ValueError):
        return "not finished", "unreadable marker"
    if not isinstance(record, dict) or record.get("fingerprint") != fingerprint:
        return "not finished", "marker from another computation"
    try:
        digest = _chunk_digest(array[rows])
    except Exception as error:  # truncated or garbled chunk file: zarr's codecs fail in many ways
        return "corrupt", f"unreadable: {type(error).__name__}: {error}"[:300]
    if digest == record.get("sha256"):
        return "ok", ""
    index = (rows.start // array.chunks[0],) + (0,) * (array.ndim - 1)
    if not (path / array.metadata.encode_chunk_key(index)).exists():
        return "missing", "the chunk's file is gone"
    return "corrupt", "checksum differs from the one recorded when the chunk was written"


def _chunk_slices(n: int, step: int) -> list[slice]:
    return [slice(start, min(start + step, n)) for start in range(0, n, step)]


def _open_array(path: Path, mode: str = "r") -> Any:
    import zarr

    return zarr.open_array(store=str(path), mode=mode)


def _is_node(path: Path) -> bool:
    return any((path / name).exists() for name in ("zarr.json", ".zarray", ".zgroup"))


def _digest(record: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def _stored_record(attrs: dict[str, Any]) -> dict[str, str] | None:
    try:
        record = json.loads(attrs[_INPUTS])
    except (KeyError, TypeError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _differences(stored: dict[str, str], record: dict[str, str]) -> str:
    keys = sorted(k for k in set(stored) | set(record) if stored.get(k) != record.get(k))
    then = ", ".join(f"{k}={stored.get(k, '(not recorded)')}" for k in keys)
    now = ", ".join(f"{k}={record.get(k, '(not recorded)')}" for k in keys)
    return f"it was made with {then}; this call has {now} (differs in {keys})"


def _prepare(
    store: Path,
    key: str,
    dims: tuple[str, ...],
    shape: tuple[int, ...],
    chunk_size: int | None,
    attrs: dict[str, str],
    record: dict[str, str],
    overwrite: bool,
) -> tuple[int, set[int]]:
    """Make ``key`` in ``store`` ready to take chunks; return the stored chunk size and the indices of good chunks.

    ``chunk_size`` is the one asked for (None: all rows at once); an existing variable keeps its own."""
    path, markers = store / key, _progress_root(store) / key
    fingerprint = _digest(record)
    if path.exists():
        try:
            array = _open_array(path)
            stored_attrs = dict(array.attrs)
        except Exception as error:
            if not overwrite:
                raise ValueError(
                    f"store {str(store)!r} holds a variable {key!r} that zarr cannot read ({type(error).__name__}: "
                    f"{error}); pass overwrite=True to recompute it, or choose another key"
                ) from error
        else:
            if _FINGERPRINT not in stored_attrs and "eugene_function" not in stored_attrs:
                raise ValueError(
                    f"key {key!r} names a variable of store {str(store)!r} that eugene did not write; it is left "
                    "alone (overwrite=True neither); choose another key"
                )
            if not overwrite:
                stored = _stored_record(stored_attrs)
                if stored != record or tuple(array.shape) != shape:
                    if stored is None:
                        why = "it records no fingerprint of its inputs (written by an older eugene, or edited)"
                    else:
                        why = _differences(stored, record) if stored != record else f"shape {array.shape} != {shape}"
                    raise ValueError(
                        f"store {str(store)!r} already holds {key!r} computed differently: {why}; "
                        "pass overwrite=True to recompute it, or choose another key"
                    )
                step = int(array.chunks[0])
                if chunk_size is not None and step != chunk_size:
                    warnings.warn(
                        f"chunk_size={chunk_size} differs from the chunks of {key!r} in store {str(store)!r}; "
                        f"resuming with its chunks of {step} sequences",
                        UserWarning,
                        stacklevel=5,  # the caller of attribute_sdata / ism_sdata
                    )
                markers.mkdir(parents=True, exist_ok=True)
                slices = _chunk_slices(shape[0], step)
                good = [_chunk_status(array, path, markers, fingerprint, rows)[0] == "ok" for rows in slices]
                return step, {i for i, ok in enumerate(good) if ok}
        shutil.rmtree(path)  # only this variable; the rest of the store stays
    shutil.rmtree(markers, ignore_errors=True)
    step = chunk_size or max(shape[0], 1)
    _create_array(store, key, dims, shape, step, {**attrs, _INPUTS: json.dumps(record, sort_keys=True)}, fingerprint)
    markers.mkdir(parents=True)
    return step, set()


def _create_array(
    store: Path, key: str, dims: tuple[str, ...], shape: tuple[int, ...], step: int, attrs: dict, fingerprint: str
) -> None:
    """An empty float32 variable ``key`` (NaN fill, chunks of ``step`` rows) that xarray reads with ``dims``: metadata
    only, in memory too (a template Dataset written by xarray would be materialized whole: O(N) memory)."""
    import zarr

    group = zarr.open_group(str(store), mode="a")
    options = {"shape": shape, "chunks": (step, *shape[1:]), "dtype": "float32", "fill_value": np.nan}
    zarr3 = int(zarr.__version__.split(".")[0]) >= 3
    v2 = not zarr3 or group.metadata.zarr_format == 2
    if not v2:
        array = group.create_array(key, dimension_names=dims, **options)
    else:  # zarr format 2 (an older zarr, or an existing v2 store): xarray reads the dims from this attribute
        array = group.create_array(key, **options) if zarr3 else group.create_dataset(key, **options)
        attrs = {**attrs, "_ARRAY_DIMENSIONS": list(dims)}
    array.attrs.update({**attrs, _FINGERPRINT: fingerprint})


def _write_chunk(compute: Callable, part: xr.Dataset, rows: slice, store: Path, key: str, fingerprint: str) -> int:
    """Compute the rows of ``part``, write them into their own zarr chunk, and mark it with the data's checksum."""
    path = store / key
    array = _open_array(path, "r+")
    values = np.asarray(compute(part, False), dtype=np.float32)
    expected = (rows.stop - rows.start, *array.shape[1:])
    if values.shape != expected:
        raise ValueError(
            f"the computation gave shape {values.shape} for rows {rows.start}-{rows.stop}; want {expected}"
        )
    array[rows] = values
    record = {"start": rows.start, "stop": rows.stop, "fingerprint": fingerprint, "sha256": _chunk_digest(array[rows])}
    marker = _marker(_progress_root(store) / key, rows)
    partial = marker.with_name(f".{marker.name}.{uuid.uuid4().hex}")
    partial.write_text(json.dumps(record))
    os.replace(partial, marker)  # a marker is whole or absent
    return rows.stop - rows.start


# --- running ----------------------------------------------------------------------------------------------------


def run_chunked(
    compute: Callable[[xr.Dataset, bool], np.ndarray],
    inputs: xr.Dataset,
    key: str,
    dims: tuple[str, ...],
    shape: tuple[int, ...],
    attrs: dict[str, str],
    *,
    model: Any = None,
    extra: dict[str, str] | None = None,
    chunk_size: int | None,
    store: str | Path | None,
    dask: bool,
    overwrite: bool,
    verbose: bool | None,
) -> xr.DataArray:
    """``compute(part, verbose)`` on each chunk of rows of ``inputs`` (rows along ``dims[0]``), as one DataArray.

    ``compute`` returns the float32 result of a chunk with dims ``dims``; ``shape`` is the whole result's. ``attrs`` are
    the human-readable provenance; the fingerprint adds the sequences (``inputs``), the model and ``extra``. With
    ``store``, the result is written into that zarr directory chunk by chunk and returned lazily (see the module
    docstring for resumption, checks and locking); without, it is computed in memory. With several chunks one progress
    bar counts the sequences of all chunks; a single chunk shows ``compute``'s own bar instead.
    """
    row_dim, n = dims[0], shape[0]
    verbose = show_progress(verbose)  # None: eugene.settings.verbose, read once for the whole call
    if key in inputs.data_vars:
        raise ValueError(
            f"key {key!r} names an input variable; a result never replaces its inputs (overwrite=True neither); "
            "choose another key"
        )
    if store is None:
        if dask:
            raise ValueError("dask=True needs store= (a zarr path the workers write their chunks to)")
        slices = _chunk_slices(n, chunk_size or max(n, 1))
        inner = verbose and len(slices) == 1
        with tqdm(total=n, unit="seq", desc=key, disable=not verbose or inner) as bar:
            parts = []
            for rows in slices:
                parts.append(compute(inputs.isel({row_dim: rows}), inner))
                bar.update(rows.stop - rows.start)
        values = np.concatenate(parts, axis=0) if parts else np.zeros(shape, np.float32)
        return xr.DataArray(values, dims=dims, attrs=attrs)

    store = Path(store).absolute()  # Dask workers may run elsewhere than this working directory
    if store.exists() and not store.is_dir():
        raise ValueError(f"store must be a zarr directory; got {str(store)!r}, which is a file")
    record = {**attrs, "eugene_sequences": _sequences_fingerprint(inputs, chunk_size or 1000), **(extra or {})}
    coordinates = _coordinates_fingerprint(inputs, row_dim)
    if coordinates is not None:  # the rows' names and genome coordinates: another BED is another computation
        record["eugene_coordinates"] = coordinates
    if model is not None:
        record["eugene_model"] = model_fingerprint(model)
    with _StoreLock(store):
        step, done = _prepare(store, key, dims, shape, chunk_size, attrs, record, overwrite)
        fingerprint = _digest(record)
        slices = _chunk_slices(n, step)
        todo = [rows for i, rows in enumerate(slices) if i not in done]
        finished = n - sum(rows.stop - rows.start for rows in todo)
        with tqdm(total=n, initial=finished, unit="seq", desc=key, disable=not verbose) as bar:
            if dask:
                _run_on_dask(compute, inputs, todo, store, key, fingerprint, bar)
            else:
                for rows in todo:
                    bar.update(_write_chunk(compute, inputs.isel({row_dim: rows}), rows, store, key, fingerprint))
    return xr.open_zarr(store, consolidated=False)[key]


def _run_on_dask(
    compute: Callable, inputs: xr.Dataset, todo: list[slice], store: Path, key: str, fingerprint: str, bar: tqdm
) -> None:
    """One Dask task per chunk (``part`` holds its rows only, so a task ships O(chunk) data), counted on ``bar``.

    On a ``dask.distributed`` client the tasks go to its workers; otherwise they run on a thread pool of this process.
    Either way this returns (or raises) only once no task is running, so nothing writes after the lock is released.
    """
    try:
        import dask as dask_
    except ImportError as error:
        raise ImportError(
            "dask=True needs the dask package (the dask extra: pip install 'eugene-interpret[dask]')"
        ) from error

    row_dim = next(iter(inputs.dims))
    sizes = {f"eugene-chunk-{key}-{rows.start}": rows.stop - rows.start for rows in todo}
    write = dask_.delayed(_write_chunk, pure=False)
    tasks = [
        write(compute, inputs.isel({row_dim: rows}), rows, store, key, fingerprint, dask_key_name=name)
        for name, rows in zip(sizes, todo)
    ]
    try:
        from distributed import as_completed, default_client, wait

        client = default_client()
    except (ImportError, ValueError):  # no distributed, or no client
        client = None
    if client is not None:
        futures = client.compute(tasks)
        try:
            for future in as_completed(futures):
                future.result()
                bar.update(sizes[future.key])
        finally:
            wait(futures)
        return
    from concurrent.futures import ThreadPoolExecutor

    from dask.callbacks import Callback

    def posttask(task_key: Any, *_: Any) -> None:
        bar.update(sizes.get(task_key, 0))

    pool = ThreadPoolExecutor(os.cpu_count() or 1)
    try:
        with Callback(posttask=posttask):
            dask_.compute(*tasks, scheduler="threads", pool=pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# --- checking a store -------------------------------------------------------------------------------------------


def verify_store(store: str | Path, key: str | None = None) -> pd.DataFrame:
    """Check every chunk of the results eugene wrote into a zarr ``store`` against its recorded checksum.

    A result variable is one eugene wrote (by ``attribute_sdata`` / ``ism_sdata`` with ``store=``); ``key`` checks
    that one only (default: all of them, in name order). Each chunk of rows (the store's own zarr chunks) gets one
    row, status:

    - ``"ok"``: its marker in ``<store>.progress/<key>/`` is from this variable's computation and the chunk's values
      read back with the sha256 recorded when it was written;
    - ``"missing"``: marked finished, but the chunk's file is gone (values read as the fill value, NaN);
    - ``"corrupt"``: marked finished, but the values read back differ from the checksum (a flipped bit, a chunk
      copied over from elsewhere) or cannot be read (a truncated or garbled file);
    - ``"not finished"``: no marker from this computation (an interrupted run, a store moved without its
      ``.progress`` folder, or a variable written by an older eugene, which kept no checksums).

    A variable whose zarr metadata cannot be read (damaged ``zarr.json``) gets one row with chunk, start and stop
    -1 and status ``"corrupt"``; rerunning its call is then refused until ``overwrite=True``. Rerunning the call that
    made a readable variable recomputes exactly the chunks that are not ``"ok"``. Nothing is written; the check reads
    every chunk once.

    Parameters
    ----------
    store
        The zarr directory.
    key
        A result variable of the store, or None for all.

    Returns
    -------
    pandas.DataFrame with columns ``key``, ``chunk`` (0, 1, ... per variable), ``start``, ``stop`` (the rows,
    ``stop`` exclusive), ``status`` and ``detail`` (why a chunk is not ok; empty when it is).

    Examples
    --------
    >>> import eugene as eu, xarray as xr
    >>> model = eu.models.build("deepbind", seq_len=100).eval()       # stand-in for your trained model
    >>> sdata = xr.Dataset({"seq": ("_sequence", ["ACGT" * 25, "GGCCTTAACC" * 10, "A" * 100])})
    >>> _ = eu.interpret.attribute_sdata(model, sdata, "saliency", chunk_size=2, store="verify_demo.zarr")
    >>> verify_store("verify_demo.zarr")[["key", "start", "stop", "status"]]
                  key  start  stop status
    0  saliency_attrs      0     2     ok
    1  saliency_attrs      2     3     ok
    """
    import zarr

    store = Path(store)
    if not _is_node(store):
        what = "does not exist" if not store.exists() else "is not a zarr group (no zarr.json or .zgroup)"
        raise ValueError(f"store must be a zarr directory written by eugene; got {str(store)!r}, which {what}")
    results, unreadable = {}, {}
    for path in sorted(p for p in store.iterdir() if _is_node(p)):
        try:
            array = zarr.open(store=str(path), mode="r")
        except Exception as error:  # a variable whose metadata is damaged
            unreadable[path.name] = f"zarr cannot read this variable: {type(error).__name__}: {error}"[:300]
            continue
        if isinstance(array, zarr.Array) and (_FINGERPRINT in array.attrs or "eugene_function" in array.attrs):
            results[path.name] = array
    if key is not None:
        if key not in results and key not in unreadable:
            raise ValueError(
                f"key must name a result eugene wrote into store {str(store)!r}; got {key!r}; it has {sorted(results)}"
            )
        results = {key: results[key]} if key in results else {}
        unreadable = {key: unreadable[key]} if key in unreadable else {}
    rows_out = [(name, -1, -1, -1, "corrupt", detail) for name, detail in unreadable.items()]
    for name, array in results.items():
        fingerprint, markers = array.attrs.get(_FINGERPRINT), _progress_root(store) / name  # None: an older eugene's
        for i, rows in enumerate(_chunk_slices(array.shape[0], int(array.chunks[0]))):
            status, detail = _chunk_status(array, store / name, markers, fingerprint, rows)
            rows_out.append((name, i, rows.start, rows.stop, status, detail))
    return pd.DataFrame(rows_out, columns=["key", "chunk", "start", "stop", "status", "detail"])
