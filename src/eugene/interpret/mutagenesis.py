"""In silico saturation mutagenesis (ISM): the change in a model's output for every single-base substitution.

For one-hot sequences ``X`` of shape (N, A, L) and a scalar target ``f`` (see
:func:`eugene.interpret._engine.resolve_target`), ISM returns ``D`` of shape (N, A, L) with

    D[n, a, l] = f(X[n] with base a at position l) - f(X[n])

so ``D`` is 0 at the observed base. Three ways to compute it:

- ``fast=False``: the naive path. All mutants of all sequences are enumerated once and predicted in batches of
  ``batch_size``; there is no loop over sequences or positions.
- ``fast=True``: exact fast ISM (Nair et al. 2022, "fastISM: performant in silico saturation mutagenesis
  for convolutional neural networks", Bioinformatics 38:2397; Yuzu, Schreiber et al. 2022). A substitution changes only
  the positions of each convolution / pooling / element-wise layer that can see it, so those layers are computed on
  small windows around the mutation over cached reference activations; the first layer that mixes all positions
  (flatten + dense, RNN, global pooling) gets the full tensor with the window written in. See
  :mod:`eugene.interpret._fastism`. Results equal the naive path up to float rounding.
- ``fast="auto"``: whichever exact path a cost estimate says is faster for the shapes at hand. The fast path saves
  the positions a mutation cannot reach, but pays for copying windows into the cached reference activations, for
  the full-length layers it cannot shorten, and for more (smaller) torch calls per batch; on a small CNN, a narrow
  window or a model whose first layers already see the whole sequence it can be the slower one. The estimate
  (:class:`eugene.interpret._fastism.Costs`: multiply-adds, elements copied and torch calls of each path, read off the
  traced graph) depends only on the model, the lengths, the window and the batch size, so the choice is the same on
  every call with the same shapes, and the fast path is taken only when it is estimated at least ``1 / FAST_MARGIN``
  times faster. Both paths are exact: the choice never changes a result beyond float rounding.
- ``fast="taylor"``: the first-order Taylor approximation (TISM; Sasse et al. 2024, "Quick and effective
  approximation of in silico saturation mutagenesis experiments with first-order Taylor expansion", iScience 27:110807)
  ``D[n, a, l] ~ g[n, a, l] - g[n, ref(l), l]`` with ``g`` the gradient of ``f`` at ``X[n]``. Approximate: one backward
  pass per sequence instead of 3L forward passes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from .._validate import check_bool, describe
from ._engine import Run, Target
from ._fastism import CHUNK, FastISM, FastISMUnsupported

__all__ = ["ism"]

FastMode = bool | Literal["auto", "taylor"]

_BATCHES = 64  # mutant batches per chunk at least: few partial batches, and one chunk's index lists stay small
# fast="auto" takes the fast path when its estimated time is at most this share of the naive path's. The estimate
# is rough: on the cases of benchmarks/ism.py --auto it put the fast path's time at up to 2x too little (DeepSTARR, a
# dilated BPNet) and up to 2.4x too much (small DeepBinds); at 0.5, even twice the estimate is within naive's time
FAST_MARGIN = 0.5


@dataclass(frozen=True)
class Choice:
    """The exact path ``fast="auto"`` took for a chunk of sequences, and the estimates it was taken on."""

    path: Literal["fast", "naive"]
    fast_seconds: float  # estimated time of the fast path (see eugene.interpret._fastism.Costs)
    naive_seconds: float

    def __str__(self) -> str:
        ratio = self.fast_seconds / self.naive_seconds if self.naive_seconds > 0 else float("inf")
        return (
            f"ism fast='auto': the {self.path} path (the fast path is estimated at {ratio:.2f}x the naive path's "
            f"time; it is taken at {FAST_MARGIN}x or less)"
        )


def _window(start: int | None, end: int | None, length: int) -> tuple[int, int]:
    """``[start, end)`` as Python slice bounds on ``range(length)``, checked to be a non-empty window."""
    for value, name in ((start, "start"), (end, "end")):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError(f"{name} must be None or an int position; got {describe(value)}")
    lo, hi, _ = slice(start, end).indices(length)
    if lo >= hi:
        raise ValueError(f"start={start}, end={end} leave no positions to mutate in sequences of length {length}")
    return lo, hi


def _check_fast(fast: Any) -> FastMode:
    """``fast`` after checking it is one of the modes of :func:`ism` (a numpy bool as a bool)."""
    if isinstance(fast, (bool, np.bool_)):
        return bool(fast)
    if isinstance(fast, str) and fast in ("auto", "taylor"):
        return fast
    raise ValueError(f"fast must be 'auto', True, False or 'taylor'; got {fast!r}")


def _mutants(X: torch.Tensor, lo: int, hi: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Every single substitution of ``X`` (N, A, L) in positions ``[lo, hi)``: indices ``(seq, base, pos)``.

    A substitution puts base ``a`` at position ``l`` where ``X[n, a, l] != 1``; at an all-zero column (N, padding)
    every base is a substitution.
    """
    window = X[:, :, lo:hi]
    seq, base, pos = torch.nonzero(window != 1, as_tuple=True)
    return seq, base, pos + lo


def _apply_mutants(X: torch.Tensor, seq: torch.Tensor, base: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
    """The mutant sequences: ``X[seq]`` with column ``pos`` set to the one-hot of ``base``."""
    Xm = X[seq]  # indexing with a tensor copies
    rows = torch.arange(len(seq), device=X.device)
    Xm[rows, :, pos] = 0
    Xm[rows, base, pos] = 1
    return Xm


class Mutagenesis:
    """Saturation mutagenesis of any sequences within one :class:`~eugene.interpret._engine.Run` (call inside
    ``with run:``), streamed over chunks of sequences: memory is one chunk's mutants plus the output, whatever N.

    The model is traced for the fast path once, at the first call, and the trace serves every later call (the rounds
    of :func:`eugene.interpret.evolve`). ``start``, ``end``, ``fast``, ``centre`` and ``log_ratio`` are those of
    :func:`ism`, checked here.

    Attributes
    ----------
    choice
        With ``fast="auto"``: the :class:`Choice` of the latest chunk (which path, and the estimates it was taken
        on); None before the first chunk, with other modes, or when the model cannot use the fast path at all.
    """

    def __init__(
        self,
        run: Run,
        start: int | None = None,
        end: int | None = None,
        fast: FastMode = "auto",
        *,
        centre: bool = False,
        log_ratio: bool = False,
    ):
        self.fast = _check_fast(fast)
        self.centre, self.log_ratio = check_bool(centre, "centre"), check_bool(log_ratio, "log_ratio")
        if self.log_ratio and self.fast == "taylor":
            raise ValueError("log_ratio=True is not available with fast='taylor'; use fast='auto' or False")
        self.run = run
        self.lo, self.hi = _window(start, end, run.X.shape[2])
        self.engine: Any = None  # the FastISM engine once traced; False when the model cannot use it
        self.choice: Choice | None = None

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        """Effects (N, A, L) for ``X`` (N, A, L) on the CPU in the run's dtype; 0 outside ``[lo, hi)``."""
        X = X.detach().cpu().to(self.run.dtype)
        result = torch.zeros_like(X)
        if self.fast == "taylor":
            size = max(1, self.run.batch_size // 8)
            for sl in self.run.batches(len(X), size, desc="taylor ism"):
                x = X[sl]
                g = self.run.gradient(x, size=size)
                result[sl, :, self.lo : self.hi] = (g - (g * x).sum(dim=1, keepdim=True))[:, :, self.lo : self.hi]
        else:
            per_sequence = X.shape[1] * (self.hi - self.lo)
            size = max(CHUNK, -(-_BATCHES * self.run.batch_size // max(1, per_sequence)))
            for sl in self.run.batches(len(X), size, desc="ism"):
                result[sl] = self._exact(X[sl])
        if self.centre:
            window = result[:, :, self.lo : self.hi]
            window -= window.mean(dim=1, keepdim=True)
        return result

    def _choose(self, x: torch.Tensor, n_mutants: int) -> bool:
        """``fast="auto"``: whether the fast path is estimated clearly faster for this chunk (see :class:`Choice`).
        Raises FastISMUnsupported when the model cannot use it."""
        run = self.run
        costs = self.engine.prepare(x, run.select).costs
        fast, naive = costs.seconds(len(x), n_mutants, run.batch_size, run.device)
        choice = Choice("fast" if fast <= FAST_MARGIN * naive else "naive", fast, naive)
        if run.verbose and (self.choice is None or choice.path != self.choice.path):
            tqdm.write(str(choice), file=sys.stderr)
        self.choice = choice
        return choice.path == "fast"

    def _exact(self, x: torch.Tensor) -> torch.Tensor:
        """Exact effects for one chunk of sequences: the fast path when it applies (and, with ``fast="auto"``, is
        estimated faster), else the naive one."""
        run = self.run
        seq, base, pos = _mutants(x, self.lo, self.hi)
        computed = None
        with torch.no_grad():
            if self.fast is not False and self.engine is not False and len(seq):
                try:
                    if self.engine is None:
                        self.engine = FastISM(run.model, run.device)
                    if self.fast is True or self._choose(x, len(seq)):
                        computed = self.engine.run(x, seq, base, pos, run.select, run.batch_size, False)
                except FastISMUnsupported as err:
                    if self.fast is True:
                        raise ValueError(f"fast=True cannot be used with this model: {err}") from err
                    self.engine = False
            if computed is None:
                pred = torch.empty(len(seq), dtype=x.dtype)
                for sl in run.batches(len(seq)):
                    pred[sl] = run.predict(_apply_mutants(x, seq[sl], base[sl], pos[sl])).to(x.dtype)
                computed = run.predict(x).to(x.dtype), pred
        ref, pred = computed
        ref = ref.to(x.dtype)
        if self.log_ratio:
            if (ref <= 0).any() or (pred <= 0).any():
                raise ValueError(
                    "log_ratio=True needs positive model outputs for the target; some are <= 0 "
                    "(apply exp/softplus in the target callable, or use log_ratio=False)"
                )
            effect = pred.log() - ref.log()[seq]
        else:
            effect = pred - ref[seq]
        result = torch.zeros_like(x)
        result[seq, base, pos] = effect.to(x.dtype)
        return result


def ism(
    model: nn.Module,
    X: Any,
    target: Target = 0,
    *,
    batch_size: int = 256,
    device: str | torch.device | None = None,
    start: int | None = None,
    end: int | None = None,
    fast: FastMode = "auto",
    centre: bool = False,
    log_ratio: bool = False,
    verbose: bool | None = None,
) -> Any:
    """In silico saturation mutagenesis: the effect of every single-base substitution on the model's output.

    ``result[n, a, l] = f(X[n] with base a at l) - f(X[n])`` where ``f`` is the model's output for ``target``;
    0 at the observed base. Exact by default, with the fast path of Nair et al. (2022) for convolutional models.
    Sequences are processed in chunks, so memory is one chunk's mutants plus the output, whatever N.

    Parameters
    ----------
    model
        A torch module taking (N, A, L) one-hot input.
    X
        One-hot sequences (N, A, L), numpy or torch, any real dtype (computed in the model's dtype). At an all-zero
        column (N, padding) every base counts as a substitution. N = 0 gives an empty result.
    target
        Output index, list of indices (summed) or a callable on the model's output giving shape (N,).
    batch_size
        Mutant sequences per forward pass.
    device
        Where to compute; default where the model is (never moved to a GPU unasked).
    start, end
        Mutate only positions ``[start, end)`` (Python slice semantics, negative values count from the end).
        Positions outside the window get 0.
    fast
        ``"auto"`` (default): the faster exact path by a cost estimate from the model's traced graph and the shapes
        (deterministic; the fast path only where it is estimated clearly faster, the naive path for models
        ``torch.fx`` cannot trace or that do not start with position-local layers); with ``verbose``, one line on
        stderr says which and why. ``True``: the fast path of Nair et al. (2022) or a ValueError saying why it cannot
        be used. ``False``: the naive path (batched mutants). ``"taylor"``: the first-order Taylor approximation
        (gradient differences; approximate, one backward pass per sequence).
    centre
        Subtract the mean over the alphabet at each position (the observed base is then no longer 0).
    log_ratio
        Return ``log f(mutant) - log f(X)`` instead of the difference; needs positive outputs (e.g. counts or
        probabilities) and raises ValueError otherwise. Not available with ``fast="taylor"``.
    verbose
        Show a progress bar.

    Returns
    -------
    Array of shape (N, A, L), the kind X was (numpy or torch), in the model's dtype.

    Examples
    --------
    >>> import numpy as np, torch
    >>> model = torch.nn.Sequential(torch.nn.Conv1d(4, 8, 5), torch.nn.ReLU(), torch.nn.Flatten(),
    ...                             torch.nn.Linear(8 * 16, 2))
    >>> X = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (3, 20))].transpose(0, 2, 1)
    >>> ism(model, X, target=1).shape
    (3, 4, 20)
    """
    run = Run(model, X, target, batch_size=batch_size, device=device, verbose=verbose)
    mutagenesis = Mutagenesis(run, start, end, fast, centre=centre, log_ratio=log_ratio)
    with run:
        return run.output(mutagenesis(run.X))
