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
- :func:`cross_max`: max pooling, global max and ``torch.maximum`` by the cross-max rule of Captum, SHAP's
  DeepExplainer and tangermeme: each output's Δ is routed to the arg-max of the input side and of the reference side.
- :func:`softmax` and :func:`logsumexp`: decomposed into exp, sum, reciprocal (or log) and a product, each exact.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

Pair = tuple[torch.Tensor, torch.Tensor]


def _small(dtype: torch.dtype) -> float:
    """Below this |Δx| the rescale rule uses the derivative at the input instead of a secant."""
    return 1e-11 if dtype == torch.float64 else 1e-6


def _derivative(fn: Callable[[torch.Tensor], torch.Tensor], at: torch.Tensor) -> torch.Tensor:
    """Autograd's derivative of the element-wise ``fn`` at ``at``: Captum's and tangermeme's rescale rule fall back to
    the gradient where Δx vanishes, so a kink (relu at 0) takes autograd's one-sided value there too. A step function
    without an autograd derivative (heaviside) has derivative zero wherever it is defined."""
    with torch.enable_grad():
        at = at.detach().requires_grad_(True)
        total = fn(at).sum()
        try:
            (derivative,) = torch.autograd.grad(total, at)
        except RuntimeError:  # "derivative for aten::heaviside is not implemented"
            return torch.zeros_like(at)
    return derivative


class _Rescale(torch.autograd.Function):
    """y = fn(a_r) forward; grad * (fn(a_x) - fn(a_r)) / (a_x - a_r) backward."""

    @staticmethod
    def forward(ctx, a_r: torch.Tensor, a_x: torch.Tensor, y_x: torch.Tensor, fn: Callable) -> torch.Tensor:
        y_r = fn(a_r)
        delta = a_x - a_r
        # not >= rather than <: a Δ of NaN (both sides -inf, as masked attention scores are) takes the derivative too
        small = ~(delta.abs() >= _small(delta.dtype))
        multiplier = (y_x - y_r) / torch.where(small, torch.ones_like(delta), delta)
        if small.any():
            multiplier = torch.where(small, _derivative(fn, a_x), multiplier)
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
    # a constant -inf inside g (baddbmm adding a masked attention score) is -inf in ``linear`` too: keep y_r there
    return y_x, torch.where(torch.isfinite(linear), linear + (y_r - linear).detach(), y_r)


class _CrossMax(torch.autograd.Function):
    """y = pool(r) forward; backward routes each output's Δ to the arg-maxima of both sides (see :func:`cross_max`).

    Each window's two shares are divided by the Δ of the element they go to when they are made, so the backward pass
    is one scatter-add of two values per window; an arg-max of the input side with Δ = 0 takes the gradient instead.
    """

    @staticmethod
    def forward(ctx, r: torch.Tensor, x: torch.Tensor, pool: Callable, spatial: int):
        y_r, i_r = pool(r)
        y_x, i_x = pool(x)
        start = r.ndim - spatial
        top = torch.maximum(y_x, y_r)
        indices = torch.cat([i_x.flatten(start), i_r.flatten(start)], dim=-1)
        delta = (x - r).flatten(start).gather(-1, indices)
        zero = delta == 0
        shares = torch.cat([(top - y_r).flatten(start), (y_x - top).flatten(start)], dim=-1)
        gradient = torch.cat([torch.ones_like(y_x).flatten(start), torch.zeros_like(y_r).flatten(start)], dim=-1)
        factors = torch.where(zero, gradient, shares / torch.where(zero, torch.ones_like(delta), delta))
        ctx.shape = r.shape
        ctx.save_for_backward(indices, factors)
        ctx.mark_non_differentiable(y_x, i_r)
        return y_r, y_x, i_r

    @staticmethod
    def backward(ctx, grad: torch.Tensor, *_):
        indices, factors = ctx.saved_tensors
        start = indices.ndim - 1
        grad = grad.flatten(start)
        multiplier = grad.new_zeros(*indices.shape[:-1], ctx.shape[start:].numel())
        multiplier.scatter_add_(-1, indices, torch.cat([grad, grad], dim=-1) * factors)
        return multiplier.view(ctx.shape), None, None, None


def cross_max(
    a: Pair, pool: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]], spatial: int
) -> tuple[Pair, torch.Tensor]:
    """Max pooling by the cross-max rule of DeepSHAP (Lundberg & Lee 2017) as SHAP's DeepExplainer, Captum and
    tangermeme implement it.

    ``pool(t)`` returns the window maxima and their arg-max indices into ``t`` flattened over its last ``spatial``
    axes (what ``F.max_pool2d(..., return_indices=True)`` returns). With ``top = max(y_x, y_r)`` per output, the
    change ``y_x - y_r`` splits into ``top - y_r``, routed to the input side's arg-max, and ``y_x - top``, routed to
    the reference side's; each input's multiplier is its routed change over its own Δ (overlapping windows add up).
    Exact: an arg-max with Δ = 0 is routed nothing, so it takes the gradient (routed to the input side's arg-max).
    Returns the output pair and the reference side's indices.
    """
    a_x, a_r = a
    if not a_r.requires_grad:
        y_r, i_r = pool(a_r)
        return (pool(a_x)[0], y_r), i_r
    y_r, y_x, i_r = _CrossMax.apply(a_r, a_x, pool, spatial)
    return (y_x, y_r), i_r


def _max_last(t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return t.max(dim=-1, keepdim=True)


def max_over(a: Pair, dims: tuple[int, ...], keepdim: bool) -> tuple[Pair, torch.Tensor]:
    """Maximum over ``dims`` (all when empty) by :func:`cross_max`; also the reference side's flat arg-max."""
    ndim = a[0].ndim
    dims = tuple(sorted(d % ndim for d in dims)) if dims else tuple(range(ndim))
    rest = [d for d in range(ndim) if d not in dims]

    def gather(t: torch.Tensor) -> torch.Tensor:
        return t.permute(*rest, *dims).flatten(len(rest))

    (y_x, y_r), i_r = cross_max((gather(a[0]), gather(a[1])), _max_last, 1)
    shape = [1 if d in dims else size for d, size in enumerate(a[0].shape)] if keepdim else y_r.shape[:-1]
    return (y_x.reshape(shape), y_r.reshape(shape)), i_r.reshape(shape)


def maximum(a: Pair, b: Pair) -> Pair:
    """Element-wise ``max(a, b)``: :func:`cross_max` over the two operands, symmetric in them."""
    a_x, b_x = torch.broadcast_tensors(a[0], b[0])
    a_r, b_r = torch.broadcast_tensors(a[1], b[1])
    (y_x, y_r), _ = cross_max((torch.stack([a_x, b_x], -1), torch.stack([a_r, b_r], -1)), _max_last, 1)
    return y_x.squeeze(-1), y_r.squeeze(-1)


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
