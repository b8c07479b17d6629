"""The bundled demo model: a small CNN trained on planted JASPAR motifs, its held-out sequences and its model card.

The model is a Basset-style network (:class:`~eugene.models.Basset`, first layer 32 filters of width 19) trained by
``scripts/train_demo_model.py`` on the planted-motif task of Koo and Eddy (2019), PLoS Comput. Biol. 15:e1007560,
with their twelve transcription-factor motifs from JASPAR 2024 (:func:`eugene.datasets.planted_motifs`). Because the
motifs and their positions are known, it is the ground truth for every interpretation method in eugene. See
docs/demo_model.md for the card in prose. Checking it (held-out AUROC, attributions against the planted sites) runs
interpret, a layer above models, and lives in :mod:`eugene.evaluate`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import torch
from torch import nn

from eugene.datasets import PlantedMotifs
from eugene.models.load import load_model
from eugene.models.zoo import build

__all__ = ["load_demo_model", "demo_sequences", "demo_model_card"]

WEIGHTS_FILE = "demo_model.pt"
SEQUENCES_FILE = "demo_sequences.npz"
CARD_FILE = "demo_model_card.json"


def _data_file(name: str):
    path = resources.files("eugene.models").joinpath("data", name)
    if not path.is_file():
        raise FileNotFoundError(
            f"the demo model's file {name!r} is missing from the installed package (eugene/models/data); "
            "reinstall eugene or run scripts/train_demo_model.py"
        )
    return path


@lru_cache(maxsize=1)
def _card_text() -> str:
    return _data_file(CARD_FILE).read_text()


def demo_model_card() -> dict[str, Any]:
    """The demo model's card: architecture, training data and procedure, and held-out AUROC per task.

    Examples
    --------
    >>> card = demo_model_card()
    >>> card["architecture"]["name"], card["held_out"]["n"]
    ('basset', 500)
    """
    return json.loads(_card_text())


def load_demo_model(device: str | torch.device | None = None) -> nn.Module:
    """The bundled demo model, in eval mode: 12 logits, one per planted motif, for (N, 4, 200) one-hot DNA.

    The architecture is built with :func:`eugene.models.build` from the card's parametrisation and the bundled state
    dict is read with ``torch.load(weights_only=True)``. Output ``k`` is the logit that motif ``k`` of
    ``model.planted_motifs`` (JASPAR 2024 matrices in the order of :data:`eugene.datasets.KOO_EDDY_2019`) is present.

    Parameters
    ----------
    device
        Where to put the model; default CPU.

    Returns
    -------
    torch.nn.Module
        A :class:`~eugene.models.Basset` in eval mode, with attributes ``task_names`` (the TF names) and
        ``planted_motifs`` (the :class:`~eugene.motifs.MotifSet` it was trained on).

    Examples
    --------
    >>> model = load_demo_model()
    >>> data = demo_sequences()
    >>> model(torch.from_numpy(data.X[:2])).shape
    torch.Size([2, 12])
    """
    card = demo_model_card()
    model = build(card["architecture"]["name"], **card["architecture"]["kwargs"])
    with resources.as_file(_data_file(WEIGHTS_FILE)) as weights:
        model = load_model(model, weights, device=device)
    model.task_names = list(card["tasks"])
    model.planted_motifs = demo_sequences().motifs
    return model


def demo_sequences() -> PlantedMotifs:
    """The 500 held-out sequences the demo model's card reports on, with labels, motif sites and mask.

    Drawn by :func:`eugene.datasets.planted_motifs` (seed 3) from the same distribution as the training data, and
    never seen in training or model selection.

    Returns
    -------
    PlantedMotifs
        ``X`` (500, 4, 200) float32, ``y`` (500, 12), ``mask`` (500, 200), ``sites``, ``motifs``.

    Examples
    --------
    >>> data = demo_sequences()
    >>> data.X.shape, data.motif_names[:2]
    ((500, 4, 200), ['Arid3a', 'CEBPB'])
    """
    with resources.as_file(_data_file(SEQUENCES_FILE)) as path:
        return PlantedMotifs.load(path)
