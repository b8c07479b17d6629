"""Benchmark: eu.interpret.seqlets against tangermeme's recursive_seqlets / tfmodisco_seqlets and modisco-lite.

Work (the same input for every tool): N x L projected attributions (default 10,000 x 1,000), standard normal noise
with a positive 8-position motif planted at a random place in every sequence and a negative 6-position one in every
other sequence.

- recursive: ``eu.interpret.seqlets(scores)`` vs ``tangermeme.seqlet.recursive_seqlets(scores)`` (defaults);
- TF-MoDISco: ``eu.interpret.seqlets(scores, method="tfmodisco")`` vs ``tangermeme.seqlet.tfmodisco_seqlets``
  (float32 torch input, as it needs) and modisco-lite's ``extract_seqlets`` (the modisco extra) with the defaults.

Every tool runs once on a small input first (numba compilation excluded from every timing, tangermeme's included).
Timings are the best of ``--repeats``, interleaved so that machine load hits every tool alike; tangermeme's
tfmodisco_seqlets takes minutes (a Python loop per seqlet), so it runs ``--slow-repeats`` times (default 1).
``--cpu-time`` times CPU seconds (``time.process_time``) with one thread (numba's thread count set to 1 here, the
benchmark's choice; eugene's kernels then run in the calling thread): the fair measure on a shared, loaded machine.
``--recursive-only`` skips the TF-MoDISco windows. The recursive tables are checked to be the same rows.

    .venv/bin/python benchmarks/seqlets.py
    .venv/bin/python benchmarks/seqlets.py --cpu-time --recursive-only --repeats 7
    .venv/bin/python benchmarks/seqlets.py --n 2000 --slow-repeats 3
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numba
import numpy as np
import torch

import eugene as eu


def planted(n: int, length: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    scores = rng.normal(size=(n, length)).astype(np.float32)
    rows = np.arange(n)
    at = rng.integers(0, length - 8, size=n)
    scores[rows[:, None], at[:, None] + np.arange(8)] += 2.5
    at = rng.integers(0, length - 6, size=n)
    scores[rows[::2, None], at[::2, None] + np.arange(6)] -= 2.0
    return scores


CLOCK = time.perf_counter  # time.process_time with --cpu-time


def best(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = CLOCK()
        result = fn()
        times.append(CLOCK() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--length", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--slow-repeats", type=int, default=1)
    parser.add_argument("--cpu-time", action="store_true", help="CPU seconds with one thread")
    parser.add_argument("--recursive-only", action="store_true", help="skip the TF-MoDISco windows")
    args = parser.parse_args()
    global CLOCK
    if args.cpu_time:
        numba.set_num_threads(1)  # this benchmark process's choice
        CLOCK = time.process_time
    try:
        from tangermeme.seqlet import recursive_seqlets, tfmodisco_seqlets
    except ImportError:
        sys.exit("needs tangermeme (the bench extra: pip install -e '.[bench]')")
    try:
        from modiscolite.extract_seqlets import extract_seqlets
    except ImportError:
        extract_seqlets = None

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}")
    print(f"numba threads {numba.get_num_threads()}, {'CPU' if args.cpu_time else 'wall-clock'} time")
    scores = planted(args.n, args.length)
    small = scores[:50]
    print("warming up (numba compilation) ...")
    eu.interpret.seqlets(small)
    eu.interpret.seqlets(small, method="tfmodisco")
    recursive_seqlets(small)

    def modisco_lite():
        return extract_seqlets(scores.astype(np.float64), 21, 10, 20, 0.2, 0.03, 0.2, 0.8)

    ours_rec, theirs_rec = [], []
    for _ in range(args.repeats):  # interleaved
        ours_rec.append(best(lambda: eu.interpret.seqlets(scores), 1))
        theirs_rec.append(best(lambda: recursive_seqlets(scores), 1))
    t_ours, table = min(ours_rec, key=lambda r: r[0])
    t_theirs, reference = min(theirs_rec, key=lambda r: r[0])
    key = ["example_idx", "start", "end"]
    same = table.sort_values(key)[key].to_numpy().tolist() == reference.sort_values(key)[key].to_numpy().tolist()
    print(f"\nrecursive, {args.n} x {args.length}: {len(table)} seqlets (same rows as tangermeme: {same})")
    print(f"  eugene     {t_ours:8.3f} s")
    print(f"  tangermeme {t_theirs:8.3f} s   ratio {t_theirs / t_ours:.2f}x")
    rounds = [(round(a, 3), round(b, 3)) for (a, _), (b, _) in zip(ours_rec, theirs_rec)]
    print(f"  every round (eugene, tangermeme): {rounds}")
    print(f"load after: {os.getloadavg()}")
    if args.recursive_only:
        return

    t_ours, table = best(lambda: eu.interpret.seqlets(scores, method="tfmodisco"), args.repeats)
    print(f"\nTF-MoDISco windows, {args.n} x {args.length}: {len(table)} seqlets")
    print(f"  eugene       {t_ours:8.3f} s")
    if extract_seqlets is not None:
        t_lite, _ = best(modisco_lite, args.repeats)
        print(f"  modisco-lite {t_lite:8.3f} s   ratio {t_lite / t_ours:.2f}x")
    t_tm, _ = best(lambda: tfmodisco_seqlets(torch.from_numpy(scores)), args.slow_repeats)
    print(f"  tangermeme   {t_tm:8.3f} s   ratio {t_tm / t_ours:.2f}x")


if __name__ == "__main__":
    main()
