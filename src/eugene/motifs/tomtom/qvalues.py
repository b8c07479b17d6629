"""q-values by Storey's method as the MEME suite computes them (Storey 2002, J R Stat Soc B 64:479).

pi0 is estimated at lambda = 0.005, 0.010, ..., 0.5 as ``#{p >= lambda} / ((1 - lambda) m)``; the lambda whose
bootstrap estimates (resamples of 1000 p-values) have the smallest mean squared error around the minimal pi0 is
used. With 100 p-values or fewer, pi0 = 1. Then ``q_i = min_{j >= i} min(1, pi0 p_(j) m / j)`` over sorted p-values.
MEME averages 100 random resamples; here the bootstrap MSE is taken in closed form (see ``estimate_pi0``), so pi0 (and
q) can differ slightly from MEME's.
"""

from __future__ import annotations

import numpy as np

from eugene._jit import kernel

N_BOOTSTRAP_SAMPLES = 1000
N_LAMBDA = 100
MAX_LAMBDA = 0.5
MIN_SAMPLES = 100


@kernel(nogil=True)
def _pi0_sorted(sorted_p: np.ndarray) -> float:
    """Storey's pi0 from ascending p-values (see ``estimate_pi0``)."""
    m = sorted_p.size
    if m <= MIN_SAMPLES:
        return 1.0
    pi0 = np.empty(N_LAMBDA)
    frac = np.empty(N_LAMBDA)
    below = 0
    floor = np.inf
    for i in range(N_LAMBDA):
        lam = (i + 1) / N_LAMBDA * MAX_LAMBDA
        while below < m and sorted_p[below] < lam:
            below += 1
        frac[i] = (m - below) / m  # fraction of p-values >= lambda
        pi0[i] = frac[i] / (1.0 - lam) if frac[i] > 0 else np.inf
        floor = min(floor, pi0[i])
    if not np.isfinite(floor):  # no p-value reaches any lambda: MEME ends at pi0 = 1
        return 1.0
    best = 0
    best_mse = np.inf
    for i in range(N_LAMBDA):
        if frac[i] <= 0:
            continue
        lam = (i + 1) / N_LAMBDA * MAX_LAMBDA
        mse = frac[i] * (1 - frac[i]) / ((1 - lam) ** 2 * N_BOOTSTRAP_SAMPLES) + (pi0[i] - floor) ** 2
        if mse < best_mse:
            best_mse = mse
            best = i
    return min(max(pi0[best], 0.0), 1.0)


@kernel(nogil=True)
def qvalues_sorted(ranked: np.ndarray, pi0: float) -> np.ndarray:
    """q-values of ascending p-values ``ranked``, in that order; ``pi0 < 0`` means estimate it.

    Tied p-values get the same q-value wherever they sit among their ties (``x / r`` falls as ``r`` grows, also in
    floating point), so any order of ties gives the same values.
    """
    m = ranked.size
    out = np.empty(m)
    if m == 0:
        return out
    if pi0 < 0:
        pi0 = _pi0_sorted(ranked)
    running = 1.0
    for r in range(m - 1, -1, -1):
        running = min(running, pi0 * ranked[r] * m / (r + 1))
        out[r] = running
    return out


@kernel(nogil=True)
def qvalues_row(p: np.ndarray, pi0: float) -> np.ndarray:
    """q-values of one row of p-values; ``pi0 < 0`` means estimate it."""
    order = np.argsort(p)
    out = np.empty(p.size)
    out[order] = qvalues_sorted(p[order], pi0)
    return out


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
    return float(_pi0_sorted(np.sort(np.asarray(pvalues, dtype=np.float64))))


def qvalues(pvalues: np.ndarray, pi0: float | None = None) -> np.ndarray:
    """q-values of ``pvalues`` (any order), with ``pi0`` estimated by :func:`estimate_pi0` unless given.

    Examples
    --------
    >>> qvalues(np.array([0.01, 0.02, 0.5]), pi0=1.0).round(3).tolist()
    [0.03, 0.03, 0.5]
    """
    p = np.ascontiguousarray(pvalues, dtype=np.float64)
    return qvalues_row(p, -1.0 if pi0 is None else float(pi0))
