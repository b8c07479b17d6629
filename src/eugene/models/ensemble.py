"""``Ensemble``: several models (e.g. cross-validation folds) as one module whose output is the mean of theirs.

Every method of :mod:`eugene.interpret` accepts a list or tuple of models in place of ``model`` and runs on their
``Ensemble``, so one pass over the data averages over the models. The average is exact for every method, because
each one is linear in the output it explains:

- ISM, GIA and variant effects are differences of the output, so the ensemble's effect is the mean of the models'.
- Gradients, gradient x input, SmoothGrad (the same noise for every model) and integrated gradients (the same
  path) are linear in the output, so the ensemble's attribution is the mean of the models' attributions.
- DeepLIFT / DeepLiftShap: the mean is an affine layer joining branches that share no non-linearity, so each
  branch's multipliers are its model's multipliers times 1/M and summation-to-delta holds for the ensemble as it
  holds for each model (Shrikumar et al. 2017, "Learning important features through propagating activation
  differences", ICML; the linear rule). With the same references, the ensemble's DeepLiftShap is the mean of the
  models' DeepLiftShap.

Memory stays bounded by the batch: each batch runs through every model in turn (a gradient keeps the M models'
activations of one batch for its backward pass, so lower ``batch_size`` for many large models).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import torch
from torch import nn

from eugene._validate import describe
from eugene.models._state import model_alphabet_size, model_device, model_dtype

__all__ = ["Ensemble"]


class Ensemble(nn.Module):
    """The mean of several models' outputs: tensors averaged element-wise, tuples, lists and dicts entry by entry.

    Parameters
    ----------
    models
        A non-empty list or tuple of torch modules taking the same input (N, A, L) and returning outputs of the same
        structure and shapes (a tensor, or a tuple / list / dict of tensors, e.g. a profile and a counts head). They
        must share one dtype, one device and one alphabet size (``in_channels`` of their first ``Conv1d``, where
        both have one); the error names the first model that differs.

    Notes
    -----
    The models are held, not copied: an ``Ensemble`` sees later changes to their weights. Every
    :mod:`eugene.interpret` function accepts the list itself (``attribute([m1, m2, m3], X)``) and builds the
    ensemble; the ensemble's output is ``(out_1 + ... + out_M) / M``.

    Examples
    --------
    >>> import torch
    >>> import eugene as eu
    >>> folds = [eu.models.build("deepbind", seq_len=50).eval() for _ in range(3)]
    >>> ensemble = eu.models.Ensemble(folds)
    >>> x = torch.zeros(2, 4, 50)
    >>> torch.allclose(ensemble(x), sum(m(x) for m in folds) / 3)
    True
    """

    def __init__(self, models: Sequence[nn.Module]) -> None:
        super().__init__()
        if not isinstance(models, (list, tuple, nn.ModuleList)) or len(models) == 0:
            raise TypeError(f"models must be a non-empty list or tuple of torch.nn.Module; got {describe(models)}")
        for i, model in enumerate(models):
            if not isinstance(model, nn.Module):
                raise TypeError(f"models[{i}] must be a torch.nn.Module; got {describe(model)}")
        self.members = nn.ModuleList(models)
        self.check()

    def check(self) -> None:
        """Check that the models share one dtype, device and alphabet size (raises ValueError naming the first
        that differs). Run at construction, and by every interpret method before it uses the ensemble, since the
        models may have been moved or converted since."""
        first = self.members[0]
        expected = {
            "dtype": (model_dtype(first), "convert it, e.g. model.to(torch.float32)"),
            "device": (model_device(first), "move it, e.g. model.to('cpu')"),
            "alphabet size (in_channels of the first Conv1d)": (model_alphabet_size(first), "it reads other input"),
        }
        for i, model in enumerate(self.members):
            found = {
                "dtype": model_dtype(model),
                "device": model_device(model),
                "alphabet size (in_channels of the first Conv1d)": model_alphabet_size(model),
            }
            for what, (value, fix) in expected.items():
                # None (no floating parameter, no Conv1d, or a TorchScript model's hidden layers) is not known
                if found[what] != value and found[what] is not None and value is not None:
                    raise ValueError(
                        f"the models of an ensemble must share one {what}: models[0] has {value}, models[{i}] has "
                        f"{found[what]}; {fix}"
                    )

    def leaves(self) -> Iterator[nn.Module]:
        """The models, with those of nested ensembles in their place, each once."""
        seen: set[int] = set()
        for member in self.members:
            for model in member.leaves() if isinstance(member, Ensemble) else (member,):
                if id(model) not in seen:
                    seen.add(id(model))
                    yield model

    def forward(self, x: torch.Tensor) -> Any:
        outputs = []
        for i, member in enumerate(self.members):
            try:
                outputs.append(member(x))
            except (RuntimeError, ValueError, TypeError) as err:
                err.add_note(f"(raised by models[{i}] of the ensemble)")
                raise
        return _mean(outputs, "output")


def _mean(outputs: list, where: str) -> Any:
    """The element-wise mean of the models' ``outputs`` (one per model, all of one structure), as a sum times 1/M:
    adds and a scale, which every interpret method treats as linear."""
    first = outputs[0]
    if isinstance(first, (tuple, list)):
        for i, out in enumerate(outputs):
            if type(out) is not type(first) or len(out) != len(first):
                raise ValueError(
                    f"the models of an ensemble must return outputs of one structure: models[0]'s {where} is "
                    f"{describe(first)}, models[{i}]'s is {describe(out)}"
                )
        means = [_mean([out[k] for out in outputs], f"{where}[{k}]") for k in range(len(first))]
        return type(first)(*means) if hasattr(first, "_fields") else type(first)(means)
    if isinstance(first, dict):
        for i, out in enumerate(outputs):
            if not isinstance(out, dict) or list(out) != list(first):
                raise ValueError(
                    f"the models of an ensemble must return outputs of one structure: models[0]'s {where} has keys "
                    f"{list(first)}, models[{i}]'s is {describe(out) if not isinstance(out, dict) else list(out)}"
                )
        return {key: _mean([out[key] for out in outputs], f"{where}[{key!r}]") for key in first}
    for i, out in enumerate(outputs):
        # (under torch.fx tracing the outputs are proxies, without a shape to check)
        if isinstance(first, torch.Tensor) and (not isinstance(out, torch.Tensor) or out.shape != first.shape):
            raise ValueError(
                f"the models of an ensemble must return outputs of one shape: models[0]'s {where} is "
                f"{describe(first)}, models[{i}]'s is {describe(out)}"
            )
    total = first
    for out in outputs[1:]:
        total = total + out
    return total * (1.0 / len(outputs))
