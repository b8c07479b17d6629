"""Reference architectures for one-hot sequences (N, A, L): small by default, faithful in shape to the published models.

Every class takes ``alphabet_size``, ``seq_len`` and ``n_outputs`` plus a few size arguments, names its first
convolution ``conv1`` (also the first ``nn.Conv1d`` in module order), and uses ``nn.ReLU`` / ``nn.MaxPool1d`` modules,
one instance per use, so hook-based tools see each nonlinearity once. All outputs are unbounded scores (logits,
regression values); apply a sigmoid or softmax yourself where the task needs one.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence

import torch
from torch import nn

from eugene._validate import check_fraction, check_positive_int, describe

__all__ = ["DeepBind", "Basset", "DeepSTARR", "BPNet", "DanQ"]


def _per_block(value: int | Sequence[int], n_blocks: int | None, name: str) -> tuple[int, ...]:
    """``value`` as one positive int per block: an int is repeated, a sequence must have ``n_blocks`` entries.

    With ``n_blocks=None`` any number of entries is accepted and an int means one block.
    """
    if isinstance(value, Sequence) and not isinstance(value, str):
        if n_blocks is not None and len(value) != n_blocks:
            raise ValueError(f"{name} must be an int or a sequence of {n_blocks} ints; got {describe(value)}")
        return tuple(check_positive_int(v, f"{name}[{i}]") for i, v in enumerate(value))
    return (check_positive_int(value, name),) * (n_blocks or 1)


def _check_dropout(value: float, name: str = "dropout") -> float:
    return check_fraction(value, name, high_open=True, what="the share of units dropped")


def _check_min_len(seq_len: int, min_len: int, why: str) -> None:
    if seq_len < min_len:
        raise ValueError(f"seq_len must be at least {min_len} for {why}; got {seq_len}")


def _check_io(alphabet_size: int, seq_len: int, n_outputs: int) -> tuple[int, int, int]:
    """The three arguments every architecture takes, checked to be positive ints (in this order)."""
    return (
        check_positive_int(alphabet_size, "alphabet_size"),
        check_positive_int(seq_len, "seq_len"),
        check_positive_int(n_outputs, "n_outputs"),
    )


def _dense_stack(
    in_features: int, hidden: Sequence[int], dropout: float, batch_norm: bool
) -> list[tuple[str, nn.Module]]:
    """Named (Linear [-> BatchNorm] -> ReLU -> Dropout) layers, numbered fc1, fc2, ..."""
    layers: list[tuple[str, nn.Module]] = []
    for i, width in enumerate(hidden, start=1):
        layers.append((f"fc{i}", nn.Linear(in_features, width)))
        if batch_norm:
            layers.append((f"fc_bn{i}", nn.BatchNorm1d(width)))
        layers += [(f"fc_relu{i}", nn.ReLU()), (f"fc_drop{i}", nn.Dropout(dropout))]
        in_features = width
    return layers


class _ConvStack(nn.Sequential):
    """Shared body of Basset and DeepSTARR: blocks of Conv(same) -> BatchNorm -> ReLU -> MaxPool, then dense layers.

    Children are named conv1, bn1, relu1, pool1, conv2, ..., flatten, fc1, ..., out, so ``model.conv1`` is the first
    convolution and ``model.relu1`` its activation. Takes the subclass's arguments unchecked and checks them here,
    with ``n_blocks`` convolution blocks.
    """

    def __init__(
        self,
        *,
        n_blocks: int,
        alphabet_size: int,
        seq_len: int,
        n_outputs: int,
        n_filters: int | Sequence[int],
        filter_size: int | Sequence[int],
        pool_size: int | Sequence[int],
        hidden: int | Sequence[int],
        dropout: float,
        dense_batch_norm: bool,
    ) -> None:
        alphabet_size, seq_len, n_outputs = _check_io(alphabet_size, seq_len, n_outputs)
        pool_sizes = _per_block(pool_size, n_blocks, "pool_size")
        _check_min_len(seq_len, math.prod(pool_sizes), f"pool_size={pool_sizes}")
        n_filters = _per_block(n_filters, n_blocks, "n_filters")
        filter_sizes = _per_block(filter_size, n_blocks, "filter_size")
        hidden = _per_block(hidden, None, "hidden")
        dropout = _check_dropout(dropout)
        layers: list[tuple[str, nn.Module]] = []
        channels, length = alphabet_size, seq_len
        for i, (width, size, pool) in enumerate(zip(n_filters, filter_sizes, pool_sizes), start=1):
            layers += [
                (f"conv{i}", nn.Conv1d(channels, width, size, padding="same")),
                (f"bn{i}", nn.BatchNorm1d(width)),
                (f"relu{i}", nn.ReLU()),
                (f"pool{i}", nn.MaxPool1d(pool)),
            ]
            channels, length = width, length // pool
        layers.append(("flatten", nn.Flatten()))
        layers += _dense_stack(channels * length, hidden, dropout, dense_batch_norm)
        layers.append(("out", nn.Linear(hidden[-1] if hidden else channels * length, n_outputs)))
        super().__init__(OrderedDict(layers))
        self.alphabet_size, self.seq_len, self.n_outputs = alphabet_size, seq_len, n_outputs


class DeepBind(nn.Module):
    """DeepBind-style model: one convolution, ReLU, global max (and average) pooling, a small dense head.

    After Alipanahi et al. (2015), "Predicting the sequence specificities of DNA- and RNA-binding proteins by deep
    learning", Nat. Biotechnol. 33:831. Global pooling makes the output independent of where a motif sits, and the
    model accepts any input length >= ``filter_size``; ``seq_len`` is only checked.

    Parameters
    ----------
    alphabet_size, seq_len, n_outputs
        Input channels A, the length L the model is meant for, and the number of outputs.
    n_filters, filter_size
        Number and width of the convolution filters (no padding).
    hidden
        Width of the hidden dense layer.
    pool
        ``"max_avg"`` (max and average pooling, concatenated) or ``"max"``.
    dropout
        Dropout before the output layer.

    Examples
    --------
    >>> model = DeepBind(alphabet_size=4, seq_len=101, n_outputs=1).eval()
    >>> model(torch.zeros(2, 4, 101)).shape
    torch.Size([2, 1])
    """

    def __init__(
        self,
        alphabet_size: int = 4,
        seq_len: int = 100,
        n_outputs: int = 1,
        *,
        n_filters: int = 16,
        filter_size: int = 11,
        hidden: int = 32,
        pool: str = "max_avg",
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.alphabet_size, self.seq_len, self.n_outputs = _check_io(alphabet_size, seq_len, n_outputs)
        n_filters = check_positive_int(n_filters, "n_filters")
        filter_size = check_positive_int(filter_size, "filter_size")
        if pool not in ("max", "max_avg"):
            raise ValueError(f"pool must be 'max' or 'max_avg'; got {describe(pool)}")
        _check_min_len(self.seq_len, filter_size, f"filter_size={filter_size}")
        self.conv1 = nn.Conv1d(self.alphabet_size, n_filters, filter_size)
        self.relu1 = nn.ReLU()
        self.max_pool = nn.AdaptiveMaxPool1d(1)
        self.avg_pool = nn.AdaptiveAvgPool1d(1) if pool == "max_avg" else None
        n_pooled = n_filters * (2 if pool == "max_avg" else 1)
        self.fc1 = nn.Linear(n_pooled, check_positive_int(hidden, "hidden"))
        self.fc_relu1 = nn.ReLU()
        self.drop = nn.Dropout(_check_dropout(dropout))
        self.out = nn.Linear(hidden, self.n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.relu1(self.conv1(x))
        pooled = self.max_pool(h).flatten(1)
        if self.avg_pool is not None:
            pooled = torch.cat([pooled, self.avg_pool(h).flatten(1)], dim=1)
        return self.out(self.drop(self.fc_relu1(self.fc1(pooled))))


class Basset(_ConvStack):
    """Basset-style model: three Conv -> BatchNorm -> ReLU -> MaxPool blocks, then dense layers with dropout.

    After Kelley, Snoek and Rinn (2016), "Basset: learning the regulatory code of the accessible genome with deep
    convolutional neural networks", Genome Res. 26:990 (there: 300/200/200 filters of width 19/11/7, pools 3/4/4,
    two dense layers of 1000, 164 outputs). Convolutions use "same" padding, so only pooling shortens the sequence.
    The output is logits (Basset applied a sigmoid for its multi-task accessibility targets).

    Parameters
    ----------
    alphabet_size, seq_len, n_outputs
        Input channels A, input length L (fixed: it sets the flattened width) and the number of outputs.
    n_filters, filter_size, pool_size
        Per block: an int (same for all three) or three ints.
    hidden
        Widths of the dense layers.
    dropout
        Dropout after each dense layer.

    Examples
    --------
    >>> model = Basset(alphabet_size=4, seq_len=200, n_outputs=12).eval()
    >>> model(torch.zeros(2, 4, 200)).shape
    torch.Size([2, 12])
    """

    def __init__(
        self,
        alphabet_size: int = 4,
        seq_len: int = 100,
        n_outputs: int = 1,
        *,
        n_filters: int | Sequence[int] = (32, 32, 32),
        filter_size: int | Sequence[int] = (19, 11, 7),
        pool_size: int | Sequence[int] = (3, 4, 4),
        hidden: int | Sequence[int] = (64, 64),
        dropout: float = 0.3,
    ) -> None:
        super().__init__(
            n_blocks=3,
            alphabet_size=alphabet_size,
            seq_len=seq_len,
            n_outputs=n_outputs,
            n_filters=n_filters,
            filter_size=filter_size,
            pool_size=pool_size,
            hidden=hidden,
            dropout=dropout,
            dense_batch_norm=False,
        )


class DeepSTARR(_ConvStack):
    """DeepSTARR-style model: four Conv -> BatchNorm -> ReLU -> MaxPool(2) blocks, two dense layers, two outputs.

    After de Almeida et al. (2022), "DeepSTARR predicts enhancer activity from DNA sequence and enables the de novo
    design of synthetic enhancers", Nat. Genet. 54:613 (there: 256/60/60/120 filters of width 7/3/5/3, dense 256/256
    with BatchNorm and dropout 0.4, outputs developmental and housekeeping enhancer activity).

    Parameters
    ----------
    alphabet_size, seq_len, n_outputs
        Input channels A, input length L (fixed: it sets the flattened width) and the number of outputs (2).
    n_filters, filter_size, pool_size
        Per block: an int (same for all four) or four ints.
    hidden
        Widths of the dense layers (each Linear -> BatchNorm -> ReLU -> Dropout).
    dropout
        Dropout after each dense layer.

    Examples
    --------
    >>> model = DeepSTARR(seq_len=249).eval()
    >>> model(torch.zeros(2, 4, 249)).shape
    torch.Size([2, 2])
    """

    def __init__(
        self,
        alphabet_size: int = 4,
        seq_len: int = 100,
        n_outputs: int = 2,
        *,
        n_filters: int | Sequence[int] = (32, 16, 16, 32),
        filter_size: int | Sequence[int] = (7, 3, 5, 3),
        pool_size: int | Sequence[int] = 2,
        hidden: int | Sequence[int] = (64, 64),
        dropout: float = 0.4,
    ) -> None:
        super().__init__(
            n_blocks=4,
            alphabet_size=alphabet_size,
            seq_len=seq_len,
            n_outputs=n_outputs,
            n_filters=n_filters,
            filter_size=filter_size,
            pool_size=pool_size,
            hidden=hidden,
            dropout=dropout,
            dense_batch_norm=True,
        )


class BPNet(nn.Module):
    """Residual dilated CNN with a profile head and a counts head, in the manner of BPNet.

    After Avsec et al. (2021), "Base-resolution models of transcription-factor binding reveal soft motif syntax",
    Nat. Genet. 53:354. A wide first convolution, then ``n_layers`` residual blocks ``h = h + relu(conv_d(h))`` with
    dilation 2, 4, 8, ...; all convolutions use "same" padding, so the trunk keeps length L (the paper crops instead).

    ``forward`` returns a tuple ``(profile, counts)``: ``profile`` of shape (N, n_outputs, L) holds per-position logits
    (softmax over L gives the profile), ``counts`` of shape (N, count_outputs) the log total counts from globally
    average-pooled trunk features. bpnet-lite's layout (Schreiber, bpnet-lite) is ``n_outputs=2`` (the two strands)
    and ``count_outputs=1`` (the total over both strands, whose reads the profile's single softmax over both strands
    distributes); :func:`eugene.interpret.profile_target` and :func:`eugene.interpret.count_target` are the targets
    that explain the two heads.

    Parameters
    ----------
    alphabet_size, seq_len, n_outputs
        Input channels A, the length L the model is meant for (any length works) and the number of tasks.
    n_filters, filter_size
        Trunk width and width of the first convolution.
    n_layers
        Number of dilated residual blocks (kernel 3, dilation 2**i for i = 1..n_layers).
    profile_filter_size
        Width of the profile head's convolution.
    count_outputs
        Outputs of the counts head; None (default) means ``n_outputs`` (one per profile track), 1 is bpnet-lite's
        total counts over both strands.

    Examples
    --------
    >>> profile, counts = BPNet(seq_len=64, n_outputs=2).eval()(torch.zeros(3, 4, 64))
    >>> profile.shape, counts.shape
    (torch.Size([3, 2, 64]), torch.Size([3, 2]))
    >>> profile, counts = BPNet(seq_len=64, n_outputs=2, count_outputs=1).eval()(torch.zeros(3, 4, 64))
    >>> profile.shape, counts.shape
    (torch.Size([3, 2, 64]), torch.Size([3, 1]))
    """

    def __init__(
        self,
        alphabet_size: int = 4,
        seq_len: int = 100,
        n_outputs: int = 1,
        *,
        n_filters: int = 32,
        filter_size: int = 11,
        n_layers: int = 4,
        profile_filter_size: int = 15,
        count_outputs: int | None = None,
    ) -> None:
        super().__init__()
        self.alphabet_size, self.seq_len, self.n_outputs = _check_io(alphabet_size, seq_len, n_outputs)
        self.count_outputs = (
            self.n_outputs if count_outputs is None else check_positive_int(count_outputs, "count_outputs")
        )
        n_filters = check_positive_int(n_filters, "n_filters")
        self.conv1 = nn.Conv1d(
            self.alphabet_size, n_filters, check_positive_int(filter_size, "filter_size"), padding="same"
        )
        self.relu1 = nn.ReLU()
        n_layers = check_positive_int(n_layers, "n_layers")
        self.dilated_convs = nn.ModuleList(
            nn.Conv1d(n_filters, n_filters, 3, padding="same", dilation=2**i) for i in range(1, n_layers + 1)
        )
        self.dilated_relus = nn.ModuleList(nn.ReLU() for _ in range(n_layers))
        self.profile_head = nn.Conv1d(
            n_filters,
            self.n_outputs,
            check_positive_int(profile_filter_size, "profile_filter_size"),
            padding="same",
        )
        self.count_pool = nn.AdaptiveAvgPool1d(1)
        self.count_head = nn.Linear(n_filters, self.count_outputs)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.relu1(self.conv1(x))
        for conv, relu in zip(self.dilated_convs, self.dilated_relus):
            h = h + relu(conv(h))
        return self.profile_head(h), self.count_head(self.count_pool(h).flatten(1))


class DanQ(nn.Module):
    """Hybrid CNN + bidirectional LSTM in the manner of DanQ: Conv -> ReLU -> MaxPool -> Dropout -> BiLSTM -> dense.

    After Quang and Xie (2016), "DanQ: a hybrid convolutional and recurrent deep neural network for quantifying the
    function of DNA sequences", Nucleic Acids Res. 44:e107 (there: 320 filters of width 26, pool 13, LSTM 320 per
    direction, dense 925, 919 outputs). The convolution has no padding.

    Note: on CUDA, cuDNN cannot backpropagate through an LSTM in eval mode; gradient-based attribution on GPU needs
    ``torch.backends.cudnn.flags(enabled=False)`` around the call.

    Parameters
    ----------
    alphabet_size, seq_len, n_outputs
        Input channels A, input length L (fixed: it sets the flattened width) and the number of outputs.
    n_filters, filter_size, pool_size
        Convolution width and number of filters, and the max-pool size.
    lstm_hidden
        LSTM hidden size per direction.
    hidden
        Width of the dense layer.
    dropout
        Dropout after pooling and after the LSTM.

    Examples
    --------
    >>> model = DanQ(seq_len=150, n_outputs=3).eval()
    >>> model(torch.zeros(2, 4, 150)).shape
    torch.Size([2, 3])
    """

    def __init__(
        self,
        alphabet_size: int = 4,
        seq_len: int = 100,
        n_outputs: int = 1,
        *,
        n_filters: int = 32,
        filter_size: int = 13,
        pool_size: int = 6,
        lstm_hidden: int = 16,
        hidden: int = 64,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        self.alphabet_size, self.seq_len, self.n_outputs = _check_io(alphabet_size, seq_len, n_outputs)
        n_filters = check_positive_int(n_filters, "n_filters")
        filter_size = check_positive_int(filter_size, "filter_size")
        pool_size = check_positive_int(pool_size, "pool_size")
        lstm_hidden = check_positive_int(lstm_hidden, "lstm_hidden")
        dropout = _check_dropout(dropout)
        _check_min_len(self.seq_len, filter_size + pool_size - 1, f"filter_size={filter_size}, pool_size={pool_size}")
        pooled_len = (self.seq_len - filter_size + 1) // pool_size
        self.conv1 = nn.Conv1d(self.alphabet_size, n_filters, filter_size)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool1d(pool_size)
        self.drop1 = nn.Dropout(dropout)
        self.lstm = nn.LSTM(n_filters, lstm_hidden, batch_first=True, bidirectional=True)
        self.drop2 = nn.Dropout(dropout)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(pooled_len * 2 * lstm_hidden, check_positive_int(hidden, "hidden"))
        self.fc_relu1 = nn.ReLU()
        self.out = nn.Linear(hidden, self.n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.drop1(self.pool1(self.relu1(self.conv1(x))))
        h, _ = self.lstm(h.transpose(1, 2))
        return self.out(self.fc_relu1(self.fc1(self.flatten(self.drop2(h)))))
