"""Which torch functions DeepLIFT passes through (linear), which get a rule, and how each rule reads its arguments.

Functions are recognised by name at the torch-function level, so ``F.relu``, ``torch.relu``, ``Tensor.relu``,
``relu_`` and ``nn.ReLU`` (which calls ``F.relu``) are one case, however often a module is reused.

Each handler takes ``(func, args, kwargs, x_of, dependent)`` and returns the reference-side result; ``x_of(t)`` gives
the input-side value of an operand (the operand itself when it does not depend on the input), ``dependent`` lists the
input-dependent tensor operands. With ``x_of=None`` (the input pass) a handler only checks that it covers the call
and returns ``func``'s plain result. It raises :class:`Unsupported` for a variant it has no exact rule for; the
caller then flags the operation by name.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from . import _rules
from ._rules import Pair


class Unsupported(Exception):
    """This call has no exact DeepLIFT rule; the message says why."""


# Linear (or affine) in their input-dependent operand, or not numeric at all: the gradient is already exact.
LINEAR = frozenset(
    """
    add add_ __add__ __radd__ __iadd__ sub sub_ subtract __sub__ __rsub__ __isub__ rsub neg neg_ negative __neg__
    __pos__ positive sum nansum mean cumsum diff cat concat concatenate stack hstack vstack dstack reshape reshape_as
    view view_as flatten unflatten permute transpose transpose_ swapaxes swapdims movedim moveaxis t squeeze
    squeeze_ unsqueeze unsqueeze_ __getitem__ __setitem__ index_select narrow select split split_with_sizes chunk
    unbind tensor_split gather take take_along_dim as_strided pad constant_pad_nd avg_pool1d avg_pool2d avg_pool3d
    adaptive_avg_pool1d adaptive_avg_pool2d
    contiguous clone to float double half bfloat16 type type_as cpu cuda expand expand_as repeat repeat_interleave
    tile flip fliplr flipud roll unfold fold pixel_shuffle pixel_unshuffle interpolate upsample trace diagonal
    tril triu rot90 sum_to_size zeros_like ones_like full_like empty_like rand_like randn_like new_zeros new_ones
    new_full new_empty new_tensor masked_fill masked_fill_ index_add index_add_ scatter_add scatter_add_ copy_
    fill_ zero_ requires_grad_ retain_grad __get__ __set__ size dim numel __len__ __bool__ __format__ __repr__
    __contains__ __array__ numpy tolist item data_ptr is_contiguous is_floating_point element_size stride
    storage_offset dtype device isfinite isnan isinf isclose eq ne lt le gt ge __eq__ __ne__ __lt__ __le__ __gt__
    __ge__ argmax argmin argsort any all equal allclose count_nonzero nonzero get_device
    """.split()
)

# Affine in each of their tensor operands: one input-dependent operand is linear, two get the Shapley rule.
MULTI_AFFINE = frozenset(
    """
    mul mul_ multiply __mul__ __rmul__ __imul__ matmul __matmul__ __rmatmul__ mm bmm einsum tensordot outer dot
    inner linear bilinear conv1d conv2d conv3d conv_transpose1d conv_transpose2d addmm baddbmm addbmm addmv
    """.split()
)

# Element-wise functions of one input-dependent operand: the rescale rule.
ELEMENTWISE = frozenset(
    """
    relu relu_ relu6 hardtanh hardtanh_ sigmoid sigmoid_ tanh tanh_ softplus elu elu_ selu selu_ celu celu_ gelu
    silu mish leaky_relu leaky_relu_ prelu rrelu exp exp_ exp2 expm1 log log_ log1p log2 log10 sqrt sqrt_ rsqrt
    reciprocal reciprocal_ square abs abs_ absolute softsign hardsigmoid hardswish logsigmoid log_sigmoid sin cos
    erf erfc clamp clamp_ clip clip_ clamp_min clamp_max threshold threshold_ pow pow_ __pow__ float_power __rpow__
    sign sgn heaviside tanhshrink softshrink hardshrink logit sinh cosh arctan atan asinh
    """.split()
)

# Linear only in eval mode: (argument index, keyword) of their ``training`` flag.
TRAINING_FLAG = {
    "batch_norm": (5, "training"),
    "dropout": (2, "training"),
    "dropout1d": (2, "training"),
    "dropout2d": (2, "training"),
    "dropout3d": (2, "training"),
    "alpha_dropout": (2, "training"),
    "feature_alpha_dropout": (2, "training"),
}


def is_training(name: str, args: tuple, kwargs: dict) -> bool:
    index, key = TRAINING_FLAG[name]
    flag = kwargs.get(key, args[index] if len(args) > index else name != "batch_norm")
    return bool(flag)


@functools.cache
def _signature(func: Callable) -> inspect.Signature | None:
    try:
        return inspect.signature(func)
    except (TypeError, ValueError):
        return None


def _bind(func: Callable, args: tuple, kwargs: dict, defaults: dict) -> dict:
    """Arguments by name; for builtins without a signature, positional order from ``defaults``."""
    signature = _signature(func)
    if signature is not None and not any(p.kind == p.VAR_POSITIONAL for p in signature.parameters.values()):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return dict(bound.arguments)
    names = list(defaults)
    bound = dict(defaults)
    bound.update(zip(names, args))
    bound.update(kwargs)
    return bound


def _unary_function(func: Callable, args: tuple, kwargs: dict) -> tuple[Callable, bool]:
    """``(fn, inplace)``: ``fn(t)`` computes ``func`` out of place on ``t`` with the call's other arguments."""
    name = func.__name__
    if name.endswith("_") and not name.endswith("__"):
        base = name[:-1]
        out_of_place = getattr(torch.Tensor, base, None) or getattr(F, base)
        rest = args[1:]
        return (lambda t: out_of_place(t, *rest, **kwargs)), True
    if name == "__rpow__":
        base = args[1]
        return (lambda t: torch.pow(base, t)), False
    inplace = False
    if "inplace" in kwargs or (_signature(func) is not None and "inplace" in _signature(func).parameters):
        bound = _bind(func, args, kwargs, {})
        inplace = bool(bound.pop("inplace", False))
        first = next(iter(bound))
        rest_kwargs = {k: v for k, v in bound.items() if k != first}
        return (lambda t: func(t, **rest_kwargs, inplace=False)), inplace
    rest = args[1:]
    return (lambda t: func(t, *rest, **kwargs)), False


def _finish(args: tuple, result: torch.Tensor, inplace: bool) -> torch.Tensor:
    if inplace:
        args[0].copy_(result)
        return args[0]
    return result


def elementwise(func, args, kwargs, x_of, dependent) -> torch.Tensor:
    first = args[0] if args else kwargs.get("input")
    if any(t is not first for t in dependent):
        raise Unsupported(f"{func.__name__} with more than one input-dependent operand")
    if x_of is None:
        return func(*args, **kwargs)
    fn, inplace = _unary_function(func, args, kwargs)
    return _finish(args, _rules.rescale(fn, (x_of(first), first))[1], inplace)


def multi_affine(func, args, kwargs, x_of, dependent) -> torch.Tensor:
    if len(dependent) > 2:
        raise Unsupported(f"{func.__name__} with more than two input-dependent operands")
    if len(dependent) == 1 or x_of is None:
        return func(*args, **kwargs)
    leaves, spec = torch.utils._pytree.tree_flatten((args, kwargs))
    # by position, not identity: in ``t * t`` both operands are one tensor, and each must be swapped on its own
    ia, ib = (i for i, leaf in enumerate(leaves) if isinstance(leaf, torch.Tensor) and leaf.requires_grad)
    name = func.__name__
    inplace = name.endswith("_") and not name.endswith("__") or name.startswith("__i")
    call = getattr(torch, name.strip("_").removeprefix("i"), None) if inplace else func

    def g(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        swapped = list(leaves)
        swapped[ia], swapped[ib] = a, b
        call_args, call_kwargs = torch.utils._pytree.tree_unflatten(swapped, spec)
        return call(*call_args, **call_kwargs)

    a, b = dependent
    result = _rules.multi_affine(g, (x_of(a), a), (x_of(b), b))[1]
    return _finish(args, result, inplace)


def divide(func, args, kwargs, x_of, dependent) -> torch.Tensor:
    """a / b = a * reciprocal(b): rescale for the reciprocal, then the product rule."""
    name = func.__name__
    if kwargs.get("rounding_mode") is not None or (len(args) > 2 and args[2] is not None):
        raise Unsupported(f"{name} with rounding_mode")
    numerator, denominator = (args[1], args[0]) if name in ("__rtruediv__", "__rdiv__") else (args[0], args[1])
    if x_of is None or not any(t is denominator for t in dependent):
        return func(*args, **kwargs)
    inverse = _rules.rescale(torch.reciprocal, (x_of(denominator), denominator))
    if any(t is numerator for t in dependent):
        result = _rules.multi_affine(torch.mul, (x_of(numerator), numerator), inverse)[1]
    else:
        result = numerator * inverse[1]
    inplace = name in ("div_", "__itruediv__", "true_divide_")
    return _finish(args, result, inplace)


def _pair(t: Any, x_of) -> Pair:
    return x_of(t), t


def binary_max(func, args, kwargs, x_of, dependent) -> torch.Tensor:
    if x_of is None:
        return func(*args, **kwargs)
    a, b = args[0], args[1]
    if not isinstance(b, torch.Tensor):
        b = torch.as_tensor(b, dtype=a.dtype, device=a.device)
    if func.__name__ in ("minimum", "fmin", "min"):
        return -_rules.maximum((-x_of(a), -a), (-x_of(b), -b))[1]
    return _rules.maximum(_pair(a, x_of), _pair(b, x_of))[1]


def reduce_max(func, args, kwargs, x_of, dependent) -> Any:
    """max / min / amax / amin over dims; Tensor.max(dim) also returns the (reference-side) indices."""
    name = func.__name__
    if name in ("max", "min") and len(args) > 1 and isinstance(args[1], torch.Tensor):
        return binary_max(func, args, kwargs, x_of, dependent)
    t = args[0]
    sign = -1.0 if name in ("min", "amin") else 1.0
    dim = kwargs.get("dim", args[1] if len(args) > 1 else None)
    keepdim = kwargs.get("keepdim", args[2] if len(args) > 2 else False)
    dims = () if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))
    if name in ("max", "min") and dims and not isinstance(dim, int):
        raise Unsupported(f"{name} over a named dimension")
    if x_of is None:
        return func(*args, **kwargs)
    (_, value), indices = _rules.max_over((sign * x_of(t), sign * t), dims, keepdim)
    value = sign * value
    if name in ("max", "min") and isinstance(dim, int):
        return (torch.return_types.max if name == "max" else torch.return_types.min)((value, indices))
    return value


def max_pool(func, args, kwargs, x_of, dependent) -> Any:
    """Every max pooling function (1-3d, adaptive, with indices) through its ``*_with_indices`` twin."""
    if x_of is None:
        return func(*args, **kwargs)
    name = func.__name__.removesuffix("_with_indices")
    with_indices = getattr(F, f"{name}_with_indices")
    bound = _bind(with_indices, args, kwargs, {})
    indices_wanted = bound.pop("return_indices") or func.__name__.endswith("_with_indices")
    t = bound.pop("input")

    def pool(side: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return with_indices(side, **bound)

    (_, value), indices = _rules.cross_max(_pair(t, x_of), pool, spatial=int(name[-2]))
    return (value, indices) if indices_wanted else value


def softmax(func, args, kwargs, x_of, dependent) -> torch.Tensor:
    t = args[0]
    dim = kwargs.get("dim", args[1] if len(args) > 1 else None)
    if dim is None:
        raise Unsupported(f"{func.__name__} without dim")
    if x_of is None:
        return func(*args, **kwargs)
    dtype = kwargs.get("dtype")
    pair = _pair(t, x_of)
    if dtype is not None:
        pair = (pair[0].to(dtype), pair[1].to(dtype))
    return _rules.softmax(pair, dim, log=func.__name__ == "log_softmax")[1]


def logsumexp(func, args, kwargs, x_of, dependent) -> torch.Tensor:
    dim = kwargs.get("dim", args[1] if len(args) > 1 else None)
    keepdim = kwargs.get("keepdim", args[2] if len(args) > 2 else False)
    if not isinstance(dim, int):
        dim = dim[0] if isinstance(dim, (tuple, list)) and len(dim) == 1 else None
    if dim is None:
        raise Unsupported("logsumexp over several dims")
    if x_of is None:
        return func(*args, **kwargs)
    return _rules.logsumexp(_pair(args[0], x_of), dim, keepdim)[1]


RULES: dict[str, Callable] = {
    **dict.fromkeys(ELEMENTWISE, elementwise),
    **dict.fromkeys(MULTI_AFFINE, multi_affine),
    **dict.fromkeys(
        ["div", "div_", "divide", "true_divide", "__truediv__", "__itruediv__", "__rtruediv__", "__rdiv__"], divide
    ),
    **dict.fromkeys(["maximum", "minimum", "fmax", "fmin"], binary_max),
    **dict.fromkeys(["max", "min", "amax", "amin"], reduce_max),
    **dict.fromkeys(
        [
            f"{kind}max_pool{n}d{suffix}"
            for kind in ("", "adaptive_")
            for n in (1, 2, 3)
            for suffix in ("", "_with_indices")
        ],
        max_pool,
    ),
    "softmax": softmax,
    "log_softmax": softmax,
    "logsumexp": logsumexp,
}
