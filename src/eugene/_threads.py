"""Process-wide concurrency guards: shared state saved by the first of overlapping blocks and restored by the last
(torch's thread count around numba kernels, a model's state), module hooks that act only in their own thread, and one
lock for code that patches process globals (``torch.fx`` tracing patches ``torch.nn.Module.__call__`` /
``__getattr__`` while it runs)."""

from __future__ import annotations

import contextlib
import functools
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

__all__ = ["GLOBALS_PATCH_LOCK", "saved_while_open", "this_thread_only", "torch_threads_kept"]

T = TypeVar("T")

GLOBALS_PATCH_LOCK = threading.RLock()
"""Held by everything that patches process globals while it runs (``torch.fx.symbolic_trace`` does): two such patches
at once from two threads restore each other's patches and leave the process patched (torch.fx is not thread-safe)."""

_open_lock = threading.RLock()
# id(key) -> [key, number of open blocks, saved state]; an entry lives while blocks for its key are open
_open: dict[int, list] = {}


@contextlib.contextmanager
def saved_while_open(key: object, save: Callable[[], T], restore: Callable[[T], None]) -> Iterator[T]:
    """Save some shared state with ``save()`` when the first block for ``key`` opens and ``restore`` it when the last
    one closes, over all threads; yields the saved state.

    Saving on entry and restoring on exit in each block is wrong when blocks overlap across threads: a block opened
    inside another one saves the other's changes, and restores them after the other has restored the original.
    """
    with _open_lock:
        entry = _open.get(id(key))
        if entry is None:
            entry = _open[id(key)] = [key, 0, save()]
        entry[1] += 1
    try:
        yield entry[2]
    finally:
        with _open_lock:
            entry[1] -= 1
            if entry[1] == 0:
                del _open[id(key)]
                restore(entry[2])


def this_thread_only(hook: Callable[..., Any]) -> Callable[..., Any]:
    """A torch module hook that acts only on calls from the thread that made it (and returns None on others).

    Hooks live on the module, so a model run by several threads at once would otherwise run one thread's hook in
    every thread's forward pass: capturing another thread's activations, or stopping its pass.
    """
    owner = threading.get_ident()

    @functools.wraps(hook)
    def hook_in_owner_thread(*args: Any, **kwargs: Any) -> Any:
        return hook(*args, **kwargs) if threading.get_ident() == owner else None

    return hook_in_owner_thread


@contextlib.contextmanager
def torch_threads_kept() -> Iterator[None]:
    """Undo the change numba's OpenMP layer makes to the process's OpenMP thread count (and so torch's).

    A parallel numba kernel on the OpenMP layer sets the shared OpenMP thread count to numba's own; torch, if loaded,
    would then run with that count for the rest of the process. eugene sets no global flags, so it restores it.

    Safe from several threads at once: the count is read when the first block opens (no kernel is running then), and
    each block resets its own thread to it as it closes, the last one included. Reading the count inside another
    thread's open block would pick up numba's change instead.
    """
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    with saved_while_open(torch_threads_kept, torch.get_num_threads, lambda count: None) as count:
        try:
            yield
        finally:
            if torch.get_num_threads() != count:
                torch.set_num_threads(count)
