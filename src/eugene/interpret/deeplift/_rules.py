"""DeepLIFT rules as autograd: each takes the input-side and reference-side values of its operands as a pair.

DeepLIFT (Shrikumar, Greenside & Kundaje 2017, ICML) back-propagates multipliers ``m = Δy / Δx`` instead of gradients.
Every function here receives ``Pair``s ``(x_side, r_side)``: the value the operand had when the model ran on the
input, and the value it has now, on the reference (the tensor that carries the autograd graph). It returns the pair
for its output, whose reference side back-propagates multipliers such that, for every operation,

    sum over operands of (multiplier * Δoperand) == Δoutput

holds exactly (up to rounding). Chained through the network this gives summation-to-delta:
``sum(multipliers * (x - r)) == f(x) - f(r)``.

- :func:`rescale`: the rescale rule for an element-wise function, ``m = (f(x) - f(r)) / (x - r)``.
- :func:`multi_affine`: the two-player Shapley rule for a function affine in each of two operands (a product,
  matmul, a convolution with an input-dependent kernel): ``Δg = g(Δa, b̄) + g(ā, Δb)`` with ``ā`` the mean of the two
  sides, which is exact.
- :func:`maximum`: ``max(a, b) = b + relu(a - b)``, exact through :func:`rescale`; :func:`max_last` reduces the last
  axis with a tree of these, which gives an exact max-pool rule for any window and any ties.
- :func:`softmax` and :func:`logsumexp`: decomposed into exp, sum, reciprocal (or log) and a product, each exact.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

Pair = tuple[torch.Tensor, torch.Tensor]


def _small(dtype: torch.dtype) -> float:
    """Below this |Δx| the rescale rule uses the derivative at the midpoint instead of a secant."""
    return 1e-11 if dtype == torch.float64 else 1e-6


def _derivative(fn: Callable[[torch.Tensor], torch.Tensor], at: torch.Tensor) -> torch.Tensor:
    """Central difference; used only where |Δx| is below :func:`_small`, so its error times Δx is negligible."""
    step = 1e-5 if at.dtype == torch.float64 else 1e-3
    return (fn(at + step) - fn(at - step)) / (2 * step)


class _Rescale(torch.autograd.Function):
    """y = fn(a_r) forward; grad * (fn(a_x) - fn(a_r)) / (a_x - a_r) backward."""

    @staticmethod
    def forward(ctx, a_r: torch.Tensor, a_x: torch.Tensor, y_x: torch.Tensor, fn: Callable) -> torch.Tensor:
        y_r = fn(a_r)
        delta = a_x - a_r
        small = delta.abs() < _small(delta.dtype)
        multiplier = (y_x - y_r) / torch.where(small, torch.ones_like(delta), delta)
        if small.any():
            multiplier = torch.where(small, _derivative(fn, (a_x + a_r) / 2), multiplier)
        ctx.save_for_backward(multiplier)
        return y_r

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        (multiplier,) = ctx.saved_tensors
        return grad * multiplier, None, None, None


def rescale(fn: Callable[[torch.Tensor], torch.Tensor], a: Pair) -> Pair:
    """The rescale rule for an element-wise ``fn``; exact: multiplier * Δa == Δfn for every element."""
    a_x, a_r = a
    y_x = fn(a_x)
    if not a_r.requires_grad:
        return y_x, fn(a_r)
    return y_x, _Rescale.apply(a_r, a_x, y_x, fn)


def multi_affine(g: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], a: Pair, b: Pair) -> Pair:
    """Exact rule for ``g`` affine in each operand (a * b, a @ b): multipliers are ``g(·, b̄)`` and ``g(ā, ·)``.

    ``g(a_x, b_x) - g(a_r, b_r) == g(Δa, b̄) + g(ā, Δb)`` up to the constant parts, with ``ā = (a_x + a_r) / 2``:
    the two-player Shapley value of the product, so summation-to-delta stays exact.
    """
    (a_x, a_r), (b_x, b_r) = a, b
    y_x = g(a_x, b_x)
    with torch.no_grad():
        y_r = g(a_r, b_r)
    a_mean = (a_x + a_r.detach()) / 2
    b_mean = (b_x + b_r.detach()) / 2
    through_a = g(a_r, b_mean)
    through_b = g(a_mean, b_r)
    linear = through_a + through_b
    return y_x, linear + (y_r - linear).detach()


def _relu(t: torch.Tensor) -> torch.Tensor:
    return torch.relu(t)


def maximum(a: Pair, b: Pair) -> Pair:
    """Element-wise ``max(a, b) = b + relu(a - b)``; exact through :func:`rescale`."""
    gap_x, gap_y = rescale(_relu, (a[0] - b[0], a[1] - b[1]))
    return b[0] + gap_x, b[1] + gap_y


def max_last(u: Pair) -> Pair:
    """Maximum over the last axis by a pairwise tree of :func:`maximum` (log2 of its size in depth)."""
    while u[0].shape[-1] > 1:
        half = u[0].shape[-1] // 2
        pairs = maximum(
            (u[0][..., :half], u[1][..., :half]),
            (u[0][..., half : 2 * half], u[1][..., half : 2 * half]),
        )
        if u[0].shape[-1] % 2:
            pairs = tuple(torch.cat([p, side[..., -1:]], dim=-1) for p, side in zip(pairs, u))
        u = pairs
    return u[0][..., 0], u[1][..., 0]


def max_over(a: Pair, dims: tuple[int, ...], keepdim: bool) -> Pair:
    """Maximum over ``dims`` (moved to the end and flattened), exact."""
    ndim = a[0].ndim
    dims = tuple(sorted(d % ndim for d in dims)) if dims else tuple(range(ndim))
    rest = [d for d in range(ndim) if d not in dims]

    def gather(t: torch.Tensor) -> torch.Tensor:
        return t.permute(*rest, *dims).flatten(len(rest))

    y_x, y_r = max_last((gather(a[0]), gather(a[1])))
    if keepdim:
        for d in dims:
            y_x, y_r = y_x.unsqueeze(d), y_r.unsqueeze(d)
    return y_x, y_r


def max_pool1d(a: Pair, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool) -> Pair:
    """Exact max pooling over the last axis: windows by ``unfold``, reduced by :func:`max_last`.

    The implicit padding is a constant below every value of either side, so it never wins and its Δ is zero.
    """
    length = a[0].shape[-1]
    span = (kernel - 1) * dilation + 1
    room = length + 2 * padding - span
    n_out = (-(-room // stride) if ceil_mode else room // stride) + 1
    if ceil_mode and (n_out - 1) * stride >= length + padding:
        n_out -= 1
    right = padding + max(0, (n_out - 1) * stride + span - (length + 2 * padding))
    floor = -(2 * torch.maximum(a[0].detach().abs().max(), a[1].detach().abs().max()) + 1).item()

    def windows(t: torch.Tensor) -> torch.Tensor:
        t = F.pad(t, (padding, right), value=floor) if padding or right else t
        return t.unfold(-1, span, stride)[..., ::dilation][..., :n_out, :]

    return max_last((windows(a[0]), windows(a[1])))


def _common_shift(t: Pair, dim: int) -> torch.Tensor:
    """One constant per row for both sides, so exp never overflows and its Δ is zero."""
    return torch.maximum(t[0].detach().amax(dim, keepdim=True), t[1].detach().amax(dim, keepdim=True))


def _sum_exp(t: Pair, dim: int) -> tuple[torch.Tensor, Pair, Pair]:
    shift = _common_shift(t, dim)
    e = rescale(torch.exp, (t[0] - shift, t[1] - shift))
    return shift, e, (e[0].sum(dim, keepdim=True), e[1].sum(dim, keepdim=True))


def softmax(t: Pair, dim: int, log: bool = False) -> Pair:
    """softmax = exp(t - c) * reciprocal(sum exp(t - c)); log_softmax = t - c - log(sum exp(t - c)); all exact."""
    shift, e, s = _sum_exp(t, dim)
    if log:
        log_s = rescale(torch.log, s)
        return t[0] - shift - log_s[0], t[1] - shift - log_s[1]
    inverse = rescale(torch.reciprocal, s)
    return multi_affine(torch.mul, e, inverse)


def logsumexp(t: Pair, dim: int, keepdim: bool) -> Pair:
    """logsumexp = c + log(sum exp(t - c)), exact."""
    shift, _, s = _sum_exp(t, dim)
    log_s = rescale(torch.log, s)
    out = (shift + log_s[0], shift + log_s[1])
    return out if keepdim else (out[0].squeeze(dim), out[1].squeeze(dim))
