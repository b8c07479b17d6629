"""In silico evolution: greedy sequence design guided by saturation mutagenesis.

Each round runs :func:`eugene.interpret.ism` on the sequences still improving and applies, per sequence, the single
substitution with the largest gain in the target (as in the in silico evolution of Vaishnav et al. 2022, Nature
603:455, and Taskiran et al. 2024, Nature 626:212). All sequences are evolved together in batches.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from .._validate import check_bool, check_positive_int, describe
from ._engine import Run, Target
from .mutagenesis import FastMode, Mutagenesis

__all__ = ["evolve"]

_HISTORY = {name: np.int64 for name in ("round", "seq", "position", "ref_base", "alt_base")} | {
    "gain": np.float64,
    "score": np.float64,
}


def evolve(
    model: nn.Module,
    X: Any,
    rounds: int = 10,
    target: Target = 0,
    *,
    maximize: bool = True,
    min_gain: float = 0.0,
    start: int | None = None,
    end: int | None = None,
    fast: FastMode = "auto",
    batch_size: int = 256,
    device: str | torch.device | None = None,
    verbose: bool | None = None,
) -> tuple[Any, pd.DataFrame]:
    """Greedy ISM-guided evolution: each round, apply the best single substitution of each sequence.

    Parameters
    ----------
    model, X
        The model and starting one-hot sequences (N, A, L).
    rounds
        Maximum number of substitutions per sequence.
    target
        Output to optimise (int, list of ints, or callable; see :func:`eugene.interpret.ism`).
    maximize
        Raise the target (default) or lower it.
    min_gain
        A sequence stops once its best substitution changes the target by no more than this.
    start, end
        Mutate only positions ``[start, end)``.
    fast, batch_size, device, verbose
        Passed to :func:`eugene.interpret.ism`.

    Returns
    -------
    evolved
        The evolved sequences, the kind X was.
    history
        One row per applied substitution: ``round, seq, position, ref_base, alt_base, gain, score`` (score: the
        target after the substitution); round 0 rows hold each sequence's starting score.

    Examples
    --------
    >>> import eugene as eu
    >>> model = eu.models.build("deepbind", seq_len=100).eval()       # stand-in for your trained model
    >>> X = eu.interpret.gc_backgrounds(2, 100, seed=0)                 # stand-in for your sequences
    >>> evolved, history = evolve(model, X, rounds=3, target=0)
    >>> evolved.shape
    (2, 4, 100)
    """
    rounds = check_positive_int(rounds, "rounds")
    maximize = check_bool(maximize, "maximize")
    real = not isinstance(min_gain, bool) and isinstance(min_gain, (int, float, np.integer, np.floating))
    if not (real and np.isfinite(min_gain)):
        raise ValueError(f"min_gain must be a finite number; got {describe(min_gain)}")
    run = Run(model, X, target, batch_size=batch_size, device=device, verbose=verbose)
    mutagenesis = Mutagenesis(run, start, end, fast)
    current = run.X.cpu().clone()
    sign = 1.0 if maximize else -1.0
    with run:
        scores = run.predict(current).double()
        rows = [
            {"round": 0, "seq": n, "position": -1, "ref_base": -1, "alt_base": -1, "gain": 0.0, "score": float(s)}
            for n, s in enumerate(scores)
        ]
        active = torch.arange(len(current))
        for r in range(1, rounds + 1):
            if len(active) == 0:
                break
            gain, best = (sign * mutagenesis(current[active]).double()).flatten(1).max(dim=1)
            keep = gain > min_gain
            length = current.shape[2]
            for n, g, b in zip(active[keep].tolist(), gain[keep].tolist(), best[keep].tolist()):
                base, pos = divmod(b, length)
                ref_base = int(current[n, :, pos].argmax()) if current[n, :, pos].sum() > 0 else -1
                current[n, :, pos] = 0
                current[n, base, pos] = 1
                scores[n] += sign * g
                rows.append(
                    {
                        "round": r,
                        "seq": n,
                        "position": pos,
                        "ref_base": ref_base,
                        "alt_base": base,
                        "gain": sign * g,
                        "score": float(scores[n]),
                    }
                )
            active = active[keep]
    history = pd.DataFrame(rows, columns=list(_HISTORY)).astype(_HISTORY)
    return run.output(current), history
