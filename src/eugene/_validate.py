"""Argument checks shared by every subpackage: messages name the argument, what was expected and what came."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np


def describe(value: Any) -> str:
    """A short description of ``value`` for error messages: type, and shape/dtype for arrays."""
    shape = getattr(value, "shape", None)
    if shape is not None:
        return f"{type(value).__name__} of shape {tuple(shape)} and dtype {getattr(value, 'dtype', '?')}"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of length {len(value)}"
    return f"{type(value).__name__} {value!r}"[:200]


def check_positive_int(value: Any, name: str, *, allow_none: bool = False) -> int | None:
    """Return ``value`` as int after checking it is a positive integer (or None when allowed)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {describe(value)}")
    return int(value)


def check_fraction(value: Any, name: str, *, low_open: bool = False, high_open: bool = False, what: str = "") -> float:
    """Return ``value`` as float after checking it is a real number in [0, 1] (``low_open`` / ``high_open`` exclude
    the ends); ``what`` adds what the fraction is of to the message."""
    interval = f"{'(' if low_open else '['}0, 1{')' if high_open else ']'}"
    number = not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))
    if not number or not 0.0 <= value <= 1.0 or (low_open and value == 0.0) or (high_open and value == 1.0):
        raise ValueError(
            f"{name} must be a fraction in {interval}{f' ({what})' if what else ''}; got {describe(value)}"
        )
    return float(value)


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` after checking it is True or False (numpy bools too); a string such as "yes" is refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {describe(value)}")
    return bool(value)


def check_seed(seed: Any, name: str = "seed") -> int | None:
    """Return ``seed`` after checking it is None or an int in [0, 2**64) (the seeds numpy's and torch's generators
    both take)."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{name} must be None or a non-negative integer; got {describe(seed)}")
    if seed >= 2**64:
        raise ValueError(f"{name} must be below 2**64 (torch's generators take no larger seed); got {seed}")
    return int(seed)


def as_generator(seed: Any, name: str = "seed") -> np.random.Generator:
    """A numpy Generator from ``seed``: a Generator (used as is), or a seed for :func:`check_seed` (None: fresh
    randomness)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_seed(seed, name))


def check_onehot(X: Any, name: str = "X", *, alphabet_size: int | None = None, alphabet_name: str = "") -> None:
    """Check that ``X`` is an (N, A, L) array or tensor; warn when it is not one-hot.

    Zero columns (padding, ambiguous bases) are allowed; anything else that is not a single 1 per column warns with
    ``UserWarning``, since attributions of non-one-hot input are rarely what was meant, except one-hot along the last
    axis (an (N, L, A) array), a ValueError that says to transpose.
    """
    shape = getattr(X, "shape", None)
    if shape is None:
        raise TypeError(f"{name} must be a numpy array or torch tensor of shape (N, A, L); got {describe(X)}")
    shape = tuple(shape)
    expected_a = f"A={alphabet_size}" + (f" for alphabet {alphabet_name}" if alphabet_name else "")
    if len(shape) != 3:
        hint = " (a single sequence? add a batch axis: X[None])" if len(shape) == 2 else ""
        raise ValueError(f"{name} must have shape (N, A, L); got {shape}{hint}")
    if alphabet_size is not None and shape[1] != alphabet_size:
        hint = "; did you mean X.transpose(1, 2)?" if shape[2] == alphabet_size else ""
        raise ValueError(f"{name} must have shape (N, A, L) with {expected_a}; got {shape}{hint}")
    values = X.detach().cpu().numpy() if hasattr(X, "detach") else np.asarray(X)
    if values.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers (float, int or bool); got dtype {values.dtype}")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} must be finite; it contains NaN or inf")
    column_sums = values.sum(axis=1)
    is_binary = np.isin(values, (0.0, 1.0)).all()
    if not is_binary or not np.isin(column_sums, (0.0, 1.0)).all():
        if is_binary and np.isin(values.sum(axis=2), (0.0, 1.0)).all():  # one-hot along the last axis: (N, L, A)
            raise ValueError(
                f"{name} must have shape (N, A, L), one-hot along A; got {shape}, one-hot along its last axis; "
                f"did you mean {name}.transpose(1, 2)?"
            )
        warnings.warn(
            f"{name} is not one-hot (expected a single 1 per position, or an all-zero column); results are computed "
            "on the values as given",
            UserWarning,
            stacklevel=3,
        )
