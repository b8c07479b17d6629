"""End to end on real data: a small seeded DeepBind-style CNN (trained once per session, conftest.py), its filters
turned into PFMs and matched with TOMTOM.

SRF ChIP-seq peaks against dinucleotide shuffles must give a filter matching SRF's CArG box CC(A/T)6GG (JASPAR MA0083);
ELAVL1 PAR-CLIP sites must give a filter matching a HuR motif of Ray et al. (2013). Skipped without ../shared/data.
"""

from __future__ import annotations

import matplotlib

import eugene as eu
from eugene.interpret.filters import filter_pfms

matplotlib.use("Agg")

# CArG-box binders: SRF itself, and the MEF2 factors whose CTA(A/T)4TAG site is the CArG-like box
CARG_FACTORS = ("SRF", "MEF2")


def _best_matches(hits):
    return hits.sort_values(["q-value", "p-value"]).drop_duplicates("Query_ID")


def test_srf_chipseq_filters_match_the_carg_box(shared_data, srf_model):
    X, y, model = srf_model.X, srf_model.y, srf_model.model
    motifs = filter_pfms(model, X[y == 1])
    assert motifs.counts.shape == (16, 4, 14) and (motifs.n_sites > 0).all()
    hits = eu.motifs.tomtom(motifs, shared_data / "motifs" / "jaspar2024_core_vertebrates.meme", thresh=0.5)
    best = _best_matches(hits)
    carg = best[best["Target_Name"].astype(str).str.upper().str.startswith(CARG_FACTORS) & (best["q-value"] < 0.05)]
    assert len(carg) > 0, f"no filter's best match is a CArG-box factor:\n{best.head(8)}"
    fig = eu.plot.filter_logos(motifs, hits, max_motifs=4)
    assert len(fig.axes) == 4


def test_elavl1_clipseq_filters_match_hur(shared_data, elavl1_model):
    X, y, model = elavl1_model.X, elavl1_model.y, elavl1_model.model
    motifs = filter_pfms(model, X[y == 1], alphabet="RNA")
    assert motifs.alphabet == "ACGU"
    hits = eu.motifs.tomtom(motifs, shared_data / "motifs" / "Ray2013_rbp_RNA.meme", thresh=0.5, both_strands=False)
    best = _best_matches(hits)
    hur = best[(best["Target_Name"].astype(str) == "HuR") & (best["q-value"] < 0.05)]
    assert len(hur) > 0, f"no filter's best match is a HuR motif:\n{best.head(8)}"
