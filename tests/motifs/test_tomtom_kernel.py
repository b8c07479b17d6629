"""TOMTOM's kernel pieces against brute-force versions of what they compute."""

from __future__ import annotations

import numpy as np
import pytest

from eugene.motifs.tomtom.kernel import best_alignment
from eugene.motifs.tomtom.pvalues import (
    BINS,
    _alignment_pair,
    alignment_tails,
    max_alignment_pvalues,
    needed_scores,
    row_median,
    shift_and_quantize,
)
from eugene.motifs.tomtom.ranking import rank_row


@pytest.mark.parametrize("n", [1, 2, 3, 64, 65, 1001, 4096])
def test_row_median_is_the_mean_of_the_two_middle_ranks(n):
    rng = np.random.default_rng(n)
    for spread in (1.0, 1e-4, 0.0):  # wide, one crowded bin, all tied
        values = rng.choice(np.round(rng.normal(0, spread, n), 3), n)  # with ties
        values[: n // 10] = 5.0  # some beyond the bounds, clamped into the top bin
        median, low, high = row_median(values, -1.5, 1.5)
        ranked = np.sort(values)
        i1, i2 = max(n // 2 - 1, 0), max((n + 1) // 2 - 1, 0)
        assert median == (ranked[i1] + ranked[i2]) / 2 and low == ranked[0] and high == ranked[-1]


def test_quantized_diagonals_give_each_configuration_its_sum():
    rng = np.random.default_rng(0)
    w, lengths = 6, np.array([3, 6, 9, 1])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    scores = rng.integers(-2, 3, (w, lengths.sum())).astype(float)  # coarse: tied configurations
    medians, low, high = (np.array(v) for v in zip(*[row_median(row, -5.0, 5.0) for row in scores], strict=True))
    diagonals, counts, offset, scale = shift_and_quantize(scores, medians, low, high, BINS)
    levels = (((scores - medians[:, None]) - offset) * scale + 0.5).astype(int)
    assert (counts == np.array([np.bincount(row, minlength=BINS + 1) for row in levels])).all()
    unit = int(offset * scale)
    for min_overlap in (1, 3, 7):
        for start, length in zip(starts, lengths, strict=True):
            block = levels[:, start : start + length]
            mo = min(min_overlap, w, length) if min_overlap > 1 else 1
            candidates = []
            for c in range(mo, w + length - mo + 1):  # target column 0 under query column w - c
                pairs = [(q, q - (w - c)) for q in range(w) if 0 <= q - (w - c) < length]
                total = sum(block[q, t] for q, t in pairs) + len(pairs) * unit
                candidates.append((total, len(pairs), -c))
            total, overlap, neg_c = max(candidates)  # larger score, then larger overlap, then the first configuration
            got = best_alignment(diagonals, start, w, length, min_overlap, offset * scale)
            assert got == (total, -neg_c - w, overlap)


def test_pvalues_of_all_scores_equal_one_score_at_a_time():
    rng = np.random.default_rng(1)
    w, t_len = 5, np.array([2, 5, 8, 5, 2, 8])
    counts = np.array([rng.multinomial(500, rng.dirichlet(np.full(BINS + 1, 0.3))) for _ in range(w)])
    shift_unit = -41.0
    ks = rng.integers(-20, w * BINS, t_len.size)
    ks[3] = ks[1]  # a repeated (width, score)
    tails, index = alignment_tails(counts, needed_scores(ks, t_len, w, t_len.max(), shift_unit))
    got = max_alignment_pvalues(tails, index, t_len, ks, shift_unit, 2, t_len.max())
    for k, length, p in zip(ks, t_len, got, strict=True):
        reached, certain = 0.0, k < 0
        for a in range(w + length - 1):
            start, end = _alignment_pair(w, length, a)
            j = k + int(np.rint(shift_unit * (w - 1 - (end - start))))
            certain |= j <= 0
            if 0 < j < tails.shape[1] - 1:
                for _ in range(2):
                    reached += tails[index[start, end], j] * (1.0 - reached)
        assert p == (1.0 if certain else min(reached, 1.0))


@pytest.mark.parametrize("n_orient", [1, 2])
def test_rank_row_orders_by_p_overlap_database_strand_name(n_orient):
    rng = np.random.default_rng(n_orient)
    nt = 300
    pvalues = rng.choice(np.float32(rng.random(40)), nt * n_orient).astype(np.float64)  # many ties
    overlaps = rng.integers(1, 6, nt * n_orient)
    db_rank = np.sort(rng.integers(0, 3, nt))
    name_rank = rng.permutation(nt)
    order = rank_row(pvalues, overlaps, n_orient, db_rank, name_rank)
    strand = np.arange(nt * n_orient)
    target = strand // n_orient
    expected = np.lexsort((name_rank[target], strand % n_orient, db_rank[target], -overlaps, pvalues))
    assert (order == expected).all()
