"""End to end on real data: train a small seeded DeepBind-style CNN, turn its filters into PFMs, match them with TOMTOM.

SRF ChIP-seq peaks against dinucleotide shuffles must give a filter matching SRF's CArG box CC(A/T)6GG (JASPAR MA0083);
ELAVL1 PAR-CLIP sites must give a filter matching a HuR motif of Ray et al. (2013). Skipped without ../shared/data.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import torch

import eugene as eu
from eugene.interpret.filters import filter_pfms

matplotlib.use("Agg")

# CArG-box binders: SRF itself, and the MEF2 factors whose CTA(A/T)4TAG site is the CArG-like box
CARG_FACTORS = ("SRF", "MEF2")


def _train_deepbind(X: np.ndarray, y: np.ndarray, filter_size: int, epochs: int) -> torch.nn.Module:
    torch.manual_seed(0)
    model = eu.models.build(
        "deepbind", alphabet_size=4, seq_len=X.shape[-1], n_outputs=1, n_filters=16, filter_size=filter_size
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    Xt, yt = torch.as_tensor(X), torch.as_tensor(y)
    order = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        for idx in torch.randperm(len(Xt), generator=order).split(64):
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(Xt[idx])[:, 0], yt[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model.eval()


def _best_matches(hits):
    return hits.sort_values(["q-value", "p-value"]).drop_duplicates("Query_ID")


def test_srf_chipseq_filters_match_the_carg_box(shared_data):
    from eugene.datasets.loaders import srf_chipseq

    X, y = srf_chipseq("train", data_dir=shared_data, shuffled_negatives=1, seed=0)
    model = _train_deepbind(X, y, filter_size=14, epochs=3)
    motifs = filter_pfms(model, X[y == 1])
    assert motifs.counts.shape == (16, 4, 14) and (motifs.n_sites > 0).all()
    hits = eu.motifs.tomtom(motifs, shared_data / "motifs" / "jaspar2024_core_vertebrates.meme", thresh=0.5)
    best = _best_matches(hits)
    carg = best[best["Target_Name"].astype(str).str.upper().str.startswith(CARG_FACTORS) & (best["q-value"] < 0.05)]
    assert len(carg) > 0, f"no filter's best match is a CArG-box factor:\n{best.head(8)}"
    fig = eu.plot.filter_logos(motifs, hits, max_motifs=4)
    assert len(fig.axes) == 4


def test_elavl1_clipseq_filters_match_hur(shared_data):
    from eugene.datasets.loaders import elavl1_clipseq

    X, y = elavl1_clipseq("train", data_dir=shared_data)
    rng = np.random.default_rng(0)
    keep = np.concatenate(
        [rng.choice(np.flatnonzero(y == 1), 4000, replace=False), rng.choice(np.flatnonzero(y == 0), 4000, False)]
    )
    X, y = X[keep], y[keep]
    model = _train_deepbind(X, y, filter_size=10, epochs=3)
    motifs = filter_pfms(model, X[y == 1], alphabet="RNA")
    assert motifs.alphabet == "ACGU"
    hits = eu.motifs.tomtom(motifs, shared_data / "motifs" / "Ray2013_rbp_RNA.meme", thresh=0.5, both_strands=False)
    best = _best_matches(hits)
    hur = best[(best["Target_Name"].astype(str) == "HuR") & (best["q-value"] < 0.05)]
    assert len(hur) > 0, f"no filter's best match is a HuR motif:\n{best.head(8)}"
