"""The logo primitive draws one letter per (letter, position) with the asked-for heights."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from eugene.plot import logo


def test_logo_draws_heights_and_returns_axes():
    heights = np.array([[1.0, 0.0, -0.5], [0.0, 2.0, 0.0], [0.0, 0.0, 0.0], [0.5, 0.0, 1.5]])
    _, ax = plt.subplots()
    assert logo(heights, "DNA", ax=ax, title="x") is ax
    low, high = ax.get_ylim()
    assert low <= -0.5 and high >= 2.0
    plt.close("all")


def test_logo_other_alphabets_and_bad_shape():
    logo(np.random.default_rng(0).random((20, 6)), "ACDEFGHIKLMNPQRSTVWY")
    with pytest.raises(ValueError, match=r"values must have shape \(A, W\) with A=4"):
        logo(np.zeros((6, 4)), "DNA")
    plt.close("all")
