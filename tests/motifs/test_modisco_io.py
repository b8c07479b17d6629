"""eu.motifs.read_modisco / write_modisco: modisco-lite's own h5 (written by its save_hdf5) read back field by field,
and our file the same datasets as theirs, so `modisco report` reads it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import eugene as eu

h5py = pytest.importorskip("h5py")
core = pytest.importorskip("modiscolite.core")
lite_io = pytest.importorskip("modiscolite.io")


@pytest.fixture(scope="module")
def lite_file(tmp_path_factory):
    """A results file written by modisco-lite's save_hdf5 from its own seqlet sets (two signs, a reverse strand)."""
    rng = np.random.default_rng(0)
    one_hot = np.eye(4, dtype=np.float32)[rng.integers(0, 4, size=(6, 50))]
    hyp = rng.normal(size=one_hot.shape).astype(np.float32)
    tracks = core.TrackSet(one_hot=one_hot, contrib_scores=one_hot * hyp, hypothetical_contribs=hyp)
    coords = [core.Seqlet(example_idx=i, start=3 + i, end=13 + i, is_revcomp=bool(i % 2)) for i in range(6)]
    seqlets = tracks.create_seqlets(coords)
    positive, negative = core.SeqletSet(seqlets), core.SeqletSet(seqlets[:3])
    path = tmp_path_factory.mktemp("modisco") / "lite.h5"
    lite_io.save_hdf5(str(path), [positive], [negative], 50)
    return path, positive, negative


def _datasets(group, prefix=""):
    out = {}
    for key, value in group.items():
        if hasattr(value, "keys"):
            out.update(_datasets(value, f"{prefix}{key}/"))
        else:
            out[prefix + key] = value[()]
    return out


def test_read_modisco_lite_file(lite_file):
    path, positive, negative = lite_file
    patterns = eu.motifs.read_modisco(path)
    assert patterns.names == ["pos_patterns.pattern_0", "neg_patterns.pattern_0"]
    assert patterns.window_size == 50
    for pattern, theirs, sign in zip(patterns, (positive, negative), "+-"):
        assert isinstance(pattern, eu.motifs.ModiscoPattern) and pattern.sign == sign
        np.testing.assert_allclose(pattern.probs, theirs.sequence.T / theirs.sequence.T.sum(0))
        np.testing.assert_allclose(pattern.cwm, theirs.contrib_scores.T)
        np.testing.assert_allclose(pattern.hypothetical_cwm, theirs.hypothetical_contribs.T)
        expected = pd.DataFrame(
            {
                "example_idx": [s.example_idx for s in theirs.seqlets],
                "start": [s.start for s in theirs.seqlets],
                "end": [s.end for s in theirs.seqlets],
                "strand": ["-" if s.is_revcomp else "+" for s in theirs.seqlets],
            }
        )
        pd.testing.assert_frame_equal(pattern.seqlets, expected)
        assert pattern.nsites == len(theirs.seqlets)
        np.testing.assert_array_equal(
            pattern.seqlet_arrays["contrib_scores"],
            np.array([s.contrib_scores for s in theirs.seqlets]).transpose(0, 2, 1),
        )


def test_write_modisco_gives_modisco_lites_datasets(lite_file, tmp_path):
    path = lite_file[0]
    ours = tmp_path / "ours.h5"
    eu.motifs.write_modisco(eu.motifs.read_modisco(path), ours, window_size=50)
    with h5py.File(path, "r") as a, h5py.File(ours, "r") as b:
        theirs, mine = _datasets(a), _datasets(b)
        assert b.attrs["window_size"] == a.attrs["window_size"]
    assert sorted(mine) == sorted(theirs)
    for key, value in theirs.items():
        np.testing.assert_allclose(mine[key], value, err_msg=key)
    again = eu.motifs.read_modisco(ours)
    for p, q in zip(again, eu.motifs.read_modisco(path)):
        assert p == q
        pd.testing.assert_frame_equal(p.seqlets, q.seqlets)


def test_write_modisco_refuses_plain_motifs(tmp_path):
    motif = eu.motifs.Motif("m", np.full((4, 3), 0.25))
    with pytest.raises(TypeError, match=r"patterns\[0\] must be a ModiscoPattern \(CWM and seqlets\); got Motif"):
        eu.motifs.write_modisco([motif], tmp_path / "x.h5")


def test_reverse_complement_is_modisco_lites_reverse_strand(lite_file, tmp_path):
    """Our reverse complement of a pattern = modisco-lite's pattern of its seqlets' own revcomp(), field by field."""
    path, positive, _ = lite_file
    flipped = core.SeqletSet([seqlet.revcomp() for seqlet in positive.seqlets])
    theirs_path = tmp_path / "flipped.h5"
    lite_io.save_hdf5(str(theirs_path), [flipped], [], 50)
    theirs = eu.motifs.read_modisco(theirs_path)[0]
    pattern = eu.motifs.read_modisco(path)[0]
    ours = pattern.reverse_complement()
    assert isinstance(ours, eu.motifs.ModiscoPattern) and ours.sign == pattern.sign and ours.name == pattern.name
    np.testing.assert_allclose(ours.probs, theirs.probs, atol=1e-12)
    np.testing.assert_allclose(ours.cwm, theirs.cwm, atol=1e-6)
    np.testing.assert_allclose(ours.hypothetical_cwm, theirs.hypothetical_cwm, atol=1e-6)
    pd.testing.assert_frame_equal(ours.seqlets, theirs.seqlets)
    for key, values in theirs.seqlet_arrays.items():
        np.testing.assert_allclose(ours.seqlet_arrays[key], values, atol=1e-6, err_msg=key)


def test_reverse_complement_twice_is_the_pattern_and_trims_to_the_same_sites(lite_file):
    pattern = eu.motifs.read_modisco(lite_file[0])[0]
    sub = eu.motifs.ModiscoPattern(
        "sub", pattern.probs, pattern.cwm, pattern.hypothetical_cwm, pattern.seqlets.head(2), sign="+"
    )
    pattern.subpatterns = [sub]
    rc = pattern.reverse_complement()
    np.testing.assert_allclose(rc.subpatterns[0].cwm, sub.cwm[::-1, ::-1])  # ACGT: complement = rows reversed
    back = rc.reverse_complement()
    assert back == pattern
    for name in ("cwm", "hypothetical_cwm"):
        np.testing.assert_array_equal(getattr(back, name), getattr(pattern, name))
    pd.testing.assert_frame_equal(back.seqlets, pattern.seqlets)
    for key, values in pattern.seqlet_arrays.items():
        np.testing.assert_array_equal(back.seqlet_arrays[key], values)
    # the other strand's trim keeps the mirrored columns, which are the same bases of every sequence
    start, stop = eu.motifs.trim_window(pattern, 0.5)
    assert eu.motifs.trim_window(rc, 0.5) == (pattern.width - stop, pattern.width - start)
    pd.testing.assert_frame_equal(
        eu.motifs.trim(rc, 0.5).seqlets[["example_idx", "start", "end"]],
        eu.motifs.trim(pattern, 0.5).seqlets[["example_idx", "start", "end"]],
    )


def test_a_file_that_is_not_hdf5_is_named(tmp_path):
    """h5py said 'Unable to synchronously open file (file signature not found)', naming no file."""
    for name, content in (("text.h5", b"not hdf5\n"), ("empty.h5", b""), ("binary.h5", bytes(range(256)) * 4)):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ValueError, match=rf"{name} is not an HDF5 file \(modisco-lite's results h5\)"):
            eu.motifs.read_modisco(path)
    with pytest.raises(FileNotFoundError, match=r"none\.h5' does not exist"):
        eu.motifs.read_modisco(tmp_path / "none.h5")
    with pytest.raises(TypeError, match="path must be a str or os.PathLike"):
        eu.motifs.read_modisco(None)
