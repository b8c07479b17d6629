"""The API reference (docs/api/, built by ``make docs`` with mkdocstrings) has an entry for every public name.

Each ``::: path`` line of a page is a mkdocstrings directive. Public names of ``eu.interpret`` and ``eu.plot`` resolve
lazily (``_EXPORTS``), which static analysis cannot follow, so every page names each object by a path it can: these
tests check that each path imports, and that it is the object ``eu.<namespace>.<name>`` gives.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import eugene

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "api"
_DIRECTIVE = re.compile(r"^::: (\S+)\s*$", re.MULTILINE)


def _resolve(path: str) -> Any:
    """The object a dotted path names: the longest importable module prefix, then attributes."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            value: Any = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            value = getattr(value, attribute)
        return value
    raise ModuleNotFoundError(path)


def _directives(page: Path) -> list[str]:
    return _DIRECTIVE.findall(page.read_text())


def test_resolve_follows_modules_then_attributes():
    assert _resolve("eugene.seq.encode.one_hot") is eugene.seq.one_hot
    assert isinstance(_resolve("eugene.models.zoo"), ModuleType)
    with pytest.raises(AttributeError):
        _resolve("eugene.seq.no_such_name")


@pytest.mark.parametrize("namespace", eugene._SUBMODULES)
def test_every_public_name_has_an_entry(namespace: str):
    page = API / f"{namespace}.md"
    assert page.is_file(), f"no API page for eu.{namespace}: add docs/api/{namespace}.md and list it in mkdocs.yml"
    assert f"api/{namespace}.md" in (ROOT / "mkdocs.yml").read_text(), f"docs/api/{namespace}.md is not in the nav"
    module = importlib.import_module(f"eugene.{namespace}")
    documented = {path.rsplit(".", 1)[-1]: path for path in _directives(page)}
    missing = [name for name in module.__all__ if name not in documented]
    assert not missing, f"docs/api/{namespace}.md has no '::: path' entry for eu.{namespace}: {missing}"
    wrong = [
        f"{name}: '{documented[name]}'"
        for name in module.__all__
        if _resolve(documented[name]) is not getattr(module, name)
    ]
    assert not wrong, f"docs/api/{namespace}.md documents other objects than eu.{namespace} exports: {wrong}"


def test_every_entry_names_a_namespace_or_a_public_object():
    namespaces = {f"eugene.{namespace}" for namespace in eugene._SUBMODULES}
    public = set()
    for namespace in namespaces:
        module = importlib.import_module(namespace)
        public |= {id(getattr(module, name)) for name in module.__all__}
    for page in sorted(API.glob("*.md")):
        for path in _directives(page):
            assert path in namespaces or id(_resolve(path)) in public, f"{page.name}: '::: {path}' is not public"
