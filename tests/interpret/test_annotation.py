"""eu.interpret.annotate_patterns / annotate_seqlets / motif_counts / motif_spacing: planted motifs named by their own
matrices, each seqlet's name the best of TOMTOM on it alone, and counts and spacings against brute-force loops."""

from __future__ import annotations

import itertools
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest

import eugene as eu
from eugene.motifs import ModiscoPattern, Motif, MotifSet

pytestmark = pytest.mark.filterwarnings("ignore:only .* target motifs:UserWarning")  # the 12 planted motifs


@pytest.fixture(scope="module")
def planted():
    """40 of the demo's held-out sequences (planted sites known) and attributions with a bump on every planted site."""
    data = eu.models.demo_sequences()
    X = data.X[:40]
    sites = data.sites[data.sites["sequence"] < 40].reset_index(drop=True)
    rng = np.random.default_rng(0)
    attributions = rng.normal(scale=0.05, size=X.shape).astype(np.float32)
    for site in sites.itertuples():
        attributions[site.sequence, :, site.start : site.end] += X[site.sequence, :, site.start : site.end]
    return data.motifs, X, sites, eu.interpret.seqlets(attributions, X)


def test_seqlets_on_planted_sites_are_named_by_the_planted_motif(planted):
    motifs, X, sites, seqlets = planted
    named = eu.interpret.annotate_seqlets(seqlets, X, motifs)
    assert len(named) == len(seqlets) and (named[list(seqlets.columns)] == seqlets).all().all()
    names = []
    for site in sites.itertuples():  # the seqlet covering most of the site
        rows = named[named["example_idx"] == site.sequence]
        cover = np.minimum(rows["end"], site.end) - np.maximum(rows["start"], site.start)
        assert cover.max() > 0, f"no seqlet on planted site {site}"
        names.append((rows.iloc[int(np.argmax(cover))]["motif"], motifs[int(site.motif)].name))
    right = sum(got == planted for got, planted in names)
    wrong = sum(pd.notna(got) and got != planted for got, planted in names)  # the rest: no match at q <= 0.05
    assert right >= 0.8 * len(sites), f"{right} of {len(sites)} planted sites named by their own motif"
    assert wrong <= 0.05 * len(sites), f"{wrong} of {len(sites)} planted sites named by another motif"
    assert set(named["motif"].dropna()) == {motifs[int(k)].name for k in sites["motif"]}
    named_rows = named[named["motif"].notna()]
    assert (named_rows["match_q_value"] <= 0.05).all() and named_rows["motif_strand"].isin(["+", "-"]).all()
    assert named_rows["motif_name"].tolist() == [motifs[m].alt_name for m in named_rows["motif"]]


def test_each_seqlet_is_named_by_tomtom_on_it_alone(planted):
    motifs, X, _, seqlets = planted
    rows = seqlets.sample(n=12, random_state=1)  # any subset, in any order: each seqlet is compared on its own
    named = eu.interpret.annotate_seqlets(rows, X, motifs, fdr=1.0)
    for row in named.itertuples():
        query = Motif("q", X[row.example_idx, :, row.start : row.end])
        best = eu.motifs.tomtom(query, motifs, thresh=None).iloc[0]
        assert (row.motif, row.motif_strand) == (best["Target_ID"], best["Orientation"])
        assert row.match_p_value == best["p-value"] and row.match_q_value == best["q-value"]
    strict = eu.interpret.annotate_seqlets(rows, X, motifs, fdr=0.0)
    assert strict["motif"].isna().all() and np.array_equal(strict["match_q_value"], named["match_q_value"])


def _pattern(motif: Motif, rng: np.random.Generator, flank: int = 6) -> ModiscoPattern:
    """A pattern around a motif: uniform letters and weak contributions on flanks beside the motif's columns."""
    width = motif.width + 2 * flank
    probs = np.full((4, width), 0.25)
    probs[:, flank : flank + motif.width] = motif.probs
    cwm = rng.normal(scale=0.01, size=(4, width))
    cwm[:, flank : flank + motif.width] += motif.probs * np.log2(4 * motif.probs + 1e-9).clip(0)  # its IC
    table = pd.DataFrame({"example_idx": [0, 1], "start": [0, 5], "end": [width, width + 5], "strand": ["+", "-"]})
    return ModiscoPattern(f"pos_patterns.pattern_{motif.name}", probs, cwm, cwm, table)


def test_patterns_are_named_by_the_motif_they_hold():
    motifs = eu.models.demo_sequences().motifs
    rng = np.random.default_rng(2)
    patterns = MotifSet([_pattern(m, rng) for m in motifs])
    table = eu.interpret.annotate_patterns(patterns, motifs, n_matches=2)
    assert table["pattern"].tolist() == [p for p in patterns.names for _ in range(2)]
    assert table["rank"].tolist() == [1, 2] * len(patterns)
    best = table[table["rank"] == 1]
    assert best["Target_ID"].tolist() == motifs.names
    assert (best["q-value"] <= 0.05).all() and best["Target_Name"].tolist() == [m.alt_name for m in motifs]
    for pattern, row in zip(patterns, best.itertuples(), strict=True):
        assert (row.trim_start, row.trim_end) == eu.motifs.trim_window(pattern, 0.3)
        assert row.n_seqlets == 2
    second = table[table["rank"] == 2]
    assert (second["p-value"].to_numpy() >= best["p-value"].to_numpy()).all()


def test_rna_patterns_named_by_ray2013_on_one_strand(shared_data):
    ray = eu.motifs.read_motifs(shared_data / "motifs" / "Ray2013_rbp_RNA.meme")
    hur = [m for m in ray if "HuR" in m.name or "HuR" in m.alt_name]
    assert hur, "the Ray 2013 file holds HuR motifs"
    dna = Motif(hur[0].name, hur[0].probs)  # the pattern of a DNA model of CLIP sequences: letters ACGT
    table = eu.interpret.annotate_patterns([_pattern(dna, np.random.default_rng(3))], ray, n_matches=5)
    assert table.iloc[0]["Target_ID"] == hur[0].name and table.iloc[0]["q-value"] <= 0.05
    assert (table["Orientation"] == "+").all()  # RNA: the given strand only


def _random_sites(rng: np.random.Generator, n: int) -> pd.DataFrame:
    start = rng.integers(0, 60, n)
    return pd.DataFrame(
        {
            "example_idx": rng.integers(0, 6, n),
            "start": start,
            "end": start + rng.integers(3, 12, n),
            "motif": rng.choice(np.array(["m1", "m2", "m10", None], dtype=object), n),
            "motif_name": "",
            "motif_strand": rng.choice(["+", "-"], n),
        }
    )


def test_motif_spacing_matches_a_pair_loop():
    rng = np.random.default_rng(4)
    for n in (0, 1, 7, 60):
        sites = _random_sites(rng, n)
        expected = Counter()
        named = [r for r in sites.itertuples() if pd.notna(r.motif)]
        for a, b in itertools.combinations(named, 2):
            if a.example_idx != b.example_idx:
                continue
            left, right = (a, b) if (a.start, a.end, a.Index) < (b.start, b.end, b.Index) else (b, a)
            expected[(left.motif, right.motif, right.start - left.end, left.motif_strand + right.motif_strand)] += 1
        table = eu.interpret.motif_spacing(sites)
        got = dict(
            zip(table[["motif_a", "motif_b", "distance", "orientation"]].itertuples(index=False), table["count"])
        )
        assert got == dict(expected)
        near = eu.interpret.motif_spacing(sites, max_distance=5)
        assert near["count"].sum() == sum(c for k, c in expected.items() if k[2] <= 5)


def test_motif_counts_match_a_loop():
    sites = _random_sites(np.random.default_rng(5), 80)
    table = eu.interpret.motif_counts(sites)
    named = sites[sites["motif"].notna()]
    assert dict(zip(table["motif"], table["n_seqlets"])) == dict(Counter(named["motif"]))
    assert dict(zip(table["motif"], table["n_sequences"])) == named.groupby("motif")["example_idx"].nunique().to_dict()
    assert table["n_seqlets"].is_monotonic_decreasing


def test_counts_and_spacing_of_pattern_seqlets():
    rng = np.random.default_rng(6)
    motifs = eu.models.demo_sequences().motifs
    patterns = eu.motifs.trim(MotifSet([_pattern(motifs[0], rng), _pattern(motifs[1], rng)]))
    counts = eu.interpret.motif_counts(patterns)
    assert dict(zip(counts["motif"], counts["n_seqlets"])) == {p.name: 2 for p in patterns}
    spacing = eu.interpret.motif_spacing(patterns)
    a, b = patterns  # both have seqlets on examples 0 (+) and 1 (-) at the same trimmed places: overlapping pairs
    assert spacing["count"].sum() == 2 and set(spacing["orientation"]) <= {"++", "--"}


def test_errors_name_the_argument(planted):
    motifs, X, _, seqlets = planted
    with pytest.raises(ValueError, match=r"seqlets must have columns \['example_idx', 'start', 'end'\]; missing"):
        eu.interpret.annotate_seqlets(seqlets.drop(columns="end"), X, motifs)
    bad = seqlets.head(1).assign(end=X.shape[2] + 1)
    with pytest.raises(ValueError, match=r"seqlets must index X, shape \(40, 4, 200\).*row 0 has"):
        eu.interpret.annotate_seqlets(bad, X, motifs)
    with pytest.raises(ValueError, match=r"fdr must be a fraction in \[0, 1\]"):
        eu.interpret.annotate_seqlets(seqlets, X, motifs, fdr=5)
    with pytest.raises(ValueError, match="thresh is not an option here"):
        eu.interpret.annotate_patterns(motifs, motifs, thresh=0.1)
    with pytest.raises(TypeError, match="annotated must be a DataFrame from eu.interpret.annotate_seqlets"):
        eu.interpret.motif_counts([1, 2])
    with pytest.raises(TypeError, match="max_distance must be an int"):
        eu.interpret.motif_spacing(seqlets.assign(motif="m"), max_distance=2.5)


def test_no_seqlets_gives_empty_tables(planted):
    motifs, X, _, seqlets = planted
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing compared: no TOMTOM warning either
        named = eu.interpret.annotate_seqlets(seqlets.head(0), X, motifs)
    assert named.empty and {"motif", "match_q_value"} <= set(named.columns)
    assert eu.interpret.motif_counts(named).empty and eu.interpret.motif_spacing(named).empty


def test_chunks_of_seqlets_change_nothing(planted, monkeypatch):
    from eugene.interpret import annotation

    motifs, X, _, seqlets = planted
    whole = eu.interpret.annotate_seqlets(seqlets, X, motifs)
    monkeypatch.setattr(annotation, "_CHUNK", 7)
    pd.testing.assert_frame_equal(eu.interpret.annotate_seqlets(seqlets, X, motifs), whole)
