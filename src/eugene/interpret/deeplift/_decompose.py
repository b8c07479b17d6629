"""Fused operations rewritten as the primitives they compute, so that every primitive gets its exact rule.

Each decomposition is plain torch code; the DeepLIFT mode runs it under itself, so its sigmoids, tanhs and
products of input-dependent tensors get the rescale and Shapley rules. This makes a fused LSTM or GRU kernel, a
LayerNorm, a GLU and attention (``F.scaled_dot_product_attention``, ``nn.MultiheadAttention``, and through it
``nn.TransformerEncoderLayer`` / ``DecoderLayer``) exact instead of flagged. A decomposition returns None for a
variant it does not cover (packed sequences, LSTM projections, attention dropout in training), and the call is
flagged.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F


def _lstm_cell(x_t, h, c, w_hh, b_hh):
    gates = x_t + F.linear(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, dim=-1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def _gru_cell(x_t, h, c, w_hh, b_hh):
    x_r, x_z, x_n = x_t.chunk(3, dim=-1)
    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, dim=-1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h, c


def _recurrent(cell: Callable, n_weights: int):
    def run(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
        if not isinstance(input, torch.Tensor) or not isinstance(params, (list, tuple)):
            return None
        directions = 2 if bidirectional else 1
        per = n_weights if has_biases else n_weights // 2
        if len(params) != num_layers * directions * per or (train and dropout > 0):
            return None  # packed sequences, projections or dropout between layers
        h0, c0 = (hx, hx) if isinstance(hx, torch.Tensor) else hx
        layer_in = input.transpose(0, 1) if batch_first else input
        h_n, c_n = [], []
        for layer in range(num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                w_ih, w_hh, *biases = params[index * per : (index + 1) * per]
                b_ih, b_hh = biases if biases else (None, None)
                projected = F.linear(layer_in, w_ih, b_ih)
                steps = range(projected.shape[0])
                h, c = h0[index], c0[index]
                out = [None] * len(steps)
                for t in reversed(steps) if direction else steps:
                    h, c = cell(projected[t], h, c, w_hh, b_hh)
                    out[t] = h
                outputs.append(torch.stack(out))
                h_n.append(h)
                c_n.append(c)
            layer_in = torch.cat(outputs, dim=-1) if directions == 2 else outputs[0]
        output = layer_in.transpose(0, 1) if batch_first else layer_in
        if cell is _gru_cell:
            return output, torch.stack(h_n)
        return output, torch.stack(h_n), torch.stack(c_n)

    return run


def _layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    dims = tuple(range(-len(normalized_shape), 0))
    centred = input - input.mean(dim=dims, keepdim=True)
    variance = (centred * centred).mean(dim=dims, keepdim=True)
    out = centred * torch.rsqrt(variance + eps)
    if weight is not None:
        out = out * weight
    return out + bias if bias is not None else out


def _rms_norm(input, normalized_shape, weight=None, eps=None):
    dims = tuple(range(-len(normalized_shape), 0))
    eps = torch.finfo(input.dtype).eps if eps is None else eps
    out = input * torch.rsqrt(input.square().mean(dim=dims, keepdim=True) + eps)
    return out * weight if weight is not None else out


def _glu(input, dim=-1):
    a, b = input.chunk(2, dim=dim)
    return a * torch.sigmoid(b)


def _scaled_dot_product_attention(
    query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False
):
    """softmax(q kᵀ · scale + mask) v, as ``F.scaled_dot_product_attention`` documents its math: two products of
    input-dependent factors (Shapley rule) around a softmax (its exact decomposition)."""
    if dropout_p > 0:
        return None  # random dropout of the attention weights has no exact rule
    if enable_gqa:
        groups = query.shape[-3] // key.shape[-3]
        key, value = key.repeat_interleave(groups, dim=-3), value.repeat_interleave(groups, dim=-3)
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = query @ key.transpose(-2, -1) * scale
    if is_causal:
        allowed = torch.ones(query.shape[-2], key.shape[-2], dtype=torch.bool, device=query.device).tril()
        scores = scores.masked_fill(~allowed, -math.inf)
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, -math.inf)
        else:
            scores = scores + attn_mask
    return torch.softmax(scores, dim=-1) @ value


def _undispatched(func: Callable) -> Callable | None:
    """``func`` (a Python function of torch.nn.functional that hands itself to ``__torch_function__`` first) with that
    hand-over skipped, so that its body runs under the mode and each primitive it calls gets its rule.

    The copy shares ``func``'s code and a copy of its module's namespace in which ``has_torch_function`` answers
    False; nothing of torch is changed. None when ``func`` does not dispatch that way (its body would call the mode
    again).
    """
    code = getattr(func, "__code__", None)
    if code is None or "has_torch_function" not in code.co_names:
        return None
    namespace = {**func.__globals__, "has_torch_function": lambda *_: False}
    body = types.FunctionType(code, namespace, func.__name__, func.__defaults__, func.__closure__)
    body.__kwdefaults__ = func.__kwdefaults__
    return body


# nn.MultiheadAttention's functional core (also inside nn.TransformerEncoderLayer / DecoderLayer), run as torch
# writes it: projections (linear), q kᵀ (a product of two input-dependent factors), softmax or
# scaled_dot_product_attention, the weighted sum of v (a product) and the output projection, each with its rule; its
# masks, bias_k / bias_v and weight averaging are torch's own.
_MULTI_HEAD_ATTENTION = _undispatched(F.multi_head_attention_forward)


DECOMPOSITIONS: dict[str, Callable[..., Any]] = {
    "lstm": _recurrent(_lstm_cell, 4),
    "gru": _recurrent(_gru_cell, 4),
    "layer_norm": _layer_norm,
    "rms_norm": _rms_norm,
    "glu": _glu,
    "scaled_dot_product_attention": _scaled_dot_product_attention,
    **({"multi_head_attention_forward": _MULTI_HEAD_ATTENTION} if _MULTI_HEAD_ATTENTION else {}),
}
