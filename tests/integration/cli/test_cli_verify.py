"""eugene verify STORE: the table of eu.interpret.verify_store, exit code 1 when a chunk is not ok; --method choices
come from the registry of attribution methods."""

from __future__ import annotations

import pytest
from cli_helpers import ZOO, stderr_line

from eugene.cli import main


def test_verify_reports_every_chunk_and_fails_on_a_missing_one(inputs, tmp_path, capsys):
    store = tmp_path / "ism.zarr"
    argv = ["ism", *ZOO, "--weights", inputs["weights"], "--sequences", str(inputs["root"] / "seqs.fa"), "--quiet"]
    assert main([*argv, "--chunk-size", "4", "--out", str(store)]) == 0
    capsys.readouterr()

    assert main(["verify", str(store)]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows[0].split() == ["key", "chunk", "start", "stop", "status", "detail"]
    assert [row.split()[:5] for row in rows[1:]] == [
        ["ism_attrs", "0", "0", "4", "ok"],
        ["ism_attrs", "1", "4", "8", "ok"],
        ["ism_attrs", "2", "8", "10", "ok"],
    ]

    chunk = next(p for p in (store / "ism_attrs").rglob("*") if p.is_file() and p.parts[-4:-2] == ("c", "1"))
    chunk.unlink()  # the second chunk's data is lost
    assert main(["verify", str(store), "--key", "ism_attrs"]) == 1
    captured = capsys.readouterr()
    statuses = [row.split()[4] for row in captured.out.strip().splitlines()[1:]]
    assert statuses == ["ok", "missing", "ok"]
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("eugene verify: error: 1 of 3 chunks are not ok (1 missing)")

    assert main([*argv, "--chunk-size", "4", "--out", str(store)]) == 0  # the rerun recomputes it
    assert main(["verify", str(store)]) == 0


def test_verify_of_something_that_is_not_a_store(tmp_path, capsys):
    assert main(["verify", str(tmp_path / "nothing.zarr")]) == 1
    line = stderr_line(capsys)
    assert line.startswith("eugene verify: error: store must be a zarr directory") and "does not exist" in line


def test_method_choices_are_the_registry(capsys):
    from eugene.interpret.attribution import methods

    with pytest.raises(SystemExit) as exit_info:
        main(["attribute", *ZOO, "--sequences", "s.fa", "--out", "a.npz", "--method", "deeplift_shapp"])
    assert exit_info.value.code == 2
    line = stderr_line(capsys)
    assert "invalid choice: 'deeplift_shapp' (choose from " in line
    assert line.split("(choose from ")[1].split(")")[0].replace("'", "").split(", ") == list(methods(aliases=True))
