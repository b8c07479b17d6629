"""Process-wide state under threads: torch's thread count kept by torch_threads_kept, fx tracing serialised and cached,
and the threaded entry points (fast ISM, DeepLIFT, filter counting) equal to their serial results."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from eugene._threads import this_thread_only, torch_threads_kept
from eugene.interpret import _fastism, attribute, filter_pfms, ism
from eugene.interpret._engine import model_state
from eugene.interpret._fastism import FastISM
from threaded import in_threads


def _in_new_thread(fn: Callable[[], object]) -> object:
    """``fn()`` run in a fresh thread: OpenMP gives new threads the process's shared count, not this thread's."""
    result = []
    thread = threading.Thread(target=lambda: result.append(fn()))
    thread.start()
    thread.join()
    return result[0]


def test_torch_threads_kept_restores_the_count_when_blocks_overlap_across_threads(monkeypatch):
    """Thread i opens its block after thread i-1 has changed the count inside its own (as a numba kernel on the OpenMP
    layer does); the blocks close in the order they opened, each after the next one opened. The count a late opener
    reads is numba's, not the one to restore. torch's count is modelled as one process-wide value (the OpenMP runtimes
    where the race shows)."""
    count = [8]
    monkeypatch.setattr(torch, "get_num_threads", lambda: count[0])
    monkeypatch.setattr(torch, "set_num_threads", lambda n: count.__setitem__(0, n))
    n = 6
    opened = [threading.Event() for _ in range(n)]
    closed = [threading.Event() for _ in range(n)]

    def block(i: int) -> None:
        if i:
            opened[i - 1].wait()
        with torch_threads_kept():
            count[0] = 1  # what numba's OpenMP layer does
            opened[i].set()
            if i + 1 < n:
                opened[i + 1].wait()  # the next block opens while this one is open
            if i:
                closed[i - 1].wait()
        closed[i].set()

    in_threads(n, block)
    assert count[0] == 8


def test_torch_threads_kept_nests_and_restores_after_errors(monkeypatch):
    count = [4]
    monkeypatch.setattr(torch, "get_num_threads", lambda: count[0])
    monkeypatch.setattr(torch, "set_num_threads", lambda n: count.__setitem__(0, n))
    try:
        with torch_threads_kept():
            count[0] = 2
            with torch_threads_kept():
                count[0] = 3
            assert count[0] == 4  # an inner block restores its thread's count too
            count[0] = 2
            raise KeyError("inside")
    except KeyError:
        pass
    assert count[0] == 4


def test_model_state_blocks_overlapping_across_threads_restore_the_model():
    """Thread 1 enters after thread 0 set the model to eval without gradients, and leaves last: the model must end as
    it began (training, parameters requiring gradients), not as thread 0 left it for thread 1."""
    model = nn.Sequential(nn.Conv1d(4, 2, 3), nn.Dropout(0.1)).train()
    entered = [threading.Event(), threading.Event()]
    left = threading.Event()

    def block(i: int) -> None:
        if i:
            entered[0].wait(10)
        with model_state(model):
            assert not model.training and not any(p.requires_grad for p in model.parameters())
            entered[i].set()
            if i:
                left.wait(10)
            else:
                entered[1].wait(10)
        if not i:
            left.set()

    in_threads(2, block)
    assert all(m.training for m in model.modules())
    assert all(p.requires_grad for p in model.parameters())


def test_a_hook_made_for_one_thread_ignores_other_threads_forward_passes():
    model = nn.Sequential(nn.Conv1d(4, 3, 3), nn.ReLU()).eval()
    X = _onehot(2, 10)
    seen = []
    handle = model[0].register_forward_hook(this_thread_only(lambda module, inputs, output: seen.append(output)))
    try:
        with torch.no_grad():
            in_threads(4, lambda i: model(X))
            assert not seen
            model(X)
        assert len(seen) == 1
    finally:
        handle.remove()


class _PausingTrace(nn.Module):
    """Pauses inside its forward while torch.fx traces it, until another thread has run a model meanwhile."""

    def __init__(self, tracing: threading.Event, resume: threading.Event) -> None:
        super().__init__()
        self.conv = nn.Conv1d(4, 3, 5)
        self.tracing, self.resume = tracing, resume

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if isinstance(x, torch.fx.Proxy):
            self.tracing.set()
            self.resume.wait(10)
        return self.conv(x).relu().flatten(1)


def _onehot(n: int, length: int, seed: int = 0) -> torch.Tensor:
    index = torch.randint(4, (n, length), generator=torch.Generator().manual_seed(seed))
    return nn.functional.one_hot(index, 4).transpose(1, 2).float().contiguous()


def test_models_run_normally_in_other_threads_while_fast_ism_traces():
    """fx patches nn.Module.__call__ for the whole process during a trace; a model called from another thread at that
    moment must still compute, not be recorded into the trace."""
    tracing, resume = threading.Event(), threading.Event()
    traced = _PausingTrace(tracing, resume).eval()
    other = nn.Sequential(nn.Conv1d(4, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 18, 1)).eval()
    X = _onehot(3, 20)
    with torch.no_grad():
        expected = other(X)
    seen: list[object] = []

    def run_other() -> None:
        tracing.wait(10)
        try:
            with torch.no_grad():
                seen.append(other(X))
        except Exception as error:  # reported by the assertion below
            seen.append(error)
        finally:
            resume.set()

    thread = threading.Thread(target=run_other)
    thread.start()
    FastISM(traced, torch.device("cpu"))
    thread.join()
    assert tracing.is_set(), "the model was not traced"
    assert isinstance(seen[0], torch.Tensor), f"a model run during the trace gave {seen[0]!r}"
    torch.testing.assert_close(seen[0], expected, rtol=0, atol=0)


def test_each_model_is_traced_once_and_again_after_it_changed(monkeypatch):
    """Fast ISM from 8 threads over several chunks traces the model once; replacing a layer or changing an attribute
    its forward reads makes the next call trace again, and the results follow the changed model."""
    calls = []
    real_trace = _fastism._trace
    monkeypatch.setattr(_fastism, "_trace", lambda model: calls.append(model) or real_trace(model))

    class Switch(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv1d(4, 4, 5, padding=2)
            self.head = nn.Linear(4 * 24, 2)
            self.doubled = False

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            h = self.conv(x).relu()
            return self.head((2 * h if self.doubled else h).flatten(1))

    torch.manual_seed(0)
    model = Switch().eval()
    X = _onehot(40, 24)  # three chunks of the fast path
    serial = ism(model, X, fast=False)
    for result in in_threads(8, lambda i: ism(model, X, fast=True)):
        torch.testing.assert_close(result, serial)
    assert len(calls) == 1
    model.conv = nn.Conv1d(4, 4, 5, padding=2)
    model.doubled = True
    torch.testing.assert_close(ism(model, X, fast=True), ism(model, X, fast=False))
    assert len(calls) == 2
    model.doubled = False
    torch.testing.assert_close(ism(model, X, fast=True), ism(model, X, fast=False))
    assert len(calls) == 3


def test_one_trace_serves_every_sequence_length_with_its_own_plan():
    torch.manual_seed(1)
    model = nn.Sequential(nn.Conv1d(4, 4, 5, padding=2), nn.ReLU(), nn.AdaptiveMaxPool1d(1), nn.Flatten()).eval()
    for length in (20, 31, 20):
        X = _onehot(3, length, seed=length)
        torch.testing.assert_close(ism(model, X, fast=True), ism(model, X, fast=False))
    assert sorted(_fastism._TRACES[model][1].plans) == [20, 31]


def test_fast_ism_trace_cache_lets_models_go():
    model = nn.Sequential(nn.Conv1d(4, 2, 3), nn.Flatten(), nn.Linear(2 * 8, 1)).eval()
    ism(model, _onehot(2, 10), fast=True)
    assert model in _fastism._TRACES
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None


def _small_model() -> nn.Module:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv1d(4, 8, 7, padding=3),
        nn.BatchNorm1d(8),
        nn.ReLU(),
        nn.MaxPool1d(2),
        nn.Conv1d(8, 8, 5, padding=2),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(8 * 30, 2),
    )
    model[1].running_mean.uniform_(-0.3, 0.3)
    model[1].running_var.uniform_(0.5, 1.5)
    return model.eval()


def test_threaded_ism_deeplift_and_filter_counting_equal_serial_results():
    """Eight threads run fast ISM, DeepLIFT, DeepLIFT-SHAP and filter PFMs (numba kernels) on one model at once, each
    thread in its own order; every result equals the serial one and the model's state is as before."""
    model = _small_model()
    X = _onehot(5, 60, seed=3)
    jobs = {
        "ism": lambda: ism(model, X, fast=True, batch_size=64),
        "deeplift": lambda: attribute(model, X, method="deeplift", target=1, verbose=False),
        "deeplift_shap": lambda: attribute(model, X, n_references=3, seed=7, target=0, verbose=False),
        "filter_pfms": lambda: torch.from_numpy(np.stack([m.counts for m in filter_pfms(model, X)])),
    }
    names = list(jobs)
    serial = {name: job() for name, job in jobs.items()}
    flags = [p.requires_grad for p in model.parameters()], [m.training for m in model.modules()]
    counts = torch.get_num_threads(), _in_new_thread(torch.get_num_threads)

    def run(i: int) -> dict[str, torch.Tensor]:
        order = names[i % len(names) :] + names[: i % len(names)]
        return {name: jobs[name]() for name in order}

    for results in in_threads(8, run):
        for name in names:
            torch.testing.assert_close(results[name], serial[name], msg=lambda m, name=name: f"{name}: {m}")
    assert ([p.requires_grad for p in model.parameters()], [m.training for m in model.modules()]) == flags
    assert (torch.get_num_threads(), _in_new_thread(torch.get_num_threads)) == counts  # numba kernels ran in threads
