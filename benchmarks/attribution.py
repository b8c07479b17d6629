"""DeepLiftShap throughput: eugene against tangermeme and Captum on the same Basset-style model, data and references.

Also times the floor of the standard algorithm: one plain forward + backward over the concatenated
[inputs repeated R times; references] batch, which tangermeme and Captum both run (with rules on top).

    .venv/bin/python benchmarks/attribution.py [--n 8] [--refs 20] [--length 1000] [--batch-size 32] [--repeats 3]
        [--full] [--cpu-time]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings

import torch

import eugene as eu
from eugene.interpret import attribute


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown"


def _best_interleaved(tools: dict, repeats: int, clock=time.perf_counter) -> tuple[dict[str, float], dict]:
    """Best time of each tool over ``repeats`` rounds, each round running every tool once, so that a change of load on
    a shared machine hits every tool alike; also each tool's last result."""
    times: dict[str, list[float]] = {name: [] for name in tools}
    results = {}
    for _ in range(repeats):
        for name, fn in tools.items():
            start = clock()
            results[name] = fn()
            times[name].append(clock() - start)
    return {name: min(values) for name, values in times.items()}, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=8, help="sequences")
    parser.add_argument("--refs", type=int, default=20, help="references per sequence")
    parser.add_argument("--length", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=32, help="pairs per pass, for every tool")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many rounds (every tool once a round)")
    parser.add_argument(
        "--full",
        action="store_true",
        help="Basset's published sizes (300/200/200 filters, dense 1000/1000, 164 outputs)",
    )
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="one torch thread, timed by the process's CPU time: unaffected by other work on a shared machine",
    )
    args = parser.parse_args()
    if args.cpu_time:
        torch.set_num_threads(1)

    generator = torch.Generator().manual_seed(0)
    sizes = {"n_filters": (300, 200, 200), "hidden": (1000, 1000), "n_outputs": 164} if args.full else {}
    model = eu.models.build("basset", alphabet_size=4, seq_len=args.length, **{"n_outputs": 1, **sizes}).eval()
    X = torch.nn.functional.one_hot(torch.randint(4, (args.n, args.length), generator=generator), 4)
    X = X.permute(0, 2, 1).float()
    refs = torch.as_tensor(eu.seq.dinucleotide_shuffle(X.numpy(), n=args.refs, seed=0))
    pairs = args.n * args.refs
    print(
        f"machine: {os.cpu_count()} cores ({_cpu_model()}), torch {torch.__version__}, "
        f"threads {torch.get_num_threads()}, {'CPU' if args.cpu_time else 'wall-clock'} time"
    )
    print(
        f"work: basset ({'published' if args.full else 'default eugene'} sizes), L={args.length}, "
        f"{args.n} sequences x {args.refs} references = {pairs} pairs, batch {args.batch_size}"
    )

    def ours():
        return attribute(model, X, "deeplift_shap", references=refs, batch_size=args.batch_size, verbose=False)

    def floor():
        inputs = torch.cat([X.repeat_interleave(args.refs, 0), refs.flatten(0, 1)])
        for start in range(0, len(inputs), 2 * args.batch_size):
            rows = inputs[start : start + 2 * args.batch_size].clone().requires_grad_(True)
            torch.autograd.grad(model(rows)[:, 0].sum(), rows)

    tools = {"eugene": ours, "floor (fwd+bwd of [x; r])": floor}
    try:
        from tangermeme.deep_lift_shap import deep_lift_shap

        def tangermeme():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return deep_lift_shap(model, X, references=refs, batch_size=args.batch_size, verbose=False)

        tools["tangermeme"] = tangermeme
    except ImportError:
        print("tangermeme not installed (bench extra); skipped")
    try:
        from captum.attr import DeepLiftShap

        explainer = DeepLiftShap(model)

        def captum():
            for i in range(args.n):  # Captum shares baselines across a batch: one call per sequence
                explainer.attribute(X[i : i + 1], baselines=refs[i], target=0)

        tools["captum"] = captum
    except ImportError:
        print("captum not installed (bench extra); skipped")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Setting forward, backward hooks")  # Captum's, on every call
        timings, results = _best_interleaved(
            tools, args.repeats, time.process_time if args.cpu_time else time.perf_counter
        )

    for name, seconds in timings.items():
        print(f"{name:>28}: {seconds:7.2f} s  {pairs / seconds:8.1f} pairs/s")
    for peer in ("tangermeme", "captum", "floor (fwd+bwd of [x; r])"):
        if peer in timings:
            print(f"eugene / {peer}: {timings[peer] / timings['eugene']:.2f}x throughput")
    if "tangermeme" in results:  # the same rules (cross max for the max pools): equal up to float32 rounding
        ours_, theirs = results["eugene"], results["tangermeme"]
        gap = float((ours_ - theirs).abs().max() / theirs.abs().max())
        print(f"max |eugene - tangermeme| / max |tangermeme| = {gap:.1e}")


if __name__ == "__main__":
    main()
