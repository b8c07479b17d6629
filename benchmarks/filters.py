"""Benchmark: filter PFMs (the filter_pfms core) against per-filter, per-sequence Python loops and the forward pass.

Work: N sequences x L bp, a DeepBind-style model whose first layer has 128 filters of width 19 (random weights, so
the number of sites per filter is that of an untrained model), threshold 0.5 x max. Three timings on the same data:

- ours: ``filter_counts`` (two streaming passes, vectorized counting);
- loop, numpy per sequence: the straightforward implementation: all activations held, then for each filter and each
  sequence, the positions above the cutoff found with numpy and each fragment added;
- loop, Python per position: the same with the positions also walked in Python;
- loop as published: Basset's ``basset_motifs.py`` and deepRAM's ``extract_motifs.py`` (Kelley et al. 2016;
  Trabelsi et al. 2019) walk every activation in Python, cut each site's k-mer out of the sequence string and count
  the k-mers letter by letter into the PFM; re-implemented here with the strings made before the clock starts;
  the loops are timed on ``--n-loop`` sequences and scaled to N (their cost is linear in N);
- forward: the convolution alone over all N sequences, in the same batches.

    .venv/bin/python benchmarks/filters.py                     # N=2,000 (2-core default), L=1,000
    .venv/bin/python benchmarks/filters.py --n 10000 --device cuda
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import torch
from torch import nn

from eugene.interpret.filters import filter_counts


class DeepBindLike(nn.Module):
    def __init__(self, n_filters: int, width: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(4, n_filters, width)
        self.relu = nn.ReLU()
        self.pool = nn.AdaptiveMaxPool1d(1)
        self.fc = nn.Linear(n_filters, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pool(self.relu(self.conv1(x))).flatten(1))


def loop_counts(model: DeepBindLike, X: np.ndarray, batch_size: int) -> np.ndarray:
    """The rule as usually written: hold all activations, loop over filters, sequences and sites."""
    with torch.no_grad():
        act = torch.cat([model.conv1(torch.as_tensor(X[i : i + batch_size])) for i in range(0, len(X), batch_size)])
    act = act.numpy()
    width = model.conv1.kernel_size[0]
    counts = np.zeros((act.shape[1], X.shape[1], width))
    for f in range(act.shape[1]):
        cutoff = 0.5 * act[:, f].max()
        for n in range(len(X)):
            for p in np.flatnonzero(act[n, f] > cutoff):
                counts[f] += X[n, :, p : p + width]
    return counts


def python_loop_counts(model: DeepBindLike, X: np.ndarray) -> np.ndarray:
    """The same rule with the positions also walked in Python, as in scripts that loop over every activation."""
    with torch.no_grad():
        act = model.conv1(torch.as_tensor(X)).numpy()
    width = model.conv1.kernel_size[0]
    counts = np.zeros((act.shape[1], X.shape[1], width))
    for f in range(act.shape[1]):
        cutoff = 0.5 * act[:, f].max()
        for n in range(len(X)):
            row = act[n, f].tolist()
            for p in range(len(row)):
                if row[p] > cutoff:
                    counts[f] += X[n, :, p : p + width]
    return counts


def published_loop_counts(model: DeepBindLike, seqs: list[str]) -> np.ndarray:
    """The rule as Basset / deepRAM publish it: k-mers of the sites as strings, counted letter by letter."""
    X = np.eye(4, dtype=np.float32)[[["ACGT".index(c) for c in s] for s in seqs]].transpose(0, 2, 1)
    with torch.no_grad():
        act = model.conv1(torch.as_tensor(X)).numpy()
    width = model.conv1.kernel_size[0]
    letters = {c: i for i, c in enumerate("ACGT")}
    counts = np.zeros((act.shape[1], 4, width))
    for f in range(act.shape[1]):
        cutoff = 0.5 * act[:, f].max()
        kmers = []
        for n in range(len(seqs)):
            for p in range(act.shape[2]):
                if act[n, f, p] > cutoff:
                    kmers.append(seqs[n][p : p + width])
        for kmer in kmers:
            for j, c in enumerate(kmer):
                counts[f, letters[c], j] += 1
    return counts


def timed(fn, repeats: int = 1) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--length", type=int, default=1000)
    parser.add_argument("--filters", type=int, default=128)
    parser.add_argument("--width", type=int, default=19)
    parser.add_argument("--n-loop", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (args.n, args.length))].transpose(0, 2, 1).copy()
    model = DeepBindLike(args.filters, args.width).eval().to(args.device)
    Xt = torch.as_tensor(X)

    def forward() -> None:
        with torch.no_grad():
            for i in range(0, args.n, args.batch_size):
                model.conv1(Xt[i : i + args.batch_size].to(args.device))

    def ours() -> dict:
        return filter_counts(model, Xt, batch_size=args.batch_size, device=args.device)

    forward()  # warm up
    t_forward = timed(forward, 2)
    t_ours = timed(ours, 2)
    model_cpu = model.cpu()
    start = time.perf_counter()
    loop = loop_counts(model_cpu, X[: args.n_loop], args.batch_size)
    t_loop = (time.perf_counter() - start) * args.n / args.n_loop
    start = time.perf_counter()
    python_loop = python_loop_counts(model_cpu, X[: args.n_loop])
    t_python = (time.perf_counter() - start) * args.n / args.n_loop
    seqs = ["".join("ACGT"[i] for i in x.argmax(0)) for x in X[: args.n_loop]]
    start = time.perf_counter()
    published = published_loop_counts(model_cpu, seqs)
    t_published = (time.perf_counter() - start) * args.n / args.n_loop
    assert np.allclose(python_loop, loop) and np.allclose(published, loop)
    model.to(args.device)

    check = filter_counts(model, Xt[: args.n_loop], batch_size=args.batch_size, device=args.device)
    assert np.allclose(check["counts"].numpy(), loop), "ours and the loop disagree"
    sites = ours()["n_sites"].sum().item()
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    print(f"machine: {platform.machine()}, nproc={os.cpu_count()}, torch threads={torch.get_num_threads()}, {cpu}")
    if args.device != "cpu":
        print(f"device: {torch.cuda.get_device_name(0)}")
    print(f"work: N={args.n} x L={args.length}, {args.filters} filters of width {args.width}, {sites} sites in all")
    print(f"forward (conv alone): {t_forward:8.2f} s")
    print(f"ours (filter_counts): {t_ours:8.2f} s   = {t_ours / t_forward:.2f} x forward")
    print(
        f"loop, numpy per sequence (scaled from {args.n_loop}): {t_loop:8.2f} s -> ours {t_loop / t_ours:.0f} x faster"
    )
    print(
        f"loop, Python per position (scaled from {args.n_loop}): {t_python:8.2f} s "
        f"-> ours {t_python / t_ours:.0f} x faster"
    )
    print(
        f"loop as published, k-mer strings (scaled from {args.n_loop}): {t_published:8.2f} s "
        f"-> ours {t_published / t_ours:.0f} x faster"
    )


if __name__ == "__main__":
    main()
