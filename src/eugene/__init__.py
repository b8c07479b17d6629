"""eugene: explain what a trained deep learning model of biological sequences has learned.

Submodules are loaded on first use, so ``import eugene as eu`` stays cheap::

    import eugene as eu
    X = eu.seq.one_hot(["ACGTAC", "GGCCTA"])      # (N, A, L) float32
    # eu.interpret, eu.motifs, eu.plot (alias eu.pl), eu.models, eu.datasets, eu.evaluate, eu.report

Progress bars and compile notices are on by default; ``eu.settings.verbose = False`` (or ``EUGENE_VERBOSE=0``, or
``with eu.settings.progress(False):`` for one block of one thread) silences them all (see ``eugene._settings``).
"""

from __future__ import annotations

import importlib
from typing import Any

from eugene._dist import warn_if_shared as _warn_if_shared
from eugene._settings import settings

__version__ = "0.1.0"

_SUBMODULES = ("seq", "genome", "motifs", "interpret", "plot", "models", "datasets", "evaluate", "report")
_ALIASES = {"pl": "plot"}

__all__ = ["__version__", "settings", *_SUBMODULES, *_ALIASES]

_warn_if_shared()  # eugene-tools (EUGENe) and PyPI's "eugene" install a top-level eugene too: say so at once


def __getattr__(name: str) -> Any:
    target = _ALIASES.get(name, name)
    if target in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{target}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'eugene' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
