"""Parallel numba kernels beside torch: keep torch's thread count as it was."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

__all__ = ["torch_threads_kept"]


@contextlib.contextmanager
def torch_threads_kept() -> Iterator[None]:
    """Undo the change numba's OpenMP layer makes to the process's OpenMP thread count (and so torch's).

    A parallel numba kernel on the OpenMP layer sets the shared OpenMP thread count to numba's own; torch, if loaded,
    would then run with that count for the rest of the process. eugene sets no global flags, so it restores it.
    """
    torch = sys.modules.get("torch")
    before = torch.get_num_threads() if torch is not None else None
    try:
        yield
    finally:
        if torch is not None and torch.get_num_threads() != before:
            torch.set_num_threads(before)
