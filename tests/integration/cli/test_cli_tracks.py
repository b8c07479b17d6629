"""eugene attribute --regions ... --out x.zarr, then eugene tracks: the bigWig holds, at every checked position, the
zarr's attributions projected on the genome's base (merged by mean / max / first over the windows covering it,
computed here position by position), and the seqlets' BED places each seqlet on the genome."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from cli_helpers import stderr_line

from eugene.cli import main

pytest.importorskip("pyfaidx", reason="--regions reads the genome with pyfaidx (the genome extra)")
pybigtools = pytest.importorskip("pybigtools", reason="bigWig needs pybigtools (the genome extra)")

LENGTH, N_PEAKS = 100, 200
MODEL = ["--model", "eugene.models.zoo:deepbind", "--model-arg", f"seq_len={LENGTH}", "--model-arg", "n_filters=4"]
COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A 2-chromosome genome (a run of N on chr1), a narrowPeak of 200 overlapping peaks (a third on strand -, some
    off the chromosome ends), the store made by eugene attribute and the windows cut base by base."""
    root = tmp_path_factory.mktemp("tracks")
    rng = np.random.default_rng(11)
    chroms = {"chr1": "".join(rng.choice(list("ACGT"), 6000)), "chr2": "".join(rng.choice(list("ACGT"), 4000))}
    chroms["chr1"] = chroms["chr1"][:3000] + "N" * 40 + chroms["chr1"][3040:]
    (root / "genome.fa").write_text("".join(f">{c}\n{s}\n" for c, s in chroms.items()))
    rows = []
    for i in range(N_PEAKS):
        chrom = "chr1" if i % 3 else "chr2"
        start = int(rng.integers(0, len(chroms[chrom]) - 60))
        rows.append((chrom, start, start + 60, f"peak{i}", 0, "-" if i % 3 == 1 else "+", 1, 1, 1, 30))
    (root / "peaks.narrowPeak").write_text("".join("\t".join(map(str, r)) + "\n" for r in rows))
    store = root / "x.zarr"
    argv = ["attribute", *MODEL, "--regions", str(root / "peaks.narrowPeak"), "--genome", str(root / "genome.fa")]
    assert main([*argv, "--length", str(LENGTH), "--chunk-size", "64", "--out", str(store), "--quiet"]) == 0
    windows = []
    for chrom, start, _, _, _, strand, *_ in rows:
        first = start + 30 - LENGTH // 2
        seq = chroms[chrom]
        text = "".join(seq[p] if 0 <= p < len(seq) else "N" for p in range(first, first + LENGTH))
        windows.append(text.translate(COMPLEMENT)[::-1] if strand == "-" else text)
    return {"root": root, "store": store, "rows": rows, "chroms": chroms, "windows": windows}


def _projected(run) -> np.ndarray:
    """(N, L): the stored attributions at each window's observed base (from the windows cut by hand)."""
    from eugene.seq import one_hot

    stored = xr.open_zarr(run["store"], consolidated=False)["deeplift_shap_attrs"].values
    return (stored * one_hot(run["windows"])).sum(axis=1)


def _expected_track(run, merge: str) -> dict[str, np.ndarray]:
    """Position by position: the values of every window covering it, merged; NaN where none does."""
    projected = _projected(run)
    covering: dict[tuple[str, int], list[float]] = {}
    for i, (chrom, start, _, _, _, strand, *_) in enumerate(run["rows"]):
        first = start + 30 - LENGTH // 2
        for j in range(LENGTH):
            position = first + (LENGTH - 1 - j if strand == "-" else j)
            if 0 <= position < len(run["chroms"][chrom]):
                covering.setdefault((chrom, position), []).append(float(projected[i, j]))
    rule = {"mean": np.mean, "max": np.max, "first": lambda v: v[0]}[merge]
    track = {c: np.full(len(s), np.nan) for c, s in run["chroms"].items()}
    for (chrom, position), values in covering.items():
        track[chrom][position] = rule(np.asarray(values, dtype=np.float32))
    return track


def _read_back(path, chroms) -> dict[str, np.ndarray]:
    reader = pybigtools.open(str(path))
    track = {c: np.full(len(s), np.nan) for c, s in chroms.items()}
    for chrom in chroms:
        for start, end, value in reader.records(chrom):
            track[chrom][start:end] = value
    return track


@pytest.mark.parametrize("merge", ["mean", "max", "first"])
def test_bigwig_holds_the_zarr_attributions_at_every_position(run, merge, tmp_path):
    out = tmp_path / f"{merge}.bw"
    argv = ["tracks", str(run["store"]), "--genome", str(run["root"] / "genome.fa"), "--merge", merge]
    assert main([*argv, "--out", str(out), "--quiet"]) == 0
    track, expected = _read_back(out, run["chroms"]), _expected_track(run, merge)
    for chrom in run["chroms"]:
        np.testing.assert_array_equal(np.isnan(track[chrom]), np.isnan(expected[chrom]))
        np.testing.assert_allclose(track[chrom], expected[chrom], rtol=1e-5, atol=1e-7, equal_nan=True)
    # a few positions checked one by one against the zarr, through pybigtools' own per-base reader
    reader = pybigtools.open(str(out))
    for chrom, position in [("chr1", 3010), *[(r[0], r[1] + 30) for r in run["rows"][:5]]]:
        value = reader.values(chrom, position, position + 1, fillna=None)[0]
        if np.isnan(expected[chrom][position]):
            assert np.isnan(value)
        else:
            assert value == pytest.approx(expected[chrom][position], rel=1e-5, abs=1e-7)
    inside_n = track["chr1"][3000:3040]  # N is an all-zero column: nothing to project on
    assert np.all(inside_n[~np.isnan(inside_n)] == 0)


def test_seqlets_bed_places_each_seqlet_on_the_genome(run, tmp_path):
    out, bed = tmp_path / "a.bw", tmp_path / "seqlets.bed"
    argv = ["tracks", str(run["store"]), "--genome", str(run["root"] / "genome.fa"), "--seqlets", str(bed)]
    assert main([*argv, "--out", str(out), "--quiet"]) == 0
    projected, names = _projected(run), [r[3] for r in run["rows"]]
    lines = [line.split("\t") for line in bed.read_text().splitlines()]
    assert lines, "no seqlets were called"
    for chrom, start, end, name, score, strand, *_ in lines:
        i = names.index(name)
        row = run["rows"][i]
        first = row[1] + 30 - LENGTH // 2
        assert chrom == row[0] and strand == row[5]
        columns = [p - first for p in range(int(start), int(end))]  # genome positions -> window columns
        if strand == "-":
            columns = [LENGTH - 1 - c for c in columns]
        assert float(score) == pytest.approx(projected[i, columns].sum(), rel=1e-4, abs=1e-6)


def test_store_of_the_old_layout_and_errors(run, tmp_path, capsys):
    old = tmp_path / "old.zarr"  # stores written before the layouts were unified name the length dim _length
    stored = xr.open_zarr(run["store"], consolidated=False).rename_dims({"length": "_length"})
    stored.to_zarr(old, consolidated=False)
    genome = ["--genome", str(run["root"] / "genome.fa")]
    for name, store in (("old", old), ("new", run["store"])):
        assert main(["tracks", str(store), *genome, "--out", str(tmp_path / f"{name}.bw"), "--quiet"]) == 0
    tracks = [_read_back(tmp_path / f"{name}.bw", run["chroms"]) for name in ("old", "new")]
    for chrom in run["chroms"]:
        np.testing.assert_array_equal(tracks[0][chrom], tracks[1][chrom])
    assert main(["tracks", str(old), "--out", str(tmp_path / "x.bw"), "--quiet"]) == 1
    assert "tracks needs --genome FASTA" in stderr_line(capsys)
    assert main(["tracks", str(old), *genome, "--key", "ism_attrs", "--out", str(tmp_path / "x.bw")]) == 1
    line = stderr_line(capsys)
    assert "--key must name a result of" in line and "got 'ism_attrs'; it has ['deeplift_shap_attrs']" in line


@pytest.mark.parametrize("merge", ["mean", "max"])
def test_seqlets_of_overlapping_windows_merge_by_the_stated_rule(run, tmp_path, merge):
    from eugene.genome import read_bed

    genome = ["--genome", str(run["root"] / "genome.fa")]
    beds = {}
    for how in ("none", merge):
        beds[how] = tmp_path / f"{how}.bed"
        argv = ["tracks", str(run["store"]), *genome, "--seqlets", str(beds[how]), "--seqlet-merge", how]
        assert main([*argv, "--out", str(tmp_path / f"{how}.bw"), "--quiet"]) == 0
    each, merged = read_bed(beds["none"]), read_bed(beds[merge])
    merged["n_merged"] = merged.iloc[:, -1].astype(int)  # the last column of the BED
    assert merged["n_merged"].sum() == len(each) and merged["n_merged"].max() > 1  # the 200 peaks overlap
    for _, part in merged.groupby("chrom"):
        assert (part["start"].to_numpy()[1:] >= part["end"].to_numpy()[:-1]).all()  # disjoint on the genome
    for row in merged.itertuples(index=False):
        inside = each[(each["chrom"] == row.chrom) & (each["start"] >= row.start) & (each["end"] <= row.end)]
        scores = inside["score"].astype(float)
        assert len(inside) == row.n_merged and (inside["start"].min(), inside["end"].max()) == (row.start, row.end)
        expected = scores.mean() if merge == "mean" else scores.iloc[int(np.argmax(scores.abs().to_numpy()))]
        assert float(row.score) == pytest.approx(expected, rel=1e-6, abs=1e-9)
