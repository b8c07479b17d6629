"""Process-wide concurrency guards: torch's thread count kept around numba kernels, and one lock for code that patches
process globals (``torch.fx`` tracing patches ``torch.nn.Module.__call__`` / ``__getattr__`` while it runs)."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator

__all__ = ["GLOBALS_PATCH_LOCK", "torch_threads_kept"]

GLOBALS_PATCH_LOCK = threading.RLock()
"""Held by everything that patches process globals while it runs (``torch.fx.symbolic_trace`` does): two such patches
at once from two threads restore each other's patches and leave the process patched (torch.fx is not thread-safe)."""

_kept_lock = threading.Lock()
_kept_depth = 0  # how many torch_threads_kept blocks are open, over all threads
_kept_count: int | None = None  # torch's thread count when the first of them opened


@contextlib.contextmanager
def torch_threads_kept() -> Iterator[None]:
    """Undo the change numba's OpenMP layer makes to the process's OpenMP thread count (and so torch's).

    A parallel numba kernel on the OpenMP layer sets the shared OpenMP thread count to numba's own; torch, if loaded,
    would then run with that count for the rest of the process. eugene sets no global flags, so it restores it.

    Safe from several threads at once: the count is read when the first block opens (no kernel is running then) and
    restored when the last one closes; a block that closes while others are open resets its own thread's count to
    that value too. Reading the count inside another thread's open block would pick up numba's change instead.
    """
    global _kept_depth, _kept_count
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    with _kept_lock:
        if _kept_depth == 0:
            _kept_count = torch.get_num_threads()
        _kept_depth += 1
        count = _kept_count
    try:
        yield
    finally:
        with _kept_lock:
            _kept_depth -= 1
            if torch.get_num_threads() != count:
                torch.set_num_threads(count)
