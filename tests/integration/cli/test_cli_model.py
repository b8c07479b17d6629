"""--model module:callable: imported from the current directory (as python -m has it) or from path/to/module.py, and
resolved before any sequence is read; an import failure names the module, the path searched and what to do."""

from __future__ import annotations

import sys
import textwrap

import numpy as np
import pytest
from cli_helpers import stderr_line

from eugene.cli import main

FACTORY = textwrap.dedent(
    """
    from eugene.models import build


    def Factory(seq_len=30):
        return build("deepbind", seq_len=seq_len, n_filters=4)
    """
)


@pytest.fixture
def factory_module(tmp_path, monkeypatch):
    """A module file with a factory, in a folder of its own; its name is forgotten again after the test."""
    name = f"cli_factory_{tmp_path.name}"
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / f"{name}.py").write_text(FACTORY)
    yield folder, name
    sys.modules.pop(name, None)


def test_factory_from_the_current_directory(factory_module, inputs, tmp_path, monkeypatch):
    from eugene.interpret import ism
    from eugene.seq import one_hot

    folder, name = factory_module
    monkeypatch.chdir(folder)
    path_before = list(sys.path)
    out = tmp_path / "ism.npz"
    argv = ["ism", "--model", f"{name}:Factory", "--weights", inputs["weights"], "--out", str(out), "--quiet"]
    assert main([*argv, "--sequences", str(inputs["root"] / "seqs.fa")]) == 0
    assert sys.path == path_before  # the current directory was on the path while the model loaded, not after
    expected = ism(inputs["model"], one_hot(inputs["seqs"]), target=0)
    np.testing.assert_allclose(np.load(out)["ism"], expected, rtol=1e-5, atol=1e-6)


def test_factory_from_a_module_file(factory_module, inputs, tmp_path):
    folder, name = factory_module
    out = tmp_path / "ism.npz"
    argv = ["ism", "--model", f"{folder / name}.py:Factory", "--weights", inputs["weights"], "--out", str(out)]
    assert main([*argv, "--sequences", str(inputs["root"] / "seqs.fa"), "--quiet"]) == 0
    assert np.load(out)["ism"].shape == (10, 4, 30)


def test_missing_module_is_reported_before_any_sequence_is_read(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    fasta = tmp_path / "not_there.fa"  # read first, it would be the error
    argv = ["report", "--model", "my_model_xyz:Factory", "--sequences", str(fasta), "--out", "r", "--quiet"]
    assert main(argv) == 1
    line = stderr_line(capsys)
    assert line.startswith("eugene report: error: --model 'my_model_xyz:Factory': cannot import module 'my_model_xyz'")
    assert repr(str(tmp_path)) in line  # the current directory was searched
    assert "run eugene from the folder holding my_model_xyz.py" in line
    assert "--model path/to/my_model_xyz.py:Factory" in line


def test_module_file_that_does_not_exist(inputs, tmp_path, capsys):
    argv = ["ism", "--model", str(tmp_path / "nowhere.py:Factory"), "--out", str(tmp_path / "o.npz"), "--quiet"]
    assert main([*argv, "--sequences", str(inputs["root"] / "seqs.fa")]) == 1
    assert f"no such file {str(tmp_path / 'nowhere.py')!r}" in stderr_line(capsys)


def test_a_module_whose_own_import_fails_is_told_apart(tmp_path, monkeypatch, inputs, capsys):
    name = f"cli_broken_{tmp_path.name}"
    (tmp_path / f"{name}.py").write_text("import a_dependency_that_is_not_installed_xyz\n")
    monkeypatch.chdir(tmp_path)
    argv = ["ism", "--model", f"{name}:Factory", "--out", str(tmp_path / "o.npz"), "--quiet"]
    assert main([*argv, "--sequences", str(inputs["root"] / "seqs.fa")]) == 1
    line = stderr_line(capsys)
    assert f"importing module {name!r} failed" in line and "a_dependency_that_is_not_installed_xyz" in line
    sys.modules.pop(name, None)
