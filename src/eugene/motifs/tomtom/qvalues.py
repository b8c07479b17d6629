"""q-values by Storey's method as the MEME suite computes them (Storey 2002, J R Stat Soc B 64:479).

pi0 is estimated at lambda = 0.005, 0.010, ..., 0.5 as ``#{p >= lambda} / ((1 - lambda) m)``; the lambda whose
bootstrap estimates (100 resamples of 1000 p-values) have the smallest mean squared error around the minimal pi0 is
used. With 100 p-values or fewer, pi0 = 1. Then ``q_i = min_{j >= i} min(1, pi0 p_(j) m / j)`` over sorted p-values.
MEME draws its bootstrap from its own random generator, so pi0 (and q) can differ slightly from MEME's.
"""

from __future__ import annotations

import numpy as np

N_BOOTSTRAPS = 100
N_BOOTSTRAP_SAMPLES = 1000
N_LAMBDA = 100
MAX_LAMBDA = 0.5
MIN_SAMPLES = 100


def estimate_pi0(pvalues: np.ndarray, seed: int | None = 0) -> float:
    """Storey's bootstrap estimate of the fraction of true nulls, clipped to [0, 1].

    A bootstrap resample only matters through how many of its p-values reach each lambda, so resamples are drawn
    as multinomial counts over the lambda bins (the same distribution as resampling the p-values themselves).

    Examples
    --------
    >>> round(estimate_pi0(np.linspace(0, 1, 1001)), 1)
    1.0
    """
    p = np.asarray(pvalues, dtype=np.float64)
    m = p.size
    if m <= MIN_SAMPLES:
        return 1.0
    lambdas = (np.arange(N_LAMBDA) + 1) / N_LAMBDA * MAX_LAMBDA
    # bin b holds p-values reaching exactly the first b lambdas
    bins = np.searchsorted(lambdas, p, side="right")
    freq = np.bincount(bins, minlength=N_LAMBDA + 1) / m

    def pi0_from_counts(counts: np.ndarray, total: int) -> np.ndarray:
        reaching = np.cumsum(counts[..., ::-1], axis=-1)[..., ::-1][..., 1:]  # #{p >= lambda_i}
        pi0 = reaching / ((1.0 - lambdas) * total)
        return np.where(pi0 == 0.0, np.inf, pi0)

    pi0 = pi0_from_counts(freq * m, m)
    floor = pi0.min()
    if not np.isfinite(floor):  # no p-value reaches any lambda: MEME ends at pi0 = 1
        return 1.0
    rng = np.random.default_rng(seed)
    boot = rng.multinomial(N_BOOTSTRAP_SAMPLES, freq, size=N_BOOTSTRAPS)
    mse = ((pi0_from_counts(boot, N_BOOTSTRAP_SAMPLES) - floor) ** 2).sum(axis=0)
    return float(np.clip(pi0[int(np.argmin(mse))], 0.0, 1.0))


def qvalues(pvalues: np.ndarray, pi0: float | None = None, seed: int | None = 0) -> np.ndarray:
    """q-values of ``pvalues`` (any order), with ``pi0`` estimated by :func:`estimate_pi0` unless given.

    Examples
    --------
    >>> qvalues(np.array([0.01, 0.02, 0.5]), pi0=1.0).round(3).tolist()
    [0.03, 0.03, 0.5]
    """
    p = np.asarray(pvalues, dtype=np.float64)
    if p.size == 0:
        return p.copy()
    if pi0 is None:
        pi0 = estimate_pi0(p, seed=seed)
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    fdr = np.minimum(1.0, pi0 * ranked * p.size / np.arange(1, p.size + 1))
    q = np.minimum.accumulate(fdr[::-1])[::-1]
    out = np.empty_like(q)
    out[order] = q
    return out
