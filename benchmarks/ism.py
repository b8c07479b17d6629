"""ISM: ours (fast and naive) against tangermeme's saturation_mutagenesis (fast and naive) on a Basset-style model;
with --auto, ours fast="auto" against both exact paths on small CNNs, the bundled architectures and dilated stacks.

Run:  .venv/bin/python benchmarks/ism.py            (about 3 minutes on 2 CPU cores)
      .venv/bin/python benchmarks/ism.py --dtype float64 --lengths 2000
      .venv/bin/python benchmarks/ism.py --auto     (about 3 minutes; one thread, CPU time)

``--auto`` times, on one torch thread and in CPU seconds of this process (so that other load on a shared machine
counts less than in wall time), the naive path, the fast path and fast="auto" on each case of ``AUTO_CASES``: the
first auto call on a fresh model (cold: tracing, the trace check and planning included), then the best of
``--repeats`` interleaved warm runs of each. It prints auto / naive and auto / best-of-both per case, the path
auto took and the estimated fast / naive ratio it took it on against the measured one, and the constants of the cost
model (seconds per multiply-add, element and torch call) fitted to these timings by non-negative least squares on
relative error, for comparison with ``eugene.interpret._fastism.SECONDS_PER``.

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
from eugene.interpret._engine import Run, resolve_target
from eugene.interpret._fastism import SECONDS_PER, FastISM
from eugene.interpret.mutagenesis import FAST_MARGIN, Mutagenesis

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


class _Residual(nn.Module):
    """SpliceAI's residual unit: BN -> ReLU -> dilated conv, twice, plus the input."""

    def __init__(self, channels: int, kernel: int, dilation: int) -> None:
        super().__init__()
        self.bn1, self.bn2 = nn.BatchNorm1d(channels), nn.BatchNorm1d(channels)
        self.conv1 = nn.Conv1d(channels, channels, kernel, dilation=dilation, padding="same")
        self.conv2 = nn.Conv1d(channels, channels, kernel, dilation=dilation, padding="same")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(torch.relu(self.bn2(self.conv1(torch.relu(self.bn1(x))))))


class SpliceAI(nn.Module):
    """The SpliceAI-10k shape (Jaganathan et al. 2019, Cell 176:535): 32 channels, four stages of four residual units
    (kernel 11/11/21/41, dilation 1/4/10/25; receptive field 10,001), skip connections, three outputs per position,
    ``crop`` positions cut from each end. ``stages`` shortens it (the SpliceAI-80nt shape is ``((11, 1),)``)."""

    def __init__(self, stages=((11, 1), (11, 4), (21, 10), (41, 25)), crop: int = 5000, channels: int = 32) -> None:
        super().__init__()
        self.crop = crop
        self.stem, self.skip = nn.Conv1d(4, channels, 1), nn.Conv1d(channels, channels, 1)
        self.stages = nn.ModuleList(nn.Sequential(*[_Residual(channels, k, d) for _ in range(4)]) for k, d in stages)
        self.dense = nn.ModuleList(nn.Conv1d(channels, channels, 1) for _ in stages)
        self.head = nn.Conv1d(channels, 3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.stem(x)
        skip = self.skip(h)
        for stage, dense in zip(self.stages, self.dense):
            h = stage(h)
            skip = skip + dense(h)
        return self.head(skip)[:, :, self.crop : skip.shape[2] - self.crop]


def _centre_acceptor(out: torch.Tensor) -> torch.Tensor:
    return out[:, 1, out.shape[2] // 2]


def _counts(out: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    return out[1][:, 0]


# name -> (model factory, N, L, (start, end) or None for every position, target)
AUTO_CASES = {
    "deepbind16 100x101": (lambda: eu.models.build("deepbind", seq_len=101, n_filters=16), 100, 101, None, 0),
    "deepbind16 100x101 [45,56)": (
        lambda: eu.models.build("deepbind", seq_len=101, n_filters=16),
        100,
        101,
        (45, 56),
        0,
    ),
    "deepbind16 1x101": (lambda: eu.models.build("deepbind", seq_len=101, n_filters=16), 1, 101, None, 0),
    # build's default DeepBind has 16 filters too: the first case again, which shows the machine's noise
    "deepbind default 100x101": (lambda: eu.models.build("deepbind", seq_len=101), 100, 101, None, 0),
    "basset 8x600": (lambda: eu.models.build("basset", seq_len=600), 8, 600, None, 0),
    "basset 100x600 [295,305)": (lambda: eu.models.build("basset", seq_len=600), 100, 600, (295, 305), 0),
    "deepstarr 20x249": (lambda: eu.models.build("deepstarr", seq_len=249), 20, 249, None, 0),
    "bpnet 2x1000 counts": (lambda: eu.models.build("bpnet", seq_len=1000), 2, 1000, None, _counts),
    "bpnet-9 dilated 1x1000 counts": (
        lambda: eu.models.build("bpnet", seq_len=1000, n_layers=9),
        1,
        1000,
        None,
        _counts,
    ),
    "danq 10x200": (lambda: eu.models.build("danq", seq_len=200), 10, 200, None, 0),
    "spliceai-80nt 4x600": (lambda: SpliceAI(((11, 1),), crop=40), 4, 600, None, _centre_acceptor),
    "spliceai-10k 1x15000 +-1 bp": (lambda: SpliceAI(), 1, 15000, (7499, 7502), _centre_acceptor),
}


def _cpu_timed(fn, *args, **kwargs):
    start = time.process_time()
    result = fn(*args, **kwargs)
    return time.process_time() - start, result


def _auto(model, X, target, window, fast):
    """ism as the API runs it, keeping the Mutagenesis to read the path auto took."""
    run = Run(model, X, target, batch_size=256, verbose=False)
    mutagenesis = Mutagenesis(run, *(window or (None, None)), fast)
    with run:
        return mutagenesis(run.X), mutagenesis


def auto_main(args: argparse.Namespace) -> None:
    from scipy.optimize import nnls

    torch.set_num_threads(1)
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    print(
        f"machine: {platform.machine()}, nproc={os.cpu_count()}, CPU {cpu}, load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; torch {torch.__version__}, 1 thread, CPU seconds, "
        f"best of {args.repeats} (cold: first auto call on a fresh model); batch_size 256, float32\n"
    )
    header = f"{'case':32s} {'mutants':>8s} {'naive':>7s} {'fast':>7s} {'auto':>7s} {'cold':>7s}  path  "
    print(header + "auto/naive auto/best  est f/n  meas f/n")
    rows, worst = [], 1.0
    for name, (factory, n, length, window, target) in AUTO_CASES.items():
        if args.cases and not any(word in name for word in args.cases):
            continue
        torch.manual_seed(0)
        model = factory().eval()
        X = torch.from_numpy(np.eye(4, dtype=np.float32)[np.random.default_rng(1).integers(0, 4, (n, length))])
        X = X.transpose(1, 2).contiguous()
        t_cold, (_, mutagenesis) = _cpu_timed(_auto, model, X, target, window, "auto")
        with torch.no_grad():  # float32 rounding is relative to the output, not to the (maybe tiny) effects
            scale = float(resolve_target(target)(model(X)).abs().max())
        best = {"naive": float("inf"), "fast": float("inf"), "auto": float("inf")}
        for _ in range(args.repeats):  # interleaved: load on a shared machine hits all three alike
            for path, fast in (("naive", False), ("fast", True), ("auto", "auto")):
                t, (result, _) = _cpu_timed(_auto, model, X, target, window, fast)
                best[path] = min(best[path], t)
                if path == "naive":
                    naive = result
                else:
                    error = float((result - naive).abs().max()) / scale
                    assert error < 1e-5, f"{name}: {path} differs from naive by {error:.1e} of the output"
        choice = mutagenesis.choice
        lo, hi = window or (0, length)
        n_mutants = n * 3 * (hi - lo)
        costs = FastISM(model, torch.device("cpu")).prepare(X, resolve_target(target)).costs
        work_fast, work_naive = costs.work(n, n_mutants, 256)
        rows += [(work_fast, best["fast"]), (work_naive, best["naive"])]
        worst = max(worst, best["auto"] / best["naive"])
        print(
            f"{name:32s} {n_mutants:8d} {best['naive']:7.3f} {best['fast']:7.3f} {best['auto']:7.3f} {t_cold:7.3f}  "
            f"{choice.path:5s} {best['auto'] / best['naive']:9.2f}x "
            f"{best['auto'] / min(best['naive'], best['fast']):8.2f}x "
            f"{choice.fast_seconds / choice.naive_seconds:8.2f} {best['fast'] / best['naive']:9.2f}"
        )
    print(f"\nauto takes the fast path at an estimated fast / naive <= {FAST_MARGIN}; worst auto / naive {worst:.2f}x")
    A = np.array([w.counts for w, _ in rows]) / np.array([t for _, t in rows])[:, None]
    fitted, _ = nnls(A, np.ones(len(rows)))
    print(
        f"cost constants (s per MAC, element, moved element, call): in use {SECONDS_PER['cpu']}, fitted here "
        f"({', '.join(f'{c:.2e}' for c in fitted)})"
    )


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--lengths", type=int, nargs="+", default=[1000, 2000])
    parser.add_argument("--auto", action="store_true", help="time fast='auto' against both exact paths instead")
    parser.add_argument("--repeats", type=int, default=3, help="--auto: warm runs of each path (best is kept)")
    parser.add_argument("--cases", nargs="+", help="--auto: only the cases whose name contains one of these words")
    args = parser.parse_args()
    if args.auto:
        auto_main(args)
        return
    from tangermeme.saturation_mutagenesis import saturation_mutagenesis

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
