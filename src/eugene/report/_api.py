"""Resolve eugene's public names for the report, telling a name that does not exist yet from a real error.

The report is built from pieces that land at different times. A section asks for the public functions it uses with
:func:`public`; a name that is not there yet (its module or the attribute itself missing) raises :class:`NotBuiltYet`,
which the builder shows as a note. Any other ImportError or AttributeError, e.g. one raised while importing a module
that does exist, propagates unchanged.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

__all__ = ["NotBuiltYet", "public"]


class NotBuiltYet(Exception):
    """A public eugene name that a report section needs does not exist (yet)."""


def _missing_module(error: ModuleNotFoundError, wanted: str) -> bool:
    """Whether ``error`` says that the eugene module ``wanted`` (or a package above it) does not exist."""
    missing = error.name or ""
    return missing.startswith("eugene.") and (wanted == missing or wanted.startswith(missing + "."))


def _missing_attribute(error: AttributeError, attr: str) -> bool:
    """Whether ``error`` is "module 'eugene...' has no attribute '<attr>'" (and not some other AttributeError)."""
    message = str(error)
    return re.fullmatch(rf"module '(eugene(\.\w+)*)' has no attribute '{re.escape(attr)}'", message) is not None


def public(qualified: str) -> Any:
    """Return the object named ``qualified`` (e.g. ``"eugene.interpret.attribute"``) or raise NotBuiltYet.

    Examples
    --------
    >>> public("eugene.models.summary").__name__
    'summary'
    """
    module_name, _, attr = qualified.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if _missing_module(error, module_name):
            raise NotBuiltYet(qualified) from error
        raise
    try:
        return getattr(module, attr)
    except ModuleNotFoundError as error:  # a lazy namespace whose defining submodule is not written yet
        if (error.name or "").startswith(module_name + "."):
            raise NotBuiltYet(qualified) from error
        raise
    except AttributeError as error:
        if _missing_attribute(error, attr):
            raise NotBuiltYet(qualified) from error
        raise


def require(*qualified: str) -> list[Any]:
    """Resolve several names at once; NotBuiltYet lists every one that is missing, so the note is complete."""
    found, missing = [], []
    for name in qualified:
        try:
            found.append(public(name))
        except NotBuiltYet:
            missing.append(name)
    if missing:
        raise NotBuiltYet(", ".join(missing))
    return found
