"""Fault injection on resumable zarr stores: every case ends in the store a fresh uninterrupted run makes, or in a
clear refusal; never in a silent wrong value.

Cases: kill -9 of a real writer process mid-run, then a resume with another chunk size, on Dask threads and on a
dask.distributed client; an interruption inside a chunk; two writers at once; flipped bits, copied-over, deleted and
truncated chunk files; stores moved with and without their markers; resumes with other sequences, model or seed;
overwrite aimed at the input; stale, live and foreign locks; a run without the dask package; one progress bar.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch
import xarray as xr
from torch import nn

from eugene.interpret import attribute, attribute_sdata, verify_store

N, LENGTH, CHUNK = 12, 12, 3
KEY = "saliency_attrs"

# A model module both this process and a writer subprocess import, so both see the same class (the fingerprint
# records the model's class). With FAULTNET_HOLD set, every forward pass after the second waits while that file
# exists: the writer finishes two chunks, then hangs inside the third until it is killed.
FAULTNET = """
import os, time

import numpy as np
import torch
import xarray as xr
from torch import nn


class HangingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv, self.act, self.head = nn.Conv1d(4, 3, 5), nn.ReLU(), nn.Linear(3 * 8, 2)
        generator = torch.Generator().manual_seed(0)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=generator) * 0.5)
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        while self.calls > 2 and os.path.exists(os.environ.get("FAULTNET_HOLD", "")):
            time.sleep(0.05)
        return self.head(self.act(self.conv(x)).flatten(1))


def sdata(n=18):
    rng = np.random.default_rng(0)
    return xr.Dataset({"seq": ("_sequence", np.array(["".join(rng.choice(list("ACGT"), 12)) for _ in range(n)]))})
"""


class Net(nn.Module):
    """A tiny CNN with deterministic weights (``seed``); ``calls`` counts forward passes (not part of the weights)."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        self.conv, self.act, self.head = nn.Conv1d(4, 3, 5), nn.ReLU(), nn.Linear(3 * 8, 2)
        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=generator) * 0.5)
        self.calls = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        return self.head(self.act(self.conv(x)).flatten(1))


def _sdata(n: int = N, seed: int = 0) -> xr.Dataset:
    rng = np.random.default_rng(seed)
    seqs = ["".join(rng.choice(list("ACGT"), LENGTH)) for _ in range(n)]
    return xr.Dataset({"seq": ("_sequence", np.array(seqs))})


def _fresh(model: nn.Module, sdata: xr.Dataset, method: str = "saliency", chunk_size: int = CHUNK, **kw) -> np.ndarray:
    """What an uninterrupted in-memory run gives (per-chunk randomness drawn as the store's chunks draw it)."""
    out = attribute_sdata(model, sdata, method, chunk_size=chunk_size, copy=True, **kw)
    return out[f"{method}_attrs"].values


def _stored(store: Path, key: str = KEY) -> np.ndarray:
    return xr.open_zarr(store, consolidated=False)[key].values


def _chunk_file(store: Path, i: int, key: str = KEY) -> Path:
    import zarr

    array = zarr.open_array(store=str(store / key), mode="r")
    return store / key / array.metadata.encode_chunk_key((i, 0, 0))


def _statuses(store: Path) -> list[str]:
    return verify_store(store)["status"].tolist()


# ---- kill -9 of a real writer, then resume ------------------------------------------------------------------------


def test_sigkill_mid_run_then_resume_with_other_chunk_sizes_and_dask(tmp_path, monkeypatch):
    """One real writer process, killed with SIGKILL in the middle of a run; copies of what it left are resumed
    with another chunk size, on Dask threads and on a dask.distributed client."""
    (tmp_path / "faultnet.py").write_text(FAULTNET)
    monkeypatch.syspath_prepend(str(tmp_path))
    import faultnet

    store = tmp_path / "s.zarr"
    script = textwrap.dedent(f"""
        import faultnet
        from eugene.interpret import attribute_sdata
        attribute_sdata(faultnet.HangingNet(), faultnet.sdata(), "saliency", chunk_size={CHUNK}, store={str(store)!r})
    """)
    hold = tmp_path / "hold"
    hold.touch()
    # only the writer's model waits (this process has no FAULTNET_HOLD)
    env = {**os.environ, "FAULTNET_HOLD": str(hold), "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    writer = subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.PIPE)
    markers = tmp_path / "s.zarr.progress" / KEY
    deadline = time.monotonic() + 90
    while not (markers.is_dir() and len(list(markers.glob("[0-9]*-*"))) == 2):
        assert writer.poll() is None, writer.stderr.read().decode()
        assert time.monotonic() < deadline, "the writer made no progress"
        time.sleep(0.02)
    model, sdata = faultnet.HangingNet(), faultnet.sdata()
    # a second writer, with other arguments, while the first runs: refused, naming the holder
    with pytest.raises(ValueError, match=rf"locked by another writer \(pid {writer.pid} "):
        attribute_sdata(model, sdata, "saliency", target=1, chunk_size=CHUNK, store=store, overwrite=True)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    assert writer.returncode == -signal.SIGKILL
    assert (tmp_path / "s.zarr.progress" / ".lock").exists()  # left behind by the killed writer
    assert _statuses(store) == ["ok", "ok"] + ["not finished"] * 4

    expected = _fresh(model, sdata)
    for case in ("chunk_size=5", "dask threads, chunk_size=2", "dask.distributed, chunk_size=4"):
        copy = tmp_path / case.replace(" ", "_").replace(",", "") / "s.zarr"
        shutil.copytree(store, copy)
        shutil.copytree(tmp_path / "s.zarr.progress", copy.with_name("s.zarr.progress"))
        with pytest.warns(UserWarning, match=f"resuming with its chunks of {CHUNK} sequences"):
            if case == "chunk_size=5":
                out = attribute_sdata(model, sdata, "saliency", chunk_size=5, store=copy)
            elif case.startswith("dask threads"):
                out = attribute_sdata(model, sdata, "saliency", chunk_size=2, store=copy, dask=True)
            else:
                distributed = pytest.importorskip("distributed")
                cluster = distributed.LocalCluster(
                    n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
                )
                with cluster, distributed.Client(cluster):
                    out = attribute_sdata(model, sdata, "saliency", chunk_size=4, store=copy, dask=True)
        np.testing.assert_array_equal(out[KEY].values, expected, err_msg=case)
        np.testing.assert_array_equal(_stored(copy), expected, err_msg=case)
        assert set(_statuses(copy)) == {"ok"} and not copy.with_name("s.zarr.progress").joinpath(".lock").exists()


# ---- interruptions inside the process ----------------------------------------------------------------------------


@pytest.mark.parametrize("dask", [False, True])
def test_interrupted_chunk_then_resume_with_other_chunk_size_keeps_seeded_chunks(dask, tmp_path, monkeypatch):
    """SmoothGrad's noise is drawn per chunk from the seed: a resume must use the store's chunks, so that the store
    equals one uninterrupted run, and no two tasks may write one zarr chunk."""
    from eugene.interpret import _store

    model, sdata, store = Net(), _sdata(), tmp_path / "d.zarr"
    options = {"n_samples": 3, "seed": 0, "store": store}
    write, calls = _store._write_chunk, []

    def failing(*args, **kwargs):
        calls.append(args[2])
        if len(calls) == 3:
            raise RuntimeError("injected failure inside a chunk")
        return write(*args, **kwargs)

    monkeypatch.setattr(_store, "_write_chunk", failing)
    with pytest.raises(RuntimeError, match="injected failure"):
        attribute_sdata(model, sdata, "smoothgrad", chunk_size=4, **options)
    monkeypatch.setattr(_store, "_write_chunk", write)
    assert _statuses(store).count("ok") == 2
    with pytest.warns(UserWarning, match="resuming with its chunks of 4"):
        out = attribute_sdata(model, sdata, "smoothgrad", chunk_size=3, dask=dask, **options)
    expected = _fresh(model, sdata, "smoothgrad", chunk_size=4, n_samples=3, seed=0)
    assert not np.array_equal(expected, _fresh(model, sdata, "smoothgrad", chunk_size=3, n_samples=3, seed=0))
    np.testing.assert_array_equal(out["smoothgrad_attrs"].values, expected)
    assert set(_statuses(store)) == {"ok"}


def test_two_writers_at_once_cannot_interleave(tmp_path):
    """While one writer runs, a second (other seed, even with overwrite=True) is refused; the store is the first's."""
    sdata, store = _sdata(), tmp_path / "w.zarr"
    entered, release = threading.Event(), threading.Event()

    class Gated(Net):
        def forward(self, x):
            entered.set()
            assert release.wait(30)
            return super().forward(x)

    model = Gated()
    first = threading.Thread(
        target=attribute_sdata, args=(model, sdata, "saliency"), kwargs={"chunk_size": CHUNK, "store": store}
    )
    first.start()
    try:
        assert entered.wait(30)
        for kwargs in ({"target": 1}, {"target": 1, "overwrite": True}, {}):
            with pytest.raises(ValueError, match="is locked by another writer .pid \\d+ on host"):
                attribute_sdata(Net(), sdata, "saliency", chunk_size=CHUNK, store=store, **kwargs)
    finally:
        release.set()
        first.join()
    np.testing.assert_array_equal(_stored(store), _fresh(Net(), sdata))
    assert set(_statuses(store)) == {"ok"}


# ---- damaged chunk files -----------------------------------------------------------------------------------------


def test_damaged_chunks_are_reported_and_recomputed(tmp_path):
    model, sdata, store = Net(), _sdata(), tmp_path / "c.zarr"
    attribute_sdata(model, sdata, "saliency", chunk_size=CHUNK, store=store)
    expected = _fresh(model, sdata)
    flipped = bytearray(_chunk_file(store, 0).read_bytes())
    flipped[len(flipped) // 2] ^= 0x10
    _chunk_file(store, 0).write_bytes(bytes(flipped))
    shutil.copyfile(_chunk_file(store, 2), _chunk_file(store, 1))  # a chunk copied over another
    truncated = _chunk_file(store, 2).read_bytes()
    _chunk_file(store, 2).write_bytes(truncated[: len(truncated) // 2])
    _chunk_file(store, 3).unlink()
    report = verify_store(store)
    assert report[["key", "chunk", "start", "stop"]].values.tolist() == [
        [KEY, i, i * CHUNK, (i + 1) * CHUNK] for i in range(4)
    ]
    assert report["status"].tolist() == ["corrupt", "corrupt", "corrupt", "missing"]
    assert (report["detail"] != "").all()
    model.calls = 0
    out = attribute_sdata(model, sdata, "saliency", chunk_size=CHUNK, store=store)
    np.testing.assert_array_equal(out[KEY].values, expected)
    assert set(_statuses(store)) == {"ok"}
    model.calls = 0
    attribute_sdata(model, sdata, "saliency", chunk_size=CHUNK, store=store)  # all good now: nothing to compute
    assert model.calls == 0
    marker = tmp_path / "c.zarr.progress" / KEY / f"{CHUNK}-{2 * CHUNK}"
    marker.write_text(marker.read_text()[:20])  # a truncated marker: that chunk is not known to be finished
    assert _statuses(store) == ["ok", "not finished", "ok", "ok"]
    attribute_sdata(model, sdata, "saliency", chunk_size=CHUNK, store=store)
    assert model.calls == 1 and set(_statuses(store)) == {"ok"}


def test_damaged_variable_metadata_is_reported_and_needs_overwrite(tmp_path):
    model, sdata, store = Net(), _sdata(), tmp_path / "m.zarr"
    attribute_sdata(model, sdata, "saliency", chunk_size=CHUNK, store=store)
    metadata = next(p for p in (store / KEY).iterdir() if p.name in ("zarr.json", ".zarray"))
    metadata.write_text(metadata.read_text()[:40])
    report = verify_store(store)
    assert report[["key", "chunk", "status"]].values.tolist() == [[KEY, -1, "corrupt"]]
    assert "zarr cannot read this variable" in report["detail"][0]
    with pytest.raises(ValueError, match=f"holds a variable '{KEY}' that zarr cannot read.*pass overwrite=True"):
        attribute_sdata(model, sdata, "saliency", chunk_size=CHUNK, store=store)
    out = attribute_sdata(model, sdata, "saliency", chunk_size=CHUNK, store=store, overwrite=True)
    np.testing.assert_array_equal(out[KEY].values, _fresh(model, sdata))
    assert set(_statuses(store)) == {"ok"}


def test_verify_store_names_what_it_cannot_check(tmp_path):
    with pytest.raises(ValueError, match="store must be a zarr directory written by eugene; got .* does not exist"):
        verify_store(tmp_path / "nothing.zarr")
    store = tmp_path / "v.zarr"
    attribute_sdata(Net(), _sdata(), "saliency", chunk_size=5, store=store)
    with pytest.raises(ValueError, match=r"key must name a result .* got 'seq'; it has \['saliency_attrs'\]"):
        verify_store(store, key="seq")
    assert verify_store(store, key=KEY)["status"].tolist() == ["ok", "ok", "ok"]


# ---- moved stores ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("markers", ["with", "without", "from another store"])
def test_moved_store_resumes_or_recomputes(markers, tmp_path):
    model, sdata = Net(), _sdata()
    store, moved = tmp_path / "a.zarr", tmp_path / "elsewhere" / "b.zarr"
    attribute_sdata(model, sdata, "saliency", chunk_size=CHUNK, store=store)
    moved.parent.mkdir()
    shutil.move(store, moved)
    if markers == "with":
        shutil.move(tmp_path / "a.zarr.progress", tmp_path / "elsewhere" / "b.zarr.progress")
    elif markers == "from another store":  # markers of a run with another target, checksums and all
        other = tmp_path / "other.zarr"
        attribute_sdata(model, sdata, "saliency", target=1, chunk_size=CHUNK, store=other)
        shutil.copytree(tmp_path / "other.zarr.progress", tmp_path / "elsewhere" / "b.zarr.progress")
    expected_status = "ok" if markers == "with" else "not finished"
    assert _statuses(moved) == [expected_status] * 4
    model.calls = 0
    out = attribute_sdata(model, sdata, "saliency", chunk_size=CHUNK, store=moved)
    assert (model.calls == 0) == (markers == "with")
    np.testing.assert_array_equal(out[KEY].values, _fresh(model, sdata))
    assert set(_statuses(moved)) == {"ok"}


# ---- resumes with other inputs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("change", ["sequences", "model", "seed", "references"])
def test_resume_with_other_inputs_is_refused_naming_the_change(change, tmp_path):
    model, sdata, store = Net(), _sdata(), tmp_path / "r.zarr"
    method, options, chunk_size = "smoothgrad", {"n_samples": 3, "seed": 0}, CHUNK
    if change == "references":  # integrated gradients from one set of per-sequence references, then from another
        rng = np.random.default_rng(1)
        references = [np.eye(4, dtype=np.float32)[rng.integers(0, 4, (N, LENGTH))].transpose(0, 2, 1) for _ in "ab"]
        method, options, chunk_size = "integrated_gradients", {"n_steps": 4, "references": references[0]}, N
    attribute_sdata(model, sdata, method, chunk_size=chunk_size, store=store, **options)
    key, stored = f"{method}_attrs", _stored(store, f"{method}_attrs")
    new_model, new_sdata, new_options = model, sdata, dict(options)
    if change == "sequences":  # same number and length, other letters
        new_sdata, message = _sdata(seed=1), r"eugene_sequences=sha256 \w+; this call has eugene_sequences=sha256"
    elif change == "model":  # same class, other weights
        new_model, message = Net(seed=1), r"eugene_model=test_store_faults.Net, weights sha256 \w+; this call has"
    elif change == "seed":
        new_options["seed"], message = 1, "seed=0; this call has seed=1"
    else:
        new_options["references"] = references[1]
        message = r"references=array of shape \(12, 4, 12\), sha256 \w+; this call has references=array of shape"
    with pytest.raises(ValueError, match=f"computed differently: it was made with {message}.*pass overwrite=True"):
        attribute_sdata(new_model, new_sdata, method, chunk_size=chunk_size, store=store, **new_options)
    np.testing.assert_array_equal(_stored(store, key), stored)  # untouched
    out = attribute_sdata(
        new_model, new_sdata, method, chunk_size=chunk_size, store=store, overwrite=True, **new_options
    )
    expected = _fresh(new_model, new_sdata, method, chunk_size, **new_options)
    np.testing.assert_array_equal(out[key].values, expected)
    assert not np.array_equal(expected, stored)


def test_overwrite_never_replaces_the_input(tmp_path):
    X = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (N, LENGTH))]  # (N, L, A)
    path = tmp_path / "in.zarr"
    xr.Dataset({"ohe_seq": (("_sequence", "length", "_ohe"), X), "y": ("_sequence", np.arange(N))}).to_zarr(
        path, consolidated=False
    )
    sdata = xr.open_zarr(path, consolidated=False)
    for key, message in (("ohe_seq", "names an input variable"), ("y", "names a variable .* eugene did not write")):
        with pytest.raises(ValueError, match=f"key '{key}' {message}.*overwrite=True neither"):
            attribute_sdata(Net(), sdata, "saliency", key=key, chunk_size=CHUNK, store=path, overwrite=True)
    with pytest.raises(ValueError, match="key 'ohe_seq' names an input variable"):
        attribute_sdata(Net(), sdata, "saliency", key="ohe_seq")  # in memory too
    again = xr.open_zarr(path, consolidated=False)
    np.testing.assert_array_equal(again["ohe_seq"].values, X)
    np.testing.assert_array_equal(again["y"].values, np.arange(N))
    out = attribute_sdata(Net(), sdata, "saliency", chunk_size=CHUNK, store=path)  # beside the input: fine
    expected = attribute(Net(), X.transpose(0, 2, 1), "saliency", verbose=False).transpose(0, 2, 1)
    np.testing.assert_array_equal(out[KEY].transpose("_sequence", "length", "_ohe").values, expected)


# ---- locks -------------------------------------------------------------------------------------------------------


def test_stale_live_and_foreign_locks(tmp_path):
    model, sdata, store = Net(), _sdata(), tmp_path / "l.zarr"
    lock = tmp_path / "l.zarr.progress" / ".lock"
    lock.parent.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = os.uname().nodename
    lock.write_text(json.dumps({"pid": dead.pid, "host": host, "since": "earlier", "token": "x"}))
    attribute_sdata(model, sdata, "saliency", chunk_size=CHUNK, store=store)  # a killed writer's lock: taken over
    assert not lock.exists() and set(_statuses(store)) == {"ok"}
    for holder in ({"pid": os.getpid(), "host": host}, {"pid": 1, "host": "another-host"}):
        lock.write_text(json.dumps({**holder, "since": "now", "token": "y"}))
        pattern = f"another writer .pid {holder['pid']} on host '{holder['host']}'.*delete the lock file"
        with pytest.raises(ValueError, match=pattern):
            attribute_sdata(model, sdata, "saliency", chunk_size=CHUNK, store=store, overwrite=True)
        assert json.loads(lock.read_text())["token"] == "y"  # someone else's lock stays
    lock.unlink()
    attribute_sdata(model, sdata, "saliency", chunk_size=CHUNK, store=store, overwrite=True)


# ---- packaging and progress --------------------------------------------------------------------------------------


def test_store_without_the_dask_package(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        sys.modules["dask"] = sys.modules["distributed"] = None  # as if not installed: importing them fails
        import numpy as np, xarray as xr
        from torch import nn
        from eugene.interpret import attribute_sdata
        model = nn.Sequential(nn.Conv1d(4, 2, 3), nn.Flatten(), nn.Linear(2 * 8, 1))
        sdata = xr.Dataset({{"seq": ("_sequence", np.array(["ACGTACGTAC", "GGGGCCCCAA", "TTTTAAAACC"]))}})
        out = attribute_sdata(model, sdata, "saliency", chunk_size=2, store={str(tmp_path / "n.zarr")!r})
        assert out["saliency_attrs"].shape == (3, 4, 10)
        try:
            attribute_sdata(model, sdata, "saliency", key="k", chunk_size=2, store={str(tmp_path / "n.zarr")!r},
                            dask=True)
        except ImportError as error:
            print(error)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "dask=True needs the dask package" in done.stdout


@pytest.mark.parametrize("dask", [False, True])
def test_one_progress_bar_over_all_chunks(dask, tmp_path, capsys):
    model, sdata = Net(), _sdata()
    attribute_sdata(model, sdata, "saliency", chunk_size=CHUNK, store=tmp_path / "p.zarr", dask=dask, verbose=True)
    err = capsys.readouterr().err
    counts = [tuple(map(int, m)) for m in re.findall(r"(\d+)/(\d+) \[", err)]
    assert counts and {total for _, total in counts} == {N}  # one bar, counting all sequences (no per-chunk bars)
    assert counts[-1] == (N, N) and "<" in err  # with the time left


def test_store_from_an_older_eugene_needs_overwrite(tmp_path):
    """Attrs without a fingerprint and empty marker files, as eugene wrote them before stores checked themselves."""
    model, sdata, store = Net(), _sdata(), tmp_path / "o.zarr"
    attribute_sdata(model, sdata, "saliency", chunk_size=CHUNK, store=store)
    metadata = json.loads((store / KEY / "zarr.json").read_text())
    for name in ("eugene_inputs", "eugene_fingerprint"):
        del metadata["attributes"][name]
    (store / KEY / "zarr.json").write_text(json.dumps(metadata))
    for marker in (tmp_path / "o.zarr.progress" / KEY).iterdir():
        marker.write_text("")
    assert _statuses(store) == ["not finished"] * 4  # nothing it can check
    with pytest.raises(ValueError, match="computed differently: it records no fingerprint.*pass overwrite=True"):
        attribute_sdata(model, sdata, "saliency", chunk_size=CHUNK, store=store)
    out = attribute_sdata(model, sdata, "saliency", chunk_size=CHUNK, store=store, overwrite=True)
    np.testing.assert_array_equal(out[KEY].values, _fresh(model, sdata))
    assert set(_statuses(store)) == {"ok"}


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_a_new_store_variable_takes_memory_of_one_chunk_not_of_the_whole_result(zarr_format, tmp_path):
    """Creating the result variable writes metadata only (a whole NaN template would be O(N) in memory), in stores of
    either zarr format, and xarray reads it back with its dims."""
    import tracemalloc

    from eugene.interpret._store import run_chunked

    n, chunk = 4000, 250  # the whole result: 64 MB of float32; a chunk: 4 MB
    inputs = xr.Dataset({"seq": ("_sequence", np.arange(n))})
    store = tmp_path / "big.zarr"
    inputs.to_zarr(store, zarr_format=zarr_format, consolidated=False)

    def compute(part, verbose):
        return np.full((part.sizes["_sequence"], 4, 1000), 1.0, np.float32)

    tracemalloc.start()
    try:
        out = run_chunked(
            compute,
            inputs,
            "r",
            ("_sequence", "_ohe", "length"),
            (n, 4, 1000),
            {"f": "x"},
            chunk_size=chunk,
            store=store,
            dask=False,
            overwrite=False,
            verbose=False,
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 24 * 2**20, f"peak {peak / 2**20:.0f} MB"
    assert out.dims == ("_sequence", "_ohe", "length") and out.chunks[0][0] == chunk
    assert float(out[::997].min()) == 1.0 and set(verify_store(store)["status"]) == {"ok"}
