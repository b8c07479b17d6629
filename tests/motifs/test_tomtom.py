"""TOMTOM behaviour on synthetic motifs: identities, strands, alphabets, inputs, thresholds, q-values."""

from __future__ import annotations

import numpy as np
import pytest

import eugene.motifs as em
from eugene.motifs import Motif, MotifSet
from eugene.motifs.tomtom import estimate_pi0, qvalues


@pytest.fixture(scope="module")
def database():
    rng = np.random.default_rng(0)
    motifs = []
    for i in range(80):
        width = int(rng.integers(6, 14))
        probs = rng.dirichlet(np.full(4, 0.3), size=width).T
        motifs.append(Motif(f"T{i:03d}", probs, nsites=int(rng.integers(10, 60)), alt_name=f"tf{i}"))
    return MotifSet(motifs, name="random")


def test_a_copy_of_a_target_finds_it(database):
    query = MotifSet([database[5], database[17].reverse_complement()])
    hits = em.tomtom(query, database, thresh=None)
    best = hits.groupby("Query_ID", observed=True).head(1).set_index("Query_ID")
    row = best.loc["T005"]
    assert row["Target_ID"] == "T005" and row["Optimal_offset"] == 0 and row["Orientation"] == "+"
    assert row["Overlap"] == database[5].width and row["Target_Name"] == "tf5"
    assert len(hits) == 2 * len(database)


def test_reverse_complement_query_matches_on_minus_strand(database):
    rc = database[17].reverse_complement()
    rc.name = "rc17"
    best = em.tomtom(rc, database, thresh=None).iloc[0]
    assert best["Target_ID"] == "T017" and best["Orientation"] == "-"


def test_evalue_and_sorting(database):
    hits = em.tomtom(database[:3], database, thresh=None, dist="ed")
    np.testing.assert_allclose(hits["E-value"], hits["p-value"] * len(database))
    for _, group in hits.groupby("Query_ID", observed=True):
        assert np.all(np.diff(group["p-value"].to_numpy()) >= 0)
        assert np.all(np.diff(group["q-value"].to_numpy()) >= -1e-15)


def test_threshold_on_q_or_e(database):
    every = em.tomtom(database[:4], database, thresh=None)
    kept = em.tomtom(database[:4], database, thresh=0.1)
    assert len(kept) == (every["q-value"] <= 0.1).sum()
    kept_e = em.tomtom(database[:4], database, thresh=1.0, evalue=True)
    assert len(kept_e) == (every["E-value"] <= 1.0).sum()


def test_rna_targets_compare_as_dna(database):
    rna = MotifSet([Motif(m.name, m.probs, alphabet="ACGU", nsites=m.nsites) for m in database])
    dna_hits = em.tomtom(database[:3], database, thresh=None)
    rna_hits = em.tomtom(database[:3], rna, thresh=None)
    np.testing.assert_array_equal(dna_hits["p-value"].to_numpy(), rna_hits["p-value"].to_numpy())
    assert set(rna_hits["Target_consensus"].astype(str).str.cat()) <= set("ACGU")


def test_several_databases_and_paths(database, tmp_path):
    path = tmp_path / "db.meme"
    em.write_meme(database[40:], path)
    split = em.tomtom(database[:2], [database[:40], path], thresh=None)
    whole = em.tomtom(database[:2], database, thresh=None)
    key = ["Query_ID", "Target_ID"]
    a = split.astype({k: str for k in key}).sort_values(key).reset_index(drop=True)
    b = whole.astype({k: str for k in key}).sort_values(key).reset_index(drop=True)
    # the written file rounds probabilities to 6 decimals, so allow tiny differences
    np.testing.assert_allclose(np.log10(a["p-value"]), np.log10(b["p-value"]), atol=0.05)


def test_protein_against_dna_is_an_error(database):
    prot = Motif("p", np.full((20, 5), 0.05), alphabet="ACDEFGHIKLMNPQRSTVWY")
    with pytest.raises(ValueError, match="protein"):
        em.tomtom(prot, database)


def test_bad_arguments():
    m = Motif("m", np.full((4, 3), 0.25))
    with pytest.raises(ValueError, match="dist"):
        em.tomtom(m, m, dist="cosine")
    with pytest.raises(ValueError, match="min_overlap"):
        em.tomtom(m, m, min_overlap=0)
    with pytest.raises(TypeError, match="query"):
        em.tomtom(3, m)


@pytest.mark.parametrize(
    ("background", "what"),
    [
        ([np.nan, 0.25, 0.25, 0.25], r"\[nan, 0.25, 0.25, 0.25\]"),
        ([0.0, 0.0, 0.0, 0.0], r"\[0.0, 0.0, 0.0, 0.0\]"),
        ([0.5, 0.5, 0.0, 0.0], r"\[0.5, 0.5, 0.0, 0.0\]"),
        ([0.5, -0.1, 0.3, 0.3], r"\[0.5, -0.1, 0.3, 0.3\]"),
        ([np.inf, 1, 1, 1], r"\[inf, 1.0, 1.0, 1.0\]"),
    ],
)
def test_bad_background_is_an_error_not_all_p_equal_1(database, background, what):
    with pytest.raises(ValueError, match=rf"^background must be 4 finite positive frequencies .*got {what}"):
        em.tomtom(database[:2], database, background=background)


def test_background_from_the_query_file_is_checked(database, tmp_path):
    path = tmp_path / "zero_bg.meme"
    path.write_text(
        "MEME version 4\n\nALPHABET= ACGT\n\nBackground letter frequencies\nA 0.5 C 0.5 G 0 T 0\n\n"
        "MOTIF q\nletter-probability matrix: alength= 4 w= 2\n 0.7 0.1 0.1 0.1\n 0.1 0.1 0.1 0.7\n"
    )
    with pytest.raises(ValueError, match=r"the query motifs' background \(background=None\) must be 4 finite positive"):
        em.tomtom(path, database)
    uniform = em.tomtom(path, database, thresh=None, background=[1, 1, 1, 1])  # stated: used, normalized
    expected = em.tomtom(path, database, thresh=None, background=[0.25] * 4)
    np.testing.assert_array_equal(uniform["p-value"], expected["p-value"])
    with pytest.raises(ValueError, match=r"background must have 4 frequencies"):
        em.tomtom(database[:1], database, background=[0.5, 0.5])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"thresh": np.nan}, ValueError, r"thresh \(a q-value threshold\) must be a number finite and >= 0 and <= 1; "),
        ({"thresh": -0.1}, ValueError, r"thresh \(a q-value threshold\) must be .* got -0.1"),
        ({"thresh": 5}, ValueError, r"<= 1; got 5; pass evalue=True to threshold E-values"),
        ({"thresh": np.inf, "evalue": True}, ValueError, r"thresh \(an E-value threshold\) .* or None to keep every"),
        ({"thresh": "0.05"}, TypeError, r"thresh \(a q-value threshold\) must be a number; got str"),
        ({"thresh": True}, TypeError, r"thresh \(a q-value threshold\) must be a number; got bool"),
        ({"motif_pseudo": np.nan}, ValueError, r"motif_pseudo must be a number finite and >= 0; got nan"),
        ({"motif_pseudo": -1}, ValueError, r"motif_pseudo must be .* got -1"),
        ({"motif_pseudo": np.inf}, ValueError, r"motif_pseudo must be .* got inf"),
        ({"min_overlap": 2.5}, ValueError, r"min_overlap must be a positive integer"),
        ({"evalue": "yes"}, TypeError, r"evalue must be True or False; got str"),
        ({"both_strands": 1}, TypeError, r"both_strands must be True or False; got int"),
        ({"verbose": "yes"}, TypeError, r"verbose must be True, False or None"),
    ],
)
def test_numeric_and_flag_arguments_are_checked(database, kwargs, error, message):
    with pytest.raises(error, match=message):
        em.tomtom(database[:2], database, **kwargs)


def test_threshold_edges_keep_the_right_rows(database):
    every = em.tomtom(database[:3], database, thresh=None)
    assert len(em.tomtom(database[:3], database, thresh=1)) == int((every["q-value"] <= 1).sum()) == len(every)
    exact = em.tomtom(database[:3], database, thresh=0)
    assert len(exact) == int((every["q-value"] == 0).sum())
    assert list(exact.columns) == list(every.columns)  # an empty result keeps the table's columns
    big = em.tomtom(database[:3], database, thresh=1e6, evalue=True)
    assert len(big) == len(every)


def test_small_database_warns(database):
    with pytest.warns(UserWarning, match="at least 50"):
        em.tomtom(database[:1], database[:10])


def test_filter_counts_straight_in(database):
    rng = np.random.default_rng(1)
    counts = rng.integers(0, 50, size=(5, 4, 9)).astype(float)
    counts[2] = database[3].probs[:, :9] * 100 if database[3].width >= 9 else counts[2]
    filters = MotifSet.from_counts(counts)
    hits = em.tomtom(filters, database, thresh=None)
    assert hits["Query_ID"].nunique() == 5 and hits["p-value"].between(0, 1).all()


def test_id_categories_sort_numbers_as_numbers(database):
    """Query_ID / Target_ID categories are in natural order: filter_2 before filter_10 (issue 15, friction 7)."""
    names = ["filter_10", "filter_2", "filter_1", "filter_11", "filter_0"]
    queries = MotifSet([Motif(name, database[i].probs) for i, name in enumerate(names)])
    targets = MotifSet([Motif(f"T{i}", database[i].probs) for i in range(60)], name="numbered")  # T2 before T10
    hits = em.tomtom(queries, targets, thresh=None)
    expected = sorted(names, key=lambda name: int(name.split("_")[1]))
    assert list(hits["Query_ID"].cat.categories) == expected
    assert list(hits["Target_ID"].cat.categories) == [f"T{i}" for i in range(60)]
    assert list(hits.sort_values("Query_ID")["Query_ID"].astype(str).unique()) == expected
    alone = em.tomtom(queries["filter_2"], targets, thresh=None)  # the codes still point at the right rows
    mine = hits[hits["Query_ID"] == "filter_2"]
    assert mine["Target_ID"].astype(str).tolist() == alone["Target_ID"].astype(str).tolist()
    np.testing.assert_allclose(mine["p-value"], alone["p-value"])
    assert mine["Query_consensus"].astype(str).tolist() == alone["Query_consensus"].astype(str).tolist()


def test_qvalues_match_definition():
    rng = np.random.default_rng(2)
    p = np.concatenate([rng.uniform(size=300), rng.uniform(0, 1e-3, size=30)])
    pi0 = estimate_pi0(p)
    assert 0.8 < pi0 <= 1.0
    q = qvalues(p, pi0=pi0)
    m = p.size
    rank = np.argsort(np.argsort(p)) + 1
    fdr = np.minimum(1, pi0 * p * m / rank)
    brute = np.array([fdr[p >= x].min() for x in p])
    np.testing.assert_allclose(q, brute)
    assert estimate_pi0(p[:50]) == 1.0  # too few p-values


def test_protein_motifs_compare_on_one_strand():
    rng = np.random.default_rng(3)
    letters = "ACDEFGHIKLMNPQRSTVWY"
    db = MotifSet(
        [
            Motif(f"p{i}", rng.dirichlet(np.full(20, 0.3), size=int(rng.integers(5, 12))).T, alphabet=letters)
            for i in range(60)
        ]
    )
    hits = em.tomtom(db[:2], db, thresh=None, verbose=True)
    assert set(hits["Orientation"]) == {"+"} and len(hits) == 2 * len(db)
    best = hits.groupby("Query_ID", observed=True).head(1)
    assert (best["Query_ID"].astype(str).to_numpy() == best["Target_ID"].astype(str).to_numpy()).all()


def test_dna_filters_against_the_rna_database(shared_data):
    rna = em.read_meme(shared_data / "motifs" / "Ray2013_rbp_RNA.meme")
    query = Motif("a1cf_dna", rna[0].probs, alphabet="ACGT", nsites=rna[0].nsites)
    best = em.tomtom(query, rna, thresh=None).iloc[0]
    assert best["Target_ID"] == rna[0].name and best["Orientation"] == "+" and best["Optimal_offset"] == 0
    assert set(best["Target_consensus"]) <= set("ACGU") and set(best["Query_consensus"]) <= set("ACGT")
