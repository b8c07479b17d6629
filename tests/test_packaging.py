"""Packaging: the distribution's name, the data files the wheel must carry, and the warning when another installed
distribution (EUGENe's eugene-tools, PyPI's unrelated eugene) provides the top-level package ``eugene`` too.

The wheel itself is built (from a copy of the sources) and inspected by ``test_wheel_carries_the_package_data``,
which takes a few seconds and runs only with ``EUGENE_TEST_WHEEL=1`` and the ``build`` package installed:

    EUGENE_TEST_WHEEL=1 .venv/bin/python -m pytest -q tests/test_packaging.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import warnings
import zipfile
from importlib import resources
from pathlib import Path

import pytest

import eugene
from eugene import _dist
from eugene.models import demo

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python >= 3.11 (tomllib)")

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "eugene"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _package_data_globs() -> list[str]:
    return PYPROJECT["tool"]["setuptools"]["package-data"]["eugene"]


def _data_files() -> set[str]:
    """Every file of the source package that is not Python code or a cache, relative to src/eugene."""
    return {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in {".py", ".pyc"}
    }


def test_distribution_name_is_not_the_import_name_taken_on_pypi():
    name = PYPROJECT["project"]["name"]
    # PyPI's "eugene" is an unrelated project and "eugene-tools" is EUGENe: either would install someone else's code
    assert _dist._normalize(name) not in {"eugene", "eugene-tools"}
    assert name == _dist.DISTRIBUTION
    assert PYPROJECT["project"]["scripts"]["eugene"] == "eugene.cli:main"
    readme = (ROOT / "README.md").read_text()
    assert f"pip install {name}" in readme and "import eugene" in readme


def test_every_package_data_glob_matches_a_file():
    for pattern in _package_data_globs():
        assert any(path.is_file() for path in PACKAGE.glob(pattern)), f"package-data glob {pattern!r} matches no file"


def test_every_data_file_is_in_the_wheel():
    covered = {
        path.relative_to(PACKAGE).as_posix() for pattern in _package_data_globs() for path in PACKAGE.glob(pattern)
    }
    missing = _data_files() - covered
    assert not missing, f"not covered by [tool.setuptools.package-data] in pyproject.toml: {sorted(missing)}"


@pytest.mark.parametrize(
    ("package", "parts"),
    [
        ("eugene.models", ("data", demo.WEIGHTS_FILE)),
        ("eugene.models", ("data", demo.SEQUENCES_FILE)),
        ("eugene.models", ("data", demo.CARD_FILE)),
        ("eugene.report", ("templates", "report.html")),
    ],
)
def test_files_the_code_loads_resolve_through_importlib_resources(package, parts):
    resource = resources.files(package).joinpath(*parts)
    assert resource.is_file(), f"{package}: {'/'.join(parts)} not found through importlib.resources"
    relative = "/".join((*package.split(".")[1:], *parts))
    assert relative in {p.relative_to(PACKAGE).as_posix() for g in _package_data_globs() for p in PACKAGE.glob(g)}


# Fake installed distributions: (metadata folder, file, content, provides the top-level package eugene)
FAKE_DISTRIBUTIONS = [
    ("eugene_interpret-0.1.0.dist-info", "top_level.txt", "eugene\n", False),  # ours: never reported
    ("Eugene_Tools-0.2.0.dist-info", "RECORD", "eugene/__init__.py,sha256=abc,10\neugene/x.py,,\n", True),
    ("eugene-0.2.0.dist-info", "top_level.txt", "eugene\n", True),  # PyPI's unrelated eugene
    ("single_module-1.0.dist-info", "RECORD", "other.py,,\neugene.py,sha256=abc,5\n", True),
    ("old_style-1.0-py3.11.egg-info", "top_level.txt", "other\neugene\n", True),
    ("eugenelike-1.0.dist-info", "RECORD", "eugenelike/__init__.py,,\nneugene/a.py,,\nx/eugene/b.py,,\n", False),
    ("neighbour-1.0.dist-info", "top_level.txt", "eugenes\nneighbour\n", False),
    ("no_files-1.0.dist-info", "METADATA", "Name: no-files\n", False),
]


@pytest.fixture
def fake_site(tmp_path: Path) -> Path:
    for folder, name, content, _ in FAKE_DISTRIBUTIONS:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_text(content)
    (tmp_path / "unrelated.txt").write_text("eugene/\n")
    _dist.other_distributions.cache_clear()
    yield tmp_path
    _dist.other_distributions.cache_clear()


def test_other_distributions_finds_exactly_those_that_install_eugene(fake_site: Path, tmp_path_factory):
    expected = {"eugene-tools", "eugene", "single-module", "old-style"}
    empty = tmp_path_factory.mktemp("empty")
    found = _dist.other_distributions((str(fake_site), str(empty), str(fake_site / "missing"), str(fake_site)))
    assert {name for name, _ in found} == expected
    assert len(found) == len(expected)  # a folder listed twice reports each distribution once
    assert {folder for _, folder in found} == {str(fake_site)}


def test_warning_names_the_others_and_the_way_out(fake_site: Path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _dist.warn_if_shared((str(fake_site),))
    assert [w.category for w in caught] == [_dist.PackageConflictWarning]
    message = str(caught[0].message)
    for name in ("eugene-tools", "single-module", "old-style"):
        assert name in message
    assert "virtual environment" in message
    assert "pip uninstall eugene, eugene-tools" not in message  # pip takes names separated by spaces
    assert "pip uninstall eugene eugene-tools old-style single-module" in message
    assert f"--force-reinstall --no-deps {_dist.DISTRIBUTION}" in message


def test_no_warning_without_another_distribution(tmp_path: Path):
    ours, _, content, _ = FAKE_DISTRIBUTIONS[0]
    (tmp_path / ours).mkdir()
    (tmp_path / ours / "top_level.txt").write_text(content)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _dist.warn_if_shared((str(tmp_path),))


def test_import_warns_once_at_the_importing_line(fake_site: Path):
    env = {**os.environ, "PYTHONPATH": str(fake_site)}
    code = "import warnings; warnings.simplefilter('always')\nimport eugene\nimport eugene.seq\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stderr.count("PackageConflictWarning") == 1, result.stderr
    assert "<string>:2: PackageConflictWarning" in result.stderr  # points at `import eugene`, not into eugene
    assert "eugene-tools" in result.stderr


@pytest.mark.skipif(not os.environ.get("EUGENE_TEST_WHEEL"), reason="builds the wheel: set EUGENE_TEST_WHEEL=1")
def test_wheel_carries_the_package_data(tmp_path: Path):
    pytest.importorskip("build", reason="needs the build package (pip install build)")
    source = tmp_path / "source"  # a copy, so that the build leaves nothing in the checkout
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    command = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(source)]
    built = subprocess.run(command, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.name.startswith(_dist.DISTRIBUTION.replace("-", "_") + "-" + eugene.__version__ + "-")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for relative in _data_files():
            assert archive.read(f"eugene/{relative}") == (PACKAGE / relative).read_bytes(), relative
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert "eugene = eugene.cli:main" in archive.read(entry_points).decode()


def test_install_hints_name_this_distribution():
    # `pip install "eugene[genome]"` would install PyPI's unrelated eugene: every hint must name eugene-interpret
    hint = re.compile(r"""pip install\s+["']?([A-Za-z0-9_.-]+)\[""")
    wrong = []
    for path in [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").rglob("*.md"), *PACKAGE.rglob("*.py")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            wrong += [f"{path.relative_to(ROOT)}:{number}" for name in hint.findall(line) if name != _dist.DISTRIBUTION]
    assert not wrong, f"install hints that name another distribution than {_dist.DISTRIBUTION}: {wrong}"
