"""What the command writes is what it prints; bad --out suffixes and negative seeds are usage errors; sequence files
are read by eu.seq.read_sequences (format from the content or --format, never from the name)."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import ZOO, stderr_line

from eugene.cli import main


@pytest.mark.parametrize("command", ["ism", "attribute"])
@pytest.mark.parametrize("out", ["a.txt", "a.NPZ", "a", "a.npz.gz", "a.zarr.zip"])
def test_per_sequence_out_needs_npz_or_zarr(command, out, inputs, tmp_path, capsys):
    argv = [command, *ZOO, "--sequences", str(inputs["root"] / "seqs.fa"), "--out", str(tmp_path / out), "--quiet"]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    line = stderr_line(capsys)
    assert line.startswith(f"eugene {command}: error: argument --out:")
    assert "expected FILE.npz" in line and "DIR.zarr" in line and repr(str(tmp_path / out)) in line
    assert list(tmp_path.iterdir()) == []  # nothing written, under any name


def test_the_printed_path_is_the_path_written(inputs, tmp_path, capsys):
    fasta = str(inputs["root"] / "seqs.fa")
    outputs = {
        "ism": ["ism", *ZOO, "--sequences", fasta, "--out", str(tmp_path / "x.y" / "ism.npz")],
        "zarr": ["ism", *ZOO, "--sequences", fasta, "--out", f"{tmp_path / 'ism.zarr'}/"],
        "filters": ["filters", *ZOO, "--sequences", fasta, "--out", str(tmp_path / "filters.txt")],
    }
    for argv in outputs.values():
        assert main([*argv, "--quiet"]) == 0
        printed = capsys.readouterr().out.strip()
        assert printed == argv[-1].rstrip("/")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["filters.txt", "ism.zarr", "ism.zarr.progress", "x.y"]
    assert [p.name for p in (tmp_path / "x.y").iterdir()] == ["ism.npz"]


@pytest.mark.parametrize("value", ["-1", "-7", "1.5", "x"])
def test_seed_must_be_a_non_negative_integer(value, inputs, tmp_path, capsys):
    argv = ["attribute", *ZOO, "--sequences", str(inputs["root"] / "seqs.fa"), "--out", str(tmp_path / "a.npz")]
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--seed", value])
    assert exit_info.value.code == 2
    line = stderr_line(capsys)
    assert line.startswith("eugene attribute: error: argument --seed:")
    assert f"expected a non-negative integer (numpy and torch seeds are >= 0); got {value!r}" in line


def test_one_sequence_per_line_file_whatever_its_name(inputs, tmp_path):
    """A .txt file of plain sequences is read as lines (the old CLI took .txt for DeepBind TSV and refused it)."""
    from eugene.seq import one_hot

    lines = tmp_path / "peaks.txt"
    lines.write_text("\n".join(inputs["seqs"][:4]) + "\n")
    out = tmp_path / "ism.npz"
    assert main(["ism", *ZOO, "--sequences", str(lines), "--out", str(out), "--quiet"]) == 0
    saved = np.load(out)
    np.testing.assert_array_equal(saved["X"], one_hot(inputs["seqs"][:4]))
    assert saved["names"].tolist() == ["seq0", "seq1", "seq2", "seq3"]


def test_format_is_stated_when_the_content_is_ambiguous(inputs, tmp_path, capsys):
    table = tmp_path / "peaks.tsv"  # a TSV without DeepBind's header: auto cannot tell, --format lines cannot read it
    table.write_text("".join(f"peak{i}\t{s}\n" for i, s in enumerate(inputs["seqs"][:3])))
    argv = ["ism", *ZOO, "--sequences", str(table), "--out", str(tmp_path / "o.npz"), "--quiet"]
    assert main(argv) == 1
    line = stderr_line(capsys)
    assert "cannot tell the format" in line and "--format lines" in line
    assert main([*argv, "--format", "fasta"]) == 1
    assert "peaks.tsv" in stderr_line(capsys)


def test_zarr_output_keeps_the_sequence_names(inputs, tmp_path):
    import xarray as xr

    store = tmp_path / "ism.zarr"
    argv = ["ism", *ZOO, "--weights", inputs["weights"], "--sequences", str(inputs["root"] / "seqs.fa"), "--quiet"]
    assert main([*argv, "--chunk-size", "4", "--out", str(store)]) == 0
    assert main([*argv, "--out", str(store)]) == 0  # a rerun (nothing left to compute) keeps them
    stored = xr.open_zarr(store, consolidated=False)
    assert stored["_sequence"].values.tolist() == [f"seq{i} sample" for i in range(10)]
    assert stored["ism_attrs"].dims == ("_sequence", "_ohe", "length")
