"""``summary``: a table of a model's layers, their parameter counts and output shapes, for reports and sanity checks."""

from __future__ import annotations

from typing import Any

import pandas as pd
import torch
from torch import nn

from eugene._threads import this_thread_only
from eugene._validate import check_positive_int, describe
from eugene.models._state import model_device, saved_model_state

__all__ = ["summary"]


def _shape(output: Any) -> Any:
    """Shape of a tensor as a tuple; of a tuple/list of outputs, the shapes nested the same way."""
    if isinstance(output, torch.Tensor):
        return tuple(output.shape)
    if isinstance(output, (tuple, list)):
        return tuple(_shape(o) for o in output)
    return type(output).__name__


def summary(model: nn.Module, seq_len: int | None = None, alphabet_size: int | None = None) -> pd.DataFrame:
    """One row per call of a leaf layer in a forward pass of one all-zero sequence: name, type, output shape, params.

    Parameters
    ----------
    model
        A PyTorch model taking (N, A, L) input. TorchScript modules are not supported (they take no hooks).
    seq_len, alphabet_size
        Input length L and alphabet size A; default: the model's ``seq_len`` / ``alphabet_size`` attributes, as the
        reference architectures have (A defaults to 4 otherwise).

    Returns
    -------
    pandas.DataFrame
        Columns ``layer`` (qualified name), ``type``, ``output_shape`` (batch of 1; tuples of shapes for layers such
        as LSTM returning several tensors) and ``n_params`` (the layer's own parameters). ``attrs`` holds
        ``total_params`` and ``trainable_params`` of the whole model and the ``input_shape`` used.

    Examples
    --------
    >>> from eugene.models import build
    >>> table = summary(build("deepbind", seq_len=50))
    >>> table.attrs["total_params"] == sum(p.numel() for p in build("deepbind").parameters())
    True
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {describe(model)}")
    if isinstance(model, torch.jit.ScriptModule):
        raise TypeError("model must be a regular nn.Module; TorchScript modules do not support the hooks summary uses")
    seq_len = check_positive_int(seq_len if seq_len is not None else getattr(model, "seq_len", None), "seq_len")
    alphabet_size = check_positive_int(
        alphabet_size if alphabet_size is not None else getattr(model, "alphabet_size", 4), "alphabet_size"
    )
    rows: list[dict[str, Any]] = []
    handles = []

    def record(name: str):
        # only this call's forward pass: other threads may run the model at the same time
        @this_thread_only
        def hook(module: nn.Module, _inputs: Any, output: Any) -> None:
            n_params = sum(p.numel() for p in module.parameters(recurse=False))
            rows.append(
                {"layer": name, "type": type(module).__name__, "output_shape": _shape(output), "n_params": n_params}
            )

        return hook

    # eval mode (no BatchNorm statistics updated) saved and restored like every other use of the model, so calls
    # from several threads, or beside an attribution, neither restore each other's changes nor leave eval mode on
    with saved_model_state(model) as saved:
        try:
            for name, module in model.named_modules():
                if name and next(module.children(), None) is None:
                    handles.append(module.register_forward_hook(record(name)))
            with torch.no_grad():
                model(torch.zeros(1, alphabet_size, seq_len, device=model_device(model)))
        finally:
            for handle in handles:
                handle.remove()
    table = pd.DataFrame(rows, columns=["layer", "type", "output_shape", "n_params"])
    table.attrs["total_params"] = sum(p.numel() for p in model.parameters())
    # as the user left them: another thread's block may still hold them off
    table.attrs["trainable_params"] = sum(p.numel() for p, flag in zip(saved[2], saved[4]) if flag)
    table.attrs["input_shape"] = (1, alphabet_size, seq_len)
    return table
