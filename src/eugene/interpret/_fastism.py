"""Exact fast ISM: recompute only the positions a substitution can reach (Nair et al. 2022, Bioinformatics 38:2397).

The model is traced once with ``torch.fx``. Walking its graph from the input, a node is *local* when its output is an
(N, C, L) tensor whose position ``j`` depends only on a contiguous range of its input positions: convolutions and
max/average pooling (a window op), or element-wise functions of local tensors (activations, eval-mode BatchNorm,
dropout, residual sums, products with per-channel constants). Everything else (flatten + dense, RNNs, global pooling,
attention, anything unrecognised) is *global*.

For a substitution at input position ``p``, each local node changes only on a window of positions whose start depends
on ``p`` and whose width is fixed. Those windows are precomputed for every ``p`` by interval arithmetic. A mutant batch
then runs every local node on its window only: the op's input window is gathered from the cached reference activation
(padded with the op's own padding value) with the mutated window of the previous node written over it; positions
outside the sequence take the padding value. The first global node receives the full reference activation with the
window written in, and the rest of the graph runs unchanged on the mutant batch. Every op sees exactly the values it
sees in a full forward pass, so results equal naive ISM up to float rounding (summation order of the window ops).

The plan also carries a cost estimate of both exact paths (:class:`Costs`): multiply-adds, elements written and torch
calls of a mutant batch, read off the graph and the reference activations' shapes. ``ism(fast="auto")`` takes the
fast path only where that estimate says it is clearly cheaper; the estimate depends on shapes alone, so the choice is
the same every time for the same model, lengths, window and batch size.
"""

from __future__ import annotations

import operator
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import fx, nn

from .._threads import GLOBALS_PATCH_LOCK
from ._engine import batches

__all__ = ["CHUNK", "Costs", "FastISM", "FastISMUnsupported", "Work"]

CHUNK = 16  # sequences whose reference activations the fast path keeps at once


class FastISMUnsupported(Exception):
    """The model cannot use the fast path (not traceable, or no position-local layer at its start)."""


_POINTWISE_MODULES = (
    nn.ReLU,
    nn.ReLU6,
    nn.LeakyReLU,
    nn.PReLU,
    nn.ELU,
    nn.SELU,
    nn.CELU,
    nn.GELU,
    nn.SiLU,
    nn.Mish,
    nn.Sigmoid,
    nn.Tanh,
    nn.Softplus,
    nn.Softsign,
    nn.Hardtanh,
    nn.Hardsigmoid,
    nn.Hardswish,
    nn.LogSigmoid,
    nn.Tanhshrink,
    nn.Identity,
    nn.Dropout,
    nn.Dropout1d,
    nn.AlphaDropout,
)
_POINTWISE_FUNCTIONS = {
    torch.relu,
    torch.exp,
    torch.sigmoid,
    torch.tanh,
    torch.abs,
    torch.square,
    torch.sqrt,
    torch.log,
    torch.log1p,
    torch.clamp,
    torch.add,
    torch.sub,
    torch.mul,
    torch.div,
    torch.pow,
    torch.maximum,
    torch.minimum,
    F.relu,
    F.relu6,
    F.leaky_relu,
    F.elu,
    F.selu,
    F.celu,
    F.gelu,
    F.silu,
    F.mish,
    F.softplus,
    F.hardtanh,
    F.sigmoid,
    F.tanh,
    F.dropout,
    operator.add,
    operator.sub,
    operator.mul,
    operator.truediv,
    operator.neg,
    operator.pow,
}
_INPLACE_OPERATORS = {operator.iadd, operator.isub, operator.imul, operator.itruediv}
_POINTWISE_METHODS = {
    "relu",
    "exp",
    "sigmoid",
    "tanh",
    "abs",
    "square",
    "sqrt",
    "log",
    "clamp",
    "add",
    "sub",
    "mul",
    "div",
    "pow",
    "neg",
    "contiguous",
}


@dataclass
class _Window:
    """A window op: ``fn`` applied without padding to an input window; input position ``j * stride - pad + i``."""

    fn: Callable[[torch.Tensor], torch.Tensor]
    span: int  # dilation * (kernel - 1) + 1
    stride: int
    pad: int  # left padding
    pad_value: float


@dataclass(frozen=True)
class Work:
    """Work of one step of a path: multiply-adds, elements written by dense ops, elements moved by indexing (gathers,
    scatters, masked writes: far slower per element on a CPU), and calls into torch (each a fixed overhead of
    dispatch, Python and allocation, which dominates small batches)."""

    macs: float = 0.0
    elements: float = 0.0
    moved: float = 0.0
    calls: float = 0.0

    def __add__(self, other: Work) -> Work:
        return Work(*(a + b for a, b in zip(self.counts, other.counts)))

    def __mul__(self, k: float) -> Work:
        return Work(*(a * k for a in self.counts))

    @property
    def counts(self) -> tuple[float, float, float, float]:
        return self.macs, self.elements, self.moved, self.calls

    def seconds(self, device: torch.device) -> float:
        """Estimated seconds on ``device``'s kind (see ``SECONDS_PER``)."""
        per = SECONDS_PER.get(device.type, SECONDS_PER["cpu"])
        return sum(count * seconds for count, seconds in zip(self.counts, per))


# Seconds per multiply-add, element written, element moved by indexing and torch call on one CPU thread: fitted (least
# squares on relative error) to both exact paths' CPU times on the twelve cases of ``benchmarks/ism.py --auto``
# (2026-12-02, see benchmarks/README.md), where the estimated fast / naive ratio came within a factor 2.4 of the
# measured one. Only their ratios matter for the choice. Other devices use the CPU's figures (not measured there).
SECONDS_PER: dict[str, tuple[float, float, float, float]] = {"cpu": (3.5e-11, 9.7e-10, 1.9e-10, 1.6e-5)}


@dataclass(frozen=True)
class Costs:
    """Estimated work of the two exact paths for one model and sequence length (see :func:`_costs`).

    Naive ISM builds each mutant and runs the whole model on it; the fast path pads a chunk's reference activations
    once, then runs the local layers on windows and the rest in full. Work that both paths do alike (the references'
    own forward pass) is left out.
    """

    naive_mutant: Work
    naive_batch: Work
    fast_mutant: Work
    fast_batch: Work
    fast_sequence: Work  # padding one sequence's reference activations
    fast_chunk: Work

    def work(self, n_sequences: int, n_mutants: int, batch_size: int) -> tuple[Work, Work]:
        """Estimated work of (fast, naive) ISM of ``n_mutants`` mutants of ``n_sequences`` sequences."""
        naive_batches = -(-n_mutants // batch_size)
        chunks = -(-n_sequences // CHUNK)
        fast_batches = min(n_mutants, naive_batches + chunks)  # the fast path batches within each chunk
        fast = (
            self.fast_mutant * n_mutants
            + self.fast_batch * fast_batches
            + self.fast_sequence * n_sequences
            + self.fast_chunk * chunks
        )
        return fast, self.naive_mutant * n_mutants + self.naive_batch * naive_batches

    def seconds(self, n_sequences: int, n_mutants: int, batch_size: int, device: torch.device) -> tuple[float, float]:
        """Estimated seconds of (fast, naive) ISM of ``n_mutants`` mutants of ``n_sequences`` sequences."""
        fast, naive = self.work(n_sequences, n_mutants, batch_size)
        return fast.seconds(device), naive.seconds(device)


@dataclass
class _Plan:
    """Per node: how it runs on a mutant batch, and for local nodes the window start (per position p) and width."""

    kind: dict[fx.Node, str] = field(default_factory=dict)  # const | input | local | global
    window: dict[fx.Node, _Window] = field(default_factory=dict)
    start: dict[fx.Node, torch.Tensor] = field(default_factory=dict)  # (L,) long: window start for mutation at p
    width: dict[fx.Node, int] = field(default_factory=dict)
    length: dict[fx.Node, int] = field(default_factory=dict)
    gather: dict[fx.Node, torch.Tensor] = field(default_factory=dict)  # window op: input window start per p
    gather_width: dict[fx.Node, int] = field(default_factory=dict)
    margin: dict[fx.Node, tuple[int, int]] = field(default_factory=dict)  # padding of the source's reference
    rewindow: dict[fx.Node, set[fx.Node]] = field(default_factory=dict)  # point-wise inputs on another window
    # what each chunk pads once: the nodes windows are gathered from, with the padding values their consumers use
    # (a window op's own, 0 for a point-wise node's input on another window) ...
    gathered: dict[fx.Node, set[float]] = field(default_factory=dict)
    # ... and the local (or input) nodes read in full, by a global node or the output
    materialised: list[fx.Node] = field(default_factory=list)
    costs: Costs | None = None


def _window_op(module: nn.Module) -> _Window | None:
    """The window description of a Conv1d / MaxPool1d / AvgPool1d module, or None when it is not exact as one."""
    if isinstance(module, nn.Conv1d) and module.padding_mode == "zeros":
        (k,), (s,), (d,) = module.kernel_size, module.stride, module.dilation
        if module.padding == "same":
            pad = d * (k - 1) // 2
        elif module.padding == "valid":
            pad = 0
        else:
            pad = module.padding[0]

        def conv(x: torch.Tensor, m: nn.Conv1d = module) -> torch.Tensor:
            return F.conv1d(x, m.weight, m.bias, m.stride, 0, m.dilation, m.groups)

        return _Window(conv, d * (k - 1) + 1, s, pad, 0.0)
    if isinstance(module, nn.MaxPool1d) and not module.return_indices:
        k, s, p, d = (
            v if isinstance(v, int) else v[0]
            for v in (module.kernel_size, module.stride, module.padding, module.dilation)
        )

        def maxpool(x: torch.Tensor) -> torch.Tensor:
            return F.max_pool1d(x, k, s, 0, d)

        return _Window(maxpool, d * (k - 1) + 1, s, p, float("-inf"))
    if isinstance(module, nn.AvgPool1d) and not module.ceil_mode:
        (k,), (s,), (p,) = module.kernel_size, module.stride, module.padding
        if p > 0 and not module.count_include_pad:
            return None

        def avgpool(x: torch.Tensor) -> torch.Tensor:
            return F.avg_pool1d(x, k, s, 0)

        return _Window(avgpool, k, s, p, 0.0)
    return None


def _is_pointwise(node: fx.Node, module: nn.Module | None) -> bool:
    if node.op == "call_module":
        if isinstance(module, nn.BatchNorm1d):
            return not module.training and module.running_mean is not None
        return isinstance(module, _POINTWISE_MODULES)
    if node.op == "call_function":
        return node.target in _POINTWISE_FUNCTIONS
    if node.op == "call_method":
        return node.target in _POINTWISE_METHODS
    return False


def _is_inplace(node: fx.Node, modules: dict[str, nn.Module]) -> bool:
    """Whether ``node`` may write into its input: ``inplace=True`` modules/functions, ``x.relu_()``, ``x += y``."""
    if node.op == "call_module":
        return bool(getattr(modules.get(node.target), "inplace", False))
    if node.op == "call_method":
        return node.target.endswith("_") and not node.target.startswith("__")
    if node.op == "call_function":
        flags = [*node.args[1:], *node.kwargs.values()]
        return node.target in _INPLACE_OPERATORS or any(flag is True for flag in flags)
    return False


def _clone_tensors(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, (tuple, list)):
        return type(value)(_clone_tensors(v) for v in value)
    if isinstance(value, dict):
        return {k: _clone_tensors(v) for k, v in value.items()}
    return value


def _broadcasts_along_length(value: Any) -> bool:
    """A constant operand of a point-wise op is fine when it does not vary along the length (or batch) axis."""
    if not isinstance(value, torch.Tensor) or value.ndim == 0:
        return True
    return value.shape[-1] == 1 and (value.ndim < 3 or value.shape[0] == 1)


def _ceil_div(a: torch.Tensor, b: int) -> torch.Tensor:
    return -torch.div(-a, b, rounding_mode="floor")


def _per_row(value: Any, rows: int) -> float:
    """Elements of ``value`` (a tensor, or tensors in a tuple / list / dict) per sequence of a batch of ``rows``."""
    if isinstance(value, torch.Tensor):
        return value.numel() / rows
    if isinstance(value, (tuple, list)):
        return sum(_per_row(v, rows) for v in value)
    if isinstance(value, dict):
        return sum(_per_row(v, rows) for v in value.values())
    return 0.0


_MATMULS = {torch.matmul, torch.bmm, operator.matmul}


def _node_work(node: fx.Node, env: dict[fx.Node, Any], modules: dict[str, nn.Module], rows: int) -> Work:
    """Work of ``node`` in a full forward pass, per sequence: the multiply-adds of convolutions, dense layers,
    recurrent layers and matrix products (0 for other ops), the larger of the elements it reads and writes, one call
    (two for a module: its ``__call__``)."""
    out = _per_row(env[node], rows)
    inputs = sum(_per_row(env[n], rows) for n in node.all_input_nodes if n.op != "get_attr")
    macs, calls = 0.0, 1.0
    if node.op == "call_module":
        module, calls = modules[node.target], 2.0
        if isinstance(module, nn.Conv1d):
            macs = out * module.weight[0].numel()
        elif isinstance(module, nn.Linear):
            macs = out * module.in_features
        elif isinstance(module, nn.RNNBase) and node.args and isinstance(node.args[0], fx.Node):
            x = env[node.args[0]]
            steps = x.shape[1] if module.batch_first and x.ndim == 3 else x.shape[0]
            macs = steps * sum(p.numel() for p in module.parameters()) / (rows if x.ndim == 2 else 1)
    elif node.op == "call_function" and len(node.args) > 1 and isinstance(node.args[1], fx.Node):
        other = env[node.args[1]]
        if node.target is F.conv1d and isinstance(other, torch.Tensor):
            macs = out * other[0].numel()
        elif node.target is F.linear and isinstance(other, torch.Tensor):
            macs = out * other.shape[-1]
        elif node.target in _MATMULS and isinstance(other, torch.Tensor) and other.ndim >= 2:
            macs = out * other.shape[-2]
    return Work(macs, max(out, inputs), calls=calls)


def _costs(plan: _Plan, nodes: tuple[fx.Node, ...], env: dict[fx.Node, Any], modules: dict[str, nn.Module]) -> Costs:
    """The estimated work of both exact paths (:class:`Costs`) from the plan and a chunk's reference activations.

    Per mutant, naive ISM copies the sequence and runs every node in full. The fast path runs each window op on its
    window (multiply-adds on the window; the gathered input window copied twice: out of the padded reference, and the
    mutated window written over it), each local point-wise node on its window (plus the same copies for inputs on
    another window), writes each activation read in full into a copy of its reference (twice its size: the copy and
    the consumer's own), and runs every global node as the naive path does. The calls per batch count the torch
    calls each step makes (about a dozen per window op).
    """
    placeholder = next(n for n in nodes if n.op == "placeholder")
    rows, alphabet, length = env[placeholder].shape
    naive_mutant, naive_batch = Work(moved=alphabet * length), Work(calls=8)  # the mutants; index and select
    fast_mutant, fast_batch = Work(), Work(calls=8)
    for node in nodes:
        kind = plan.kind.get(node)
        if kind in (None, "const", "input"):
            continue
        full = _node_work(node, env, modules, rows)
        naive_mutant += Work(full.macs, full.elements)
        naive_batch += Work(calls=full.calls)
        if kind == "global":
            fast_mutant += Work(full.macs, full.elements)
            fast_batch += Work(calls=full.calls + 2)  # map_arg over its inputs
            continue
        channels = env[node].shape[1]
        share = plan.width[node] / plan.length[node]
        if node in plan.window:
            src = node.args[0]
            gathered = env[src].shape[1] * plan.gather_width[node]
            fast_mutant += Work(full.macs * share, full.elements * share, 2 * gathered)
            fast_batch += Work(calls=12)
        else:
            fast_mutant += Work(full.macs * share, full.elements * share)
            fast_batch += Work(calls=full.calls + 2)
            for src in plan.rewindow[node]:
                fast_mutant += Work(moved=2 * env[src].shape[1] * plan.width[node])
                fast_batch += Work(calls=10)
        if node in plan.materialised:
            fast_mutant += Work(moved=channels * (plan.length[node] + plan.width[node]))
            fast_batch += Work(calls=5)
    fast_sequence, fast_chunk = Work(), Work(calls=2)
    for node, values in plan.gathered.items():
        left, right = plan.margin.get(node, (0, 0))
        size = env[node].shape[1] * (env[node].shape[2] + left + right)
        fast_sequence += Work(elements=size * len(values))
        fast_chunk += Work(calls=len(values))
    return Costs(naive_mutant, naive_batch, fast_mutant, fast_batch, fast_sequence, fast_chunk)


class _ThreadTracer(fx.Tracer):
    """torch.fx's tracer, except that modules called from other threads while it traces run as usual.

    A trace patches ``nn.Module.__call__`` and ``__getattr__`` for the whole process; without this, a model running in
    another thread at that moment would be recorded into this graph and get proxies instead of tensors back.
    """

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()

    def call_module(self, m: nn.Module, forward: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        if threading.get_ident() != self.thread:
            return forward(*args, **kwargs)
        return super().call_module(m, forward, args, kwargs)

    def getattr(self, attr: str, attr_val: Any, parameter_proxy_cache: dict[str, Any]) -> Any:
        if threading.get_ident() != self.thread:
            return attr_val
        return super().getattr(attr, attr_val, parameter_proxy_cache)


@dataclass(frozen=True)
class _Traced:
    """A model's traced graph and what FastISM reads from it, shared by every FastISM of the model: never changed,
    except that ``plans`` gains the plan for each sequence length when first needed (the same plan whichever thread
    makes it, so two threads making it at once is harmless)."""

    gm: fx.GraphModule
    nodes: tuple[fx.Node, ...]
    modules: dict[str, nn.Module]
    inplace: frozenset[fx.Node]
    plans: dict[int, _Plan] = field(default_factory=dict)


_MODULE_INTERNALS = frozenset(vars(nn.Module())) - {"training"}
# model -> (fingerprint when traced, its trace or why it cannot be traced); read and written under GLOBALS_PATCH_LOCK
_TRACES: weakref.WeakKeyDictionary[nn.Module, tuple[tuple, _Traced | str]] = weakref.WeakKeyDictionary()


def _plain(value: Any) -> Any:
    """A value as the fingerprint keeps it: numbers, strings and tuples of them by value, anything else by identity."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return ("id", id(value))


def _fingerprint(model: nn.Module) -> tuple:
    """What a trace depends on: every submodule (identity, class, training flag and plain attributes, which Python
    control flow in ``forward`` may read) and the identity of every parameter and buffer. Identities are safe to key on:
    an object the cached trace holds stays alive, so its id cannot be reused by a replacement."""
    return tuple(
        (
            name,
            id(module),
            type(module),
            tuple((k, id(v)) for k, v in module._parameters.items()),
            tuple((k, id(v)) for k, v in module._buffers.items()),
            tuple((k, _plain(v)) for k, v in vars(module).items() if k not in _MODULE_INTERNALS),
        )
        for name, module in model.named_modules(remove_duplicate=False)
    )


def _trace(model: nn.Module) -> _Traced | str:
    """The model's trace, or why the fast path cannot use it. Call with GLOBALS_PATCH_LOCK held."""
    try:
        tracer = _ThreadTracer()
        gm = fx.GraphModule(model, tracer.trace(model), type(model).__name__)
    except Exception as err:  # torch.fx raises many kinds for untraceable code
        return f"torch.fx could not trace it ({type(err).__name__}: {err})"
    nodes = tuple(gm.graph.nodes)
    placeholders = [n for n in nodes if n.op == "placeholder"]
    if len(placeholders) != 1:
        return f"its forward takes {len(placeholders)} inputs; the fast path needs exactly one"
    modules = dict(gm.named_modules())
    inplace = frozenset(n for n in nodes if _is_inplace(n, modules))
    for node in inplace:
        if node.args and isinstance(node.args[0], fx.Node) and len(node.args[0].users) > 1:
            return f"the in-place operation {node.name} changes a value that other operations read afterwards"
    return _Traced(gm, nodes, modules, inplace)


def _traced(model: nn.Module) -> _Traced:
    """The model's trace, made once per model and again only when the model changed since (see _fingerprint).

    torch.fx tracing is not thread-safe (two traces at once leave ``nn.Module.__call__`` patched for the whole process),
    so traces are made one at a time under the process-wide GLOBALS_PATCH_LOCK.
    """
    fingerprint = _fingerprint(model)
    with GLOBALS_PATCH_LOCK:
        cached = _TRACES.get(model)
        if cached is None or cached[0] != fingerprint:
            cached = fingerprint, _trace(model)
            _TRACES[model] = cached
    if isinstance(cached[1], str):
        raise FastISMUnsupported(cached[1])
    return cached[1]


class FastISM:
    """Fast exact ISM predictions for one model: ``run`` gives the target for the references and every mutant.

    The model is traced and planned once per sequence length (shared by every FastISM of it); ``run`` changes nothing
    else that is shared, so one FastISM, or several of one model, may run from several threads at once. ``plan`` is
    the plan of the latest ``run``, kept for inspection only.
    """

    def __init__(self, model: nn.Module, device: torch.device) -> None:
        traced = _traced(model)
        self.model = model
        self.device = device
        self.gm, self.nodes, self.modules, self.inplace = traced.gm, traced.nodes, traced.modules, traced.inplace
        self.plans = traced.plans
        self.plan: _Plan | None = None

    # ---- executing nodes -------------------------------------------------------------------------------------
    def _execute(self, node: fx.Node, args: tuple, kwargs: dict) -> Any:
        if node in self.inplace:  # cached activations must keep their values: run in-place ops on copies
            args, kwargs = _clone_tensors(args), _clone_tensors(kwargs)
        if node.op == "get_attr":
            value: Any = self.gm
            for part in node.target.split("."):
                value = getattr(value, part)
            return value
        if node.op == "call_module":
            return self.modules[node.target](*args, **kwargs)
        if node.op == "call_function":
            return node.target(*args, **kwargs)
        if node.op == "call_method":
            return getattr(args[0], node.target)(*args[1:], **kwargs)
        raise FastISMUnsupported(f"unexpected graph node {node.op}")

    def _reference(self, X: torch.Tensor) -> tuple[dict[fx.Node, Any], Any]:
        env: dict[fx.Node, Any] = {}
        for node in self.nodes:
            if node.op == "placeholder":
                env[node] = X
            elif node.op == "output":
                return env, fx.node.map_arg(node.args[0], lambda n: env[n])
            else:
                args = fx.node.map_arg(node.args, lambda n: env[n])
                kwargs = fx.node.map_arg(node.kwargs, lambda n: env[n])
                env[node] = self._execute(node, args, kwargs)
        raise FastISMUnsupported("the traced graph has no output")

    # ---- planning: which nodes are local, and their windows for a mutation at each position ----------------------
    def _build_plan(self, env: dict[fx.Node, Any], length: int) -> _Plan:
        plan = _Plan()
        positions = torch.arange(length)
        for node in self.nodes:
            if node.op == "output":
                continue
            value = env[node]
            inputs = node.all_input_nodes
            dependent = [n for n in inputs if plan.kind[n] != "const"]
            if node.op == "placeholder":
                plan.kind[node] = "input"
                plan.start[node], plan.width[node], plan.length[node] = positions, 1, length
                continue
            if not dependent:
                plan.kind[node] = "const"
                continue
            plan.kind[node] = "global"
            if (
                not isinstance(value, torch.Tensor)
                or value.ndim != 3
                or any(plan.kind[n] not in ("input", "local") for n in dependent)
            ):
                continue
            module = self.modules.get(node.target) if node.op == "call_module" else None
            op = _window_op(module) if module is not None else None
            if (
                op is not None
                and len(dependent) == 1
                and node.args
                and node.args[0] is dependent[0]
                and not (len(node.args) > 1 or node.kwargs)
            ):
                self._plan_window(plan, node, dependent[0], op, value.shape[2])
            elif _is_pointwise(node, module) and all(env[n].shape[2] == value.shape[2] for n in dependent):
                consts = [env[n] for n in inputs if plan.kind[n] == "const"]
                if all(_broadcasts_along_length(c) for c in consts):
                    self._plan_pointwise(plan, node, dependent, value.shape[2])
        if not any(kind == "local" for kind in plan.kind.values()):
            raise FastISMUnsupported("its first layer already mixes all positions (no convolution or pooling first)")
        for node, op in plan.window.items():
            plan.gathered.setdefault(node.args[0], set()).add(op.pad_value)
        for sources in plan.rewindow.values():
            for src in sources:
                plan.gathered.setdefault(src, set()).add(0.0)
        plan.materialised = [
            node
            for node, kind in plan.kind.items()
            if kind in ("input", "local") and any(u.op == "output" or plan.kind.get(u) == "global" for u in node.users)
        ]
        plan.costs = _costs(plan, self.nodes, env, self.modules)
        return plan

    def _plan_window(self, plan: _Plan, node: fx.Node, src: fx.Node, op: _Window, length_out: int) -> None:
        start_in, width_in, length_in = plan.start[src], plan.width[src], plan.length[src]
        if op.stride > op.span:
            return
        lo = _ceil_div(start_in + op.pad - op.span + 1, op.stride)
        hi = torch.div(start_in + width_in - 1 + op.pad, op.stride, rounding_mode="floor")
        width_out = int((hi - lo).max()) + 1
        gather_width = (width_out - 1) * op.stride + op.span
        gather = lo * op.stride - op.pad
        offset = start_in - gather
        if (
            gather_width >= length_in
            or width_out >= length_out
            or (offset < 0).any()
            or (offset + width_in > gather_width).any()
        ):
            return  # no gain, or not expressible as one window: compute it in full
        plan.kind[node] = "local"
        plan.window[node] = op
        plan.start[node], plan.width[node], plan.length[node] = lo, width_out, length_out
        plan.gather[node], plan.gather_width[node] = gather, gather_width
        self._need_margin(plan, src, gather, gather_width)

    def _plan_pointwise(self, plan: _Plan, node: fx.Node, dependent: list[fx.Node], length: int) -> None:
        start = torch.stack([plan.start[n] for n in dependent]).amin(0)
        end = torch.stack([plan.start[n] + plan.width[n] for n in dependent]).amax(0)
        width = int((end - start).max())
        if width >= length:
            return
        plan.kind[node] = "local"
        plan.start[node], plan.width[node], plan.length[node] = start, width, length
        plan.rewindow[node] = set()
        for n in dependent:
            if not torch.equal(plan.start[n], start) or plan.width[n] != width:
                plan.rewindow[node].add(n)
                self._need_margin(plan, n, start, width)

    @staticmethod
    def _need_margin(plan: _Plan, src: fx.Node, start: torch.Tensor, width: int) -> None:
        left = max(0, -int(start.min()))
        right = max(0, int((start + width).max()) - plan.length[src])
        old = plan.margin.get(src, (0, 0))
        plan.margin[src] = (max(old[0], left), max(old[1], right))

    def prepare(self, X: torch.Tensor, select: Callable[[Any], torch.Tensor]) -> _Plan:
        """The plan (and its :class:`Costs`) for sequences of ``X``'s length, made from ``X``'s first rows when
        first needed; raises FastISMUnsupported when the fast path cannot be used on them."""
        plan = self.plans.get(X.shape[2])
        if plan is None:
            Xc = X[:CHUNK].to(self.device)
            env, out = self._reference(Xc)
            plan = self._new_plan(Xc, env, select(out), select)
        return plan

    def _new_plan(
        self, Xc: torch.Tensor, env: dict[fx.Node, Any], ref: torch.Tensor, select: Callable[[Any], torch.Tensor]
    ) -> _Plan:
        """Check that the trace reproduces the model on ``Xc``, then plan for its length (kept for later calls)."""
        direct = select(self.model(Xc))
        if not torch.allclose(ref, direct, rtol=1e-5, atol=1e-6 * float(direct.abs().max()) + 1e-12):
            raise FastISMUnsupported("the traced graph does not reproduce the model's output")
        plan = self.plans[Xc.shape[2]] = self._build_plan(env, Xc.shape[2])
        return plan

    # ---- mutant batches ----------------------------------------------------------------------------------------
    def run(
        self,
        X: torch.Tensor,
        seq: torch.Tensor,
        base: torch.Tensor,
        pos: torch.Tensor,
        select: Callable[[Any], torch.Tensor],
        batch_size: int,
        verbose: bool,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Target values for the references ``X`` (N,) and for each mutant ``(seq, base, pos)`` (M,)."""
        refs, preds, plan = [], torch.empty(len(seq), dtype=X.dtype), self.plans.get(X.shape[2])
        bounds = torch.searchsorted(seq, torch.arange(0, len(X) + CHUNK, CHUNK).clamp(max=len(X)))
        for c, seqs in enumerate(batches(len(X), CHUNK, verbose=verbose, desc="fast ism")):
            Xc = X[seqs].to(self.device)
            env, out = self._reference(Xc)
            ref = select(out)
            if plan is None:
                plan = self._new_plan(Xc, env, ref, select)
            refs.append(ref.cpu())
            padded = self._padded_references(plan, env)
            lo, hi = int(bounds[c]), int(bounds[c + 1])
            for sl in batches(hi - lo, batch_size):
                part = slice(lo + sl.start, lo + sl.stop)
                out = self._mutant_forward(plan, env, padded, seq[part] - seqs.start, base[part], pos[part], Xc.dtype)
                preds[part] = select(out).to(preds.dtype).cpu()
        self.plan = plan
        return torch.cat(refs), preds

    @staticmethod
    def _padded_references(plan: _Plan, env: dict[fx.Node, Any]) -> dict[fx.Node, dict[float, torch.Tensor]]:
        """Once per chunk: the reference activations windows are gathered from, padded by their margins, once per
        padding value their consumers use."""
        padded: dict[fx.Node, dict[float, torch.Tensor]] = {}
        for node, values in plan.gathered.items():
            left, right = plan.margin.get(node, (0, 0))
            padded[node] = {v: F.pad(env[node], (left, right), value=v) for v in values}
        return padded

    @staticmethod
    def _rewindow(plan, padded, value, idx, start_in, start, width, pad_value, src_node):
        """Window ``[start, start + width)`` of ``src_node``: its reference with the mutated ``value`` written in."""
        left = plan.margin.get(src_node, (0, 0))[0]
        ref = padded[src_node][pad_value].unfold(2, width, 1)[idx, :, start + left]
        w_in = value.shape[2]
        positions = start_in[:, None] + torch.arange(w_in, device=value.device)
        inside = ((positions >= 0) & (positions < plan.length[src_node]))[:, None, :]
        if not bool(inside.all()):
            value = torch.where(inside, value, torch.as_tensor(pad_value, dtype=value.dtype, device=value.device))
        offset = start_in - start
        if bool((offset == offset[0]).all()):
            o = int(offset[0])
            ref[:, :, o : o + w_in] = value
        else:
            where = (offset[:, None] + torch.arange(w_in, device=value.device))[:, None, :].expand_as(value)
            ref.scatter_(2, where, value)
        return ref

    @staticmethod
    def _materialise(env, node, value, idx, start):
        """The full activation of ``node`` for each mutant: its reference with the mutated window written in (the
        window's positions inside the sequence; a contiguous tensor, which the full-length ops after it run fastest
        on)."""
        full = env[node].index_select(0, idx)
        positions = start[:, None] + torch.arange(value.shape[2], device=full.device)
        inside = (positions >= 0) & (positions < full.shape[2])
        if bool(inside.all()):
            full.scatter_(2, positions[:, None, :].expand_as(value), value)
        else:
            rows, cols = inside.nonzero(as_tuple=True)
            full[rows, :, positions[rows, cols]] = value[rows, :, cols]
        return full

    def _mutant_forward(self, plan, env, padded, idx, base, pos, dtype):
        dev = self.device
        idx, base, pos = idx.to(dev), base.to(dev), pos.to(dev)
        values: dict[fx.Node, Any] = {}
        starts: dict[fx.Node, torch.Tensor] = {}
        plan_start = {n: s.to(dev) for n, s in plan.start.items()} if dev.type != "cpu" else plan.start

        materialised: dict[fx.Node, torch.Tensor] = {}  # each local node written into its reference once

        def full(n: fx.Node) -> Any:
            kind = plan.kind[n]
            if kind == "const":
                return env[n]
            if kind == "global":
                return values[n]
            if n not in materialised:
                materialised[n] = self._materialise(env, n, values[n], idx, starts[n])
            return materialised[n]

        for node in self.nodes:
            if node.op == "output":
                return fx.node.map_arg(node.args[0], full)
            kind = plan.kind[node]
            if kind == "const":
                continue
            if kind == "input":
                onehot = torch.zeros(len(pos), env[node].shape[1], 1, dtype=dtype, device=dev)
                onehot[torch.arange(len(pos), device=dev), base, 0] = 1
                values[node], starts[node] = onehot, pos
            elif kind == "global":
                args = fx.node.map_arg(node.args, full)
                kwargs = fx.node.map_arg(node.kwargs, full)
                values[node] = self._execute(node, args, kwargs)
            elif node in plan.window:
                op = plan.window[node]
                src = node.args[0]
                gather = plan.gather[node].to(dev)[pos]
                window = self._rewindow(
                    plan, padded, values[src], idx, starts[src], gather, plan.gather_width[node], op.pad_value, src
                )
                values[node], starts[node] = op.fn(window), plan_start[node][pos]
            else:
                start, width = plan_start[node][pos], plan.width[node]
                local: dict[fx.Node, torch.Tensor] = {}
                for n in node.all_input_nodes:
                    if plan.kind[n] == "const":
                        local[n] = env[n]
                    elif n in plan.rewindow[node]:
                        local[n] = self._rewindow(plan, padded, values[n], idx, starts[n], start, width, 0.0, n)
                    else:
                        local[n] = values[n]
                args = fx.node.map_arg(node.args, local.__getitem__)
                kwargs = fx.node.map_arg(node.kwargs, local.__getitem__)
                values[node], starts[node] = self._execute(node, args, kwargs), start
        raise FastISMUnsupported("the traced graph has no output")
