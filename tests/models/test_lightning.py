"""A LightningModule works wherever an nn.Module does: a real Lightning checkpoint loads, and interpretation of the
LightningModule equals that of the plain module inside it."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import xarray as xr
from torch import nn

pl = pytest.importorskip("pytorch_lightning")

import eugene as eu  # noqa: E402
from eugene.models import load_model  # noqa: E402


class Wrapper(pl.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.model = eu.models.build("deepbind", seq_len=80, n_outputs=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)

    def training_step(self, batch, _):
        x, y = batch
        return nn.functional.binary_cross_entropy_with_logits(self(x), y)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-2)


def _data(n: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    X = torch.as_tensor(eu.datasets.planted_motifs(n=n, length=80, motifs=["SRF", "MAX"], seed=0).X)
    return X, torch.rand(n, 2, generator=torch.Generator().manual_seed(0)).round()


def test_trainer_checkpoint_loads_into_the_plain_architecture(tmp_path):
    torch.manual_seed(0)
    module = Wrapper()
    X, y = _data()
    trainer = pl.Trainer(
        max_epochs=1, logger=False, enable_checkpointing=False, enable_progress_bar=False, accelerator="cpu"
    )
    trainer.fit(module, torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=8))
    trainer.save_checkpoint(tmp_path / "model.ckpt")
    loaded = load_model(
        "eugene.models.zoo:deepbind", tmp_path / "model.ckpt", factory_kwargs={"seq_len": 80, "n_outputs": 2}
    )
    torch.testing.assert_close(loaded(X), module.eval()(X))


def test_lightning_module_interprets_like_its_inner_module():
    torch.manual_seed(1)
    module = Wrapper()
    X, _ = _data(6)
    sdata = xr.Dataset({"ohe_seq": (("_sequence", "_ohe", "length"), X.numpy())})
    ours = eu.interpret.attribute_sdata(module, sdata, "deeplift", target=1, copy=True)["deeplift_attrs"].values
    plain = eu.interpret.attribute(module.model, X.numpy(), "deeplift", target=1, verbose=False)
    np.testing.assert_allclose(ours, plain, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(eu.interpret.ism(module, X, target=1), eu.interpret.ism(module.model, X, target=1))
