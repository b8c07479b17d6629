"""planted_motifs: determinism, ground truth matching the letters, the stated distributions, the AUROC scorer."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest, chisquare

import eugene as eu
from eugene.datasets import KOO_EDDY_2019, N_MOTIFS_P, PlantedMotifs, attribution_auroc, planted_motifs

_COMPLEMENT = str.maketrans("ACGT", "TGCA")


@pytest.fixture(scope="module")
def data() -> PlantedMotifs:
    return planted_motifs(n=4000, seed=7)


def _fixed(name: str, consensus: str) -> eu.motifs.Motif:
    """A motif that always samples ``consensus``."""
    probs = np.eye(4)[["ACGT".index(c) for c in consensus]].T
    return eu.motifs.Motif(name, probs)


def test_same_seed_same_data_and_other_seed_other_data(data):
    again = planted_motifs(n=4000, motifs=data.motifs, seed=7)
    assert np.array_equal(again.X, data.X)
    assert np.array_equal(again.y, data.y)
    assert np.array_equal(again.mask, data.mask)
    assert again.sites.equals(data.sites)
    other = planted_motifs(n=4000, motifs=data.motifs, seed=8)
    assert not np.array_equal(other.X, data.X)


def test_shapes_and_default_motifs_are_the_koo_eddy_twelve_from_jaspar_2024(data):
    assert data.X.shape == (4000, 4, 200) and data.X.dtype == np.float32
    assert np.array_equal(data.X.sum(axis=1), np.ones((4000, 200)))
    assert data.y.shape == (4000, 12) and data.mask.shape == (4000, 200)
    assert [n.upper() for n in data.motif_names] == [n.upper() for n in KOO_EDDY_2019]
    # the ids stated in the docstring and docs/demo_model.md
    assert data.motifs.names == [
        "MA0151.1", "MA0466.4", "MA0477.3", "MA0062.4", "MA0496.4", "MA0058.4",
        "MA0052.5", "MA0502.3", "MA0079.5", "MA0083.3", "MA0137.4", "MA0095.4",
    ]  # fmt: skip
    database = eu.motifs.jaspar(2024, "CORE", "vertebrates")
    for motif in data.motifs:
        assert np.allclose(motif.probs, database[motif.name].probs)
    assert data.sequences[0] == eu.seq.decode(data.X[:1])[0]


def test_mask_marks_exactly_the_sites_and_nothing_else(data):
    rebuilt = np.full(data.mask.shape, -1)
    for row in data.sites.itertuples():
        assert (rebuilt[row.sequence, row.start : row.end] == -1).all(), "sites overlap"
        assert row.end - row.start == data.motifs[row.motif].width
        rebuilt[row.sequence, row.start : row.end] = row.motif
    assert np.array_equal(rebuilt, data.mask)
    present = np.zeros_like(data.y)
    present[data.sites.sequence, data.sites.motif] = 1
    assert np.array_equal(present, data.y)
    assert data.motif_mask().sum() == (data.mask >= 0).sum()


def test_fixed_motifs_are_written_letter_for_letter_on_the_stated_strand():
    motifs = [_fixed("m0", "AACCGGTTAC"), _fixed("m1", "GATTACA")]
    data = planted_motifs(n=300, length=60, motifs=motifs, seed=3)
    consensus = ["AACCGGTTAC", "GATTACA"]
    for row in data.sites.itertuples():
        word = data.sequences[row.sequence][row.start : row.end]
        expected = consensus[row.motif] if row.strand == "+" else consensus[row.motif].translate(_COMPLEMENT)[::-1]
        assert word == expected
        assert (data.mask[row.sequence, row.start : row.end] == row.motif).all()


def test_planted_letters_follow_the_motif_probabilities(data):
    """Pooled over ~1000 instances per motif, the letters at each column match the PPM (strand undone)."""
    for m, motif in enumerate(data.motifs):
        rows = data.sites[data.sites.motif == m]
        cols = rows.start.to_numpy()[:, None] + np.arange(motif.width)
        letters = data.X[rows.sequence.to_numpy()[:, None], :, cols]  # (n_sites, W, 4)
        minus = (rows.strand == "-").to_numpy()
        letters[minus] = letters[minus][:, ::-1, ::-1]  # reverse complement back to the motif's strand (ACGT order)
        freq = letters.mean(axis=0).T
        assert np.abs(freq - motif.probs).max() < 0.07, motif.name


def test_background_letters_are_uniform(data):
    outside = data.X.transpose(0, 2, 1)[data.mask < 0]
    assert np.abs(outside.mean(axis=0) - 0.25).max() < 0.005


def test_number_of_motifs_per_sequence_follows_the_stated_probabilities(data):
    counts = np.bincount(data.sites.sequence, minlength=len(data))
    observed = np.bincount(counts, minlength=6)
    assert observed[0] == 0 and len(observed) == 6
    assert chisquare(observed[1:], np.array(N_MOTIFS_P) * len(data)).pvalue > 1e-4
    per_motif = np.bincount(data.sites.motif, minlength=12)
    assert chisquare(per_motif).pvalue > 1e-4


def test_both_strands_appear_about_equally(data):
    minus = int((data.sites.strand == "-").sum())
    assert binomtest(minus, len(data.sites), 0.5).pvalue > 1e-4
    for m in range(12):
        assert set(data.sites.strand[data.sites.motif == m]) == {"+", "-"}


def test_start_positions_are_uniform_over_every_placement():
    data = planted_motifs(n=6000, length=20, motifs=[_fixed("m", "ACGTAC")], n_motifs_p=[1.0], seed=5)
    starts = np.bincount(data.sites.start, minlength=15)
    assert len(starts) == 15 and starts.min() > 0  # 0 .. L - W, both ends reachable
    assert chisquare(starts).pvalue > 1e-4


def test_two_sites_fill_a_tight_sequence_without_overlap():
    data = planted_motifs(n=500, length=12, motifs=[_fixed("m", "ACGTAC")], n_motifs_p=[0, 1.0], seed=2)
    assert (data.mask == 0).all()  # 2 x 6 letters in 12 positions: only one placement, and it is found


def test_background_frequencies_and_names_or_ids_are_accepted():
    data = planted_motifs(n=400, motifs=["max", "MA0083.3"], background=[0.4, 0.1, 0.1, 0.4], seed=0)
    assert data.motifs.names == ["MA0058.4", "MA0083.3"]
    outside = data.X.transpose(0, 2, 1)[data.mask < 0].mean(axis=0)
    assert np.abs(outside - [0.4, 0.1, 0.1, 0.4]).max() < 0.01


def test_save_and_load_round_trip(data, tmp_path):
    path = tmp_path / "planted.npz"
    data.save(path)
    back = PlantedMotifs.load(path)
    assert np.array_equal(back.X, data.X) and back.X.dtype == np.float32
    assert np.array_equal(back.y, data.y) and np.array_equal(back.mask, data.mask)
    assert back.sites.equals(data.sites)
    assert list(back.motifs) == list(data.motifs) and back.motif_names == data.motif_names
    assert back.seed == 7


def test_subset_keeps_each_sequence_with_its_own_sites(data):
    pick = np.flatnonzero(data.y[:, 3] > 0)[::-1][:50]  # reversed order, too
    part = data.subset(pick)
    assert np.array_equal(part.X, data.X[pick]) and np.array_equal(part.mask, data.mask[pick])
    for i, n in enumerate(pick):
        mine = part.sites[part.sites.sequence == i].drop(columns="sequence").reset_index(drop=True)
        theirs = data.sites[data.sites.sequence == n].drop(columns="sequence").reset_index(drop=True)
        assert mine.equals(theirs)
    with pytest.raises(ValueError, match="distinct sequences"):
        data.subset([0, 0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_motifs_p": [0.5, 0.4]}, "n_motifs_p must be"),
        ({"background": [0.5, 0.5]}, "background must give 4"),
        ({"seed": 1.5}, "seed must be an int"),
        ({"length": 20, "motifs": [_fixed("m", "ACGTAC")]}, "length must be at least"),
        ({"motifs": ["NOT_A_TF"]}, "matches no matrix id or TF name"),
        ({"motifs": "MAX"}, "motifs must be a MotifSet"),
        ({"n": 0}, "n must be a positive integer"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        planted_motifs(**kwargs)


def _pairwise_auroc(scores: np.ndarray, labels: np.ndarray) -> float:
    pos, neg = scores[labels], scores[~labels]
    return float(((pos[:, None] > neg[None]).sum() + 0.5 * (pos[:, None] == neg[None]).sum()) / (len(pos) * len(neg)))


def test_attribution_auroc_equals_the_pairwise_definition():
    rng = np.random.default_rng(0)
    X = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (6, 30))].transpose(0, 2, 1)
    attr = rng.integers(-3, 4, (6, 4, 30)).astype(np.float32)  # small integers: many ties
    truth = rng.random((6, 30)) < 0.3
    truth[5] = False
    got = attribution_auroc(attr, X, truth)
    scores = np.abs(attr * X).sum(axis=1)
    for n in range(5):
        assert got[n] == pytest.approx(_pairwise_auroc(scores[n], truth[n]))
    assert np.isnan(got[5])
    perfect = attribution_auroc(X * truth[:, None], X, truth)[:5]
    worst = attribution_auroc(X * ~truth[:, None], X, truth)[:5]
    assert np.allclose(perfect, 1.0) and np.allclose(worst, 0.0)
