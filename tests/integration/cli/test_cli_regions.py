"""--regions BED --genome FASTA --length N: windows of a genome as the sequences of every sequence subcommand
(through eu.genome.read_regions), checked against windows cut by hand; zarr output keeps their coordinates."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import ZOO, stderr_line

from eugene.cli import main

LENGTH = 30  # the zoo model's input length
BED = [  # chrom, start, end, name, score, strand: a middle window, one off the chromosome start (reverse strand),
    ("chr1", 40, 60, "r1", 0, "+"),  # one off the end, one without strand
    ("chr1", 0, 8, "r2", 0, "-"),
    ("chr2", 60, 80, "r3", 0, "+"),
    ("chr2", 30, 50, "r4", 0, "."),
]


@pytest.fixture(scope="module")
def genome(tmp_path_factory):
    """A two-chromosome genome (FASTA), a BED of BED's regions, and the windows cut from it base by base."""
    pytest.importorskip("pyfaidx", reason="--regions reads the genome with pyfaidx (the genome extra)")
    root = tmp_path_factory.mktemp("genome")
    rng = np.random.default_rng(5)
    chroms = {"chr1": "".join(rng.choice(list("ACGT"), 120)), "chr2": "".join(rng.choice(list("ACGT"), 80))}
    (root / "genome.fa").write_text("".join(f">{name}\n{seq}\n" for name, seq in chroms.items()))
    (root / "peaks.bed").write_text("".join("\t".join(map(str, row)) + "\n" for row in BED))
    windows, starts = [], []
    for chrom, start, end, _, _, strand in BED:
        first = (start + end) // 2 - LENGTH // 2
        text = "".join(chroms[chrom][p] if 0 <= p < len(chroms[chrom]) else "N" for p in range(first, first + LENGTH))
        if strand == "-":
            text = text.translate(str.maketrans("ACGTN", "TGCAN"))[::-1]
        windows.append(text)
        starts.append(first)
    return {"fasta": str(root / "genome.fa"), "bed": str(root / "peaks.bed"), "windows": windows, "starts": starts}


def _regions(genome):
    return ["--regions", genome["bed"], "--genome", genome["fasta"], "--length", str(LENGTH)]


def test_ism_on_regions_equals_ism_on_the_windows(genome, inputs, tmp_path):
    from eugene.interpret import ism
    from eugene.seq import one_hot

    out = tmp_path / "ism.npz"
    argv = ["ism", *ZOO, "--weights", inputs["weights"], *_regions(genome), "--out", str(out), "--quiet"]
    assert main(argv) == 0
    saved = np.load(out)
    X = one_hot(genome["windows"])
    np.testing.assert_array_equal(saved["X"], X)
    assert saved["names"].tolist() == [row[3] for row in BED]
    np.testing.assert_allclose(saved["ism"], ism(inputs["model"], X, target=0), rtol=1e-5, atol=1e-6)


def test_zarr_output_keeps_the_genome_coordinates(genome, inputs, tmp_path):
    import xarray as xr

    from eugene.interpret import attribute
    from eugene.seq import one_hot

    store = tmp_path / "attr.zarr"
    argv = ["attribute", *ZOO, "--weights", inputs["weights"], *_regions(genome), "--method", "saliency"]
    assert main([*argv, "--chunk-size", "3", "--out", str(store), "--quiet"]) == 0
    stored = xr.open_zarr(store, consolidated=False)
    assert stored["chrom"].values.tolist() == [row[0] for row in BED]
    assert stored["chromStart"].values.tolist() == genome["starts"]
    assert stored["chromEnd"].values.tolist() == [start + LENGTH for start in genome["starts"]]
    assert stored["name"].values.tolist() == [row[3] for row in BED]
    assert stored["reverse_complemented"].values.tolist() == [row[5] == "-" for row in BED]
    assert set(stored.coords) >= {"chrom", "chromStart", "chromEnd", "name", "strand"}
    expected = attribute(inputs["model"], one_hot(genome["windows"]), method="saliency", target=0)
    np.testing.assert_allclose(stored["saliency_attrs"].values, expected, rtol=1e-5, atol=1e-7)


def test_filters_on_regions_equal_filters_on_the_same_windows_as_fasta(genome, inputs, tmp_path):
    fasta = tmp_path / "windows.fa"
    fasta.write_text("".join(f">w{i}\n{w}\n" for i, w in enumerate(genome["windows"])))
    base = ["filters", *ZOO, "--weights", inputs["weights"], "--max-sequences", "3", "--quiet"]
    assert main([*base, *_regions(genome), "--out", str(tmp_path / "regions.meme")]) == 0
    assert main([*base, "--sequences", str(fasta), "--out", str(tmp_path / "fasta.meme")]) == 0
    assert (tmp_path / "regions.meme").read_text() == (tmp_path / "fasta.meme").read_text()


def test_centre_middle_ignores_the_summit(genome, inputs, tmp_path):
    from eugene.seq import decode

    peak = tmp_path / "peak.narrowPeak"  # summit 2 bases into the region: --centre summit (default) centres there
    peak.write_text("chr1\t40\t60\tp\t0\t+\t1\t1\t1\t2\n")
    base = ["ism", *ZOO, "--regions", str(peak), "--genome", genome["fasta"], "--length", str(LENGTH), "--quiet"]
    assert main([*base, "--out", str(tmp_path / "summit.npz")]) == 0
    assert main([*base, "--centre", "middle", "--out", str(tmp_path / "middle.npz")]) == 0
    middle, summit = (decode(np.load(tmp_path / f"{name}.npz")["X"])[0] for name in ("middle", "summit"))
    assert middle == genome["windows"][0]  # r1 is the same region, centred on its middle
    assert summit[8:] == middle[: LENGTH - 8]  # the summit (42) lies 8 bases before the middle (50)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--regions", "r.bed"], "--regions needs --genome and --length"),
        (["--regions", "r.bed", "--genome", "g.fa"], "--regions needs --length"),
        (["--regions", "r.bed", "--sequences", "s.fa"], "give --sequences or --regions, not both"),
        (["--sequences", "s.fa", "--genome", "g.fa"], "--genome apply to --regions, not to --sequences"),
        (["--regions", "r.bed", "--genome", "g.fa", "--length", "30", "--pad", "right"], "--pad apply to --sequences"),
        ([], "the sequences are required: --sequences FILE|DIR, or --regions BED --genome FASTA --length N"),
    ],
)
@pytest.mark.parametrize("command", ["attribute", "ism", "filters", "gia", "report"])
def test_sequence_input_usage_errors(command, extra, message, capsys):
    argv = [command, *ZOO, *extra, "--out", "o.npz"]
    if command == "gia":
        argv += ["--motif", "ACGT"]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    line = stderr_line(capsys)
    assert line.startswith(f"eugene {command}: error: {message}") and "--help" in line


def test_chromosome_names_of_another_convention_are_a_one_line_error(genome, inputs, tmp_path, capsys):
    bed = tmp_path / "ensembl.bed"
    bed.write_text("1\t40\t60\n")
    argv = ["ism", *ZOO, "--regions", str(bed), "--genome", genome["fasta"], "--length", str(LENGTH), "--quiet"]
    assert main([*argv, "--out", str(tmp_path / "o.npz")]) == 1
    line = stderr_line(capsys)
    assert line.startswith("eugene ism: error:") and "'1'" in line and "chr1" in line
