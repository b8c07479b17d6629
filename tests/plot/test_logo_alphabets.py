"""logo resolves its alphabet like every other eugene function (eu.seq.get_alphabet)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from eugene.plot import logo
from eugene.seq import PROTEIN, RNA


def test_protein_by_name_and_alphabets_by_object() -> None:
    heights = np.random.default_rng(0).random((20, 5))
    ax = logo(heights, "protein")  # was read as the 7 letters p, r, o, t, e, i, n: a shape error
    assert ax.get_xlim()[1] > 4
    logo(heights, PROTEIN)
    logo(np.eye(4)[:, [0, 1, 2, 3]], RNA)
    logo(np.eye(4)[:, [0, 1, 2, 3]], "acgt")  # letters in any case
    plt.close("all")


def test_bad_alphabets_name_the_argument() -> None:
    with pytest.raises(ValueError, match="distinct letters"):
        logo(np.zeros((3, 2)), "AAC")
    with pytest.raises(TypeError, match="alphabet"):
        logo(np.zeros((4, 2)), 4)
    plt.close("all")
