"""``load_model``: one entry point for every way a trained sequence model is shipped.

Routes, by what ``source`` is:

- an ``nn.Module``: used as-is;
- ``"package.module:callable"``: a factory, called with ``factory_kwargs``;
- a path to a TorchScript archive: ``torch.jit.load``;
- a path to a whole pickled module: only with ``trust=True``, since unpickling runs arbitrary code.

``weights`` (a state dict, or a checkpoint dict holding one under ``"state_dict"`` as PyTorch Lightning writes it) is
then loaded into the model with ``torch.load(weights_only=True)``; a prefix such as ``"model."`` is stripped.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pickle
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from eugene._validate import describe

__all__ = ["load_model"]

_FACTORY = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_CHECKPOINT_KEYS = ("state_dict", "model_state_dict")
_TRUST_RISK = (
    "unpickling runs whatever code the file names, so a file from an untrusted source can execute arbitrary code on "
    "this machine; pass trust=True only for files you made or trust"
)


def load_model(
    source: str | os.PathLike | nn.Module,
    weights: str | os.PathLike | Mapping[str, torch.Tensor] | None = None,
    *,
    factory_kwargs: Mapping[str, Any] | None = None,
    trust: bool = False,
    strict: bool = True,
    prefix: str | None = None,
    device: str | torch.device | None = None,
) -> nn.Module:
    """Load a trained model and return it in eval mode.

    Parameters
    ----------
    source
        The model: an ``nn.Module`` (returned as-is, after loading ``weights`` if given); a factory
        ``"package.module:callable"`` returning an ``nn.Module``; or the path of a TorchScript archive
        (``torch.jit.save``) or of a whole pickled module (``torch.save(model)``; needs ``trust=True``).
    weights
        A state dict, or the path of a file holding one (``torch.save(model.state_dict())``) or a checkpoint dict with
        the state dict under ``"state_dict"`` (PyTorch Lightning) or ``"model_state_dict"``. Read with
        ``weights_only=True`` unless ``trust=True``.
    factory_kwargs
        Keyword arguments for the factory, e.g. ``{"n_outputs": 12}``; only with a factory ``source``.
    trust
        Allow full unpickling (``weights_only=False``) of ``source`` or ``weights``. Unpickling can execute arbitrary
        code: use it only for files from a source you trust.
    strict
        Require the state dict keys to match the model's exactly (after prefix stripping). With ``strict=False``
        missing and unexpected keys are skipped; shape mismatches are always an error.
    prefix
        Prefix to strip from the state dict keys, e.g. ``"model."``. By default it is found automatically: the leading
        key component(s) (``"model."``, ``"net."``, ``"module."``, ``"_orig_mod."``) whose removal matches the model's
        keys best; keys outside the chosen prefix (a Lightning module's metrics or loss buffers) are dropped.
    device
        Move the model there; default: leave a given module where it is, load files onto the CPU.

    Returns
    -------
    torch.nn.Module
        The model in eval mode (a module passed in is modified in place and returned).

    Notes
    -----
    Recent PyTorch deprecates TorchScript and warns (``DeprecationWarning``) when an archive is loaded; the archive
    still loads. Prefer state dicts with a factory for new models.

    Examples
    --------
    >>> from eugene.models import build
    >>> torch.save(build("basset", seq_len=200, n_outputs=12).state_dict(), "basset.pt")
    >>> model = load_model("eugene.models.zoo:basset", "basset.pt", factory_kwargs={"seq_len": 200, "n_outputs": 12})
    >>> model.training
    False
    >>> model = load_model("model.torchscript.pt")             # your TorchScript archive  # doctest: +SKIP
    >>> model = load_model("whole_model.pt", trust=True)       # your torch.save(model)     # doctest: +SKIP
    """
    if not isinstance(trust, bool):
        raise TypeError(f"trust must be True or False; got {describe(trust)}")
    if factory_kwargs is not None and not isinstance(factory_kwargs, Mapping):
        raise TypeError(f"factory_kwargs must be a dict of keyword arguments or None; got {describe(factory_kwargs)}")
    if not isinstance(strict, bool):
        raise TypeError(f"strict must be True or False; got {describe(strict)}")
    try:
        map_location = torch.device(device) if device is not None else torch.device("cpu")
    except (RuntimeError, TypeError) as error:
        raise ValueError(f"device must be a torch device such as 'cpu' or 'cuda:0'; got {describe(device)}") from error
    if map_location.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was asked for, but CUDA is not available on this machine")

    if isinstance(source, nn.Module):
        kind = "module"
    elif isinstance(source, (str, os.PathLike)):
        is_factory = isinstance(source, str) and not Path(source).is_file() and _FACTORY.match(source)
        kind = "factory" if is_factory else "file"
    else:
        raise TypeError(
            "source must be an nn.Module, a factory string 'package.module:callable' or a path to a TorchScript or "
            f"pickled model file; got {describe(source)}"
        )
    if factory_kwargs is not None and kind != "factory":
        raise TypeError(f"factory_kwargs is only used with a factory source 'package.module:callable'; got {source!r}")
    if kind == "module":
        model = source
    elif kind == "factory":
        model = _from_factory(source, factory_kwargs or {})
    else:
        model = _from_file(_existing_file(source, "source"), trust, map_location)
    if weights is not None:
        _load_weights(model, weights, trust=trust, strict=strict, prefix=prefix)
    if device is not None:
        model = model.to(map_location)
    return model.eval()


def _existing_file(path: str | os.PathLike, name: str) -> Path:
    """``path`` as a Path, or FileNotFoundError naming the argument (with a hint for dotted factory names)."""
    path = Path(path)
    if path.is_file():
        return path
    hint = ""
    module, _, attr = str(path).rpartition(".")
    if name == "source" and re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", str(path)) and _module_exists(module):
        hint = f"; for a factory use 'package.module:callable', e.g. '{module}:{attr}'"
    raise FileNotFoundError(f"{name}: no such file {str(path)!r}{hint}")


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _from_factory(spec: str, kwargs: Mapping[str, Any]) -> nn.Module:
    """Import ``package.module`` and call ``callable(**kwargs)``; the result must be an nn.Module."""
    module_name, _, attr_path = spec.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(f"source {spec!r}: cannot import module {module_name!r} ({error})") from error
    for attr in attr_path.split("."):
        if not hasattr(target, attr):
            owner = getattr(target, "__name__", type(target).__name__)
            raise ValueError(f"source {spec!r}: {owner!r} has no attribute {attr!r}")
        target = getattr(target, attr)
    if not callable(target):
        raise TypeError(f"source {spec!r} must name a callable returning an nn.Module; got {describe(target)}")
    model = target(**kwargs)
    if not isinstance(model, nn.Module):
        raise TypeError(f"source {spec!r} must return an nn.Module; got {describe(model)}")
    return model


def _is_torchscript(path: Path) -> bool:
    """TorchScript archives are zip files holding ``<name>/constants.pkl`` and ``<name>/code/``."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    return any(n.endswith("/constants.pkl") for n in names) and any("/code/" in n for n in names)


# How torch's weights-only unpickler words a refusal of a pickled object (torch/_weights_only_unpickler.py): a global
# not allowed by default, one of a blocked module (os, sys: "Trying to load unsupported GLOBAL posix.system whose module
# posix is blocked."), a class or function not allowlisted.
_REFUSAL = re.compile(
    r"unsupported global|not an allowed global|whose module \S+ is blocked|allowlisted|"
    r"reduce for unrecognized function",
    re.IGNORECASE,
)


def _refused_object(message: str) -> str | None:
    """The line of a ``torch.load(weights_only=True)`` error that names the refused object; None for other errors."""
    for line in message.splitlines():
        line = line.split("WeightsUnpickler error:")[-1].strip()
        if _REFUSAL.search(line):
            return line[:200]
    return None


def _torch_load(path: Path, name: str, trust: bool, map_location: torch.device) -> Any:
    """``torch.load`` with ``weights_only=not trust``; errors name the argument and, for pickles, the risk."""
    try:
        return torch.load(path, map_location=map_location, weights_only=not trust)
    except pickle.UnpicklingError as error:
        detail = None if trust else _refused_object(str(error))
        if detail is None:
            raise ValueError(f"{name}: cannot read {str(path)!r} as a PyTorch file ({error})") from error
        raise ValueError(
            f"{name}: {str(path)!r} holds pickled Python objects, not only tensors ({detail}). Refusing to unpickle it "
            f"without trust=True: {_TRUST_RISK}. Safer: save model.state_dict() and load it with a factory, or "
            "export with torch.jit.save."
        ) from error
    except (RuntimeError, EOFError) as error:
        raise ValueError(f"{name}: cannot read {str(path)!r} as a PyTorch file ({error})") from error


def _from_file(path: Path, trust: bool, map_location: torch.device) -> nn.Module:
    if _is_torchscript(path):
        return torch.jit.load(str(path), map_location=map_location)
    loaded = _torch_load(path, "source", trust, map_location)
    if isinstance(loaded, Mapping):
        raise ValueError(
            f"source {str(path)!r} holds a state dict or checkpoint, which needs the architecture: pass a factory as "
            f"source and this file as weights, e.g. load_model('eugene.models.zoo:basset', {str(path)!r})"
        )
    if not isinstance(loaded, nn.Module):
        raise TypeError(f"source {str(path)!r} must hold an nn.Module; got {describe(loaded)}")
    return loaded


def _extract_state_dict(loaded: Any, name: str) -> dict[str, torch.Tensor]:
    """The state dict in ``loaded``: itself, or under a checkpoint key such as Lightning's ``"state_dict"``."""
    if not isinstance(loaded, Mapping):
        raise TypeError(f"{name} must hold a state dict or a checkpoint dict; got {describe(loaded)}")
    for key in _CHECKPOINT_KEYS:
        if isinstance(loaded.get(key), Mapping):
            loaded = loaded[key]
            break
    non_tensors = [k for k, v in loaded.items() if not isinstance(v, torch.Tensor)]
    if non_tensors:
        raise ValueError(
            f"{name} must be a state dict (parameter name -> tensor) or a checkpoint with one under one of "
            f"{list(_CHECKPOINT_KEYS)}; got entries that are not tensors: {non_tensors[:5]}"
        )
    return dict(loaded)


def _strip(state: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    return {k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}


def _auto_strip(state: dict[str, torch.Tensor], expected: set[str]) -> dict[str, torch.Tensor]:
    """Strip the leading key components (``model.``, ``model.net.``) whose removal matches most of the model's keys."""
    counts: dict[str, int] = {}
    for key in state:
        parts = key.split(".")
        for i in range(1, len(parts)):
            if ".".join(parts[i:]) in expected:
                prefix = ".".join(parts[:i]) + "."
                counts[prefix] = counts.get(prefix, 0) + 1
    if not counts:
        return state
    prefix = max(counts, key=lambda p: (counts[p], -len(p)))
    return _strip(state, prefix) if counts[prefix] > len(expected & set(state)) else state


def _load_weights(model: nn.Module, weights: Any, *, trust: bool, strict: bool, prefix: str | None) -> None:
    if isinstance(weights, (str, os.PathLike)):
        path = _existing_file(weights, "weights")
        loaded = _torch_load(path, "weights", trust, next(model.parameters(), torch.empty(0)).device)
    else:
        loaded = weights
    state = _extract_state_dict(loaded, "weights")
    expected = model.state_dict()
    if prefix is not None:
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be a string such as 'model.' or None; got {describe(prefix)}")
        stripped = _strip(state, prefix)
        if not stripped:
            raise ValueError(f"prefix {prefix!r} starts none of the weights keys; keys look like {list(state)[:3]}")
        state = stripped
    else:
        state = _auto_strip(state, set(expected))
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    mismatched = [
        f"{k}: model {tuple(expected[k].shape)}, weights {tuple(state[k].shape)}"
        for k in expected
        if k in state and expected[k].shape != state[k].shape
    ]
    if mismatched:
        raise ValueError(
            f"weights do not fit the model: {len(mismatched)} shape mismatches, e.g. {mismatched[:3]}; "
            "were the architecture arguments (alphabet_size, seq_len, n_outputs, sizes) the same as in training?"
        )
    if len(missing) == len(expected) and expected:
        raise ValueError(
            f"weights share no keys with the model: model keys look like {list(expected)[:3]}, weights keys like "
            f"{list(state)[:3]}; pass prefix='...' if the weights keys carry a prefix"
        )
    if strict and (missing or unexpected):
        raise ValueError(
            f"weights keys do not match the model's: {len(missing)} missing, e.g. {missing[:5]}; {len(unexpected)} "
            f"unexpected, e.g. {unexpected[:5]}. Pass prefix='...' to strip a key prefix, or strict=False to load the "
            "keys that match"
        )
    model.load_state_dict(state, strict=False)
