"""Receptive fields: which input columns each output position of a layer sees, through the conv/pool stack before it.

A stack of Conv1d / MaxPool1d / AvgPool1d layers maps output position ``p`` of layer ``l`` to the contiguous input
columns ``[start + p * jump, start + p * jump + width)``, where, layer by layer (kernel ``k``, stride ``s``, left
padding ``pad``, dilation ``d``), starting from ``width = 1, jump = 1, start = 0``::

    width += (k - 1) * d * jump;   start -= pad * jump;   jump *= s

(the standard receptive-field arithmetic, e.g. Araujo, Norris & Sim 2019, "Computing receptive fields of
convolutional neural networks", Distill). The layers are found by running the model once on a single sequence with
hooks on every leaf module, in the order they are called; a length change that no hooked module explains (a
functional ``F.max_pool1d`` or ``F.pad``) or a position-mixing module (RNN, attention) raises instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from .._threads import this_thread_only
from ._engine import _first_tensor, layer_output

__all__ = ["Window", "receptive_field"]

_GEOMETRIC = (nn.Conv1d, nn.MaxPool1d, nn.AvgPool1d)
_POSITION_MIXING = (nn.RNNBase, nn.MultiheadAttention, nn.TransformerEncoderLayer, nn.TransformerDecoderLayer)


@dataclass(frozen=True)
class Window:
    """Output position ``p`` of a layer sees input columns ``start + p * jump + arange(width)``."""

    width: int
    jump: int = 1
    start: int = 0

    def then(self, kernel: int, stride: int, padding: int, dilation: int) -> Window:
        """The window after one more conv/pool layer with these parameters."""
        return Window(
            width=self.width + (kernel - 1) * dilation * self.jump,
            jump=self.jump * stride,
            start=self.start - padding * self.jump,
        )

    def starts(self, n_out: int, device: torch.device | None = None) -> torch.Tensor:
        """The first input column of each of ``n_out`` output positions, shape (n_out,)."""
        return self.start + self.jump * torch.arange(n_out, device=device)

    def inside(self, n_out: int, length: int, device: torch.device | None = None) -> torch.Tensor:
        """Boolean (n_out,): whether each position's window lies wholly inside a sequence of ``length`` columns."""
        first = self.starts(n_out, device)
        return (first >= 0) & (first + self.width <= length)


def _one(value: Any) -> int:
    return int(value[0]) if isinstance(value, (tuple, list)) else int(value)


def _layer_geometry(module: nn.Module) -> tuple[int, int, int, int]:
    """(kernel, stride, left padding, dilation) of a Conv1d / MaxPool1d / AvgPool1d."""
    kernel = _one(module.kernel_size)
    stride = _one(module.stride) if module.stride is not None else kernel
    dilation = _one(getattr(module, "dilation", 1))
    padding = module.padding
    if isinstance(padding, str):  # Conv1d "valid" / "same"; PyTorch puts the odd column of "same" on the right
        padding = 0 if padding == "valid" else dilation * (kernel - 1) // 2
    if isinstance(module, nn.Conv1d) and module.padding_mode != "zeros" and _one(padding) > 0:
        raise ValueError(
            f"receptive fields assume zero padding; this Conv1d has padding_mode={module.padding_mode!r}, whose "
            "padded columns repeat sequence columns"
        )
    return kernel, stride, _one(padding), dilation


def receptive_field(model: nn.Module, layer: nn.Module, x: torch.Tensor, *, name: str = "layer") -> Window:
    """The input window of each output position of ``layer``, found by one forward pass of ``model`` on ``x[:1]``.

    Call inside :func:`eugene.interpret._engine.model_state` and ``torch.no_grad()``.

    Examples
    --------
    >>> model = nn.Sequential(nn.Conv1d(4, 8, 5, padding=2), nn.MaxPool1d(2), nn.Conv1d(8, 8, 3))
    >>> with torch.no_grad():
    ...     receptive_field(model, model[2], torch.zeros(1, 4, 50))
    Window(width=10, jump=2, start=-2)
    """
    calls: list[tuple[str, nn.Module, tuple, tuple]] = []
    names = {module: qualified for qualified, module in model.named_modules()}

    def record(module: nn.Module, inputs: Any, output: Any) -> None:
        first = inputs[0] if inputs else None
        in_shape = tuple(first.shape) if isinstance(first, torch.Tensor) else ()
        try:
            out_shape = tuple(_first_tensor(output, names.get(module, "?")).shape)
        except TypeError:
            out_shape = ()
        calls.append((names.get(module, "?"), module, in_shape, out_shape))

    # recording hooks go first, so on a leaf ``layer`` they fire before layer_output's hook stops the pass
    handles = [m.register_forward_hook(this_thread_only(record)) for m in model.modules() if not list(m.children())]
    try:
        out = layer_output(model, layer, x[:1], name=name)
    finally:
        for handle in handles:
            handle.remove()
    if out.ndim != 3:
        raise ValueError(
            f"layer {name!r} must output (N, channels, positions) to have a receptive field; it outputs shape "
            f"{tuple(out.shape)}"
        )
    window = Window(1)
    length = x.shape[-1]
    for qualified, module, in_shape, out_shape in calls:
        if isinstance(module, _POSITION_MIXING):
            raise ValueError(
                f"layer {name!r} comes after {qualified!r} ({type(module).__name__}), which mixes all positions; "
                "it has no local receptive field"
            )
        if len(in_shape) != 3 or len(out_shape) != 3:
            raise ValueError(
                f"layer {name!r} comes after {qualified!r}, whose input/output are not (N, channels, positions) "
                f"({in_shape} -> {out_shape}); name a convolutional layer"
            )
        if in_shape[-1] != length:
            raise ValueError(
                f"the sequence length changes from {length} to {in_shape[-1]} before {qualified!r} without a module "
                "doing it (a functional pooling or padding?); the receptive field cannot be traced: use nn modules"
            )
        if isinstance(module, _GEOMETRIC):
            window = window.then(*_layer_geometry(module))
        elif out_shape[-1] != in_shape[-1]:
            raise ValueError(
                f"{qualified!r} ({type(module).__name__}) changes the length from {in_shape[-1]} to {out_shape[-1]}; "
                "receptive fields are traced through Conv1d, MaxPool1d and AvgPool1d only"
            )
        length = out_shape[-1]
    if out.shape[-1] != length:
        raise ValueError(
            f"layer {name!r} outputs {out.shape[-1]} positions but the traced stack gives {length}; a functional "
            "length change cannot be traced: use nn modules"
        )
    return window
