"""The interpretation test zoo: small models that each exercise one thing attribution code gets wrong.

``ZOO`` maps a name to a constructor ``f(alphabet_size=4, seq_len=L) -> nn.Module``; :func:`make` builds one with
deterministic weights (a local ``torch.Generator``, no global seeding) in eval mode. ``EXACT`` lists the models on
which DeepLIFT must satisfy summation-to-delta exactly; ``FLAGGED`` those that contain an operation with no exact
rule, which must be named in a warning. ``TWO_HEADED`` returns a tuple (profile, counts); use a callable target.

Import it from a test in this folder as ``from zoo import ZOO, make`` (pytest puts the test's folder on sys.path).
Reference architectures from ``eugene.models`` are in :func:`reference_models` (empty until that package exists).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class FunctionalActivations(nn.Module):
    """Every element-wise non-linearity called functionally (F.*, torch.*, Tensor.*), none as modules."""

    def __init__(self, alphabet_size: int = 4, seq_len: int = 40) -> None:
        super().__init__()
        self.stem = nn.Conv1d(alphabet_size, 8, 5, padding=2)
        self.mix = nn.ModuleList([nn.Conv1d(8, 8, 3, padding=1) for _ in range(11)])
        self.head = nn.Linear(8 * seq_len, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.stem(x))
        activations = [
            torch.sigmoid,
            torch.tanh,
            F.softplus,
            F.elu,
            F.selu,
            F.gelu,
            F.silu,
            lambda t: F.leaky_relu(t, 0.1),
            lambda t: torch.exp(0.1 * t),
            torch.relu,
            lambda t: t.relu(),
        ]
        for conv, act in zip(self.mix, activations):
            h = act(conv(h))
        return self.head(h.flatten(1))


class ReusedModule(nn.Module):
    """One ReLU instance applied at three depths (Captum raises on this; hooks see it once)."""

    def __init__(self, alphabet_size: int = 4, seq_len: int = 40) -> None:
        super().__init__()
        self.act = nn.ReLU()
        self.conv1 = nn.Conv1d(alphabet_size, 8, 7, padding=3)
        self.conv2 = nn.Conv1d(8, 8, 5, padding=2)
        self.fc1 = nn.Linear(8 * seq_len, 16)
        self.fc2 = nn.Linear(16, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.act(self.conv1(x))
        h = self.act(self.conv2(h))
        return self.fc2(self.act(self.fc1(h.flatten(1))))


class InPlace(nn.Module):
    """In-place activations: nn.ReLU(inplace=True), Tensor.relu_(), F.relu(inplace=True), F.elu(inplace=True)."""

    def __init__(self, alphabet_size: int = 4, seq_len: int = 40) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(alphabet_size, 8, 5, padding=2)
        self.act = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv1d(8, 8, 3, padding=1)
        self.conv3 = nn.Conv1d(8, 8, 3, padding=1)
        self.conv4 = nn.Conv1d(8, 4, 3, padding=1)
        self.fc = nn.Linear(4 * seq_len, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.act(self.conv1(x))
        h = self.conv2(h)
        h.relu_()
        h = F.relu(self.conv3(h), inplace=True)
        h = F.elu(self.conv4(h), inplace=True)
        return self.fc(h.flatten(1))


class Residual(nn.Module):
    """Residual blocks ``h = h + relu(conv(h))`` with dilated convolutions, as in BPNet."""

    def __init__(self, alphabet_size: int = 4, seq_len: int = 40) -> None:
        super().__init__()
        self.stem = nn.Conv1d(alphabet_size, 8, 7, padding=3)
        self.blocks = nn.ModuleList([nn.Conv1d(8, 8, 3, padding=d, dilation=d) for d in (1, 2, 4)])
        self.fc = nn.Linear(8, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.stem(x))
        for conv in self.blocks:
            h = h + F.relu(conv(h))
        return self.fc(h.mean(dim=-1))


class BatchNormEval(nn.Module):
    """Conv -> BatchNorm1d -> ReLU twice, then BatchNorm1d on a dense layer; BatchNorm is affine in eval mode."""

    def __init__(self, alphabet_size: int = 4, seq_len: int = 40) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(alphabet_size, 8, 5, padding=2),
            nn.BatchNorm1d(8),
            nn.ReLU(),
            nn.Conv1d(8, 8, 5, padding=2),
            nn.BatchNorm1d(8),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(8 * seq_len, 16),
            nn.BatchNorm1d(16),
            nn.ReLU(),
            nn.Linear(16, 2),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class Pooling(nn.Module):
    """Max pooling as a module, functionally (stride != kernel, padding), average pooling both ways, and global
    max pooling through ``Tensor.max(dim)`` and ``amax``."""

    def __init__(self, alphabet_size: int = 4, seq_len: int = 40) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(alphabet_size, 8, 5, padding=2)
        self.pool1 = nn.MaxPool1d(2)
        self.conv2 = nn.Conv1d(8, 8, 3, padding=1)
        self.avg = nn.AvgPool1d(2)
        self.conv3 = nn.Conv1d(8, 8, 3, padding=1)
        self.fc = nn.Linear(16, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.pool1(F.relu(self.conv1(x)))
        h = F.max_pool1d(F.relu(self.conv2(h)), kernel_size=3, stride=2, padding=1)
        h = F.avg_pool1d(self.avg(h), 1)
        h = F.relu(self.conv3(h))
        return self.fc(torch.cat([h.max(dim=-1).values, h.amax(dim=-1)], dim=1))


class SoftmaxAttention(nn.Module):
    """Attention pooling: softmax over positions times values (a product of two input-dependent tensors)."""

    def __init__(self, alphabet_size: int = 4, seq_len: int = 40) -> None:
        super().__init__()
        self.conv = nn.Conv1d(alphabet_size, 8, 5, padding=2)
        self.score = nn.Conv1d(8, 1, 1)
        self.fc = nn.Linear(8, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.conv(x))
        weights = F.softmax(self.score(h), dim=-1)
        pooled = (h * weights).sum(dim=-1)
        return F.softmax(self.fc(pooled), dim=1)


class DilatedStrided(nn.Module):
    """Dilated and strided convolutions with padding, then flatten."""

    def __init__(self, alphabet_size: int = 4, seq_len: int = 40) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(alphabet_size, 8, 5, stride=2, padding=2),
            nn.ReLU(),
            nn.Conv1d(8, 8, 3, dilation=2, padding=2),
            nn.ReLU(),
            nn.Conv1d(8, 8, 3, stride=3, dilation=3),
            nn.ReLU(),
            nn.Flatten(),
            nn.LazyLinear(2),
        )
        self.body(torch.zeros(1, alphabet_size, seq_len))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class TwoHeaded(nn.Module):
    """A BPNet-like model returning a tuple: a profile (N, L) and a count (N, 1)."""

    def __init__(self, alphabet_size: int = 4, seq_len: int = 40) -> None:
        super().__init__()
        self.conv = nn.Conv1d(alphabet_size, 8, 7, padding=3)
        self.dil = nn.Conv1d(8, 8, 3, padding=2, dilation=2)
        self.profile = nn.Conv1d(8, 1, 5, padding=2)
        self.count = nn.Linear(8, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = F.relu(self.conv(x))
        h = h + F.relu(self.dil(h))
        return self.profile(h).squeeze(1), self.count(h.mean(dim=-1))


class Gated(nn.Module):
    """Gating and division: ``a * sigmoid(b)``, ``a / (1 + exp(b))`` and ``torch.maximum`` of two branches."""

    def __init__(self, alphabet_size: int = 4, seq_len: int = 40) -> None:
        super().__init__()
        self.a = nn.Conv1d(alphabet_size, 8, 5, padding=2)
        self.b = nn.Conv1d(alphabet_size, 8, 5, padding=2)
        self.fc = nn.Linear(8 * seq_len, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = self.a(x), self.b(x)
        h = a * torch.sigmoid(b) + a / (1 + torch.exp(0.5 * b))
        h = torch.maximum(h, b)
        return self.fc(h.flatten(1))


class ViewPermute(nn.Module):
    """Shape plumbing: view, permute, transpose, reshape, indexing and a dense layer along channels."""

    def __init__(self, alphabet_size: int = 4, seq_len: int = 40) -> None:
        super().__init__()
        self.conv = nn.Conv1d(alphabet_size, 6, 5, padding=2)
        self.dense = nn.Linear(6, 6)
        self.fc = nn.Linear(6 * (seq_len // 2), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.conv(x)).permute(0, 2, 1)  # (N, L, C)
        h = torch.tanh(self.dense(h)).transpose(1, 2)  # (N, C, L)
        h = h[:, :, : 2 * (h.shape[-1] // 2)].reshape(h.shape[0], h.shape[1], -1, 2).mean(-1)
        return self.fc(h.contiguous().view(h.shape[0], -1))


class LSTMHybrid(nn.Module):
    """Conv -> ReLU -> max pool -> LSTM (fused kernel) -> dense on the last hidden state, as in DanQ."""

    def __init__(self, alphabet_size: int = 4, seq_len: int = 40) -> None:
        super().__init__()
        self.conv = nn.Conv1d(alphabet_size, 8, 7, padding=3)
        self.lstm = nn.LSTM(8, 6, batch_first=True)
        self.fc = nn.Linear(6, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.max_pool1d(F.relu(self.conv(x)), 4)
        out, _ = self.lstm(h.transpose(1, 2))
        return self.fc(out[:, -1])


class TopKPool(nn.Module):
    """Top-k pooling through ``torch.sort``: no exact DeepLIFT rule, so it must be named in a warning."""

    def __init__(self, alphabet_size: int = 4, seq_len: int = 40) -> None:
        super().__init__()
        self.conv = nn.Conv1d(alphabet_size, 8, 5, padding=2)
        self.fc = nn.Linear(8 * 3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.conv(x))
        top = torch.sort(h, dim=-1).values[..., -3:]
        return self.fc(top.flatten(1))


ZOO: dict[str, Callable[..., nn.Module]] = {
    "functional_activations": FunctionalActivations,
    "reused_module": ReusedModule,
    "inplace": InPlace,
    "residual": Residual,
    "batchnorm_eval": BatchNormEval,
    "pooling": Pooling,
    "softmax_attention": SoftmaxAttention,
    "dilated_strided": DilatedStrided,
    "two_headed": TwoHeaded,
    "gated": Gated,
    "view_permute": ViewPermute,
    "lstm_hybrid": LSTMHybrid,
    "topk_pool": TopKPool,
}

TWO_HEADED = {"two_headed"}
FLAGGED = {"topk_pool"}
EXACT = set(ZOO) - FLAGGED
MODULE_ONLY = {"reused_module", "batchnorm_eval", "dilated_strided"}  # no functional non-linearity


def randomize(model: nn.Module, seed: int = 0) -> nn.Module:
    """Give every parameter and BatchNorm statistic deterministic random values from a local generator."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
            if not tensor.is_floating_point():
                continue
            if name.endswith("running_var"):
                tensor.copy_(0.5 + torch.rand(tensor.shape, generator=generator))
            else:
                fan_in = tensor[0].numel() if tensor.ndim > 1 else 4
                tensor.copy_(torch.randn(tensor.shape, generator=generator) / fan_in**0.5)
    return model


def make(name: str, alphabet_size: int = 4, seq_len: int = 40, seed: int = 0) -> nn.Module:
    """Build zoo model ``name`` with deterministic weights, in eval mode."""
    return randomize(ZOO[name](alphabet_size=alphabet_size, seq_len=seq_len), seed).eval()


def reference_models(seq_len: int = 100, seed: int = 0) -> dict[str, nn.Module]:
    """The reference architectures of ``eugene.models`` that exist, small, with deterministic weights, in eval mode."""
    try:
        from eugene.models import build, list_models
    except ImportError:
        return {}
    models = {}
    for name in list_models():
        model = build(name, alphabet_size=4, seq_len=seq_len, n_outputs=2)
        models[name] = randomize(model, seed).eval()
    return models


def random_onehot(n: int, alphabet_size: int = 4, seq_len: int = 40, seed: int = 0) -> torch.Tensor:
    """``n`` random one-hot sequences (n, A, L), float32."""
    generator = torch.Generator().manual_seed(seed)
    idx = torch.randint(alphabet_size, (n, seq_len), generator=generator)
    return F.one_hot(idx, alphabet_size).permute(0, 2, 1).float()


# Input kinds every method must accept, each giving the float32 results (issue 11): each failed on the old code.
INPUT_CONVERSIONS: list[Callable[[np.ndarray], object]] = [
    lambda x: x.astype(np.float64),  # was "expected scalar type Double but found Float"
    lambda x: torch.from_numpy(x).double().requires_grad_(True),
    lambda x: x.astype(bool),
    lambda x: np.ascontiguousarray(x[:, :, ::-1])[:, :, ::-1],  # a reversed view: not contiguous
]
