"""The engine every interpretation method shares: input kinds, devices, model state, targets, batches, layers.

A method builds one :class:`Run` from its arguments (checked input, alphabet size, target, device, batch size,
progress bar, seed), computes inside ``with run:`` (the model's state restored on exit) with the run's one predict
helper and one gradient loop, and returns ``run.output(result)``. Each method is then a small function of tensors;
this module is the only place that knows how to

- take numpy or torch input and give back the same kind (:func:`as_tensor`, :func:`like_input`),
- pick the device (:func:`resolve_device`) and leave the model exactly as it came (:func:`model_state`),
- turn ``target`` into a function of the model's output (:func:`resolve_target`),
- walk over the data in batches with a progress bar (:func:`batches`),
- find a layer by name or object (:func:`get_layer`) and capture its output, once (:func:`layer_output`) or for
  every batch of the data (:func:`layer_outputs`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from .._settings import show_progress
from .._threads import this_thread_only
from .._validate import check_onehot, check_positive_int, check_seed, describe
from ..models._state import model_alphabet_size, model_device, model_dtype, model_state
from ..models.ensemble import Ensemble

Target = int | Sequence[int] | Callable[[Any], torch.Tensor]

__all__ = [
    "Run",
    "as_tensor",
    "like_input",
    "model_alphabet_size",
    "resolve_device",
    "model_state",
    "resolve_model",
    "resolve_target",
    "batches",
    "get_layer",
    "predict",
    "layer_output",
    "layer_outputs",
]


def as_tensor(X: Any, name: str = "X", *, alphabet_size: int | None = None, check: bool = True) -> torch.Tensor:
    """Return ``X`` (numpy array or torch tensor, shape (N, A, L)) as a contiguous float tensor, checked.

    float64 input stays float64 (exactness tests use it); int, bool, float16 and every other dtype become float32.
    A tensor that requires grad is detached; a non-contiguous array (a transposed or reversed view) is copied.
    """
    if not isinstance(X, (np.ndarray, torch.Tensor)):
        raise TypeError(f"{name} must be a numpy array or torch tensor of shape (N, A, L); got {describe(X)}")
    if check:
        check_onehot(X, name, alphabet_size=alphabet_size)
    tensor = torch.as_tensor(np.ascontiguousarray(X) if isinstance(X, np.ndarray) else X).detach()
    if tensor.dtype != torch.float64:
        tensor = tensor.float()
    return tensor.contiguous()


def like_input(result: torch.Tensor, X: Any) -> Any:
    """Return ``result`` as the kind ``X`` was: numpy in, numpy out; torch in, torch out (on X's device)."""
    if isinstance(X, torch.Tensor):
        return result.detach().to(X.device)
    return result.detach().cpu().numpy()


def resolve_device(model: nn.Module, device: str | torch.device | None) -> torch.device:
    """``device`` as a torch.device; None means where the model is."""
    if device is None:
        return model_device(model)
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"device must be None, 'cpu', 'cuda', 'cuda:N' or a torch.device; got {device!r}") from err
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was asked for, but CUDA is not available on this machine")
    if resolved.type == "meta":
        # a model moved to 'meta' loses its weights, and cannot be moved back when the call ends
        raise ValueError(f"device must be a device that holds data ('cpu', 'cuda', ...); got {device!r}")
    return resolved


def _output_summary(output: Any) -> str:
    if isinstance(output, torch.Tensor):
        return f"a tensor of shape {tuple(output.shape)}"
    if isinstance(output, (tuple, list)):
        return f"a {type(output).__name__} of {len(output)} outputs"
    if isinstance(output, dict):
        return f"a dict with keys {list(output)}"
    return describe(output)


def resolve_model(model: Any) -> nn.Module:
    """``model`` as one module: a torch module as it is; a list or tuple of modules (e.g. cross-validation folds) as
    their :class:`~eugene.models.Ensemble`, whose output is the mean of theirs (an ``Ensemble`` is checked again:
    its models may have been moved since it was built).

    Every interpret method averages over such an ensemble exactly, in one pass over the data: see
    :mod:`eugene.models.ensemble` for why each method's result is the mean of the models' results.

    Examples
    --------
    >>> folds = [torch.nn.Sequential(torch.nn.Conv1d(4, 2, 3), torch.nn.Flatten()) for _ in range(3)]
    >>> type(resolve_model(folds)).__name__
    'Ensemble'
    """
    if isinstance(model, (list, tuple)):
        return Ensemble(model)
    if isinstance(model, Ensemble):
        model.check()
    elif not isinstance(model, nn.Module):
        raise TypeError(
            f"model must be a torch.nn.Module; got {describe(model)} (a list or tuple of modules is an ensemble, "
            "whose outputs are averaged)"
        )
    return model


def resolve_target(target: Target) -> Callable[[Any], torch.Tensor]:
    """Turn ``target`` into a function mapping the model's output to one scalar per sequence, shape (N,).

    Parameters
    ----------
    target
        An output index (int); a list of indices, whose outputs are summed; or a callable on the model's output
        (a tensor, tuple or dict) returning shape (N,), e.g. ``lambda out: out[1][:, 0]`` for the counts head of a
        two-headed model.

    Examples
    --------
    >>> f = resolve_target([0, 2])
    >>> f(torch.ones(5, 3)).shape
    torch.Size([5])
    """
    if callable(target):
        fn = target
        label = "the target callable"
    elif isinstance(target, (int, np.integer)) and not isinstance(target, bool):
        indices = [int(target)]
        fn = None
        label = f"target={int(target)}"
    elif (
        isinstance(target, Sequence)
        and len(target) > 0
        and all(isinstance(t, (int, np.integer)) and not isinstance(t, bool) for t in target)
    ):
        indices = [int(t) for t in target]
        fn = None
        label = f"target={indices}"
    else:
        raise TypeError(
            "target must be an int, a non-empty list of ints, or a callable on the model's output; "
            f"got {describe(target)}"
        )

    def select(output: Any) -> torch.Tensor:
        if fn is not None:
            value = fn(output)
            if not isinstance(value, torch.Tensor):
                raise TypeError(f"{label} must return a torch tensor of shape (N,); got {describe(value)}")
        else:
            if not isinstance(output, torch.Tensor):
                raise TypeError(
                    f"{label} needs a model that returns one tensor; this model returns {_output_summary(output)}. "
                    "Give target as a callable, e.g. target=lambda out: out[0][:, 0]"
                )
            if output.ndim == 1:
                output = output[:, None]
            if output.ndim != 2:
                raise ValueError(
                    f"{label} needs a model output of shape (N,) or (N, T); got {tuple(output.shape)}. "
                    "Give target as a callable that reduces it to shape (N,)"
                )
            for i in indices:
                if not -output.shape[1] <= i < output.shape[1]:
                    raise ValueError(f"{label} is out of range for a model with {output.shape[1]} outputs")
            value = output[:, indices].sum(dim=1)
        if value.ndim == 2 and value.shape[1] == 1:
            value = value[:, 0]
        if value.ndim != 1:
            raise ValueError(f"{label} must give one value per sequence, shape (N,); got {tuple(value.shape)}")
        if not torch.isfinite(value).all():
            raise ValueError(f"the model's output for {label} contains NaN or inf")
        return value

    return select


def batches(n: int, batch_size: int, *, verbose: bool | None = False, desc: str = "") -> Iterator[slice]:
    """Slices ``[start, stop)`` covering ``range(n)`` in steps of ``batch_size``, with a tqdm bar (on stderr) when
    verbose (None: ``eugene.settings.verbose``)."""
    batch_size = check_positive_int(batch_size, "batch_size")
    starts = range(0, n, batch_size)
    bar = tqdm(starts, desc=desc, unit="batch", disable=not show_progress(verbose), leave=False)
    for start in bar:
        yield slice(start, min(start + batch_size, n))


class Run:
    """One call of an interpretation method: its checked input, target, device, batches, model state and output kind.

    Every public method starts with ``run = Run(model, X, target, batch_size=..., device=..., verbose=..., seed=...)``,
    which checks the arguments once, computes inside ``with run:`` (eval mode, frozen parameters, on ``run.device``;
    all restored on exit, see :func:`model_state`) and ends with ``run.output(result)``.

    Attributes
    ----------
    model
        The torch module; a list or tuple of models is their :class:`~eugene.models.Ensemble` (the mean of their
        outputs, see :func:`resolve_model`), so every method averages over the models in one pass.
    members
        The models whose state the run saves and restores: ``(model,)``, or an ensemble's models.
    source
        ``X`` as the caller gave it (its kind and device decide the output's, see :meth:`output`).
    X
        The checked input (N, A, L) as a contiguous tensor in ``dtype``, where ``X`` was (not yet on ``device``).
        N = 0 is allowed: every helper then gives an empty result of the right shape.
    alphabet_size
        ``in_channels`` of the model's first Conv1d (None when it has none); ``X`` was checked against it.
    dtype
        The dtype computations run in: the model's floating dtype (float64 input to a float32 model is computed in
        float32; float32 input to a float64 model in float64), or ``X``'s for a model without floating parameters.
        Results come back in this dtype.
    select
        The target as a function of the model's output giving shape (N,) (:func:`resolve_target`); None when
        ``target`` is None (the raw output, for :func:`predict`).
    device, batch_size, verbose, seed
        Where to compute, model rows per pass, whether to show progress bars (``verbose`` resolved now by
        :func:`eugene._settings.show_progress`: None follows ``eugene.settings.verbose``), and the seed (None or
        >= 0).

    ``target=None`` is refused unless ``raw=True`` (then the helpers give the model's raw output, as :func:`predict`
    does).

    Examples
    --------
    >>> model = torch.nn.Sequential(torch.nn.Conv1d(4, 2, 3), torch.nn.Flatten(), torch.nn.Linear(16, 3))
    >>> X = np.eye(4)[np.random.default_rng(0).integers(0, 4, (5, 10))].transpose(0, 2, 1)   # float64, fine
    >>> run = Run(model, X, target=1, batch_size=2)
    >>> with run:
    ...     scores = run.predict(run.X)             # (N,), no gradients, batch_size rows per pass
    ...     grads = run.gradient(run.X)             # (N, A, L), d target / d input, one gradient loop
    >>> out = run.output(grads)                     # numpy in, numpy out (in run.dtype, here float32)
    >>> out.shape, out.dtype
    ((5, 4, 10), dtype('float32'))
    """

    def __init__(
        self,
        model: nn.Module | Sequence[nn.Module],
        X: Any,
        target: Target | None = 0,
        *,
        batch_size: int = 128,
        device: str | torch.device | None = None,
        verbose: bool | None = False,
        seed: int | None = None,
        name: str = "X",
        raw: bool = False,
    ) -> None:
        model = resolve_model(model)
        self.model = model
        self.members = tuple(model.leaves()) if isinstance(model, Ensemble) else (model,)
        self.source = X
        self.alphabet_size = model_alphabet_size(model)
        tensor = as_tensor(X, name, alphabet_size=self.alphabet_size)
        self.dtype = model_dtype(model) or tensor.dtype
        self.X = tensor.to(self.dtype)
        self.select = None if target is None and raw else resolve_target(target)
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.device = resolve_device(model, device)
        self.verbose = show_progress(verbose)  # None: eugene.settings.verbose, read now
        self.seed = check_seed(seed)
        self._state: contextlib.AbstractContextManager | None = None

    def __len__(self) -> int:
        return len(self.X)

    def __enter__(self) -> Run:
        # an ensemble's models are entered one by one: each may be shared with other threads or other ensembles,
        # and its state is saved and restored by its own block (the ensemble itself holds no parameters)
        state = contextlib.ExitStack()
        try:
            for member in self.members:
                state.enter_context(model_state(member, self.device))
        except BaseException:
            state.close()
            raise
        self._state = state
        return self

    def __exit__(self, *exc: Any) -> None:
        state, self._state = self._state, None
        state.__exit__(*exc)

    def batches(self, n: int | None = None, size: int | None = None, *, desc: str | None = None) -> Iterator[slice]:
        """Slices covering ``range(n)`` (default: the sequences) in steps of ``size`` (default: ``batch_size``),
        with a progress bar when the run is verbose and ``desc`` names the loop."""
        n = len(self.X) if n is None else n
        size = self.batch_size if size is None else size
        return batches(n, size, verbose=self.verbose and desc is not None, desc=desc or "")

    def rng(self) -> np.random.Generator:
        """A numpy Generator seeded by the run's seed (fresh randomness when it is None)."""
        return np.random.default_rng(self.seed)

    def torch_generator(self) -> torch.Generator:
        """A CPU torch Generator seeded by the run's seed (fresh randomness when it is None)."""
        generator = torch.Generator()
        if self.seed is None:
            generator.seed()
        else:
            generator.manual_seed(self.seed)
        return generator

    def _forward(self, rows: torch.Tensor) -> Any:
        out = self.model(rows.to(self.device, self.dtype))
        if self.select is not None:
            return self.select(out)
        if not isinstance(out, torch.Tensor):
            raise TypeError(f"target=None needs a model that returns one tensor; it returns {_output_summary(out)}")
        return out

    def predict(self, inputs: torch.Tensor, *, size: int | None = None, desc: str | None = None) -> torch.Tensor:
        """The target (N,) for any rows ``inputs`` (N, A, L), ``size`` (default ``batch_size``) rows per pass,
        without gradients; the raw output when the run's target is None. On ``inputs``' device.
        """
        with torch.no_grad():
            if len(inputs) == 0:
                if self.select is not None:
                    return torch.empty(0, dtype=self.dtype, device=inputs.device)
                probe = torch.zeros(1, *inputs.shape[1:], dtype=self.dtype)
                return self._forward(probe)[:0].to(inputs.device)
            return torch.cat(
                [self._forward(inputs[sl]).to(inputs.device) for sl in self.batches(len(inputs), size, desc=desc)]
            )

    def gradient(self, inputs: torch.Tensor, *, size: int | None = None, desc: str | None = None) -> torch.Tensor:
        """d target / d inputs for any rows ``inputs`` (N, A, L), ``size`` (default ``batch_size``) rows per pass;
        on ``inputs``' device, in the run's dtype."""
        if self.select is None:
            raise ValueError("a gradient needs a target; got target=None")
        grads = torch.zeros(inputs.shape, dtype=self.dtype, device=inputs.device)
        for sl in self.batches(len(inputs), size, desc=desc):
            rows = inputs[sl].to(self.device, self.dtype).detach().requires_grad_(True)
            with torch.enable_grad():
                (grad,) = torch.autograd.grad(self.select(self.model(rows)).sum(), rows, allow_unused=True)
            if grad is not None:
                grads[sl] = grad.to(inputs.device)
        return grads

    def output(self, result: torch.Tensor) -> Any:
        """``result`` as the kind the input was: numpy in, numpy out; torch in, torch out on the input's device."""
        return like_input(result, self.source)


def get_layer(model: nn.Module, layer: str | nn.Module | None = None) -> tuple[str, nn.Module]:
    """Find a layer of ``model`` by qualified name ("conv1", "body.0") or object; None means the first Conv1d.

    Returns ``(name, module)``.
    """
    if isinstance(model, (list, tuple, Ensemble)):
        raise TypeError(
            "layer analyses (filter_pfms, layer_activations, filter_influence, embeddings) take one model: the models "
            "of an ensemble have filters of their own, which do not correspond; call it per model, e.g. "
            "[filter_pfms(m, X) for m in models]"
        )
    named = dict(model.named_modules())
    if layer is None:
        for name, module in named.items():
            if isinstance(module, nn.Conv1d):
                return name, module
        raise ValueError("layer=None means the model's first nn.Conv1d, but this model has none; name the layer")
    if isinstance(layer, str):
        if layer not in named:
            options = [n for n in named if n][:12]
            raise ValueError(f"layer must name a submodule of the model; got {layer!r}; some names: {options}")
        return layer, named[layer]
    if isinstance(layer, nn.Module):
        for name, module in named.items():
            if module is layer:
                return name, module
        raise ValueError("layer is an nn.Module that is not part of this model")
    raise TypeError(f"layer must be None, a qualified module name or an nn.Module; got {describe(layer)}")


def predict(
    model: nn.Module,
    X: Any,
    target: Target | None = None,
    *,
    batch_size: int = 256,
    device: str | torch.device | None = None,
    verbose: bool | None = None,
) -> Any:
    """The model's predictions for ``X`` in batches, in eval mode, without gradients.

    Parameters
    ----------
    model
        A torch module taking (N, A, L) input.
    X
        One-hot sequences (N, A, L), numpy or torch; any real dtype (computed in the model's dtype, see :class:`Run`).
        N = 0 gives an empty result of the output's shape.
    target
        None returns the raw output (a single-tensor output only); otherwise as in :func:`resolve_target`, giving (N,).
    batch_size, device, verbose
        Batching, where to compute (default: where the model is), and a progress bar (None: on unless
        ``eugene.settings.verbose`` is switched off).

    Returns
    -------
    The predictions as the kind X was (numpy or torch).

    Examples
    --------
    >>> model = torch.nn.Sequential(torch.nn.Conv1d(4, 2, 3), torch.nn.Flatten(), torch.nn.Linear(16, 3))
    >>> X = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (5, 10))].transpose(0, 2, 1)
    >>> predict(model, X, target=1).shape
    (5,)
    """
    run = Run(model, X, target, batch_size=batch_size, device=device, verbose=verbose, raw=True)
    with run:
        return run.output(run.predict(run.X, desc="predict"))


class _StopForward(Exception):
    """Raised by the hook of :func:`layer_output` to skip the layers after the one asked for."""


def _first_tensor(output: Any, name: str) -> torch.Tensor:
    """A layer's output as one tensor: the tensor itself, or the first element of a tuple (e.g. an LSTM's output)."""
    if isinstance(output, (tuple, list)) and output:
        output = output[0]
    if not isinstance(output, torch.Tensor):
        raise TypeError(
            f"layer {name!r} must return a tensor (or a tuple whose first element is one); got "
            f"{_output_summary(output)}"
        )
    return output


def _run_to_hook(model: nn.Module, x: torch.Tensor, handle: Any, captured: list, name: str) -> Any:
    """Run ``model`` on ``x`` until the hook behind ``handle`` fills ``captured`` and stops it; remove the hook on
    every exit path and return what it captured."""
    try:
        model(x)
    except _StopForward:
        pass
    finally:
        handle.remove()
    if not captured:
        raise ValueError(f"layer {name!r} was not called by the model's forward pass")
    return captured[0]


def layer_output(model: nn.Module, layer: nn.Module, x: torch.Tensor, *, name: str = "layer") -> torch.Tensor:
    """What ``layer`` returns (its first call) when ``model`` runs on ``x``; the layers after it are skipped.

    Call inside :func:`model_state` and ``torch.no_grad()``; the hook is removed on every exit path. A tuple output
    gives its first element.
    """
    captured: list[torch.Tensor] = []

    def hook(module: nn.Module, inputs: Any, output: Any) -> None:
        captured.append(_first_tensor(output, name))
        raise _StopForward

    return _run_to_hook(model, x, layer.register_forward_hook(this_thread_only(hook)), captured, name)


def layer_call(model: nn.Module, layer: nn.Module, x: torch.Tensor, *, name: str = "layer") -> tuple[Any, bool]:
    """How ``layer`` is first called when ``model`` runs on ``x``: its first positional argument, and whether autocast
    was on for ``x``'s device type; ``layer`` itself and everything after it are skipped. ``layer_call(...)[0] is x``
    tells that the layer reads the model's input tensor itself. Call inside :func:`model_state` and
    ``torch.no_grad()``.
    """
    captured: list[tuple[Any, bool]] = []

    def hook(module: nn.Module, inputs: tuple) -> None:
        captured.append((inputs[0] if inputs else None, torch.is_autocast_enabled(x.device.type)))
        raise _StopForward

    return _run_to_hook(model, x, layer.register_forward_pre_hook(this_thread_only(hook)), captured, name)


def layer_outputs(
    model: nn.Module,
    layer: nn.Module,
    X: torch.Tensor,
    device: torch.device,
    batch_size: int,
    *,
    name: str = "layer",
    verbose: bool = False,
    desc: str = "",
    prepare: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """For each batch of ``X``: the batch on ``device`` and what ``layer`` returns for it (:func:`layer_output`).

    Call inside :func:`model_state` and ``torch.no_grad()``. ``prepare`` maps each batch (already on ``device``)
    before the model sees it, e.g. to append reverse complements; the batch yielded is the prepared one.
    """
    for sl in batches(len(X), batch_size, verbose=verbose, desc=desc):
        xb = X[sl].to(device)
        if prepare is not None:
            xb = prepare(xb)
        yield xb, layer_output(model, layer, xb, name=name)
