"""How eugene compiles its numba kernels: once per machine, into numba's cache, with a one-line notice meanwhile.

Every kernel is made by :func:`kernel` (``numba.njit`` with ``cache=True``). numba keeps the compiled code in the
module's ``__pycache__`` when that folder is writable, and otherwise (a read-only site-packages) in the user's cache
folder, ``$XDG_CACHE_HOME/numba`` or ``~/.cache/numba`` (``NUMBA_CACHE_DIR``, when the user sets it, comes first):
either way a kernel compiles once, and every later process loads it from disk. Only where no folder is writable at
all does numba refuse ``cache=True``; the kernel is then compiled in each process instead of failing the import, and
the notice says how to keep it. eugene sets no numba option or environment variable itself.

Compiling takes seconds to a minute, so the calls that run kernels open :func:`compiling`: when one of eugene's
kernels is really compiled (not loaded from the cache) while it is open, one line goes to stderr through tqdm (above
any progress bar), once per process and family, and only when the call's ``verbose`` (its progress-bar switch) is on:
with ``verbose=None``, unless ``eugene.settings.verbose`` is switched off (see :mod:`eugene._settings`).
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numba
from numba.core import event
from tqdm.auto import tqdm

from ._settings import show_progress

__all__ = ["compiling", "kernel"]

# how long each family takes to compile, for the notice: CPU time of a cold first call on the project's 2-core machine
# (benchmarks/first_call.py; figures in benchmarks/README.md)
FAMILIES = {"TOMTOM": "20 s", "filter table-lookup": "15 s"}

_kernels: set[Callable[..., Any]] = set()  # the Python functions behind eugene's kernels
_uncached: set[Callable[..., Any]] = set()  # those numba found no writable cache folder for
_noticed: set[str] = set()  # families whose notice this process has shown
_lock = threading.Lock()


def kernel(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``numba.njit(cache=True, **options)``, compiled without a cache where no cache folder is writable.

    Examples
    --------
    >>> @kernel(nogil=True)
    ... def add_one(x):
    ...     return x + 1
    >>> add_one(1)
    2
    """

    def decorate(function: Callable[..., Any]) -> Any:
        _kernels.add(function)
        try:
            return numba.njit(cache=True, **options)(function)
        except RuntimeError as err:  # numba: "cannot cache function ...: no locator available for file ..."
            if "no locator available" not in str(err):
                raise
            _uncached.add(function)
            return numba.njit(**options)(function)

    return decorate


def _message(family: str, cached: bool) -> str:
    about = f" (about {FAMILIES[family]})" if family in FAMILIES else ""
    if cached:
        return f"eugene: compiling the {family} kernels once for this machine{about}; later runs start at once"
    return (
        f"eugene: compiling the {family} kernels{about}; no cache folder is writable, so every new process compiles "
        "them again (set NUMBA_CACHE_DIR to a writable folder to keep them)"
    )


class _Notice(event.Listener):
    """Shows the family's notice when one of eugene's kernels starts compiling in the thread that opened it."""

    def __init__(self, family: str) -> None:
        self.family = family
        self.thread = threading.get_ident()

    def on_start(self, ev: event.Event) -> None:
        function = ev.data["dispatcher"].py_func
        if function not in _kernels or threading.get_ident() != self.thread:
            return
        with _lock:
            if self.family in _noticed:
                return
            _noticed.add(self.family)
        tqdm.write(_message(self.family, function not in _uncached), file=sys.stderr)

    def on_end(self, ev: event.Event) -> None:
        pass


@contextlib.contextmanager
def compiling(family: str, verbose: bool | None = None) -> Iterator[None]:
    """Within this block, a kernel compiled rather than loaded from the cache shows the ``family``'s one-line
    notice on stderr (once per process and family), when ``verbose`` (None: ``eugene.settings.verbose``).

    Examples
    --------
    >>> with compiling("TOMTOM", verbose=False):
    ...     pass
    """
    if not show_progress(verbose) or family in _noticed:
        yield
        return
    with event.install_listener("numba:compile", _Notice(family)):
        yield
