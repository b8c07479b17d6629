"""write_bigwig / write_bed read back with pybigtools and as text, against per-position brute force."""

from __future__ import annotations

import gzip
import sys
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from eugene.genome import read_regions, write_bed, write_bigwig

pybigtools = pytest.importorskip("pybigtools", reason="the genome extra (pybigtools) is not installed")

SIZES = {"chr1": 120, "chr2": 80, "chr10": 50}


def _read_track(path, sizes: dict[str, int]) -> dict[str, np.ndarray]:
    """Per-base values of a bigWig, NaN where it has no interval (from its records, not its own values())."""
    reader = pybigtools.open(str(path))
    stored = reader.chroms()  # the chromosomes that hold data
    assert stored.items() <= sizes.items()
    track = {}
    for chrom, size in sizes.items():
        values = np.full(size, np.nan, dtype=np.float32)
        for start, end, value in reader.records(chrom) if chrom in stored else ():
            values[start:end] = value
        track[chrom] = values
    return track


def _brute_track(coords: pd.DataFrame, values: np.ndarray, merge: str) -> dict[str, np.ndarray]:
    covering = defaultdict(list)
    for (chrom, start, flip), row in zip(coords[["chrom", "start", "reverse_complemented"]].values, values):
        row = row[::-1] if flip else row
        for j, value in enumerate(row):
            if 0 <= start + j < SIZES[chrom] and np.isfinite(value):
                covering[chrom, start + j].append(value)
    track = {chrom: np.full(size, np.nan, dtype=np.float32) for chrom, size in SIZES.items()}
    pick = {"mean": np.mean, "max": np.max, "first": lambda v: v[0]}[merge]
    for (chrom, position), vals in covering.items():
        track[chrom][position] = np.float32(pick(np.array(vals, dtype=np.float64)))
    return track


def _random_windows(n: int, length: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    chroms = rng.choice(list(SIZES), size=n)
    starts = np.array([rng.integers(-length // 2, SIZES[c] - length // 2) for c in chroms])
    coords = pd.DataFrame(
        {"chrom": chroms, "start": starts, "end": starts + length, "reverse_complemented": rng.random(n) < 0.3}
    )
    values = rng.normal(size=(n, length)).round(1)  # ties make "max" and "first" differ from "mean"
    values[0, 3] = np.nan
    return coords, values


@pytest.mark.parametrize("merge", ["mean", "max", "first"])
def test_bigwig_values_equal_the_merged_windows(tmp_path, merge):
    coords, values = _random_windows(14, 25, seed=0)
    path = write_bigwig(tmp_path / "x.bw", values, coords, SIZES, merge=merge)
    track, expected = _read_track(path, SIZES), _brute_track(coords, values, merge)
    for chrom in SIZES:
        np.testing.assert_allclose(track[chrom], expected[chrom], rtol=1e-6, equal_nan=True)
    assert any(np.isnan(track[c]).any() for c in SIZES)  # positions no window covers are absent, not zero
    assert coords.groupby("chrom").size().max() > 2 and coords["reverse_complemented"].any()


def test_two_overlapping_windows_give_their_mean_and_the_rest_is_absent(tmp_path):
    coords = pd.DataFrame({"chrom": ["chr2", "chr2"], "start": [10, 14], "end": [20, 24]})
    values = np.stack([np.full(10, 1.0), np.arange(10.0)])
    track = _read_track(write_bigwig(tmp_path / "two.bw", values, coords, SIZES), SIZES)["chr2"]
    np.testing.assert_array_equal(track[10:14], [1, 1, 1, 1])
    np.testing.assert_array_equal(track[14:20], (1 + np.arange(6.0)) / 2)  # mean where the windows overlap
    np.testing.assert_array_equal(track[20:24], np.arange(6.0, 10.0))
    assert np.isnan(track[:10]).all() and np.isnan(track[24:]).all()


def test_attributions_are_projected_on_the_observed_base_in_genome_order(tmp_path, genome_seqs, genome_fasta):
    bed = pd.DataFrame({"chrom": ["chr2", "chr2"], "start": [30, 60], "end": [50, 70], "strand": ["+", "-"]})
    regions = read_regions(bed, genome_fasta, length=16)
    rng = np.random.default_rng(4)
    attributions = rng.normal(size=regions.X.shape).astype(np.float32)
    path = write_bigwig(tmp_path / "attr.bw", attributions, regions.to_dataset(), genome_fasta, X=regions.X)
    sizes = {name: len(seq) for name, seq in genome_seqs.items()}
    track = _read_track(path, sizes)["chr2"]
    letters = "ACGT"
    for i, (start, flip) in enumerate(regions.coords[["start", "reverse_complemented"]].values):
        for j in range(16):
            column = 15 - j if flip else j  # column of the one-hot that holds genome position start + j
            base = genome_seqs["chr2"][start + j]
            base = base.translate(str.maketrans("ACGT", "TGCA")) if flip else base
            assert track[start + j] == pytest.approx(attributions[i, letters.index(base), column])


def test_bigwig_argument_errors(tmp_path):
    coords = pd.DataFrame({"chrom": ["chr1"], "start": [0], "end": [4]})
    with pytest.raises(ValueError, match="merge must be 'mean', 'max' or 'first'; got 'sum'"):
        write_bigwig(tmp_path / "a.bw", np.zeros((1, 4)), coords, SIZES, merge="sum")
    with pytest.raises(ValueError, match=r"values must have shape \(N, L\) or \(N, A, L\) with N = 1"):
        write_bigwig(tmp_path / "a.bw", np.zeros((2, 4)), coords, SIZES)
    with pytest.raises(ValueError, match="need X, the one-hot of the same shape"):
        write_bigwig(tmp_path / "a.bw", np.zeros((1, 4, 4)), coords, SIZES)
    with pytest.raises(ValueError, match="coords row 0 spans 4 bases but values have L = 5"):
        write_bigwig(tmp_path / "a.bw", np.zeros((1, 5)), coords, SIZES)
    with pytest.raises(ValueError, match=r"not in chrom_sizes: \['chr1'\]"):
        write_bigwig(tmp_path / "a.bw", np.zeros((1, 4)), coords, {"1": 100})
    with pytest.raises(TypeError, match="coords must be Regions"):
        write_bigwig(tmp_path / "a.bw", np.zeros((1, 4)), [("chr1", 0, 4)], SIZES)


def test_chrom_sizes_file(tmp_path):
    sizes_path = tmp_path / "genome.chrom.sizes"
    sizes_path.write_text("".join(f"{c}\t{n}\n" for c, n in SIZES.items()))
    coords = pd.DataFrame({"chrom": ["chr10"], "start": [45], "end": [55]})
    track = _read_track(write_bigwig(tmp_path / "s.bw", np.full((1, 10), 2.5), coords, sizes_path), SIZES)
    np.testing.assert_array_equal(track["chr10"][45:], 2.5)  # the part off the chromosome end is dropped
    assert np.isnan(track["chr10"][:45]).all()


@pytest.mark.parametrize("name", ["hits.bed", "hits.bed.gz"])
def test_write_bed_reads_back_sorted_with_gaps_filled(tmp_path, name):
    table = pd.DataFrame(
        {
            "chrom": ["chr2", "chr1", "chr1"],
            "start": [5, 30, 2],
            "end": [9, 40, 8],
            "strand": ["-", "+", "."],
            "score": [0.25, -1.5, 3.0],
            "motif": ["CTCF", "SP1", None],
        }
    )
    path = write_bed(tmp_path / name, table)
    text = gzip.open(path, "rt").read() if name.endswith(".gz") else path.read_text()
    rows = [line.split("\t") for line in text.splitlines()]
    assert rows == [
        ["chr1", "2", "8", ".", "3.0", ".", "."],
        ["chr1", "30", "40", ".", "-1.5", "+", "SP1"],
        ["chr2", "5", "9", ".", "0.25", "-", "CTCF"],
    ]
    unsorted = write_bed(tmp_path / "u.bed", table[["chrom", "start", "end"]], sort=False)
    assert unsorted.read_text().splitlines()[0] == "chr2\t5\t9"
    with pytest.raises(ValueError, match=r"lacks \['end'\]"):
        write_bed(tmp_path / "x.bed", table.drop(columns="end"))


def test_missing_pybigtools_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pybigtools", None)
    coords = pd.DataFrame({"chrom": ["chr1"], "start": [0], "end": [4]})
    with pytest.raises(
        ImportError, match=r'writing bigWig needs the package .pybigtools.; .*pip install "eugene-interpret\[genome\]"'
    ):
        write_bigwig(tmp_path / "a.bw", np.zeros((1, 4)), coords, SIZES)


def test_windows_read_from_the_genome_project_as_the_given_one_hot(tmp_path, genome_seqs, genome_fasta):
    from eugene.genome import observed_base_values, windows_to_genome

    bed = pd.DataFrame({"chrom": ["chr1", "chr2", "chr1"], "start": [0, 100, 30], "end": [20, 140, 60]})
    bed["strand"] = ["+", "-", "-"]
    regions = read_regions(bed, genome_fasta, length=16)  # the first runs off chr1's start, the third over its N
    attributions = np.random.default_rng(2).normal(size=regions.X.shape).astype(np.float32)
    projected = observed_base_values(attributions, regions.coords, genome=genome_fasta)
    np.testing.assert_allclose(projected, (attributions * regions.X).sum(axis=1), rtol=1e-6)
    sizes = {c: len(s) for c, s in genome_seqs.items()}
    given = write_bigwig(tmp_path / "x.bw", attributions, regions, sizes, X=regions.X)
    read = write_bigwig(tmp_path / "g.bw", attributions, regions, sizes, genome=genome_fasta)
    for chrom in sizes:
        np.testing.assert_array_equal(_read_track(given, sizes)[chrom], _read_track(read, sizes)[chrom])
    with pytest.raises(ValueError, match="give X .* or genome .*, not both"):
        write_bigwig(tmp_path / "y.bw", attributions, regions, sizes, X=regions.X, genome=genome_fasta)
    # an interval of window columns lands on the genome positions those columns hold
    spans = pd.DataFrame({"example_idx": [0, 1, 2], "start": [0, 3, 10], "end": [5, 4, 16], "score": [1.0, 2, 3]})
    placed = windows_to_genome(spans, regions.coords)
    for (_, span), (_, row), (_, window) in zip(spans.iterrows(), placed.iterrows(), regions.coords.iterrows()):
        columns = range(int(span["start"]), int(span["end"]))
        positions = [window["end"] - 1 - j if window["reverse_complemented"] else window["start"] + j for j in columns]
        assert (row["start"], row["end"]) == (max(min(positions), 0), max(positions) + 1)
        assert row["chrom"] == window["chrom"] and row["strand"] == ("-" if window["reverse_complemented"] else "+")
    assert placed["score"].tolist() == [1.0, 2, 3] and placed["name"].tolist() == regions.coords["name"].tolist()


def _brute_merge(table: pd.DataFrame, merge: str) -> list[tuple]:
    """Groups by union-find over every overlapping pair, then the rule of merge_intervals written out per group."""
    parent = list(range(len(table)))

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    rows = table.to_dict("records")
    for i in range(len(rows)):
        for j in range(i):
            a, b = rows[i], rows[j]
            if a["chrom"] == b["chrom"] and a["start"] < b["end"] and b["start"] < a["end"]:
                parent[root(i)] = root(j)
    groups = defaultdict(list)
    for i in range(len(rows)):
        groups[root(i)].append(i)
    out = []
    for members in groups.values():
        if merge == "max":
            chosen = max(members, key=lambda i: (abs(rows[i]["score"]), -i))
        else:
            chosen = min(members)
        value = np.mean([rows[i]["score"] for i in members]) if merge == "mean" else rows[chosen]["score"]
        start, end = min(rows[i]["start"] for i in members), max(rows[i]["end"] for i in members)
        out.append((rows[chosen]["chrom"], start, end, rows[chosen]["name"], value, len(members)))
    return sorted(out, key=lambda r: (r[0], r[1]))


@pytest.mark.parametrize("merge", ["mean", "max", "first"])
def test_merge_intervals_equals_union_find_over_overlapping_pairs(merge):
    from eugene.genome import merge_intervals

    rng = np.random.default_rng(11)
    n = 60
    start = rng.integers(0, 150, size=n)
    table = pd.DataFrame(
        {
            "chrom": rng.choice(["chr1", "chr2", "chr10"], size=n),
            "start": start,
            "end": start + rng.integers(1, 12, size=n),
            "name": [f"s{i}" for i in range(n)],
            "score": rng.normal(size=n).round(1) * rng.choice([-1, 1], size=n),  # ties in |score|
        }
    )
    merged = merge_intervals(table, merge)
    expected = _brute_merge(table, merge)
    got = [tuple(r) for r in merged[["chrom", "start", "end", "name", "score", "n_merged"]].itertuples(index=False)]
    assert [g[:4] + g[5:] for g in got] == [e[:4] + e[5:] for e in expected]
    np.testing.assert_allclose([g[4] for g in got], [e[4] for e in expected])
    assert 1 < merged["n_merged"].max() and (merged["n_merged"] == 1).any()
    with pytest.raises(ValueError, match="value must name a numeric column of table; got 'attribution'"):
        merge_intervals(table, value="attribution")
    with pytest.raises(ValueError, match="merge must be 'mean', 'max' or 'first'; got 'sum'"):
        merge_intervals(table, "sum")


def test_seqlets_of_overlapping_windows_merge_to_disjoint_intervals_and_read_back(tmp_path):
    from eugene.genome import merge_intervals, read_bed, windows_to_genome
    from eugene.interpret import seqlets

    rng = np.random.default_rng(3)
    signal = {c: rng.normal(scale=0.05, size=n) for c, n in SIZES.items()}  # per-base scores on the genome
    for chrom, position in [("chr1", 30), ("chr1", 70), ("chr2", 40)]:
        signal[chrom][position : position + 8] += 2.0  # planted strong stretches
    coords = pd.DataFrame({"chrom": ["chr1"] * 4 + ["chr2"] * 2, "start": [0, 20, 40, 60, 20, 30]})
    coords["end"] = coords["start"] + 40
    coords["reverse_complemented"] = [False, True, False, False, True, False]
    coords["name"] = [f"w{i}" for i in range(len(coords))]
    values = np.stack(
        [signal[c][s:e][::-1] if flip else signal[c][s:e] for c, s, e, flip, _ in coords.itertuples(index=False)]
    )
    called = seqlets(values.astype(np.float32))
    placed = windows_to_genome(called, coords)
    merged = merge_intervals(placed, "mean", value="attribution")
    assert merged["n_merged"].sum() == len(placed) and merged["n_merged"].max() > 1
    for _, part in merged.groupby("chrom"):
        assert (part["start"].to_numpy()[1:] >= part["end"].to_numpy()[:-1]).all()  # disjoint after merging
    for row in placed.itertuples(index=False):  # each window's seqlet lies inside one merged interval
        inside = merged[(merged["chrom"] == row.chrom) & (merged["start"] <= row.start) & (merged["end"] >= row.end)]
        assert len(inside) == 1
    back = read_bed(write_bed(tmp_path / "seqlets.bed", merged.rename(columns={"attribution": "score"})))
    assert (
        back[["chrom", "start", "end", "name", "strand"]].values.tolist()
        == merged[["chrom", "start", "end", "name", "strand"]].values.tolist()
    )
    np.testing.assert_allclose(back["score"].astype(float), merged["attribution"], rtol=1e-12)
