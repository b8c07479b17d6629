"""DeepLIFT multipliers for (sequence, reference) pairs: one input pass per sequence, one backward reference pass.

The standard algorithm runs the model forward and backward over the concatenated ``[inputs; references]`` batch.
Here each sequence's forward pass runs once for all of its R references (recording the operands of non-linear calls),
and only the reference pass is back-propagated; the recorded input-side values are broadcast to their R references
when a rule needs them. When the batch axis cannot be located in an intermediate tensor (a model that folds it into
another axis), the chunk is rerun with each sequence repeated R times, which needs no broadcasting.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from ._mode import DeepLiftMode


class _NoBatchAxis(RuntimeError):
    pass


def _broadcaster(n: int, repeats: int) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """Align an input-side tensor (n sequences) with its reference-side twin (n * repeats pairs)."""

    def expand(x: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        if x.shape == r.shape:
            return x
        differ = [d for d in range(x.ndim) if x.shape[d] != r.shape[d]]
        if x.ndim != r.ndim or len(differ) != 1:
            raise _NoBatchAxis
        d = differ[0]
        if r.shape[d] != repeats * x.shape[d] or x.shape[d] % n:
            raise _NoBatchAxis
        return x.unflatten(d, (n, -1)).repeat_interleave(repeats, dim=d).flatten(d, d + 1)

    return expand


def _passes(model: nn.Module, select: Callable, x: torch.Tensor, r: torch.Tensor, repeats: int):
    tape: list = []
    x = x.detach().requires_grad_(True)
    recorder = DeepLiftMode(tape)
    with torch.enable_grad():
        with recorder:
            fx = select(model(x))
        fx = fx.detach()
        r = r.detach().requires_grad_(True)
        replayer = DeepLiftMode(tape, _broadcaster(x.shape[0], repeats))
        with replayer:
            fr = select(model(r))
        (grad,) = torch.autograd.grad(fr.sum(), r, allow_unused=True)
    if grad is None:
        grad = torch.zeros_like(r)
    return grad, fx, fr.detach(), frozenset(recorder.flagged | replayer.flagged)


def pair_multipliers(
    model: nn.Module, select: Callable, x: torch.Tensor, refs: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, frozenset[str]]:
    """DeepLIFT multipliers for ``x`` (n, A, L) against ``refs`` (n, R, A, L).

    Returns ``(multipliers (n, R, A, L), f(x) (n,), f(refs) (n, R), flagged)``, with ``flagged`` the names of the
    operations that touched an input-dependent value without an exact rule (their gradient was used).
    """
    n, repeats = refs.shape[:2]
    flat = refs.reshape(n * repeats, *refs.shape[2:])
    try:
        grad, fx, fr, flagged = _passes(model, select, x, flat, repeats)
    except _NoBatchAxis:
        grad, fx, fr, flagged = _passes(model, select, x.repeat_interleave(repeats, dim=0), flat, 1)
        fx = fx[::repeats]
    return grad.reshape(refs.shape), fx, fr.reshape(n, repeats), flagged
