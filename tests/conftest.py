"""Shared fixtures: the real data in ../shared/data, skipped with a reason when absent; a check after every test that
it left torch's and numba's process-wide state as it found it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# torch's OpenMP threads wait for work at each barrier by spinning; on a loaded machine (CI, or beside other jobs)
# a spinning thread holds a core the thread it waits for needs, and the suite spent ~8x the CPU time of the work
# itself (test_filters_real: 74 cpu-s spinning, 7.6 cpu-s passive). PASSIVE makes them sleep instead; the results and
# thread counts are the same. Read once when libgomp loads, so this comes before `import torch` (pytest's
# plugins do not import torch), and subprocesses inherit it; a developer who sets OMP_WAIT_POLICY keeps their choice.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# under pytest-xdist each worker is a process of its own: one torch thread each, so that two workers on two cores do
# not run four threads (numba keeps its own count: the kernels' parallel paths still run on several threads)
if "PYTEST_XDIST_WORKER" in os.environ:
    os.environ.setdefault("OMP_NUM_THREADS", "1")

import matplotlib  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

matplotlib.use("Agg")  # figures render off-screen in tests
# no progress bars or compile notices from eugene in tests, subprocesses included, unless a test asks for them
# (verbose=True, or eugene.settings); a developer who sets EUGENE_VERBOSE keeps their choice
os.environ.setdefault("EUGENE_VERBOSE", "0")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path to ../shared/data (relative to the project root); skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA} (../shared/data beside the project root)")
    return SHARED_DATA


def _set_deterministic(on: bool) -> None:
    torch.use_deterministic_algorithms(on, warn_only=torch.is_deterministic_algorithms_warn_only_enabled())


def _set_warn_only(on: bool) -> None:
    torch.use_deterministic_algorithms(torch.are_deterministic_algorithms_enabled(), warn_only=on)


def _numba_threads() -> int | None:
    """numba's thread count without starting its threading layer: numba.get_num_threads() starts it, and its OpenMP
    layer then sets torch's thread count to numba's (a change this check would make itself, seen with
    OMP_NUM_THREADS=1); before the layer starts, the count it will start with."""
    if "numba" not in sys.modules:
        return None
    numba = sys.modules["numba"]
    if not numba.np.ufunc.parallel._is_initialized:
        return numba.config.NUMBA_NUM_THREADS
    return numba.get_num_threads()


def _set_numba_threads(n: int) -> None:
    sys.modules["numba"].set_num_threads(n)


# name -> (read it, set it back); eugene sets none of these, and torch.fx tracing patches the first two while it runs
_PROCESS_STATE: dict[str, tuple[Callable[[], Any], Callable[[Any], None]]] = {
    "torch.nn.Module.__call__": (lambda: nn.Module.__call__, lambda f: setattr(nn.Module, "__call__", f)),
    "torch.nn.Module.__getattr__": (lambda: nn.Module.__getattr__, lambda f: setattr(nn.Module, "__getattr__", f)),
    "torch.get_num_threads()": (torch.get_num_threads, torch.set_num_threads),
    "torch.get_default_dtype()": (torch.get_default_dtype, torch.set_default_dtype),
    "torch.is_grad_enabled()": (torch.is_grad_enabled, torch.set_grad_enabled),
    "torch.are_deterministic_algorithms_enabled()": (torch.are_deterministic_algorithms_enabled, _set_deterministic),
    "torch.is_deterministic_algorithms_warn_only_enabled()": (
        torch.is_deterministic_algorithms_warn_only_enabled,
        _set_warn_only,
    ),
    "torch.get_float32_matmul_precision()": (torch.get_float32_matmul_precision, torch.set_float32_matmul_precision),
    "torch.backends.cudnn.deterministic": (
        lambda: torch.backends.cudnn.deterministic,
        lambda v: setattr(torch.backends.cudnn, "deterministic", v),
    ),
    "torch.backends.cudnn.benchmark": (
        lambda: torch.backends.cudnn.benchmark,
        lambda v: setattr(torch.backends.cudnn, "benchmark", v),
    ),
    "torch.is_anomaly_enabled()": (torch.is_anomaly_enabled, torch.set_anomaly_enabled),
    "numba.get_num_threads()": (_numba_threads, _set_numba_threads),
}


@pytest.fixture(autouse=True)
def _process_state_unchanged() -> Iterator[None]:
    """Fail a test that leaves torch's or numba's process-wide state changed, naming what changed, and set it back so
    later tests do not run in a changed process."""
    before = {name: read() for name, (read, _) in _PROCESS_STATE.items()}
    yield
    changed = []
    for name, (read, restore) in _PROCESS_STATE.items():
        after = read()
        if after != before[name] and before[name] is not None:
            changed.append(f"{name}: {before[name]!r} before, {after!r} after")
            restore(before[name])
    if changed:
        pytest.fail("the test changed process-wide state (now set back): " + "; ".join(changed), pytrace=False)
