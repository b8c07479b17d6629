"""eu.pl.motif_counts and eu.pl.spacing_histogram: bars that are the tables' numbers, axes labelled with units,
the legend beside the axes, and errors that name the argument."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import eugene as eu


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _sites(seed: int, n: int = 80) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = rng.integers(0, 100, n)
    return pd.DataFrame(
        {
            "example_idx": rng.integers(0, 10, n),
            "start": start,
            "end": start + 8,
            "motif": rng.choice(["MA0083.3", "MA0058.4", "MA0079.5"], n, p=[0.5, 0.3, 0.2]),
            "motif_name": "",
            "motif_strand": rng.choice(["+", "-"], n),
        }
    ).assign(motif_name=lambda t: t["motif"].map({"MA0083.3": "SRF", "MA0058.4": "MAX", "MA0079.5": "SP1"}))


def test_count_bars_are_the_counts_most_first():
    counts = eu.interpret.motif_counts(_sites(0))
    ax = eu.pl.motif_counts(counts)
    widths = [bar.get_width() for bar in ax.patches]
    assert widths == counts["n_seqlets"].tolist() and widths == sorted(widths, reverse=True)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [f"{n} ({m})" for m, n in zip(counts["motif"], counts["motif_name"], strict=True)]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("annotated seqlets (count)", "motif")
    assert len(eu.pl.motif_counts(counts, top=2).patches) == 2
    _, given = plt.subplots()
    assert eu.pl.motif_counts(counts, ax=given) is given


def test_spacing_bars_sum_to_the_pair_counts():
    spacing = eu.interpret.motif_spacing(_sites(1))
    totals = spacing.groupby(["motif_a", "motif_b"])["count"].sum()
    ax = eu.pl.spacing_histogram(spacing)  # the most frequent pair
    assert sum(bar.get_height() for bar in ax.patches) == totals.max()
    pair = totals.index[0]
    ax = eu.pl.spacing_histogram(spacing, pair)
    chosen = spacing[(spacing["motif_a"] == pair[0]) & (spacing["motif_b"] == pair[1])]
    drawn = {}  # distance -> stacked total
    for bar in ax.patches:
        x = round(bar.get_x() + bar.get_width() / 2)
        drawn[x] = drawn.get(x, 0) + bar.get_height()
    expected = chosen.groupby("distance")["count"].sum()
    assert {k: v for k, v in drawn.items() if v} == expected.to_dict()
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("spacing between motifs (bp)", "co-occurring pairs (count)")
    legend = ax.get_legend()
    assert sorted(t.get_text() for t in legend.get_texts()) == sorted(chosen["orientation"].unique())
    ax.figure.canvas.draw()
    assert legend.get_window_extent().x0 >= ax.get_window_extent().x1  # beside the axes, never over the bars


def test_errors_name_the_argument():
    spacing = eu.interpret.motif_spacing(_sites(2))
    with pytest.raises(ValueError, match=r"pair must be a \(motif_a, motif_b\) of spacing; got \('x', 'y'\)"):
        eu.pl.spacing_histogram(spacing, ("x", "y"))
    with pytest.raises(ValueError, match="spacing has no pairs"):
        eu.pl.spacing_histogram(spacing.head(0))
    with pytest.raises(ValueError, match=r"counts must have columns \['motif', 'n_seqlets'\]"):
        eu.pl.motif_counts(spacing)
    with pytest.raises(TypeError, match="counts must be the DataFrame eu.interpret.motif_counts returns"):
        eu.pl.motif_counts([1, 2])
    with pytest.raises(ValueError, match="top must be a positive int or None; got 0"):
        eu.pl.motif_counts(eu.interpret.motif_counts(_sites(3)), top=0)
