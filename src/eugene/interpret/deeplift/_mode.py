"""The TorchFunctionMode that applies DeepLIFT per call: intercept every torch function, not module hooks.

The model runs twice under this mode. On the input pass the mode *records*: for every call with a rule whose
operands depend on the input, it keeps the input-side values of those operands on a tape. On the reference pass
(the one that is back-propagated) it *replays*: the same calls come in the same order, and each rule combines the
recorded input side with the live reference side (see :mod:`._rules`). A tensor depends on the input exactly when it
requires grad (the model's parameters are frozen by ``model_state``).

Calls with no rule that are not known to be linear, and touch an input-dependent tensor, are collected by name in
``flagged``; the caller warns about them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_leaves

from ._decompose import DECOMPOSITIONS
from ._ops import LINEAR, RULES, TRAINING_FLAG, Unsupported, is_training


class DeepLiftWarning(UserWarning):
    """DeepLIFT could not be exact: an operation without a rule, or summation-to-delta outside tolerance."""


class ReplayMismatch(RuntimeError):
    """The reference pass did not call the same operations as the input pass (input-dependent control flow)."""


def _dependent(leaf: Any) -> bool:
    return isinstance(leaf, torch.Tensor) and leaf.requires_grad


def _has_float_tensor(result: Any) -> bool:
    return any(isinstance(leaf, torch.Tensor) and leaf.is_floating_point() for leaf in tree_leaves(result))


class DeepLiftMode(TorchFunctionMode):
    """Record (``expand=None``) or replay DeepLIFT operands; ``expand(x_side, r_side)`` aligns recorded values."""

    def __init__(self, tape: list, expand: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None):
        super().__init__()
        self.tape = tape
        self.expand = expand
        self.position = 0
        self.flagged: set[str] = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        if name in LINEAR:
            return func(*args, **kwargs)
        dependent = [leaf for leaf in tree_leaves((args, kwargs)) if _dependent(leaf)]
        if not dependent:
            return func(*args, **kwargs)
        if name in TRAINING_FLAG:
            if is_training(name, args, kwargs):
                self.flagged.add(f"{name} (training mode)")
            return func(*args, **kwargs)
        if name in DECOMPOSITIONS:
            return self._decompose(func, name, args, kwargs)
        rule = RULES.get(name)
        if rule is None:
            result = func(*args, **kwargs)
            if _has_float_tensor(result):
                self.flagged.add(name)
            return result
        return self._apply(rule, func, name, args, kwargs, dependent)

    def _decompose(self, func, name, args, kwargs):
        with self:
            result = DECOMPOSITIONS[name](*args, **kwargs)
        if result is None:
            self.flagged.add(name)
            return func(*args, **kwargs)
        return result

    def _apply(self, rule, func, name, args, kwargs, dependent):
        if self.expand is None:  # input pass: keep the operands (before an in-place op changes them), run plainly
            recorded = [t.detach().clone() for t in dependent]
            try:
                result = rule(func, args, kwargs, None, dependent)
            except Unsupported as reason:
                self.flagged.add(f"{name} ({reason})")
                recorded, result = None, func(*args, **kwargs)
            self.tape.append((name, recorded))
            return result
        if self.position >= len(self.tape) or self.tape[self.position][0] != name:
            raise ReplayMismatch(f"the reference pass called {name} where the input pass did not")
        recorded = self.tape[self.position][1]
        self.position += 1
        if recorded is None:
            return func(*args, **kwargs)
        x_side = {id(t): self.expand(x, t) for x, t in zip(recorded, dependent)}
        return rule(func, args, kwargs, lambda t: x_side.get(id(t), t), dependent)
