"""Process-wide state under threads: torch's thread count kept by torch_threads_kept, fx tracing serialised and cached,
and the threaded entry points (fast ISM, DeepLIFT, filter counting) equal to their serial results."""

from __future__ import annotations

import threading
from collections.abc import Callable

import torch

from eugene._threads import torch_threads_kept


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
