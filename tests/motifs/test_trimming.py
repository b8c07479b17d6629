"""eu.motifs.trim: the CWM rule against a brute-force reading of it and against modisco-lite's own trims (its report's
TOMTOM query and logos, its Seqlet.trim), the IC rule, and the arguments' errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import eugene as eu
from eugene.motifs import ModiscoPattern, Motif, MotifSet, trim


def _pattern(rng: np.random.Generator, width: int, name: str = "p", n_seqlets: int = 3) -> ModiscoPattern:
    """A pattern whose CWM has a strong core inside weak, signed flanks."""
    cwm = rng.normal(scale=0.05, size=(4, width))
    core = rng.integers(2, width - 6)
    cwm[:, core : core + 5] += rng.normal(scale=1.0, size=(4, 5))
    probs = rng.dirichlet(np.ones(4), size=width).T
    table = pd.DataFrame(
        {
            "example_idx": np.arange(n_seqlets),
            "start": rng.integers(0, 20, n_seqlets),
            "end": 0,
            "strand": ["+", "-", "+"][:n_seqlets],
        }
    )
    table["end"] = table["start"] + width
    return ModiscoPattern(name, probs, cwm, rng.normal(size=(4, width)), table)


def _brute_bounds(cwm: np.ndarray, fraction: float, flank: int) -> tuple[int, int]:
    """The rule as words: positions whose summed |contribution| reaches fraction x the largest; first to last; flank."""
    totals = [sum(abs(cwm[a, j]) for a in range(cwm.shape[0])) for j in range(cwm.shape[1])]
    cutoff = fraction * max(totals)
    passing = [j for j, total in enumerate(totals) if total >= cutoff]
    return max(passing[0] - flank, 0), min(passing[-1] + 1 + flank, cwm.shape[1])


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.3, 0.7, 1.0])
@pytest.mark.parametrize("flank", [0, 2, 4])
def test_cwm_rule_matches_brute_force(fraction, flank):
    rng = np.random.default_rng(int(fraction * 10) + 100 * flank)
    for width in (12, 20, 31):
        pattern = _pattern(rng, width)
        start, stop = _brute_bounds(pattern.cwm, fraction, flank)
        out = trim(pattern, fraction, by="cwm", flank=flank)
        assert isinstance(out, ModiscoPattern) and out.name == pattern.name and out.sign == pattern.sign
        np.testing.assert_array_equal(out.cwm, pattern.cwm[:, start:stop])
        np.testing.assert_array_equal(out.hypothetical_cwm, pattern.hypothetical_cwm[:, start:stop])
        np.testing.assert_allclose(out.probs, pattern.probs[:, start:stop])


def test_pattern_default_is_modisco_rule_and_sets_keep_their_order():
    rng = np.random.default_rng(1)
    patterns = MotifSet([_pattern(rng, 25, f"pos_patterns.pattern_{i}") for i in range(3)], name="run")
    patterns.window_size = 400
    out = trim(patterns)
    assert isinstance(out, MotifSet) and out.names == patterns.names and out.window_size == 400
    for before, after in zip(patterns, out, strict=True):
        start, stop = _brute_bounds(before.cwm, 0.3, 0)
        np.testing.assert_array_equal(after.cwm, before.cwm[:, start:stop])


def _lite_patterns(tmp_path, rng):
    """Patterns written by modisco-lite's own save_hdf5 (so its report reads the file) and read back as ours."""
    core = pytest.importorskip("modiscolite.core")
    lite_io = pytest.importorskip("modiscolite.io")
    one_hot = np.eye(4, dtype=np.float32)[rng.integers(0, 4, size=(8, 60))]
    hyp = rng.normal(scale=0.05, size=one_hot.shape).astype(np.float32)
    hyp[:, 20:26] += rng.normal(scale=2.0, size=(1, 6, 4)).astype(np.float32)  # a core shared by every seqlet
    tracks = core.TrackSet(one_hot=one_hot, contrib_scores=one_hot * hyp, hypothetical_contribs=hyp)
    coords = [core.Seqlet(example_idx=i, start=12 + i % 3, end=36 + i % 3, is_revcomp=bool(i % 2)) for i in range(8)]
    lite_set = core.SeqletSet(tracks.create_seqlets(coords))
    path = tmp_path / "lite.h5"
    lite_io.save_hdf5(str(path), [lite_set], [], 60)
    return path, lite_set, one_hot


def test_same_trim_as_modisco_lite_report(tmp_path, monkeypatch):
    report = pytest.importorskip("modiscolite.report")
    path, _, _ = _lite_patterns(tmp_path, np.random.default_rng(2))
    pattern = eu.motifs.read_modisco(path)[0]

    # the logos of `modisco report`: trimmed CWMs with 4 positions of flank
    drawn = []
    monkeypatch.setattr(report, "_plot_weights", lambda array, path, **kwargs: drawn.append(np.array(array)))
    report.create_modisco_logos(str(path), str(tmp_path), 0.3, ["pos_patterns"])
    np.testing.assert_allclose(drawn[0], trim(pattern, by="cwm", flank=4).cwm.T)

    # the TOMTOM query of `modisco report` (tomtom-lite): the trimmed letter frequencies, no flank
    queries = []

    def capture(ppms, *args, **kwargs):
        queries.extend(ppms)
        raise StopIteration  # enough seen: the trimmed query

    monkeypatch.setattr(report, "tomtom", capture)
    database = tmp_path / "db.meme"
    eu.motifs.write_meme(MotifSet([Motif("t", np.full((4, 6), 0.25))]), database)
    with pytest.raises(StopIteration):
        report.tomtomlite_dataframe(str(path), str(database), ["pos_patterns"], top_n_matches=1, trim_threshold=0.3)
    np.testing.assert_allclose(queries[0], trim(pattern).probs)


@pytest.mark.parametrize("flank", [0, 3])
def test_trimmed_seqlets_are_modisco_lite_trims_and_point_at_their_sequence(tmp_path, flank):
    path, lite_set, one_hot = _lite_patterns(tmp_path, np.random.default_rng(3))
    pattern = eu.motifs.read_modisco(path)[0]
    out = trim(pattern, by="cwm", flank=flank)
    start, stop = _brute_bounds(pattern.cwm, 0.3, flank)
    theirs = [seqlet.trim(start, stop) for seqlet in lite_set.seqlets]
    assert out.seqlets["start"].tolist() == [s.start for s in theirs]
    assert out.seqlets["end"].tolist() == [s.end for s in theirs]
    for key in ("sequence", "contrib_scores", "hypothetical_contribs"):
        np.testing.assert_allclose(out.seqlet_arrays[key], np.stack([getattr(s, key).T for s in theirs]))
    # and each trimmed seqlet's letters are those of its sequence at its new coordinates (reverse complement on -)
    for row, letters in zip(out.seqlets.itertuples(), out.seqlet_arrays["sequence"], strict=True):
        window = one_hot[row.example_idx, row.start : row.end].T  # (4, W), plus strand
        np.testing.assert_array_equal(letters, window[::-1, ::-1] if row.strand == "-" else window)


def test_ic_rule_is_the_default_for_plain_motifs():
    rng = np.random.default_rng(4)
    probs = np.full((4, 9), 0.25)
    probs[:, 3:6] = rng.dirichlet(np.full(4, 0.1), size=3).T
    motif = Motif("m", probs, alt_name="alt", nsites=12)
    ic = eu.motifs.information_content(motif)
    keep = np.flatnonzero(ic >= 0.25)
    out = trim(motif)
    np.testing.assert_allclose(out.probs, probs[:, keep[0] : keep[-1] + 1])
    assert (out.alt_name, out.nsites) == ("alt", 12.0)
    assert trim(motif, flank=2).width == min(keep[-1] + 3, 9) - max(keep[0] - 2, 0)
    assert trim(Motif("flat", np.full((4, 7), 0.25)), min_width=3).width == 3


def test_errors_name_the_argument():
    rng = np.random.default_rng(5)
    with pytest.raises(ValueError, match="by='cwm' needs a motif with a contribution weight matrix.*use by='ic'"):
        trim(Motif("m", np.full((4, 5), 0.25)), by="cwm")
    with pytest.raises(ValueError, match=r"by must be one of \('ic', 'cwm'\) or None; got 'pwm'"):
        trim(_pattern(rng, 15), by="pwm")
    with pytest.raises(ValueError, match=r"threshold must be a fraction in \[0, 1\] \(of the largest total"):
        trim(_pattern(rng, 15), 30)
    with pytest.raises(ValueError, match="flank must be a non-negative integer"):
        trim(_pattern(rng, 15), flank=-1)
    with pytest.raises(TypeError, match="motif must be a Motif, a ModiscoPattern or a MotifSet; got"):
        trim(np.ones((4, 5)))


@pytest.mark.parametrize("threshold", [float("nan"), float("inf"), -1.0])
def test_information_threshold_must_be_finite_bits(threshold):
    """threshold=nan kept a single column and -1 kept everything, both without a word."""
    motif = Motif("m", np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.7], [0.25] * 4]).T)
    with pytest.raises(ValueError, match="threshold must be a finite number of bits >= 0"):
        trim(motif, threshold)
    assert trim(motif, 0.0).width == 3  # 0 bits: every position passes
