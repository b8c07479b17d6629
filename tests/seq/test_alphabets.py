"""get_alphabet is the one resolver of an ``alphabet`` argument: name, letters, Alphabet, or None with a size."""

from __future__ import annotations

import pytest

from eugene.seq import DNA, PROTEIN, RNA, Alphabet, get_alphabet


def test_none_picks_by_the_number_of_channels() -> None:
    assert get_alphabet(None) is DNA
    assert get_alphabet(None, size=4) is DNA and get_alphabet(None, size=20) is PROTEIN
    with pytest.raises(ValueError, match="alphabet must be given for data with 5 channels"):
        get_alphabet(None, size=5)


def test_size_is_checked_against_the_alphabet() -> None:
    assert get_alphabet("RNA", size=4) is RNA and get_alphabet("protein", size=20) is PROTEIN
    custom = Alphabet("five", "ACGTN")
    assert get_alphabet(custom, size=5) is custom
    with pytest.raises(ValueError) as err:
        get_alphabet("DNA", size=20)
    assert "20 letters" in str(err.value) and "DNA" in str(err.value) and "ACGT" in str(err.value)
    with pytest.raises(ValueError, match="size must be a positive integer"):
        get_alphabet("DNA", size=0)
