"""eu.motifs.scan against a brute-force loop over every sequence, strand and start."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import eugene as eu
from eugene.motifs import Motif, scan, to_pwm
from eugene.seq import decode, one_hot, reverse_complement

_COMPLEMENT = str.maketrans("ACGT", "TGCA")


def _random_dna(rng: np.random.Generator, n: int, length: int) -> list[str]:
    return ["".join(rng.choice(list("ACGT"), length)) for _ in range(n)]


def _brute_pwm(seqs: list[str], ppm: np.ndarray, threshold: float) -> list[tuple]:
    """Every window on both strands, scored letter by letter from the PWM: (seq, start, strand, relative score)."""
    pwm = to_pwm(ppm)
    low, high = pwm.min(axis=0).sum(), pwm.max(axis=0).sum()
    width = ppm.shape[1]
    sites = []
    for n, s in enumerate(seqs):
        for start in range(len(s) - width + 1):
            window = s[start : start + width]
            for strand, text in (("+", window), ("-", window.translate(_COMPLEMENT)[::-1])):
                score = sum(pwm["ACGT".index(c), j] for j, c in enumerate(text))
                if score >= low + threshold * (high - low) - 1e-9:
                    sites.append((n, start, strand, (score - low) / (high - low)))
    return sorted(sites, key=lambda site: (site[0], site[1], site[2] == "-"))


def _brute_string(seqs: list[str], motif: str) -> list[tuple]:
    rc = motif.translate(_COMPLEMENT)[::-1]
    sites = []
    for n, s in enumerate(seqs):
        for start in range(len(s) - len(motif) + 1):
            if s[start : start + len(motif)] == motif:
                sites.append((n, start, "+"))
            if rc != motif and s[start : start + len(motif)] == rc:
                sites.append((n, start, "-"))
    return sorted(sites, key=lambda site: (site[0], site[1], site[2] == "-"))


@pytest.mark.parametrize("threshold", [0.0, 0.6, 0.85, 1.0])
def test_pwm_sites_match_brute_force(threshold: float) -> None:
    rng = np.random.default_rng(0)
    ppm = rng.dirichlet(np.full(4, 0.3), size=6).T  # peaked columns, (4, 6)
    seqs = _random_dna(rng, 12, 40)
    X = one_hot(seqs)
    best = "".join("ACGT"[i] for i in ppm.argmax(axis=0))
    X[3, :, 10:16] = one_hot(best)[0]  # one window reaches the top score exactly
    seqs[3] = decode(X[3:4])[0]
    table = scan(X, ppm, threshold)
    expected = _brute_pwm(seqs, ppm, threshold)
    assert list(zip(table["seq"], table["start"], table["strand"])) == [site[:3] for site in expected]
    np.testing.assert_allclose(table["score"], [site[3] for site in expected], atol=1e-12)
    assert (table["end"] - table["start"] == 6).all()
    assert (3, 10, "+") in set(zip(table["seq"], table["start"], table["strand"]))


def test_string_sites_match_brute_force_and_palindromes_are_listed_once() -> None:
    rng = np.random.default_rng(1)
    seqs = _random_dna(rng, 30, 60)
    for motif in ("TGAC", "ACGT", "GATC", "AATT", "TTAGGC"):  # ACGT, GATC and AATT are their own reverse complement
        table = scan(one_hot(seqs), motif)
        assert list(zip(table["seq"], table["start"], table["strand"])) == _brute_string(seqs, motif), motif
        assert (table["score"] == 1.0).all()


def test_kinds_dtypes_strands_and_motif_objects() -> None:
    X = one_hot(["AATGACTCAAA", "TGAGTCATTTT"])  # the second holds the reverse complement
    table = scan(torch.from_numpy(X), "TGACTCA")
    assert table[["seq", "start", "strand"]].values.tolist() == [[0, 2, "+"], [1, 0, "-"]]
    plus = scan(X, "TGACTC", reverse_complement=False)
    assert plus[["seq", "start", "strand"]].values.tolist() == [[0, 2, "+"]]
    assert scan(X, "GAGTCA")[["seq", "start", "strand"]].values.tolist() == [[0, 2, "-"], [1, 1, "+"]]
    ppm = one_hot("TGACTCA")[0].astype(np.float64)
    motif = Motif("ap1", ppm)
    for given in (ppm, motif, torch.from_numpy(ppm)):
        assert (
            scan(X, given, 1.0)[["seq", "start", "strand"]].values.tolist()
            == table[["seq", "start", "strand"]].values.tolist()
        )
    empty = scan(X[:, :, :8], "CCCCCCC")
    assert len(empty) == 0 and list(empty.columns) == ["seq", "start", "end", "strand", "score"]
    assert empty.dtypes["seq"] == np.int64 and empty.dtypes["score"] == np.float64
    assert len(scan(X[:0], "TGA")) == 0
    # a minus-strand site [start, end) is a plus-strand site [L - end, L - start) of the reverse complement
    rng = np.random.default_rng(2)
    Y = one_hot(_random_dna(rng, 20, 50))
    both, flipped = scan(Y, "GAC"), scan(reverse_complement(Y), "GAC", reverse_complement=False)
    minus = both[both["strand"] == "-"]
    assert sorted(zip(minus["seq"], 50 - minus["end"])) == sorted(zip(flipped["seq"], flipped["start"]))


def test_rna_and_protein_alphabets() -> None:
    rna = one_hot(["AAUGACUCAA"], "RNA")
    assert scan(rna, "UGACUCA", alphabet="RNA")[["start", "strand"]].values.tolist() == [[2, "+"]]
    assert scan(rna, "UGAGUCA", alphabet="RNA")[["start", "strand"]].values.tolist() == [[2, "-"]]
    motif = Motif("m", one_hot("UGAC", "RNA")[0], alphabet="ACGU")
    assert scan(rna, motif, 1.0)["start"].tolist() == [2]  # UGAC is not its own reverse complement (GUCA)
    protein = one_hot(["MKVLAWWA"], "protein")
    assert scan(protein, "VLAW", reverse_complement=False)["start"].tolist() == [2]
    with pytest.raises(ValueError, match="no complement"):
        scan(protein, "VLAW")


@pytest.mark.parametrize(
    ("kwargs", "error", "parts"),
    [
        ({"motif": "TGACTCAAAAAAA"}, ValueError, ["width 13", "longer than", "length 11"]),
        ({"motif": np.full((4, 3), np.nan)}, ValueError, ["finite"]),
        ({"motif": -np.ones((4, 3))}, ValueError, ["non-negative"]),
        ({"motif": np.zeros((4, 3))}, ValueError, ["sum to 0"]),
        ({"motif": np.ones((5, 3))}, ValueError, ["A=4"]),
        ({"motif": "TGNC"}, ValueError, ["'N'", "ambiguity"]),
        ({"motif": ""}, ValueError, ["non-empty"]),
        ({"motif": 3}, ValueError, ["motif", "int"]),
        ({"motif": "TGA", "threshold": 1.5}, ValueError, ["threshold", "[0, 1]", "1.5"]),
        ({"motif": "TGA", "threshold": float("nan")}, ValueError, ["threshold", "nan"]),
        ({"motif": "TGA", "alphabet": "protein"}, ValueError, ["alphabet", "4 letters", "protein"]),
        ({"motif": "TGA", "reverse_complement": "yes"}, TypeError, ["reverse_complement"]),
    ],
)
def test_bad_arguments_name_themselves(kwargs, error, parts) -> None:
    X = one_hot(["AATGACTCAAA"])
    with pytest.raises(error) as err:
        scan(X, **kwargs)
    for part in parts:
        assert part in str(err.value)


def test_public_name() -> None:
    assert eu.motifs.scan is scan and "scan" in eu.motifs.__all__


def test_sequences_along_the_last_axis_are_refused_with_the_transpose() -> None:
    """(N, L, A) one-hot: scan said 'alphabet must have 40 letters' and profile_backgrounds drew 40-letter sequences;
    both now say to transpose (the check every entry that takes one-hot shares, eugene._validate.check_onehot)."""
    rng = np.random.default_rng(3)
    X = one_hot(_random_dna(rng, 3, 40))
    for call in (lambda Y: scan(Y, "ACG"), lambda Y: eu.interpret.profile_backgrounds(Y, 2)):
        for Y in (X.transpose(0, 2, 1), torch.from_numpy(X).transpose(1, 2)):
            with pytest.raises(
                ValueError, match=r"got \(3, 40, 4\), one-hot along its last axis; did you mean X\.transpose"
            ):
                call(Y)
    with pytest.warns(UserWarning, match="not one-hot"):  # not one-hot along either axis: computed, with a warning
        assert (scan(np.ones((1, 4, 6)), "ACG")["score"] == 1.0).all()  # every letter present matches anything
