"""Filter logo grids and embedding plots: one panel per motif, titles carry the best TOMTOM match."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from eugene.motifs import MotifSet
from eugene.plot import embedding, filter_logos


def _motifs() -> MotifSet:
    counts = np.random.default_rng(0).integers(0, 20, (3, 4, 6)).astype(float)
    return MotifSet.from_counts(counts, alphabet="ACGT", names=[f"filter_{i}" for i in range(3)])


def test_filter_logos_one_panel_per_motif_titled_with_best_match():
    matches = pd.DataFrame(
        {
            "Query_ID": ["filter_0", "filter_0", "filter_2"],
            "Target_ID": ["MA0083.3", "MA0001.1", "MA0002.1"],
            "Target_Name": ["SRF", "X", "Y"],
            "p-value": [1e-6, 1e-3, 1e-2],
            "q-value": [1e-4, 1e-2, 0.2],
        }
    )
    fig = filter_logos(_motifs(), matches, ncols=2)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 3
    assert "SRF (MA0083.3) q=1.0e-04" in titles[0] and "MA0001.1" not in titles[0]
    assert "q=" not in titles[1]
    assert "q=" not in titles[2]  # q = 0.2: not significant, so no label (the report's threshold, MATCH_FDR)
    relaxed = [ax.get_title() for ax in filter_logos(_motifs(), matches, q_threshold=0.25).axes if ax.get_title()]
    assert "Y (MA0002.1) q=2.0e-01" in relaxed[2]
    plt.close("all")


def test_filter_logos_threshold_is_checked_and_defaults_to_the_shared_one():
    import inspect

    from eugene.plot.filters import MATCH_FDR

    assert inspect.signature(filter_logos).parameters["q_threshold"].default == MATCH_FDR == 0.05
    matches = pd.DataFrame({"Query_ID": ["filter_0"], "Target_ID": ["M"], "p-value": [0.1], "q-value": [0.1]})
    with pytest.raises(ValueError, match=r"q_threshold must be a q-value in \[0, 1\]; got 5"):
        filter_logos(_motifs(), matches, q_threshold=5)


def test_filter_logos_rejects_a_table_that_is_not_tomtom():
    with pytest.raises(ValueError, match="matches must be a TOMTOM table"):
        filter_logos(_motifs(), pd.DataFrame({"a": [1]}))


def test_embedding_categories_and_numbers():
    coords = np.random.default_rng(0).normal(size=(40, 3))
    ax = embedding(coords, labels=["a", "b"] * 20, dims=(0, 2))
    assert len(ax.get_legend().get_texts()) == 2
    embedding(coords, labels=np.arange(40.0))
    with pytest.raises(ValueError, match="one value per point"):
        embedding(coords, labels=[1, 2])
    plt.close("all")
