"""A test helper: run a function in several threads started together, collecting results and re-raising errors."""

from __future__ import annotations

import threading
from collections.abc import Callable


def in_threads(n: int, fn: Callable[[int], object]) -> list[object]:
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
