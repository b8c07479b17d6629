"""Named targets for BPNet-style models: the profile head's weighted mean-normalized logits and the counts head.

A BPNet-style model (Avsec et al. 2021, "Base-resolution models of transcription-factor binding reveal soft motif
syntax", Nat. Genet. 53:354; ChromBPNet, Pampari et al. 2024, bioRxiv; bpnet-lite) returns a tuple
``(profile, counts)``: ``profile`` (N, S, L) holds per-position logits over S strands or tracks (a softmax over
them gives the predicted distribution of reads), ``counts`` (N, T) the log total counts. Attribution needs one scalar
per sequence, so the profile is summarised as the logits weighted by their own softmax, after mean-normalization:

    z = flatten(profile) (N, S * L),   z~ = z - mean(z),   p = softmax(z~),   f = sum_i p_i * z~_i

Subtracting the mean follows DeepLIFT's "adjustments for softmax layers" (Shrikumar et al. 2017, ICML): a softmax
ignores a constant shift of its logits, and the centred logits give that shift no contribution. The two tools that
define this target differ in one point, the gradient of the weights ``p``:

- ``variant="bpnet-lite"`` (bpnet-lite's ``ProfileWrapper`` with ``_ProfileLogitScaling``, which tangermeme's
  DeepLiftShap treats as one non-linearity): ``p`` is part of the function, so every method explains ``f`` itself,
  and DeepLIFT / DeepLiftShap sum exactly to ``f(x) - f(r)``.
- ``variant="chrombpnet"`` (chrombpnet's ``get_weightedsum_meannormed_logits`` in
  ``chrombpnet/evaluation/interpret/shap_utils.py``, and the ``ProfileWrapper`` of bpnet-lite's earlier
  ``attributions.py``): ``p`` is cut from the graph (``tf.stop_gradient`` there, ``.detach()`` in bpnet-lite), so
  the weights are constants and only the logits are explained. The value is the same as bpnet-lite's, gradients
  differ, and eugene's DeepLIFT attributions (which take each pass's own weights, ``p(r)`` on the reference pass that
  is back-propagated) sum to ``sum_i p_i(r) * (z~_i(x) - z~_i(r))``, not to ``f(x) - f(r)``: :func:`attribute` then
  warns that summation-to-delta does not hold, as it should.

Both flatten the strands with the positions (one softmax over S * L, as bpnet-lite's models are trained with a single
log-softmax over both strands); chrombpnet's profile has one track, where flattening changes nothing.

The counts target is the counts head itself (bpnet-lite's ``CountWrapper``, chrombpnet's counts explainer).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from .._validate import describe

__all__ = ["profile_target", "count_target"]

VARIANTS = ("bpnet-lite", "chrombpnet")

Head = int | str | None
Tasks = int | Sequence[int] | None


def _check_head(head: Any) -> Head:
    if head is None or isinstance(head, str) or (isinstance(head, (int, np.integer)) and not isinstance(head, bool)):
        return int(head) if isinstance(head, np.integer) else head
    raise TypeError(
        "head must be an int (the position of the head in a tuple or list output), a str (its key in a dict output) "
        f"or None (the model returns the head alone); got {describe(head)}"
    )


def _check_tasks(tasks: Any) -> tuple[int, ...] | None:
    def index(t: Any) -> bool:
        return isinstance(t, (int, np.integer)) and not isinstance(t, bool)

    if tasks is None:
        return None
    if index(tasks):
        return (int(tasks),)
    if isinstance(tasks, Sequence) and not isinstance(tasks, str) and len(tasks) > 0 and all(map(index, tasks)):
        return tuple(int(t) for t in tasks)
    raise TypeError(f"tasks must be None, an int or a non-empty list of ints; got {describe(tasks)}")


class _HeadTarget:
    """A target on one head of a model's output (see :func:`profile_target`, :func:`count_target`)."""

    kind = ""

    def __init__(self, head: Any, tasks: Any) -> None:
        self.head = _check_head(head)
        self.tasks = _check_tasks(tasks)

    def _head(self, output: Any) -> torch.Tensor:
        """The head's tensor in the model's ``output``."""
        if self.head is None:
            value = output
        elif isinstance(output, dict):
            if self.head not in output:
                raise ValueError(f"{self!r}: the model's output has no head {self.head!r}; its keys are {list(output)}")
            value = output[self.head]
        elif isinstance(output, (tuple, list)):
            if isinstance(self.head, str) or not -len(output) <= self.head < len(output):
                raise ValueError(
                    f"{self!r}: head must index the model's {len(output)} outputs (a {type(output).__name__}); "
                    f"got head={self.head!r}"
                )
            value = output[self.head]
        else:
            raise TypeError(
                f"{self!r}: head={self.head!r} needs a model returning a tuple, list or dict of heads; it returns "
                f"{describe(output)}. Use head=None for a model that returns the {self.kind} head alone"
            )
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{self!r}: the {self.kind} head must be a tensor; got {describe(value)}")
        return value

    def _select(self, value: torch.Tensor, axis: str) -> torch.Tensor:
        """``value`` (N, C, ...) restricted to ``tasks`` along axis 1 (all of it for None)."""
        if self.tasks is None:
            return value
        n = value.shape[1]
        for t in self.tasks:
            if not -n <= t < n:
                raise ValueError(f"{self!r}: tasks {list(self.tasks)} out of range for a {axis} of {n}")
        return value[:, list(self.tasks)]


class _ProfileTarget(_HeadTarget):
    """The weighted mean-normalized profile logits of one head (see :func:`profile_target`)."""

    kind = "profile"

    def __init__(self, head: Any, variant: Any, tasks: Any) -> None:
        super().__init__(head, tasks)
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {list(VARIANTS)}; got {variant!r}")
        self.variant = variant

    def __repr__(self) -> str:
        return f"profile_target(head={self.head!r}, variant={self.variant!r}, tasks={self.tasks!r})"

    @property
    def constant_part(self) -> str | None:
        """Why exact attributions of this target need not sum to its change (None when they do)."""
        if self.variant != "chrombpnet":
            return None
        return (
            "the chrombpnet variant holds the softmax weights p constant (stop_gradient), so they sum to "
            "sum p(r) (z(x) - z(r)) over the mean-normalized logits z, as in chrombpnet, not to the target's change"
        )

    def __call__(self, output: Any) -> torch.Tensor:
        profile = self._head(output)
        if profile.ndim == 2:
            profile = profile[:, None]
        if profile.ndim != 3:
            raise ValueError(
                f"{self!r}: the profile head must have shape (N, L) or (N, S, L); got {tuple(profile.shape)}"
            )
        logits = self._select(profile, "profile with S tracks").flatten(1)
        centred = logits - logits.mean(dim=1, keepdim=True)
        if self.variant == "chrombpnet":
            with torch.no_grad():  # tf.stop_gradient: the weights are constants
                weights = torch.softmax(centred, dim=1)
        else:
            weights = torch.softmax(centred, dim=1)
        return (centred * weights).sum(dim=1)


class _CountTarget(_HeadTarget):
    """The counts head (see :func:`count_target`)."""

    kind = "counts"

    def __repr__(self) -> str:
        return f"count_target(head={self.head!r}, tasks={self.tasks!r})"

    def __call__(self, output: Any) -> torch.Tensor:
        counts = self._head(output)
        if counts.ndim == 1:
            counts = counts[:, None]
        if counts.ndim != 2:
            raise ValueError(f"{self!r}: the counts head must have shape (N,) or (N, T); got {tuple(counts.shape)}")
        if self.tasks is None and counts.shape[1] != 1:
            raise ValueError(
                f"{self!r}: the counts head has {counts.shape[1]} outputs; choose them with tasks=i or a list of "
                "indices (summed)"
            )
        return self._select(counts, "counts head with T outputs").sum(dim=1)


def profile_target(head: Head = 0, *, variant: str = "bpnet-lite", tasks: Tasks = None) -> _ProfileTarget:
    """The profile head of a BPNet-style model as a target: its weighted mean-normalized logits.

    ``f = sum_i softmax(z~)_i * z~_i`` with ``z~`` the profile logits (N, S, L) flattened over strands and positions
    and centred on their mean; see :mod:`eugene.interpret.targets` for the definition, its references and the two
    variants. Usable as ``target=`` by every interpret method (attribute, ism, variant_effect, gia_*, evolve,
    filter_influence).

    Parameters
    ----------
    head
        Where the profile is in the model's output: its position in a tuple or list (default 0, as BPNet, bpnet-lite
        and chrombpnet return ``(profile, counts)``), its key in a dict, or None when the model returns the profile
        alone. The profile has shape (N, L) or (N, S, L).
    variant
        ``"bpnet-lite"`` (default): the softmax weights are part of the function, so DeepLIFT is exact.
        ``"chrombpnet"``: the weights are constants (``stop_gradient``), as chrombpnet computes its profile
        attributions; the same value, other gradients, and DeepLIFT no longer sums to ``f(x) - f(r)``.
    tasks
        The tracks S of the profile to use (an int or a list, e.g. ``[0, 1]`` for the two strands of a task); None
        (default) uses all of them, flattened together.

    Returns
    -------
    A callable mapping the model's output to shape (N,).

    Examples
    --------
    >>> import numpy as np
    >>> import eugene as eu
    >>> model = eu.models.build("bpnet", seq_len=64, n_outputs=2, count_outputs=1).eval()
    >>> X = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (3, 64))].transpose(0, 2, 1)
    >>> eu.interpret.attribute(model, X, "deeplift_shap", target=eu.interpret.profile_target(), n_references=4,
    ...                        seed=0, verbose=False).shape
    (3, 4, 64)
    """
    return _ProfileTarget(head, variant, tasks)


def count_target(head: Head = 1, *, tasks: Tasks = None) -> _CountTarget:
    """The counts head of a BPNet-style model as a target (the predicted log total counts).

    Parameters
    ----------
    head
        Where the counts are in the model's output: its position in a tuple or list (default 1, as BPNet, bpnet-lite
        and chrombpnet return ``(profile, counts)``), its key in a dict, or None when the model returns them alone.
        The counts have shape (N,) or (N, T).
    tasks
        Which of the T outputs: an int, or a list of ints (summed). None (default) needs a single output, as
        bpnet-lite's and chrombpnet's counts heads have.

    Returns
    -------
    A callable mapping the model's output to shape (N,).

    Examples
    --------
    >>> import numpy as np
    >>> import eugene as eu
    >>> model = eu.models.build("bpnet", seq_len=64, n_outputs=2, count_outputs=1).eval()
    >>> X = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (3, 64))].transpose(0, 2, 1)
    >>> eu.interpret.ism(model, X, target=eu.interpret.count_target()).shape
    (3, 4, 64)
    """
    return _CountTarget(head, tasks)
