"""A model's state (training flags, requires_grad, device, hooks) saved around a use of it and restored after, safe
when several threads use one model at once: :func:`model_state`, shared by every interpret method and
:func:`eugene.models.summary`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn

from eugene._threads import saved_while_open
from eugene._validate import describe

__all__ = ["model_alphabet_size", "model_device", "model_dtype", "model_state", "saved_model_state"]


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter or buffer (CPU for a model with neither)."""
    for tensor in (*model.parameters(), *model.buffers()):
        return tensor.device
    return torch.device("cpu")


def model_dtype(model: nn.Module) -> torch.dtype | None:
    """The dtype of the model's first floating-point parameter or buffer (None for a model with neither)."""
    for tensor in (*model.parameters(), *model.buffers()):
        if tensor.is_floating_point():
            return tensor.dtype
    return None


def model_alphabet_size(model: nn.Module) -> int | None:
    """The alphabet size the model expects: ``in_channels`` of its first Conv1d, or None when it has none."""
    for module in model.modules():
        if isinstance(module, nn.Conv1d):
            return module.in_channels
    return None


_HOOK_TABLES = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")


def _hook_keys(module: nn.Module) -> dict[str, set]:
    return {attr: set(getattr(module, attr).keys()) for attr in _HOOK_TABLES if hasattr(module, attr)}


@contextlib.contextmanager
def model_state(model: nn.Module, device: torch.device | None = None) -> Iterator[nn.Module]:
    """Use ``model`` in eval mode, without parameter gradients, on ``device``; restore everything on exit.

    Restored on every exit path, errors included: each module's training flag, each parameter's ``requires_grad``,
    the device of every parameter and buffer, and the hook dictionaries (hooks added inside are removed).
    """
    with saved_model_state(model, device):
        yield model


@contextlib.contextmanager
def saved_model_state(model: nn.Module, device: torch.device | None = None) -> Iterator[tuple]:
    """:func:`model_state` yielding the state saved when the first of the overlapping blocks opened: ``(model,
    modules, parameters, training flags, requires_grad flags, hook keys, device)`` as the user left them."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {describe(model)}")
    # several threads may use one model at once: the first to enter saves its state, the last to leave restores it;
    # every user of a model's state goes through here, so overlapping blocks save and restore alike
    with saved_while_open(model, lambda: _saved_state(model), _restore_state) as saved:
        model.eval()
        for p in saved[2]:
            p.requires_grad_(False)
        if device is not None and device != model_device(model):
            model.to(device)
        yield saved


def _saved_state(model: nn.Module) -> tuple:
    modules, params = list(model.modules()), list(model.parameters())
    training, requires_grad = [m.training for m in modules], [p.requires_grad for p in params]
    return model, modules, params, training, requires_grad, [_hook_keys(m) for m in modules], model_device(model)


def _restore_state(saved: tuple) -> None:
    model, modules, params, training, requires_grad, hooks, original_device = saved
    if model_device(model) != original_device:
        model.to(original_device)
    for p, flag in zip(params, requires_grad):
        p.requires_grad_(flag)
    for m, flag in zip(modules, training):
        m.training = flag
    for m, before in zip(modules, hooks):
        for attr, keys in before.items():
            table = getattr(m, attr)
            for key in set(table.keys()) - keys:
                del table[key]
