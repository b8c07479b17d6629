"""TOMTOM against the MEME suite's own output (tomtom 5.4.1, 70 queries x 879 JASPAR motifs, every pair).

Reference options (see ../shared/data/tomtom_reference/README.md): -no-ssc -min-overlap 5 -evalue -thresh 1e9,
motif pseudocount 0.1, both strands, complete scores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import eugene.motifs as em

DISTANCES = ["pearson", "ed", "sandelin"]
FLOAT32_TINY = 1.4e-45  # MEME prints single-precision p-values; smaller ones are 0


@pytest.fixture(scope="module")
def motif_sets(shared_data):
    queries = em.read_meme(shared_data / "tomtom_reference" / "queries.meme")
    targets = em.read_meme(shared_data / "motifs" / "jaspar2024_core_vertebrates.meme")
    return queries, targets


@pytest.fixture(scope="module", params=DISTANCES)
def merged(request, motif_sets, shared_data):
    dist = request.param
    queries, targets = motif_sets
    ours = em.tomtom(queries, targets, dist=dist, min_overlap=5, thresh=None)
    ours = ours.astype({"Query_ID": str, "Target_ID": str, "Query_consensus": str, "Target_consensus": str})
    meme = pd.read_csv(shared_data / "tomtom_reference" / f"tomtom_{dist}.tsv.gz", sep="\t", comment="#")
    both = meme.merge(ours, on=["Query_ID", "Target_ID"], suffixes=("_meme", "_ours"), validate="one_to_one")
    assert len(both) == len(meme) == len(ours) == 70 * 879
    return dist, meme, ours, both


def _log10(p):
    return np.log10(np.maximum(p, FLOAT32_TINY))


def test_pvalues_match_meme(merged):
    dist, _, _, both = merged
    diff = np.abs(_log10(both["p-value_meme"]) - _log10(both["p-value_ours"]))
    assert np.quantile(diff, 0.99) <= 0.05, dist
    np.testing.assert_allclose(both["E-value_ours"], both["p-value_ours"] * 879)


def test_best_matches_agree(merged):
    dist, meme, ours, _ = merged
    best_meme = meme.groupby("Query_ID").head(1).set_index("Query_ID")
    best_ours = ours.groupby("Query_ID").head(1).set_index("Query_ID").loc[best_meme.index]
    assert (best_meme["Target_ID"] == best_ours["Target_ID"]).all(), dist
    assert (best_meme["Optimal_offset"] == best_ours["Optimal_offset"]).all(), dist
    assert (best_meme["Orientation"] == best_ours["Orientation"]).all(), dist
    assert (best_meme["Overlap"] == best_ours["Overlap"]).all(), dist
    assert (best_meme["Query_consensus"] == best_ours["Query_consensus"]).all()
    assert (best_meme["Target_consensus"] == best_ours["Target_consensus"]).all()


def test_alignments_and_qvalues_close(merged):
    dist, _, _, both = merged
    assert (both["Optimal_offset_meme"] == both["Optimal_offset_ours"]).mean() > 0.999, dist
    assert (both["Orientation_meme"] == both["Orientation_ours"]).mean() > 0.999, dist
    qdiff = np.abs(_log10(both["q-value_meme"]) - _log10(both["q-value_ours"]))
    assert np.quantile(qdiff, 0.99) <= 0.05, dist
