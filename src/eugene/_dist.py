"""Warn when another installed distribution also provides the top-level package ``eugene``.

This package is distributed as ``eugene-interpret`` and imported as ``eugene``. EUGENe ships as ``eugene-tools`` and
PyPI's unrelated ``eugene`` project installs a top-level ``eugene`` too; installed into one environment, two such
distributions overwrite each other's files, and ``import eugene`` runs a mix of both. ``import eugene`` calls
:func:`warn_if_shared` once, which names the others and the ways out.

The scan reads the metadata folders (``*.dist-info``, ``*.egg-info``) on ``sys.path`` directly: ``top_level.txt``
where a distribution declares its top-level names, else its ``RECORD`` of installed files. That is what
``importlib.metadata.packages_distributions()`` does, minus parsing every distribution's ``METADATA``, which costs
ten times more and would make ``import eugene`` slow. Nothing leaves the machine.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from functools import lru_cache

__all__ = ["DISTRIBUTION", "PackageConflictWarning", "other_distributions", "warn_if_shared"]

DISTRIBUTION = "eugene-interpret"
_PACKAGE = "eugene"
_METADATA_SUFFIXES = (".dist-info", ".egg-info")


class PackageConflictWarning(UserWarning):
    """Another installed distribution also provides the top-level package ``eugene``."""


def _normalize(name: str) -> str:
    """A distribution name in PEP 503 normal form (``Eugene_Tools`` -> ``eugene-tools``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _provides_package(metadata_dir: str) -> bool:
    """Whether the distribution described by ``metadata_dir`` installs the top-level module or package ``eugene``."""
    try:
        with open(os.path.join(metadata_dir, "top_level.txt"), "rb") as file:
            return _PACKAGE.encode() in file.read().split()
    except OSError:
        pass
    try:
        with open(os.path.join(metadata_dir, "RECORD"), "rb") as file:
            record = b"\n" + file.read()
    except OSError:
        return False
    return f"\n{_PACKAGE}/".encode() in record or f"\n{_PACKAGE}.py,".encode() in record


@lru_cache(maxsize=8)
def other_distributions(paths: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``(distribution name, folder)`` of every distribution on ``paths`` other than ours that provides ``eugene``.

    Parameters
    ----------
    paths
        Folders to scan, as on ``sys.path`` (``""`` is the current directory); entries that are not folders are
        skipped.

    Returns
    -------
    tuple of (str, str)
        Normalized distribution names with the folder holding their metadata, sorted, each name once.

    Examples
    --------
    >>> other_distributions(tuple(sys.path))  # doctest: +SKIP
    (('eugene-tools', '/home/me/.venv/lib/python3.11/site-packages'),)
    """
    found: dict[str, str] = {}
    for folder in paths:
        try:
            entries = os.scandir(folder or ".")
        except OSError:
            continue
        with entries:
            for entry in entries:
                if not entry.name.endswith(_METADATA_SUFFIXES):
                    continue
                name = _normalize(entry.name.rsplit(".", 1)[0].split("-", 1)[0])
                if name != DISTRIBUTION and name not in found and _provides_package(entry.path):
                    found[name] = os.path.abspath(folder or ".")
    return tuple(sorted(found.items()))


def warn_if_shared(paths: tuple[str, ...] | None = None) -> None:
    """Warn (:class:`PackageConflictWarning`) when another installed distribution also provides ``eugene``.

    Parameters
    ----------
    paths
        Folders to scan; default ``sys.path``.

    Examples
    --------
    >>> warn_if_shared()  # silent unless e.g. eugene-tools is installed beside eugene-interpret
    """
    others = other_distributions(tuple(sys.path) if paths is None else paths)
    if not others:
        return
    names = " ".join(name for name, _ in others)
    where = "; ".join(f"{name} in {folder}" for name, folder in others)
    warnings.warn(
        f"another installed distribution also provides the top-level package 'eugene': {where}. This package is "
        f"{DISTRIBUTION} (imported as eugene); distributions that share a package overwrite each other's files, so "
        f"'import eugene' may run a mix of both. Use each in its own virtual environment ('python -m venv "
        f"eugene-env && eugene-env/bin/pip install {DISTRIBUTION}'), or remove the other here: 'pip uninstall {names}' "
        f"then 'pip install --force-reinstall --no-deps {DISTRIBUTION}' (uninstalling the other deletes the files both "
        "share).",
        PackageConflictWarning,
        stacklevel=3,  # the caller of warn_if_shared's caller: the line that imports eugene
    )
