"""eugene's one switch for progress bars and compile notices, read when a call starts (``eugene.settings``).

Every long operation takes ``verbose``: True or False decides for that call; None (the default everywhere) follows
:attr:`Settings.verbose`, which is on unless switched off. The switch, in the order it is looked up:

1. ``with eugene.settings.progress(False):`` -- this block, in this thread (and its asyncio tasks) only;
2. ``eugene.settings.verbose = False`` -- the whole process, every thread, from now on;
3. the environment variable ``EUGENE_VERBOSE`` (``0``, ``false``, ``no`` or ``off`` silence; anything else shows),
   read at each call, so it also reaches child processes (the test suite sets it to ``0``);
4. otherwise on.

Bars and notices go to stderr, so stdout stays clean for the data a command prints. eugene never sets the switch
itself; a call resolves it once when it starts, so flipping it mid-call changes the next call, not the running one.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator
from typing import Any

__all__ = ["Settings", "settings", "show_progress"]

ENVIRONMENT = "EUGENE_VERBOSE"
_OFF = ("0", "false", "no", "off")

_this_thread: contextvars.ContextVar[bool | None] = contextvars.ContextVar("eugene_verbose", default=None)


class Settings:
    """eugene's switches (one instance: ``eugene.settings``).

    Examples
    --------
    >>> import eugene as eu
    >>> with eu.settings.progress(False):   # no bar or compile notice from eugene in this block, in this thread
    ...     eu.settings.verbose
    False
    """

    def __init__(self) -> None:
        self._verbose: bool | None = None

    @property
    def verbose(self) -> bool:
        """Whether calls with ``verbose=None`` (the default) show progress bars and compile notices; see the module
        docstring for the order of lookup. Assign True or False to set it for the whole process, or None to follow
        ``EUGENE_VERBOSE`` again."""
        local = _this_thread.get()
        if local is not None:
            return local
        if self._verbose is not None:
            return self._verbose
        return os.environ.get(ENVIRONMENT, "").strip().lower() not in _OFF

    @verbose.setter
    def verbose(self, value: bool | None) -> None:
        self._verbose = None if value is None else _flag(value, "eugene.settings.verbose must be True or False")

    @contextlib.contextmanager
    def progress(self, verbose: bool) -> Iterator[None]:
        """Within this block, in this thread only, calls with ``verbose=None`` follow ``verbose``.

        Examples
        --------
        >>> with settings.progress(False):
        ...     show_progress(None), show_progress(True)
        (False, True)
        """
        token = _this_thread.set(_flag(verbose, "verbose must be True or False"))
        try:
            yield
        finally:
            _this_thread.reset(token)

    def __repr__(self) -> str:
        return f"eugene.settings(verbose={self.verbose})"


settings = Settings()


def show_progress(verbose: Any) -> bool:
    """Whether a call's progress bars (and compile notices) show: ``verbose`` when it is True or False, the switch
    (:attr:`Settings.verbose`) when it is None.

    Examples
    --------
    >>> show_progress(False)
    False
    """
    if verbose is None:
        return settings.verbose
    return _flag(verbose, "verbose must be True, False or None (follow eugene.settings.verbose)")


def _flag(value: Any, message: str) -> bool:
    """``value`` as a bool when it is True or False (numpy's too, known without importing numpy: ``import eugene``
    stays light), else a TypeError with ``message`` and what came."""
    kind = type(value)
    if kind is bool or (kind.__module__ == "numpy" and kind.__name__ in ("bool_", "bool")):
        return bool(value)
    from ._validate import describe

    raise TypeError(f"{message}; got {describe(value)}")
