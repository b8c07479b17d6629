"""Every example in the documentation runs: the ```python blocks of README.md and docs/*.md, and the docstring
examples of eugene.

A page's blocks run in order in one namespace (later blocks use what earlier ones defined), in a temporary working
directory, with matplotlib's Agg backend. A block fenced as ```python no-run is shown but not run: use it only for
code that cannot run in a test (a user's own model or data file, network access). Docstring examples run with
doctest (ELLIPSIS and NORMALIZE_WHITESPACE; ``# doctest: +SKIP`` is honoured), one test per module.
"""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest

import eugene

matplotlib.use("Agg")

DOCS = Path(__file__).resolve().parents[2] / "docs"
RUN_MARKER = "python"
SKIP_MARKER = "no-run"

# An opening fence at the start of a line, its info string, the body, and the closing fence.
_FENCE = re.compile(r"^```[ \t]*(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def python_blocks(text: str) -> list[tuple[int, str, bool]]:
    """The ```python blocks of a Markdown text: (line of the first code line, code, runs) in page order."""
    blocks = []
    for match in _FENCE.finditer(text):
        words = match["info"].split()
        if not words or words[0] != RUN_MARKER:
            continue
        first_line = text.count("\n", 0, match.start("body")) + 1
        blocks.append((first_line, match["body"], SKIP_MARKER not in words[1:]))
    return blocks


def test_python_blocks_parser():
    text = "intro\n```python\na = 1\n```\n\n```bash\nls\n```\n```python no-run\nb = 2\n```\n```pycon\nc\n```\n"
    assert python_blocks(text) == [(3, "a = 1\n", True), (10, "b = 2\n", False)]


PAGES = [DOCS.parent / "README.md", *sorted(DOCS.glob("*.md"))]
PAGES_WITH_CODE = [p for p in PAGES if any(runs for _, _, runs in python_blocks(p.read_text()))]


@pytest.fixture
def clean_workdir(tmp_path, monkeypatch):
    """Run in an empty temporary directory; close every figure afterwards."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    plt.close("all")


@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=[p.name for p in PAGES_WITH_CODE])
def test_docs_page_runs(page: Path, clean_workdir: Path):
    namespace: dict = {"__name__": "__docs__"}
    for number, (first_line, code, runs) in enumerate(python_blocks(page.read_text()), start=1):
        if not runs:
            continue
        # Pad with blank lines so a traceback points at the line of the Markdown page.
        source = "\n" * (first_line - 1) + code
        try:
            exec(compile(source, str(page), "exec"), namespace)
        except Exception as error:
            raise AssertionError(
                f"{page.name}, python block {number} (line {first_line}) failed: {type(error).__name__}: {error}"
            ) from error


PACKAGE = Path(eugene.__file__).resolve().parent
MODULES_WITH_EXAMPLES = sorted(
    ".".join(("eugene", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
    for path in PACKAGE.rglob("*.py")
    if ">>>" in path.read_text()
)


@pytest.mark.parametrize("name", MODULES_WITH_EXAMPLES)
def test_docstring_examples(name: str, clean_workdir: Path):
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for test in doctest.DocTestFinder().find(module, name):
        runner.run(test, out=report.append)
    assert runner.failures == 0, f"{runner.failures} of {runner.tries} docstring examples failed:\n" + "".join(report)
