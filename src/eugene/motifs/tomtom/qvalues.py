"""q-values by Storey's method as the MEME suite computes them (Storey 2002, J R Stat Soc B 64:479).

pi0 is estimated at lambda = 0.005, 0.010, ..., 0.5 as ``#{p >= lambda} / ((1 - lambda) m)``; the lambda whose
bootstrap estimates (resamples of 1000 p-values) have the smallest mean squared error around the minimal pi0 is
used. With 100 p-values or fewer, pi0 = 1. Then ``q_i = min_{j >= i} min(1, pi0 p_(j) m / j)`` over sorted p-values.
MEME averages 100 random resamples; here the bootstrap MSE is taken in closed form (see ``estimate_pi0``), so pi0 (and
q) can differ slightly from MEME's.
"""

from __future__ import annotations

import numpy as np

N_BOOTSTRAP_SAMPLES = 1000
N_LAMBDA = 100
MAX_LAMBDA = 0.5
MIN_SAMPLES = 100


def estimate_pi0(pvalues: np.ndarray) -> float:
    """Storey's estimate of the fraction of true nulls, with lambda chosen by bootstrap mean squared error.

    A bootstrap resample of B p-values reaches lambda ``X ~ Binomial(B, f)`` times (``f``: the observed fraction
    reaching it), so the bootstrap MSE of ``X / ((1 - lambda) B)`` around the plug-in minimum has the closed form
    ``f (1 - f) / ((1 - lambda)^2 B) + (f / (1 - lambda) - min pi0)^2``. Using it is MEME's procedure with infinitely
    many bootstraps: deterministic, where MEME's 100 random resamples may pick a neighbouring lambda.

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
    frac = (m - np.searchsorted(np.sort(p), lambdas, side="left")) / m  # fraction of p >= lambda
    with np.errstate(divide="ignore"):
        pi0 = np.where(frac > 0, frac / (1.0 - lambdas), np.inf)
    floor = pi0.min()
    if not np.isfinite(floor):  # no p-value reaches any lambda: MEME ends at pi0 = 1
        return 1.0
    mse = frac * (1 - frac) / ((1 - lambdas) ** 2 * N_BOOTSTRAP_SAMPLES) + (pi0 - floor) ** 2
    mse = np.where(frac > 0, mse, np.inf)
    return float(np.clip(pi0[int(np.argmin(mse))], 0.0, 1.0))


def qvalues(pvalues: np.ndarray, pi0: float | None = None) -> np.ndarray:
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
        pi0 = estimate_pi0(p)
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    fdr = np.minimum(1.0, pi0 * ranked * p.size / np.arange(1, p.size + 1))
    q = np.minimum.accumulate(fdr[::-1])[::-1]
    out = np.empty_like(q)
    out[order] = q
    return out
