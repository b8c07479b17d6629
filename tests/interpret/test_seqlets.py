"""eu.interpret.seqlets: the recursive rule against a brute-force reading of its definition and against tangermeme;
TF-MoDISco's windows against modisco-lite and tangermeme; projection, controls (FDR) and argument checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import eugene as eu

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # tangermeme on numpy 2
KEY = ["example_idx", "start"]


def _planted(seed: int, n: int = 40, length: int = 200, scale: float = 1.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    scores = rng.normal(size=(n, length)) * scale
    for i in range(n):  # one positive and, in every other example, one negative motif at random places
        at = rng.integers(0, length - 12)
        scores[i, at : at + 8] += 2.5 * scale
        if i % 2:
            at = rng.integers(0, length - 12)
            scores[i, at : at + 6] -= 2.0 * scale
    return scores


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    return table.sort_values(KEY).reset_index(drop=True)


def _brute_recursive(X, threshold, min_len, max_len, n_bins):
    """The recursive rule read straight from its definition, by enumeration (tiny inputs only)."""
    xmin, xmax = X.min(), X.max()
    bins = np.clip(np.floor((X - xmin) / ((xmax - xmin) / (n_bins - 1))).astype(int), 0, n_bins - 1)
    pmf = {1: np.bincount(bins.ravel(), minlength=n_bins) / X.size}
    for length in range(2, max_len + 1):
        pmf[length] = np.convolve(pmf[length - 1], pmf[1])
    rows = []
    for i, b in enumerate(bins):
        own = {
            (k, n): pmf[n][b[k : k + n].sum() :].sum()
            for n in range(min_len, max_len + 1)
            for k in range(len(b) - n + 1)
        }

        def passes(k, n, own=own):
            return all(own[(k2, n2)] < threshold for n2 in range(min_len, n + 1) for k2 in range(k, k + n - n2 + 1))

        called = np.zeros(len(b), bool)
        for n in range(max_len, min_len - 1, -1):
            spans = [k for k in range(len(b) - n + 1) if passes(k, n)]
            for k in sorted(spans, key=lambda k: (max(own[(k, m)] for m in range(min_len, n + 1)), k)):
                if not called[k : k + n].any():
                    called[k : k + n] = True
                    rows.append((i, k, k + n, X[i, k : k + n].sum(), own[(k, n)]))
    return pd.DataFrame(rows, columns=["example_idx", "start", "end", "attribution", "p_value"])


@pytest.mark.parametrize("seed", [0, 1])
def test_recursive_is_the_rule_by_enumeration(seed):
    scores = _planted(seed, n=4, length=40)
    ours = eu.interpret.seqlets(scores, threshold=0.05, max_seqlet_len=10, n_bins=50)
    brute = _brute_recursive(scores, 0.05, 4, 10, 50)
    assert len(brute) > 0
    pd.testing.assert_frame_equal(_sorted(ours), _sorted(brute), rtol=1e-9)
    assert (np.diff(ours["p_value"].to_numpy()) >= 0).all()  # sorted by p-value


def test_recursive_p_values_are_exact_deep_in_the_tail():
    """Scores 0, 1 and 2 with three bins are their own bins, so a seqlet's p-value is P(S_L >= its sum) for S_L a
    sum of L draws from the scores' histogram: computed here in exact rational arithmetic, down to 1e-40 and below."""
    from fractions import Fraction

    rng = np.random.default_rng(12)
    scores = rng.choice([0.0, 1.0, 2.0], p=[0.7, 0.295, 0.005], size=(40, 1000))
    for i, run in enumerate(range(5, 25)):  # runs of 2 of every length, the longest deep in the tail
        scores[i, 50 : 50 + run] = 2.0
    table = eu.interpret.seqlets(scores, n_bins=3, threshold=1e-4)
    f = [Fraction(int((scores == v).sum()), scores.size) for v in (0.0, 1.0, 2.0)]
    pmf = {1: f}
    for length in range(2, 26):
        prev = pmf[length - 1]
        pmf[length] = [
            sum(prev[t - j] * f[j] for j in range(3) if 0 <= t - j < len(prev)) for t in range(2 * length + 1)
        ]
    lengths = (table["end"] - table["start"]).to_numpy()
    sums = table["attribution"].round().astype(int).to_numpy()
    exact = np.array([float(sum(pmf[n][s:])) for n, s in zip(lengths, sums)])
    assert len(table) >= 20 and exact.min() < 1e-40
    np.testing.assert_allclose(table["p_value"], exact, rtol=1e-12)


@pytest.mark.parametrize("kind", ["random", "planted"])
def test_recursive_matches_tangermeme(kind):
    seqlet = pytest.importorskip("tangermeme.seqlet")
    scores = np.random.default_rng(3).normal(size=(60, 300)) if kind == "random" else _planted(4, 60, 300)
    for options in ({}, {"threshold": 0.001, "min_seqlet_len": 3, "max_seqlet_len": 15, "additional_flanks": 2}):
        ours = eu.interpret.seqlets(scores, **options)
        theirs = seqlet.recursive_seqlets(scores, **options).rename(columns={"p-value": "p_value"})
        assert len(ours) > 10
        pd.testing.assert_frame_equal(_sorted(ours), _sorted(theirs), rtol=1e-9)


def test_recursive_fdr_matches_tangermeme():
    """The FDR table by tangermeme's definition, counted with its decoder: the seqlets it calls on the attributions
    and, with the attributions' null and bins, on the controls (values beyond the attributions' range included, in
    the end bins) at every threshold. Its own FDR kernels are not called: they compile for half a minute, uncached,
    while its decoder is compiled once for every tangermeme test here."""
    seqlet = pytest.importorskip("tangermeme.seqlet")
    scores = _planted(5, 60, 300)
    control = np.random.default_rng(6).normal(size=(120, 250)) * 1.6
    assert control.min() < scores.min() and control.max() > scores.max()
    ours = eu.interpret.seqlets(scores, control=control, return_fdr=True)

    xmin, bin_width, rcdfs = seqlet._recursive_seqlet_tables(scores, 25, 1000)
    thresholds = np.logspace(-1, -30, 117)
    n_x, n_c = np.zeros(117, dtype=np.int64), np.zeros(117, dtype=np.int64)
    for t, threshold in enumerate(thresholds):
        for counts, x in ((n_x, scores), (n_c, control)):
            counts[t] = len(
                seqlet._recursive_seqlet_decode_fields(x, rcdfs, xmin, bin_width, threshold, 4, 25, 0, 1000)[0]
            )
        if n_x[t] == n_c[t] == 0:  # no stricter threshold calls anything
            break
    with np.errstate(divide="ignore", invalid="ignore"):
        fdr = np.where(n_x > 0, (n_c + 1) * (scores.size / control.size) / n_x, np.nan)
    reference = pd.DataFrame({"threshold": thresholds, "n_seqlets": n_x, "n_control_seqlets": n_c, "fdr": fdr})
    assert n_x[0] > 10 and n_c[0] > 0 and (reference["fdr"] <= 0.1).any()
    pd.testing.assert_frame_equal(ours.fdr, reference, check_dtype=False, rtol=1e-12)

    threshold = reference.loc[reference["fdr"] <= 0.1, "threshold"].max()
    theirs = seqlet.recursive_seqlets(scores, threshold=threshold).rename(columns={"p-value": "p_value"})
    assert len(theirs) > 10
    pd.testing.assert_frame_equal(_sorted(ours.seqlets), _sorted(theirs), rtol=1e-9)
    pd.testing.assert_frame_equal(ours.seqlets, eu.interpret.seqlets(scores, threshold=threshold))


def test_recursive_fdr_unreachable_warns_and_returns_nothing():
    scores = np.random.default_rng(0).normal(size=(20, 100))
    with pytest.warns(UserWarning, match="no threshold reaches an estimated FDR at or below target_fdr=0.0001"):
        table = eu.interpret.seqlets(scores, control=scores.copy(), target_fdr=1e-4)
    assert len(table) == 0 and list(table.columns) == ["example_idx", "start", "end", "attribution", "p_value"]


def test_tfmodisco_matches_modisco_lite():
    extract = pytest.importorskip("modiscolite.extract_seqlets")
    scores = _planted(7, 200, 300, scale=0.1)
    ours = eu.interpret.seqlets(scores, method="tfmodisco")
    found, _ = extract.extract_seqlets(scores.copy(), 21, 10, 20, 0.2, 0.03, 0.2, 0.8)
    theirs = pd.DataFrame([(s.example_idx, s.start, s.end) for s in found], columns=["example_idx", "start", "end"])
    assert len(ours) > 50
    pd.testing.assert_frame_equal(_sorted(ours)[["example_idx", "start", "end"]], _sorted(theirs), check_dtype=False)


def test_tfmodisco_matches_tangermeme_at_a_fixed_passing_fraction():
    """tangermeme's null and threshold differ from TF-MoDISco's (docs/seqlets.md); at min = max passing fraction
    both thresholds are that quantile of the window sums, and the seqlets must then agree."""
    seqlet = pytest.importorskip("tangermeme.seqlet")
    scores = _planted(8, 100, 250, scale=0.1).astype(np.float32)
    ours = eu.interpret.seqlets(
        torch.from_numpy(scores), method="tfmodisco", min_passing_frac=0.1, max_passing_frac=0.1
    )
    theirs = seqlet.tfmodisco_seqlets(torch.from_numpy(scores), min_passing_frac=0.1, max_passing_frac=0.1)
    pd.testing.assert_frame_equal(_sorted(ours).drop(columns="p_value"), _sorted(theirs), check_dtype=False, atol=1e-5)


def test_tfmodisco_seqlets_are_the_strongest_windows_and_control_p_values():
    scores = _planted(9, 30, 200, scale=0.1)
    control = np.random.default_rng(10).normal(size=(60, 200)) * 0.1
    table = eu.interpret.seqlets(scores, method="tfmodisco", control=control, window_size=11, flank=3)
    assert len(table) > 0
    assert ((table["end"] - table["start"]) == 17).all()
    c = np.cumsum(np.pad(scores, ((0, 0), (1, 0))), axis=1)
    sums = c[:, 11:] - c[:, :-11]
    k = table["start"].to_numpy() + 3
    np.testing.assert_allclose(table["attribution"], sums[table["example_idx"], k])
    csum = np.cumsum(np.pad(control, ((0, 0), (1, 0))), axis=1)
    null = (csum[:, 11:] - csum[:, :-11]).ravel()
    a = table["attribution"].to_numpy()
    extreme = np.where(a[:, None] >= 0, null[None] >= a[:, None], null[None] <= a[:, None]).sum(1)
    np.testing.assert_allclose(table["p_value"], (extreme + 1) / (len(null) + 1))
    for _, rows in table.groupby("example_idx"):  # windows taken greedily never sit within suppress of each other
        starts = np.sort(rows["start"].to_numpy())
        assert (np.diff(starts) >= 11 // 2 + 3).all()


def test_projection_on_X_and_over_the_alphabet():
    rng = np.random.default_rng(11)
    X = np.eye(4, dtype=np.float32)[rng.integers(0, 4, size=(20, 150))].transpose(0, 2, 1)
    attributions = rng.normal(size=(20, 4, 150)).astype(np.float32)
    projected = (attributions * X).sum(1)
    pd.testing.assert_frame_equal(eu.interpret.seqlets(attributions, X), eu.interpret.seqlets(projected))
    pd.testing.assert_frame_equal(
        eu.interpret.seqlets(torch.from_numpy(attributions)), eu.interpret.seqlets(attributions.sum(1))
    )


def test_constant_scores_give_no_seqlets():
    table = eu.interpret.seqlets(np.ones((3, 50)))
    assert len(table) == 0 and table["start"].dtype == np.int64


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"method": "deeplift"}, ValueError, "method must be one of"),
        ({"method": "tfmodisco", "threshold": 0.1}, ValueError, "threshold is not an option of method='tfmodisco'"),
        ({"window_size": 9, "flank": 2}, ValueError, "window_size, flank are not an option"),
        ({"return_fdr": True}, ValueError, "return_fdr=True needs"),
        ({"threshold": 2.0}, ValueError, "threshold must be a p-value"),
        ({"threshold": -1.0}, ValueError, r"threshold must be a p-value in \(0, 1\]"),  # called nothing, silently
        ({"threshold": float("nan")}, ValueError, "threshold must be a p-value"),
        ({"min_seqlet_len": 8, "max_seqlet_len": 4}, ValueError, "max_seqlet_len must be at least"),
        ({"X": np.ones((2, 4, 50))}, ValueError, "X must be None when attributions is already projected"),
        ({"control_X": np.ones((2, 50))}, ValueError, "control_X must come with control"),
    ],
)
def test_argument_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        eu.interpret.seqlets(np.random.default_rng(0).normal(size=(2, 50)), **kwargs)


def test_input_errors():
    with pytest.raises(ValueError, match=r"attributions must have shape \(N, A, L\) or \(N, L\); got \(50,\)"):
        eu.interpret.seqlets(np.zeros(50))
    with pytest.raises(ValueError, match="attributions must be finite"):
        eu.interpret.seqlets(np.full((2, 50), np.nan))
    with pytest.raises(ValueError, match=r"X must have the shape of attributions, \(2, 4, 50\); got \(2, 4, 40\)"):
        eu.interpret.seqlets(np.zeros((2, 4, 50)), np.zeros((2, 4, 40)))
    with pytest.raises(TypeError, match="attributions must be a numpy array or torch tensor; got list"):
        eu.interpret.seqlets([[1.0, 2.0]])
