"""one_hot / decode / reverse_complement / to_rna / to_dna against per-letter brute force."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from eugene.seq import DNA, PROTEIN, decode, get_alphabet, one_hot, reverse_complement, to_dna, to_rna

_WC = {"A": "T", "C": "G", "G": "C", "T": "A", "N": "N"}


def _random_strings(rng: np.random.Generator, n: int, length: int, letters: str = "ACGTN") -> list[str]:
    return ["".join(rng.choice(list(letters), size=length)) for _ in range(n)]


def _brute_one_hot(seqs: list[str], letters: str) -> np.ndarray:
    X = np.zeros((len(seqs), len(letters), len(seqs[0])), dtype=np.float32)
    for i, s in enumerate(seqs):
        for j, c in enumerate(s):
            if c.upper() in letters:
                X[i, letters.index(c.upper()), j] = 1
    return X


def test_one_hot_matches_brute_force_and_lowercase() -> None:
    seqs = _random_strings(np.random.default_rng(0), 30, 50)
    X = one_hot(seqs)
    assert X.shape == (30, 4, 50) and X.dtype == np.float32 and X.flags.c_contiguous
    np.testing.assert_array_equal(X, _brute_one_hot(seqs, "ACGT"))
    np.testing.assert_array_equal(one_hot([s.lower() for s in seqs]), X)
    assert one_hot("ACGT").shape == (1, 4, 4)
    assert one_hot([]).shape == (0, 4, 0)


def test_ambiguous_modes() -> None:
    zero = one_hot(["ANRc"])
    np.testing.assert_array_equal(zero[0, :, 1], 0)
    np.testing.assert_array_equal(zero[0, :, 2], 0)
    uniform = one_hot(["ANRc"], on_ambiguous="uniform")
    np.testing.assert_allclose(uniform[0, :, 1], [0.25] * 4)
    np.testing.assert_allclose(uniform[0, :, 2], [0.5, 0, 0.5, 0])  # R = A or G
    np.testing.assert_allclose(uniform.sum(axis=1), 1)
    protein = one_hot(["MX"], alphabet="protein", on_ambiguous="uniform")
    np.testing.assert_allclose(protein[0, :, 1], 1 / 20)
    with pytest.raises(ValueError, match="ambiguity code"):
        one_hot(["ACGN"], on_ambiguous="error")
    with pytest.raises(ValueError, match="on_ambiguous must be"):
        one_hot(["ACGT"], on_ambiguous="drop")


def test_error_names_sequence_position_and_letter() -> None:
    seqs = ["ACGT" * 5] * 4
    seqs[3] = seqs[3][:17] + "X" + seqs[3][18:]
    with pytest.raises(ValueError, match=r"seqs\[3\] has 'X' at position 17.*alphabet DNA"):
        one_hot(seqs, on_ambiguous="error")
    with pytest.raises(ValueError, match=r"seqs\[3\] has 'X' at position 17"):
        one_hot(seqs)  # not an ambiguity code: an error in every mode
    with pytest.raises(ValueError, match=r"seqs\[0\] has 'é' at position 2"):
        one_hot(["ACéT"])
    with pytest.raises(ValueError, match=r"seqs\[1\] has '\*' at position 1"):
        one_hot(["AC", "A*G"], pad="left")  # positions count within the sequence, not the padding


def test_unequal_lengths_and_padding() -> None:
    with pytest.raises(ValueError, match=r"length 3 and seqs\[1\] has length 5.*pad="):
        one_hot(["ACG", "ACGTA"])
    right = one_hot(["ACG", "ACGTA"], pad="right")
    np.testing.assert_array_equal(right[0, :, :3], one_hot("ACG")[0])
    assert not right[0, :, 3:].any()
    left = one_hot(["ACG", "ACGTA"], pad="left", length=6)
    assert left.shape == (2, 4, 6)
    np.testing.assert_array_equal(left[0, :, 3:], one_hot("ACG")[0])
    assert not left[0, :, :3].any()
    center = one_hot(["AC", "ACGTA"], pad="center")
    np.testing.assert_array_equal(center[0, :, 1:3], one_hot("AC")[0])
    assert not center[0, :, [0, 3, 4]].any()
    with pytest.raises(ValueError, match="length=4 is shorter"):
        one_hot(["ACG", "ACGTA"], pad="right", length=4)
    with pytest.raises(ValueError, match="not length=5"):
        one_hot(["ACG"], length=5)
    with pytest.raises(ValueError, match="pad must be"):
        one_hot(["ACG"], pad="both")
    with pytest.raises(ValueError, match="length must be a positive integer"):
        one_hot(["ACG"], length=0)


def test_bad_types() -> None:
    with pytest.raises(TypeError, match=r"seqs\[1\] must be a string"):
        one_hot(["ACG", 5])
    with pytest.raises(TypeError, match="seqs must be a string"):
        one_hot(b"ACGT")
    with pytest.raises(TypeError, match="seqs must be a string"):
        one_hot(torch.zeros(2, 4, 3))
    with pytest.raises(ValueError, match="transpose"):
        decode(np.zeros((2, 7, 4)))


def test_rna_text_for_dna_models_and_back() -> None:
    np.testing.assert_array_equal(one_hot("ACGU"), one_hot("ACGT"))
    np.testing.assert_array_equal(one_hot("ACGT", alphabet="RNA"), one_hot("ACGU", alphabet="RNA"))
    assert decode(one_hot("acgu"), alphabet="RNA") == ["ACGU"]
    assert to_rna("ACGTt") == "ACGUu" and to_dna(["ACGUu"]) == ["ACGTt"]
    assert to_dna(to_rna("GATTACA")) == "GATTACA"


def test_decode_round_trip() -> None:
    rng = np.random.default_rng(1)
    seqs = _random_strings(rng, 20, 40)
    assert decode(one_hot(seqs)) == seqs
    assert decode(torch.from_numpy(one_hot(seqs))) == seqs
    assert decode(one_hot(["ANR"], on_ambiguous="uniform")) == ["ANN"]  # ties decode to N
    proteins = _random_strings(rng, 5, 30, PROTEIN.letters)
    assert decode(one_hot(proteins, "protein"), "protein") == proteins
    assert decode(np.zeros((1, 20, 2)), "protein") == ["XX"]


def test_reverse_complement() -> None:
    seqs = _random_strings(np.random.default_rng(2), 10, 30)
    rc = reverse_complement(seqs)
    assert rc == ["".join(_WC[c] for c in reversed(s)) for s in seqs]
    assert reverse_complement(rc) == seqs
    assert reverse_complement("AcgRn") == "nYcgT"
    assert reverse_complement("ACGU", alphabet="RNA") == "ACGU"
    X = one_hot(seqs)
    np.testing.assert_array_equal(reverse_complement(X), one_hot(rc))
    np.testing.assert_array_equal(reverse_complement(reverse_complement(X)), X)
    T = torch.from_numpy(X)
    assert torch.equal(reverse_complement(T), torch.from_numpy(one_hot(rc)))
    stacked = np.stack([X, X], axis=1)  # (N, n, A, L), e.g. shuffled references
    np.testing.assert_array_equal(reverse_complement(stacked)[:, 1], one_hot(rc))
    custom = get_alphabet("TGCA")  # channels in another order still complement correctly
    assert decode(reverse_complement(one_hot(seqs, custom), custom), custom) == rc
    with pytest.raises(ValueError, match="no complement"):
        reverse_complement(one_hot(["MK"], "protein"), "protein")
    with pytest.raises(ValueError, match="transpose"):
        reverse_complement(X.transpose(0, 2, 1))


def test_alphabets() -> None:
    assert get_alphabet("dna") is DNA and get_alphabet(DNA) is DNA and get_alphabet("ACGT") is DNA
    assert get_alphabet("rna").letters == "ACGU" and get_alphabet("Protein") is PROTEIN
    assert get_alphabet(PROTEIN.letters.lower()) is PROTEIN
    custom = get_alphabet("TGCA")
    assert custom.complement == "ACGT" and custom.complement_indices() == [3, 2, 1, 0]
    other = get_alphabet("XYZ")
    assert other.letters == "XYZ" and other.complement is None
    np.testing.assert_array_equal(one_hot("ZZX", other)[0], [[0, 0, 1], [0, 0, 0], [1, 1, 0]])
    assert len({DNA, get_alphabet("DNA")}) == 1 and len(DNA) == DNA.size == 4
    with pytest.raises(TypeError, match="alphabet must be"):
        get_alphabet(4)
    with pytest.raises(ValueError, match="distinct"):
        get_alphabet("AAC")
    with pytest.raises(ValueError, match="complement must be"):
        type(DNA)("bad", "AC", complement="AG")
