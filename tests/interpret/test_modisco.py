"""eu.interpret.modisco: the same patterns as modisco-lite's command line `modisco motifs` on the same arrays; the
extra named when missing; input checks."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import eugene as eu

MOTIF = "GATAAGGC"


def _planted(n: int = 200, length: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """One-hot DNA with MOTIF planted twice per sequence (20 positions apart on a grid), and hypothetical scores:
    noise, plus 1 on the motif's letters where it is planted."""
    rng = np.random.default_rng(seed)
    letters = rng.integers(0, 4, size=(n, length))
    hyp = rng.normal(scale=0.1, size=(n, 4, length))
    for i in range(n):
        for at in rng.choice(np.arange(5, length - 15, 20), size=2, replace=False):
            for j, letter in enumerate(MOTIF):
                letters[i, at + j] = "ACGT".index(letter)
                hyp[i, "ACGT".index(letter), at + j] += 1.0
    X = np.eye(4, dtype=np.float32)[letters].transpose(0, 2, 1)
    return X, hyp.astype(np.float32)


def test_same_patterns_as_the_command_line(tmp_path):
    pytest.importorskip("modiscolite")
    X, hyp = _planted()
    np.savez(tmp_path / "X.npz", X)
    np.savez(tmp_path / "hyp.npz", hyp)
    command = [sys.executable, "-c", "from modiscolite.cli import cli; cli()", "motifs"]
    subprocess.run(
        [*command, "-s", "X.npz", "-a", "hyp.npz", "-n", "2000", "-w", str(X.shape[2]), "-o", "cli.h5"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    theirs = eu.motifs.read_modisco(tmp_path / "cli.h5")
    # the command line's options (modisco motifs' defaults differ from TFMoDISco's)
    ours = eu.interpret.modisco(
        X,
        hyp,
        max_seqlets_per_metacluster=2000,
        sliding_window_size=20,
        flank_size=5,
        target_seqlet_fdr=0.05,
        n_leiden_runs=2,
    )
    assert len(theirs) > 0 and ours.names == theirs.names
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.probs, q.probs, rtol=1e-6)
        np.testing.assert_allclose(p.cwm, q.cwm, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(p.hypothetical_cwm, q.hypothetical_cwm, rtol=1e-5, atol=1e-7)
        pd.testing.assert_frame_equal(p.seqlets, q.seqlets)
    best = max(ours, key=lambda p: len(p.seqlets))
    assert MOTIF in "".join("ACGT"[i] for i in best.probs.argmax(0)) or MOTIF in "".join(
        "ACGT"[i] for i in best.reverse_complement().probs.argmax(0)
    )


def test_missing_extra_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "modiscolite.tfmodisco", None)
    X, hyp = _planted(n=2, length=60)
    with pytest.raises(
        ImportError, match=r"eu.interpret.modisco needs modisco-lite: pip install 'eugene-interpret\[modisco\]'"
    ):
        eu.interpret.modisco(X, hyp)


def test_input_checks():
    pytest.importorskip("modiscolite")
    X, hyp = _planted(n=2, length=60)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 4, L\).*did you mean .transpose\(0, 2, 1\)"):
        eu.interpret.modisco(X.transpose(0, 2, 1), hyp)
    with pytest.raises(ValueError, match=r"hypothetical must have the shape of X, \(2, 4, 60\); got \(2, 4, 59\)"):
        eu.interpret.modisco(X, hyp[:, :, :59])
    with pytest.raises(TypeError, match="hypothetical must be a numpy array or torch tensor; got list"):
        eu.interpret.modisco(X, [1.0])


def test_single_stranded_turns_each_pattern_to_the_strand_its_seqlets_are_read_on():
    pytest.importorskip("modiscolite")
    X, hyp = _planted(n=150, seed=1)
    options = {"sliding_window_size": 20, "flank_size": 5, "n_leiden_runs": 2}
    given = eu.interpret.modisco(X, hyp, **options)
    turned = eu.interpret.modisco(X, hyp, single_stranded=True, **options)
    assert len(given) > 0 and turned.names == given.names
    for p, q in zip(given, turned):
        flipped = (p.seqlets["strand"] == "-").mean() > 0.5
        expected = p.reverse_complement() if flipped else p
        np.testing.assert_array_equal(q.cwm, expected.cwm)
        pd.testing.assert_frame_equal(q.seqlets, expected.seqlets)
        assert (q.seqlets["strand"] == "+").mean() >= 0.5
    best = max(turned, key=lambda p: len(p.seqlets))  # the motif is planted on the given strand only
    assert MOTIF in "".join("ACGT"[i] for i in best.probs.argmax(0))
    with pytest.raises(TypeError, match="single_stranded must be True or False; got"):
        eu.interpret.modisco(X, hyp, single_stranded="yes")
