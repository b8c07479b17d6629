"""Process-wide state under threads: torch's thread count kept by torch_threads_kept, fx tracing serialised and cached,
and the threaded entry points (fast ISM, DeepLIFT, filter counting) equal to their serial results."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable

import torch
from torch import nn

from eugene._threads import torch_threads_kept
from eugene.interpret import _fastism, ism
from eugene.interpret._fastism import FastISM


def _in_new_thread(fn: Callable[[], object]) -> object:
    """``fn()`` run in a fresh thread: OpenMP gives new threads the process's shared count, not this thread's."""
    result = []
    thread = threading.Thread(target=lambda: result.append(fn()))
    thread.start()
    thread.join()
    return result[0]


def _threads(n: int, fn: Callable[[int], object]) -> list[object]:
    """``fn(i)`` for i in range(n), each in its own thread, all started together; errors are raised here."""
    results: list[object] = [None] * n
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            results[i] = fn(i)
        except BaseException as error:  # re-raised in the caller's thread below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


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

    _threads(n, block)
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


def test_torch_threads_kept_from_many_threads_with_real_kernels():
    """Eight threads run eugene's parallel numba kernel inside the guard at once; torch's count is unchanged here and
    in a new thread afterwards."""
    from eugene.interpret._onehot_conv import _codes

    X = torch.nn.functional.one_hot(torch.randint(4, (16, 50), generator=torch.Generator().manual_seed(0)), 4)
    X = X.transpose(1, 2).float().contiguous()
    expected = X.argmax(1).numpy()
    before, before_new = torch.get_num_threads(), _in_new_thread(torch.get_num_threads)
    for codes in _threads(8, lambda i: [_codes(X) for _ in range(10)][-1]):
        assert (codes == expected).all()
    assert torch.get_num_threads() == before
    assert _in_new_thread(torch.get_num_threads) == before_new


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
    for result in _threads(8, lambda i: ism(model, X, fast=True)):
        torch.testing.assert_close(result, serial)
    assert len(calls) == 1
    model.conv = nn.Conv1d(4, 4, 5, padding=2)
    model.doubled = True
    torch.testing.assert_close(ism(model, X, fast=True), ism(model, X, fast=False))
    assert len(calls) == 2
    model.doubled = False
    torch.testing.assert_close(ism(model, X, fast=True), ism(model, X, fast=False))
    assert len(calls) == 3


def test_fast_ism_trace_cache_lets_models_go():
    model = nn.Sequential(nn.Conv1d(4, 2, 3), nn.Flatten(), nn.Linear(2 * 8, 1)).eval()
    ism(model, _onehot(2, 10), fast=True)
    assert model in _fastism._TRACES
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None
