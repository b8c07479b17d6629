"""The model zoo: registry names -> architecture constructors, ``build`` and ``list_models``.

The lowercase names are importable factories, so ``load_model("eugene.models.zoo:basset", "weights.pt")`` works.
"""

from __future__ import annotations

import inspect
from typing import Any

from torch import nn

from eugene._validate import describe
from eugene.models.architectures import Basset, BPNet, DanQ, DeepBind, DeepSTARR

__all__ = ["REGISTRY", "build", "list_models", "deepbind", "basset", "deepstarr", "bpnet", "danq"]

REGISTRY: dict[str, type[nn.Module]] = {
    "deepbind": DeepBind,
    "basset": Basset,
    "deepstarr": DeepSTARR,
    "bpnet": BPNet,
    "danq": DanQ,
}

deepbind = DeepBind
basset = Basset
deepstarr = DeepSTARR
bpnet = BPNet
danq = DanQ


def list_models() -> list[str]:
    """Names of the reference architectures that :func:`build` accepts.

    Examples
    --------
    >>> list_models()
    ['basset', 'bpnet', 'danq', 'deepbind', 'deepstarr']
    """
    return sorted(REGISTRY)


def build(name: str, **kwargs: Any) -> nn.Module:
    """Build a fresh (untrained, training-mode) reference architecture by registry name.

    Parameters
    ----------
    name
        One of :func:`list_models`, case-insensitive.
    **kwargs
        Constructor arguments, e.g. ``alphabet_size``, ``seq_len``, ``n_outputs``, ``n_filters``, ``filter_size``.

    Returns
    -------
    torch.nn.Module
        The model with freshly initialised weights (seed with ``torch.manual_seed`` before for reproducibility).

    Examples
    --------
    >>> model = build("basset", alphabet_size=4, seq_len=200, n_outputs=12)
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, one of {list_models()}; got {describe(name)}")
    constructor = REGISTRY.get(name.lower())
    if constructor is None:
        raise ValueError(f"name must be one of {list_models()}; got {name!r}")
    accepted = set(inspect.signature(constructor).parameters)
    unknown = sorted(set(kwargs) - accepted)
    if unknown:
        raise TypeError(
            f"build({name!r}) got unexpected keyword arguments {unknown}; expected some of {sorted(accepted)}"
        )
    return constructor(**kwargs)
