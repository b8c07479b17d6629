"""Rules every eugene figure keeps (issue 15): axes say what they show and in which unit, legends sit beside the data,
long attribution tracks get a readable logo of their informative window, known sites are marked."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import eugene as eu
from eugene.motifs import MotifSet


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _sequence(length: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.eye(4)[rng.integers(0, 4, length)].T
    return X, rng.normal(size=(4, length))


def test_every_axis_is_labelled_with_its_unit():
    X, values = _sequence(60, 0)
    motifs = MotifSet.from_counts(np.random.default_rng(1).integers(1, 30, (3, 4, 8)).astype(float))
    for ax in eu.pl.filter_logos(motifs).axes:
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("position (bp)", "bits")
    for ax in (eu.pl.attribution_logo(values * X), eu.pl.attribution_track(values)):
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("position (bp)", "attribution")
    ax = eu.pl.ism_heatmap(values)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("position (bp)", "substituted base")
    assert ax.figure.axes[-1].get_ylabel() == "ISM effect (\u0394 prediction)"  # the colour bar
    table = pd.DataFrame({"position": [0, 5, 10], "importance": [0.1, 0.5, 0.2], "sem": 0.05})
    ax = eu.pl.gia_curve(table)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("motif position (bp)", "importance (\u0394 prediction)")
    variants = pd.DataFrame({"seq": [0], "pos": [3], "ref": ["A"], "alt": ["G"], "diff": [0.5]})
    assert eu.pl.variant_effects(variants).get_xlabel() == "alt - ref (\u0394 prediction)"
    fig = eu.pl.attribution_overview(values * X, width=20)
    assert all(ax.get_xlabel().startswith("position (bp)") and ax.get_ylabel() == "attribution" for ax in fig.axes)


def _overlaps_data(ax: plt.Axes) -> bool:
    """Whether the legend's box holds any drawn data point (line vertices, scatter points), in pixels."""
    ax.figure.canvas.draw()
    box = ax.get_legend().get_window_extent()
    points = [line.get_xydata() for line in ax.lines] + [c.get_offsets() for c in ax.collections]
    pixels = np.concatenate([ax.transData.transform(np.asarray(p, dtype=float)) for p in points if len(p)])
    inside = (pixels[:, 0] >= box.x0) & (pixels[:, 0] <= box.x1) & (pixels[:, 1] >= box.y0) & (pixels[:, 1] <= box.y1)
    return bool(inside.any())


def test_legends_never_cover_data():
    # curves filling the whole axes, where any legend inside would cover one
    positions = np.arange(0, 200, 5)
    table = pd.concat(
        [
            pd.DataFrame({"position": positions, "importance": np.sin(positions / 30 + k) + k, "motif": f"m{k}"})
            for k in range(4)
        ]
    )
    ax = eu.pl.gia_curve(table, hue="motif", error=None)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["m0", "m1", "m2", "m3"]
    assert not _overlaps_data(ax)
    grid = np.stack(np.meshgrid(np.linspace(0, 1, 30), np.linspace(0, 1, 30)), -1).reshape(-1, 2)  # points everywhere
    ax = eu.pl.embedding(grid, labels=np.repeat(["a", "b", "c"], 300))
    assert not _overlaps_data(ax)


def test_informative_window_is_the_window_with_the_most_attribution():
    rng = np.random.default_rng(3)
    for length, width in ((50, 10), (200, 40), (30, 30), (12, 40)):
        values = rng.normal(size=(4, length)) * rng.random(length) ** 4
        start, end = eu.pl.informative_window(values, width)
        shown = min(width, length)
        totals = [np.abs(values[:, i : i + shown]).sum() for i in range(length - shown + 1)]
        assert end - start == shown and 0 <= start and end <= length
        assert np.abs(values[:, start:end]).sum() == pytest.approx(max(totals))
    peak = np.zeros((4, 100))
    peak[1, 60:64] = 1.0
    assert eu.pl.informative_window(peak, 10) == (57, 67)  # a peak narrower than the window sits in its middle


def test_attribution_overview_zooms_the_logo_and_keeps_the_whole_track():
    X, values = _sequence(200, 4)
    values[:, 120:135] *= 30
    fig = eu.pl.attribution_overview(
        values * X, width=30, sites=pd.DataFrame({"start": [121], "end": [133], "name": ["SRF"]})
    )
    track, zoom = fig.axes
    assert track.get_xlim() == pytest.approx((-0.5, 199.5))
    low, high = zoom.get_xlim()
    assert high - low == pytest.approx(30) and low <= 119.5 and high >= 134.5  # the whole strong stretch
    assert "SRF" in [t.get_text() for t in track.texts]  # the planted site, labelled above the track


def test_sites_are_marked_on_tracks_and_heatmaps_and_checked():
    X, values = _sequence(80, 5)
    ax = eu.pl.attribution_track(values, sites=[(10, 20, "SRF"), (40, 46)])
    spans = [p.get_x() for p in ax.patches if p.get_width() == pytest.approx(10) or p.get_width() == pytest.approx(6)]
    assert sorted(spans)[:2] == pytest.approx([9.5, 39.5])
    assert [t.get_text() for t in ax.texts] == ["SRF"]
    ax = eu.pl.ism_heatmap(values, sites=[(10, 20, "SRF")])
    assert [t.get_text() for t in ax.texts] == ["SRF"]
    with pytest.raises(ValueError, match=r"sites must be \(start, end\) or \(start, end, label\) tuples; got \(1,\)"):
        eu.pl.attribution_track(values, sites=[(1,)])
    with pytest.raises(ValueError, match="sites must have columns 'start' and 'end'"):
        eu.pl.ism_heatmap(values, sites=pd.DataFrame({"begin": [1]}))
