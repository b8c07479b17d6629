"""The `eugene` command: help, one-line errors with exit codes 2 (usage) and 1 (runtime), and each subcommand writing
what the public function it wraps returns."""

from __future__ import annotations

import gzip
import subprocess
import sys

import numpy as np
import pytest
import torch
from cli_helpers import ZOO, stderr_line

from eugene.cli import build_parser, main

SUBCOMMANDS = ("attribute", "ism", "filters", "tomtom", "gia", "report", "demo", "verify")


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help_works_for_every_subcommand(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: eugene {command}")
    assert f"example:\n  eugene {command}" in out


def test_top_level_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in SUBCOMMANDS:
        assert f"\n    {command}" in out
    assert main([]) == 2  # no subcommand: help on stderr, usage exit code


@pytest.mark.parametrize(
    "argv, message",
    [
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["report"], "the following arguments are required: --model, --out"),
        (["ism", *ZOO, "--sequences", "x.fa", "--out", "o.npz", "--batch-size", "0"], "expected a positive integer"),
        (["ism", *ZOO, "--sequences", "x.fa", "--out", "o.npz", "--target", "-1"], "expected an output index"),
        (["ism", "--model", "m:f", "--model-arg", "n_outputs", "--sequences", "x", "--out", "o"], "expected KEY=VALUE"),
        (["report", *ZOO, "--sequences", "x.fa", "--out", "d", "--format", "xml"], "invalid choice: 'xml'"),
        (["tomtom", "q.meme", "--out", "o.tsv", "--dist", "cosine"], "invalid choice: 'cosine'"),
    ],
)
def test_usage_errors_are_one_line_with_exit_code_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    line = stderr_line(capsys)
    assert line.startswith(f"eugene {argv[0]}: error:" if argv[0] in SUBCOMMANDS else "eugene: error:")
    assert message in line
    assert "--help" in line


def test_runtime_errors_are_one_line_with_exit_code_1(inputs, tmp_path, capsys):
    out = str(tmp_path / "o.npz")
    cases = [
        (["ism", *ZOO, "--sequences", str(tmp_path / "missing.fa"), "--out", out], "missing.fa' does not exist"),
        (["ism", "--model", "no_such_pkg_xyz.mod:f", "--sequences", str(inputs["root"] / "seqs.fa"), "--out", out],
         "cannot import module"),
        (["ism", *ZOO, "--weights", str(tmp_path / "w.pt"), "--sequences", str(inputs["root"] / "seqs.fa"),
          "--out", out], "weights: no such file"),
    ]  # fmt: skip
    if not torch.cuda.is_available():
        fasta = str(inputs["root"] / "seqs.fa")
        cases.append((["ism", *ZOO, "--sequences", fasta, "--device", "cuda", "--out", out], "CUDA is not available"))
    (tmp_path / "seqs.zarr").mkdir()
    cases.append((["ism", *ZOO, "--sequences", str(tmp_path / "seqs.zarr"), "--out", out], "not a readable zarr"))
    cases.append(
        (["ism", *ZOO, "--sequences", str(inputs["root"] / "seqs.fa"), "--dask", "--out", out], "--dask needs")
    )
    for argv, message in cases:
        assert main([*argv, "--quiet"]) == 1
        line = stderr_line(capsys)
        assert line.startswith("eugene ism: error: ") and message in line and "--debug" in line, line
    with pytest.raises(FileNotFoundError):  # --debug: the exception itself, with its traceback
        main([*cases[0][0], "--debug"])


def test_sequences_of_different_lengths_need_pad(tmp_path, capsys):
    fasta = tmp_path / "ragged.fa"
    fasta.write_text(">a\nACGTACGTACGTACGT\n>b\nACGTACGTACGTACGTAAA\n")
    argv = ["ism", *ZOO[:2], "--model-arg", "seq_len=19", "--sequences", str(fasta), "--quiet"]
    assert main([*argv, "--out", str(tmp_path / "a.npz")]) == 1
    assert "--pad right" in stderr_line(capsys)
    assert main([*argv, "--pad", "right", "--out", str(tmp_path / "b.npz")]) == 0
    X = np.load(tmp_path / "b.npz")["X"]
    assert X.shape == (2, 4, 19) and X[0, :, 16:].sum() == 0 and X[1].sum() == 19


def test_exit_codes_of_the_installed_command(tmp_path):
    command = [sys.executable, "-c", "import sys; from eugene.cli import main; sys.exit(main())"]
    usage = subprocess.run([*command, "report"], capture_output=True, text=True)
    assert usage.returncode == 2 and len(usage.stderr.strip().splitlines()) == 1
    runtime = subprocess.run(
        [*command, "tomtom", str(tmp_path / "none.meme"), "--out", str(tmp_path / "o.tsv")],
        capture_output=True,
        text=True,
    )
    assert runtime.returncode == 1 and len(runtime.stderr.strip().splitlines()) == 1
    assert "Traceback" not in runtime.stderr


def test_the_parser_imports_nothing_heavy():
    """Choices from the registries load when used, so --help and usage errors do not wait for torch."""
    code = "import sys; from eugene.cli import build_parser; build_parser(); print([m for m in sys.modules if m in "
    code += "('torch', 'numpy', 'eugene.seq', 'eugene.interpret')])"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_ism_writes_what_the_api_returns(inputs, tmp_path, capsys):
    from eugene.interpret import ism
    from eugene.seq import one_hot

    out = tmp_path / "sub" / "ism.npz"
    argv = ["ism", *ZOO, "--weights", inputs["weights"], "--sequences", str(inputs["root"] / "seqs.fa.gz")]
    assert main([*argv, "--out", str(out), "--quiet", "--batch-size", "7"]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    saved = np.load(out)
    X = one_hot(inputs["seqs"])
    np.testing.assert_array_equal(saved["X"], X)
    assert saved["names"].tolist() == [f"seq{i} sample" for i in range(10)]
    np.testing.assert_allclose(saved["ism"], ism(inputs["model"], X, target=0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("fast", "value"), [("no", False), ("yes", True), ("auto", "auto")])
def test_ism_options_reach_the_api(inputs, tmp_path, fast, value):
    from eugene.interpret import ism
    from eugene.seq import one_hot

    out = tmp_path / "ism.npz"
    argv = ["ism", *ZOO, "--weights", inputs["weights"], "--sequences", str(inputs["root"] / "seqs.fa.gz")]
    options = ["--start", "3", "--end", "-5", "--fast", fast, "--centre-effects"]
    assert main([*argv, *options, "--out", str(out), "--quiet"]) == 0
    expected = ism(inputs["model"], one_hot(inputs["seqs"]), start=3, end=-5, fast=value, centre=True)
    np.testing.assert_allclose(np.load(out)["ism"], expected, rtol=1e-5, atol=1e-6)


def test_deepbind_tsv_input_and_max_sequences(inputs, tmp_path):
    tsv = tmp_path / "peaks.seq.gz"
    rows = "".join(f"A\tpeak{i}\t{s}\t{i % 2}\n" for i, s in enumerate(inputs["seqs"]))
    with gzip.open(tsv, "wt") as handle:
        handle.write("FoldID\tEventID\tseq\tBound\n" + rows)
    out = tmp_path / "ism.npz"
    argv = ["ism", *ZOO, "--sequences", str(tsv), "--max-sequences", "3", "--out", str(out), "--quiet"]
    assert main(argv) == 0
    saved = np.load(out)
    assert saved["names"].tolist() == ["A:peak0", "A:peak1", "A:peak2"]
    assert saved["X"].shape == (3, 4, 30)


def test_filters_and_tomtom_write_meme_figure_and_table(inputs, tmp_path):
    import pandas as pd

    from eugene.interpret import filter_pfms
    from eugene.motifs import MotifSet, read_meme, tomtom, write_meme
    from eugene.seq import one_hot

    meme, logos = tmp_path / "filters.meme", tmp_path / "logos.svg"
    argv = ["filters", *ZOO, "--weights", inputs["weights"], "--sequences", str(inputs["root"] / "seqs.fa")]
    assert main([*argv, "--out", str(meme), "--logos", str(logos), "--quiet"]) == 0
    written = read_meme(meme)
    expected = filter_pfms(inputs["model"], one_hot(inputs["seqs"]), min_sites=1)
    assert written.names == expected.names
    np.testing.assert_allclose(written.probs, expected.probs, atol=1e-5)
    assert logos.read_text().lstrip().startswith(("<?xml", "<svg"))

    rng = np.random.default_rng(1)
    db = tmp_path / "db.meme"
    write_meme(MotifSet.from_counts(rng.integers(1, 30, (60, 4, 7)).astype(float)), db)
    table = tmp_path / "matches.tsv"
    assert main(["tomtom", str(meme), "--db", str(db), "--thresh", "1", "--out", str(table), "--quiet"]) == 0
    got = pd.read_csv(table, sep="\t")
    want = tomtom(str(meme), [str(db)], thresh=1)
    assert list(got.columns) == list(want.columns)
    np.testing.assert_allclose(got["p-value"], want["p-value"].to_numpy(), rtol=1e-6)


def test_attribute_writes_what_the_api_returns(inputs, tmp_path):
    from eugene.interpret import attribute
    from eugene.seq import one_hot

    out = tmp_path / "attr.npz"
    argv = ["attribute", *ZOO, "--weights", inputs["weights"], "--sequences", str(inputs["root"] / "seqs.fa")]
    assert main([*argv, "--method", "saliency", "--out", str(out), "--quiet"]) == 0
    expected = attribute(inputs["model"], one_hot(inputs["seqs"]), method="saliency", target=0, seed=0)
    np.testing.assert_allclose(np.load(out)["attributions"], expected, rtol=1e-5, atol=1e-7)


def test_every_subcommand_has_device_or_does_no_model_work():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, subparser in sub.choices.items():
        options = {o for a in subparser._actions for o in a.option_strings}
        assert {"--debug", "--quiet"} <= options
        if name not in ("tomtom", "verify", "tracks"):  # these run no model
            assert {"--device", "--batch-size"} <= options, name


def test_gia_writes_the_positional_curve_of_the_api(inputs, tmp_path):
    import pandas as pd

    from eugene.interpret import dinucleotide_backgrounds as backgrounds
    from eugene.interpret import gia_positional
    from eugene.seq import one_hot

    out = tmp_path / "gia.tsv"
    argv = ["gia", *ZOO, "--weights", inputs["weights"], "--sequences", str(inputs["root"] / "seqs.fa")]
    assert main([*argv, "--motif", "TGACTCA", "--backgrounds", "4", "--step", "5", "--out", str(out), "--quiet"]) == 0
    got = pd.read_csv(out, sep="\t")
    pick = np.sort(np.random.default_rng(0).choice(10, size=4, replace=False))
    bg = backgrounds(one_hot(inputs["seqs"])[pick], n=1, seed=0)
    _, want = gia_positional(inputs["model"], bg, "TGACTCA", step=5, seed=0)
    assert set(got["motif"]) == {"TGACTCA"}
    np.testing.assert_array_equal(got["position"], want["position"])
    np.testing.assert_allclose(got["importance"], want["importance"], rtol=1e-5, atol=1e-7)


def test_demo_builds_the_report_with_ground_truth(tmp_path, monkeypatch, capsys):
    import eugene.models as models

    try:
        data = models.demo_sequences()
    except (AttributeError, FileNotFoundError) as missing:
        pytest.skip(f"the bundled demo model is not there yet ({missing})")
    monkeypatch.setattr(models, "demo_sequences", lambda: data.subset(np.arange(30)))  # a quick run
    assert main(["demo", "--out", str(tmp_path), "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "report.html")
    html = (tmp_path / "report.html").read_text()
    assert "Ground truth: planted motifs" in html and "not built yet" not in html
    planted = __import__("pandas").read_csv(tmp_path / "planted_motifs.tsv", sep="\t")
    assert planted["motif"].tolist() == data.motifs.names


def test_version(capsys):
    from eugene import __version__

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and capsys.readouterr().out.strip() == f"eugene {__version__}"


# ---- zarr / SeqData input and chunked, resumable zarr output ------------------------------------------------------
@pytest.fixture(scope="module")
def seq_zarr(inputs):
    """The FASTA's sequences as a SeqData-style zarr store: a character array ``seq`` (dims _sequence, length)."""
    import warnings

    import xarray as xr

    path = inputs["root"] / "seqs.zarr"
    chars = np.array([list(s) for s in inputs["seqs"]], dtype="S1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zarr v3's note on fixed-length bytes
        xr.Dataset({"seq": (("_sequence", "length"), chars)}).to_zarr(path)
    return str(path)


def _stored(store, key):
    import xarray as xr

    return xr.open_zarr(store, consolidated=False)[key].values


@pytest.mark.parametrize("command", ["ism", "attribute"])
def test_zarr_in_zarr_out_equals_the_api(command, inputs, seq_zarr, tmp_path, capsys):
    from eugene.interpret import attribute, ism
    from eugene.seq import one_hot

    store = tmp_path / "out.zarr"
    argv = [command, *ZOO, "--weights", inputs["weights"], "--sequences", seq_zarr, "--chunk-size", "4", "--quiet"]
    if command == "attribute":
        argv += ["--method", "saliency"]
    assert main([*argv, "--out", str(store)]) == 0
    assert capsys.readouterr().out.strip() == str(store)
    X = one_hot(inputs["seqs"])
    if command == "ism":
        key, expected = "ism_attrs", ism(inputs["model"], X, target=0)
    else:
        key, expected = "saliency_attrs", attribute(inputs["model"], X, method="saliency", target=0, seed=0)
    np.testing.assert_allclose(_stored(store, key), expected, rtol=1e-5, atol=1e-6)
    markers = sorted(p.name for p in (tmp_path / "out.zarr.progress" / key).iterdir())
    assert markers == ["0-4", "4-8", "8-10"]


def test_zarr_rerun_computes_only_unfinished_chunks(inputs, seq_zarr, tmp_path):
    from eugene.interpret import ism
    from eugene.seq import one_hot

    store = tmp_path / "ism.zarr"
    argv = ["ism", *ZOO, "--weights", inputs["weights"], "--sequences", seq_zarr, "--chunk-size", "4", "--quiet"]
    assert main([*argv, "--out", str(store)]) == 0
    expected = ism(inputs["model"], one_hot(inputs["seqs"]), target=0)
    markers = tmp_path / "ism.zarr.progress" / "ism_attrs"
    finished = {name: (markers / name).stat().st_mtime_ns for name in ("0-4", "8-10")}
    (markers / "4-8").unlink()  # "interrupt" the middle chunk
    assert main([*argv, "--out", str(store)]) == 0
    assert (markers / "4-8").is_file()  # recomputed ...
    assert {name: (markers / name).stat().st_mtime_ns for name in finished} == finished  # ... the others left alone
    np.testing.assert_allclose(_stored(store, "ism_attrs"), expected, rtol=1e-5, atol=1e-6)
    assert main([*argv, "--out", str(store), "--overwrite"]) == 0
    assert all((markers / name).stat().st_mtime_ns != mtime for name, mtime in finished.items())
    np.testing.assert_allclose(_stored(store, "ism_attrs"), expected, rtol=1e-5, atol=1e-6)


def test_zarr_store_from_other_arguments_needs_overwrite(inputs, seq_zarr, tmp_path, capsys):
    store = str(tmp_path / "ism.zarr")
    argv = ["ism", *ZOO, "--weights", inputs["weights"], "--sequences", seq_zarr, "--quiet", "--out", store]
    assert main(argv) == 0
    capsys.readouterr()
    assert main([*argv, "--target", "0,0"]) == 1
    line = stderr_line(capsys)
    assert "computed differently" in line and "--overwrite" in line and "overwrite=True" not in line
    assert main([*argv, "--target", "0,0", "--overwrite"]) == 0


def test_fasta_to_zarr_with_dask_and_onehot_zarr_to_npz(inputs, tmp_path):
    import warnings

    import xarray as xr

    from eugene.interpret import ism
    from eugene.seq import one_hot

    X = one_hot(inputs["seqs"])
    expected = ism(inputs["model"], X, target=0)
    base = ["ism", *ZOO, "--weights", inputs["weights"], "--quiet", "--chunk-size", "3"]
    store = tmp_path / "fa.zarr"
    assert main([*base, "--sequences", str(inputs["root"] / "seqs.fa"), "--dask", "--out", str(store)]) == 0
    np.testing.assert_allclose(_stored(store, "ism_attrs"), expected, rtol=1e-5, atol=1e-6)

    ohe = tmp_path / "ohe.zarr"  # one-hot in SeqData's (_sequence, length, _ohe) layout, read back as (N, A, L)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        xr.Dataset({"ohe_seq": (("_sequence", "length", "_ohe"), X.transpose(0, 2, 1))}).to_zarr(ohe)
    out = tmp_path / "ism.npz"
    assert main([*base, "--sequences", str(ohe), "--max-sequences", "7", "--out", str(out)]) == 0
    saved = np.load(out)
    np.testing.assert_array_equal(saved["X"], X[:7])
    np.testing.assert_allclose(saved["ism"], expected[:7], rtol=1e-5, atol=1e-6)
    assert saved["names"].tolist() == [str(i) for i in range(7)]


def test_zarr_without_sequences_is_a_one_line_error(tmp_path, capsys):
    import warnings

    import xarray as xr

    bad = tmp_path / "bad.zarr"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zarr v3's note on consolidated metadata
        xr.Dataset({"y": ("_sequence", np.arange(3.0))}).to_zarr(bad)
    argv = ["attribute", *ZOO, "--sequences", str(bad), "--out", str(tmp_path / "a.zarr"), "--quiet"]
    assert main(argv) == 1
    line = stderr_line(capsys)
    assert line.startswith("eugene attribute: error:") and "neither a 'seq'" in line and "['y']" in line


def test_filters_from_zarr_equal_filters_from_fasta(inputs, seq_zarr, tmp_path):
    base = ["filters", *ZOO, "--weights", inputs["weights"], "--max-sequences", "8", "--quiet"]
    meme = {}
    for kind, sequences in (("fasta", str(inputs["root"] / "seqs.fa")), ("zarr", seq_zarr)):
        meme[kind] = tmp_path / f"{kind}.meme"
        assert main([*base, "--sequences", sequences, "--out", str(meme[kind])]) == 0
    assert meme["zarr"].read_text() == meme["fasta"].read_text()


def test_gia_from_zarr_equals_gia_from_fasta(inputs, seq_zarr, tmp_path):
    base = ["gia", *ZOO, "--weights", inputs["weights"], "--motif", "TGACTCA", "--step", "5", "--quiet"]
    tables = {}
    for backgrounds in ("4", "64"):  # a random draw of the sequences, and all of them
        for kind, sequences in (("fasta", str(inputs["root"] / "seqs.fa")), ("zarr", seq_zarr)):
            tables[kind] = tmp_path / f"{kind}_{backgrounds}.tsv"
            argv = [*base, "--backgrounds", backgrounds, "--seed", "3", "--sequences", sequences]
            assert main([*argv, "--out", str(tables[kind])]) == 0
        assert tables["zarr"].read_text() == tables["fasta"].read_text()
