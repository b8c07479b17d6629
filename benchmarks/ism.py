"""ISM: ours (fast and naive) against tangermeme's saturation_mutagenesis (fast and naive) on a Basset-style model.

Run:  .venv/bin/python benchmarks/ism.py            (about 3 minutes on 2 CPU cores)
      .venv/bin/python benchmarks/ism.py --dtype float64 --lengths 2000

``--dtype float64`` runs model and data in double precision: there the fast and naive paths must agree to 1e-5
relative, a bound float32 rounding alone exceeds at 2 kb (the float64 error column shows every float32 path's).

Model: the published Basset shape (Kelley et al. 2016): 300/200/200 filters of width 19/11/7, pools 3/4/4, dense
1000/1000, 164 outputs, random weights, eval mode, float32 (or --dtype). One sequence at L = 1000 and 2000 (or
--lengths), target output 0. Fast paths mutate every position. The naive paths cost the same per position
everywhere, so both are timed on the same window of positions and scaled to the full length (printed as such).

Also printed: the error of each path against float64 naive ISM on a few positions, and the floor: the ratio of
the multiply-adds of a full forward pass to those an exact fast ISM must still do per mutant on this model (windowed
conv layers, full dense layers), i.e. the speed-up over naive ISM no exact method can beat.
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import time
import warnings

import numpy as np
import torch
from torch import nn

import eugene as eu
from eugene.interpret import ism
from eugene.interpret._engine import resolve_target
from eugene.interpret._fastism import FastISM

NAIVE_WINDOW = 100


def basset(length: int) -> nn.Module:
    torch.manual_seed(0)
    model = eu.models.build(
        "basset", alphabet_size=4, seq_len=length, n_outputs=164, n_filters=(300, 200, 200), hidden=(1000, 1000)
    )
    for m in model.modules():  # non-trivial BatchNorm statistics
        if isinstance(m, nn.BatchNorm1d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
    return model.eval()


def macs(model: nn.Module, X: torch.Tensor) -> tuple[int, int]:
    """Multiply-adds of one forward pass, and of one exact fast-ISM mutant (windowed local convs, full rest)."""
    engine = FastISM(model, torch.device("cpu"))
    with torch.no_grad():
        engine.run(
            X,
            torch.zeros(1, dtype=torch.long),
            torch.zeros(1, dtype=torch.long),
            torch.tensor([0]),
            resolve_target(0),
            1,
            False,
        )
    plan, full, fast = engine.plan, 0, 0
    env, _ = engine._reference(X)
    for node in engine.nodes:
        module = engine.modules.get(node.target) if node.op == "call_module" else None
        if isinstance(module, nn.Conv1d):
            per_position = module.out_channels * module.in_channels // module.groups * module.kernel_size[0]
            full += per_position * env[node].shape[2]
            fast += per_position * (plan.width[node] if plan.kind[node] == "local" else env[node].shape[2])
        elif isinstance(module, nn.Linear):
            full += module.in_features * module.out_features
            fast += module.in_features * module.out_features
    return full, fast


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def main() -> None:
    from tangermeme.saturation_mutagenesis import saturation_mutagenesis

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--lengths", type=int, nargs="+", default=[1000, 2000])
    args = parser.parse_args()
    dtype = getattr(torch, args.dtype)

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    print(f"machine: {platform.machine()}, nproc={os.cpu_count()}, torch threads={torch.get_num_threads()}, CPU {cpu}")
    print(
        f"torch {torch.__version__}; model: Basset-style 300/200/200 x 19/11/7, dense 1000/1000, 164 outputs, "
        f"{args.dtype}\n"
    )
    for length in args.lengths:
        model = basset(length).to(dtype)
        X = torch.from_numpy(eu.seq.one_hot("".join(np.random.default_rng(1).choice(list("ACGT"), length)))).to(dtype)
        lo, hi = length // 2, length // 2 + NAIVE_WINDOW
        scale = length / NAIVE_WINDOW
        with torch.no_grad():
            y = model(X)[:, 0].abs().max().item()

        t_fast, ours_fast = timed(ism, model, X, target=0, fast=True, batch_size=1024)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            t_tm_fast, (y0, yh) = timed(
                saturation_mutagenesis, model, X, fast=True, raw_outputs=True, device="cpu", batch_size=256
            )
        tm_fast = yh[..., 0] - y0[:, None, None, 0]
        naive_times, tm_naive_times = [], []
        for _ in range(2):  # interleaved, best of two: the machine may be shared
            t, ours_naive = timed(ism, model, X, target=0, fast=False, batch_size=256, start=lo, end=hi)
            naive_times.append(t)
            t, (y0n, yhn) = timed(
                saturation_mutagenesis,
                model,
                X,
                fast=False,
                raw_outputs=True,
                device="cpu",
                batch_size=256,
                start=lo,
                end=hi,
            )
            tm_naive_times.append(t)
        t_naive, t_tm_naive = min(naive_times), min(tm_naive_times)
        tm_naive = yhn[..., 0] - y0n[:, None, None, 0]
        # float64 truth on a few positions: every path's error against it, relative to the largest effect there
        truth = ism(copy.deepcopy(model).double(), X.double(), target=0, fast=False, start=lo, end=lo + 10)
        truth = truth[:, :, lo : lo + 10]
        big = truth.abs().max().item()
        paths = {
            "ours fast": ours_fast[:, :, lo : lo + 10],
            "ours naive": ours_naive[:, :, lo : lo + 10],
            "tangermeme fast": tm_fast[:, :, lo : lo + 10],
            "tangermeme naive": tm_naive[:, :, :10],
        }
        errors = {name: (v.double() - truth).abs().max().item() / big for name, v in paths.items()}
        identical = (ours_fast[:, :, lo:hi] - ours_naive[:, :, lo:hi]).abs().max().item() / y
        full, fast = macs(model, X)
        print(f"L = {length} (1 sequence, {3 * length} mutants)")
        print(f"  ours fast        {t_fast:8.2f} s")
        print(f"  tangermeme fast  {t_tm_fast:8.2f} s   -> ours fast is {t_tm_fast / t_fast:5.1f}x faster")
        print(f"  ours naive       {t_naive * scale:8.2f} s   (timed on {NAIVE_WINDOW} positions x {scale:.0f})")
        print(f"  tangermeme naive {t_tm_naive * scale:8.2f} s   -> ours naive is {t_tm_naive / t_naive:5.2f}x faster")
        print(f"  ours fast vs ours naive: {t_naive * scale / t_fast:5.1f}x; floor (MAC ratio) {full / fast:5.1f}x")
        print(f"  max |ours fast - ours naive| / max |output| = {identical:.1e}")
        print(
            "  error vs float64 naive ISM (max |diff| / max |effect|): "
            + ", ".join(f"{name} {value:.1e}" for name, value in errors.items())
        )
        if caught:
            print(f"  tangermeme warned: {caught[0].message}")
        print()


if __name__ == "__main__":
    main()
