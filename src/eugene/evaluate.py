"""eugene.evaluate: interpretation checked against planted truth, a layer above interpret.

Sequences with planted motifs (:func:`eugene.datasets.planted_motifs`) and the bundled demo model trained on them
(:func:`eugene.models.load_demo_model`) come with the answer; the functions here run a model and eugene's
interpretation methods and score them against it:

- :func:`attribution_auroc`: how well given attribution maps rank the planted positions (arrays only; the same
  function as ``eugene.datasets.attribution_auroc``);
- :func:`ground_truth_auroc`: runs an attribution method (or ISM) per planted motif and scores it (Koo and Ploenzke
  2021, Nat. Mach. Intell. 3:258); it moved here from ``eugene.datasets``, below which interpret may not be imported;
- :func:`held_out_auroc`: how well the model's outputs predict which motifs were planted (the demo model's card); it
  moved here from ``eugene.models.demo``.

import eugene as eu
model, data = eu.models.load_demo_model(), eu.models.demo_sequences()
eu.evaluate.held_out_auroc(model, data)                          # (12,) one AUROC per motif
eu.evaluate.ground_truth_auroc(model, data, "saliency")          # one row per (sequence, planted motif)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from eugene._metrics import auroc
from eugene.datasets import PlantedMotifs, attribution_auroc
from eugene.interpret import attribute, ism, predict

__all__ = ["attribution_auroc", "ground_truth_auroc", "held_out_auroc"]


def ground_truth_auroc(
    model: Any,
    data: PlantedMotifs,
    method: str = "deeplift_shap",
    *,
    n_references: int = 20,
    batch_size: int = 128,
    device: Any = None,
    seed: int = 0,
    verbose: bool | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Score an attribution method against the planted sites, per (sequence, motif) pair (Koo and Ploenzke 2021).

    For every motif ``m`` and every sequence that contains it, the model's output ``m`` is attributed, and
    :func:`attribution_auroc` measures how well ``|attribution x input|`` ranks the positions of motif ``m``'s
    instances above all other positions (background and other motifs' sites, which output ``m`` should not need).

    Parameters
    ----------
    model
        A model with one output per motif of ``data`` (e.g. :func:`eugene.models.load_demo_model`).
    data
        Planted-motif sequences with their ground truth.
    method
        A method of :func:`eugene.interpret.attribute` (``"saliency"``, ``"deeplift_shap"``, ...); ``"ism"`` for
        :func:`eugene.interpret.ism` centred at each position (the mean over the four letters subtracted, so the
        observed letter carries the importance of the position); or ``"random"``: Gaussian noise, the chance baseline.
    n_references, batch_size, device, seed, verbose
        Passed to the method (``n_references`` and ``seed`` not to ``"ism"``).
    **options
        Further options of the method, e.g. ``fast=False`` for ``"ism"`` or ``n_steps=20`` for integrated gradients.

    Returns
    -------
    pandas.DataFrame
        Columns ``sequence``, ``motif``, ``name``, ``auroc``; one row per sequence containing a motif.

    Examples
    --------
    >>> import eugene as eu
    >>> scores = eu.evaluate.ground_truth_auroc(eu.models.load_demo_model(), eu.models.demo_sequences(), "saliency")
    >>> scores.auroc.mean()  # doctest: +SKIP
    """
    rows = []
    rng = np.random.default_rng(seed)
    for m, name in enumerate(data.motif_names):
        idx = np.flatnonzero(data.y[:, m] > 0)
        if idx.size == 0:
            continue
        X = data.X[idx]
        if method == "random":
            attr = rng.standard_normal(X.shape)
        elif method == "ism":
            attr = ism(
                model, X, target=m, centre=True, batch_size=batch_size, device=device, verbose=verbose, **options
            )
        else:
            attr = attribute(
                model,
                X,
                method,
                target=m,
                n_references=n_references,
                batch_size=batch_size,
                device=device,
                seed=seed,
                verbose=verbose,
                **options,
            )
        auc = attribution_auroc(attr, X, data.mask[idx] == m)
        rows.append(pd.DataFrame({"sequence": idx, "motif": m, "name": name, "auroc": auc}))
    return pd.concat(rows, ignore_index=True)


def held_out_auroc(
    model: nn.Module,
    data: PlantedMotifs,
    *,
    batch_size: int = 256,
    device: str | torch.device | None = None,
    verbose: bool | None = None,
) -> np.ndarray:
    """AUROC of each of the model's outputs against ``data.y``, one per motif (NaN where a motif is always or
    never present).

    Examples
    --------
    >>> import eugene as eu
    >>> held_out_auroc(eu.models.load_demo_model(), eu.models.demo_sequences()).shape
    (12,)
    """
    scores = np.asarray(predict(model, data.X, batch_size=batch_size, device=device, verbose=verbose))
    if scores.shape != data.y.shape:
        raise ValueError(f"model must give one output per motif, shape {data.y.shape}; got {scores.shape}")
    return auroc(scores.T.astype(np.float64), data.y.T.astype(bool))
